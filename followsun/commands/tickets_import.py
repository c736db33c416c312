"""`followsun import zendesk|freshdesk|csv`: pull helpdesk tickets into the store.

    followsun import zendesk --url https://acme.zendesk.com --email me@acme.com --token-env ZENDESK_TOKEN
    followsun import zendesk ... --since 2027-01-01 --mapping zendesk.yaml
    followsun import freshdesk --url https://acme.freshdesk.com --key-env FRESHDESK_KEY
    followsun import csv export.csv --mapping mapping.yaml

Every page is committed with its cursor, so an import that stops half-way (killed,
network down, rate limit) is continued by `followsun sync` or by running it again: the
tickets end the same as after one clean run. Records that cannot be read are kept in
the quarantine table with the reason; the summary says how many. The API sources are
remembered (URL, email, the NAME of the variable holding the secret; never the secret)
for `followsun sync`. Exit 0 on success, 1 when the vendor failed part-way, 2 on bad
input or refused credentials.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followsun.commands.arguments import parse_since
from followsun.commands.display import ProgressLine
from followsun.errors import InputError

if TYPE_CHECKING:
    from followsun.connectors import CsvPreview
    from followsun.services.imports import ImportRun


def register(subparsers: Any) -> None:
    """Add the `import` command and its three sources."""
    parser = subparsers.add_parser(
        "import",
        help="import helpdesk tickets (Zendesk, Freshdesk, CSV)",
        description="Import tickets into the store, one committed page at a time. "
        "Exit 0 on success, 1 when the source failed part-way (re-run or `followsun sync` "
        "continues), 2 on bad input or refused credentials.",
    )
    sources = parser.add_subparsers(dest="source_kind", metavar="SOURCE", required=True)

    zendesk = sources.add_parser("zendesk", help="Zendesk incremental ticket export (cursor-based)")
    zendesk.add_argument("--url", required=True, help="https://SUB.zendesk.com (or a stand-in)")
    zendesk.add_argument("--email", required=True, help="the agent email of the API token")
    zendesk.add_argument(
        "--token-env", required=True, metavar="VAR", help="environment variable with the token"
    )
    _common(zendesk, "zendesk", max_per_page=1000)

    freshdesk = sources.add_parser("freshdesk", help="Freshdesk tickets by updated_since")
    freshdesk.add_argument("--url", required=True, help="https://SUB.freshdesk.com (or a stand-in)")
    freshdesk.add_argument(
        "--key-env", required=True, metavar="VAR", help="environment variable with the API key"
    )
    _common(freshdesk, "freshdesk", max_per_page=100)

    csv = sources.add_parser("csv", help="any CSV export, through a YAML mapping file")
    csv.add_argument("file", metavar="FILE", type=Path, help="the CSV export")
    csv.add_argument(
        "--mapping", required=True, type=Path, metavar="M.yaml", help="columns, zone, channels"
    )
    csv.add_argument(
        "--chunk-rows", type=int, default=50_000, help="rows per committed page (default 50000)"
    )
    csv.add_argument("--quiet", action="store_true", help="no progress on stderr")
    csv.add_argument(
        "--dry-run",
        action="store_true",
        help="read the whole file and show the first rows as they would be stored and the "
        "quarantine reasons; the store is not touched",
    )
    csv.add_argument("--rows", type=int, default=10, help="rows shown by --dry-run (default 10)")
    for sub in (zendesk, freshdesk, csv):
        sub.add_argument(
            "--max-quarantined",
            type=float,
            default=0.05,
            metavar="SHARE",
            help="exit 1 when more than this share of the records is quarantined (default 0.05)",
        )
        sub.set_defaults(func=run)


def _common(parser: argparse.ArgumentParser, name: str, max_per_page: int) -> None:
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="start from tickets updated at or after DATE (YYYY-MM-DD, UTC, or ISO 8601 with "
        "a zone); default: continue from the stored cursor, or from the beginning",
    )
    parser.add_argument("--source", default=name, help=f"source name to store under ({name})")
    parser.add_argument(
        "--mapping", type=Path, metavar="M.yaml", help="field mapping (channels, language field)"
    )
    parser.add_argument(
        "--per-page", type=int, default=max_per_page, help=f"records per page (max {max_per_page})"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--allow-http-loopback",
        action="store_true",
        help="accept a plain http:// --url to this machine (a local stand-in for the vendor)",
    )


def report(run: ImportRun, max_quarantined: float = 1.0) -> int:
    """Print what an import did (or why it stopped) and return its exit code."""
    if run.result is None:
        print(f"followsun import: {run.stopped}", file=sys.stderr)
        return 1
    print(run.result.summary())
    return quarantine_check(run.result.quarantined, run.result.fetched, max_quarantined)


def quarantine_check(quarantined: int, records: int, limit: float) -> int:
    """0, or 1 with a message when more than `limit` of the records were quarantined."""
    share = quarantined / records if records else 0.0
    if share <= limit:
        return 0
    print(
        f"followsun import: {quarantined:,} of {records:,} records ({share:.1%}) quarantined, "
        f"more than --max-quarantined {limit:g}: check the mapping "
        "(`followsun quarantine list` shows why)",
        file=sys.stderr,
    )
    return 1


def run(args: argparse.Namespace) -> int:
    """Run the chosen import (or, with --dry-run, show what a CSV import would store)."""
    from followsun.services.imports import ApiSource, import_api, import_csv, preview_csv_import

    if not 0 <= args.max_quarantined <= 1:
        raise InputError(f"--max-quarantined {args.max_quarantined}: expected a share from 0 to 1")
    if args.source_kind == "csv" and args.dry_run:
        preview = preview_csv_import(args.file, args.mapping, args.rows, args.chunk_rows)
        return show_preview(preview, args.max_quarantined)
    progress = ProgressLine(args.quiet)
    try:
        if args.source_kind == "csv":
            done = import_csv(args.file, args.mapping, args.chunk_rows, progress=progress)
        else:
            source = ApiSource(
                kind=args.source_kind,
                name=args.source,
                url=args.url,
                secret_env=args.token_env if args.source_kind == "zendesk" else args.key_env,
                email=getattr(args, "email", None),
                mapping=args.mapping,
                per_page=args.per_page,
                allow_http_loopback=args.allow_http_loopback,
            )
            done = import_api(source, parse_since(args.since), progress=progress)
    finally:
        progress.close()
    return report(done, args.max_quarantined)


def show_preview(preview: CsvPreview, max_quarantined: float) -> int:
    """Print a dry run: the first tickets as they would be stored, the quarantine reasons."""
    import pandas as pd

    with pd.option_context("display.max_columns", None, "display.width", 200):
        print(f"first {len(preview.tickets)} tickets as they would be stored:")
        print(preview.tickets.to_string(index=False) if len(preview.tickets) else "(none)")
    for reject in preview.rejects:
        print(f"quarantined: {reject.reason}")
    for reason, count in preview.reasons.items():
        print(f"{count:>9,} rows: {reason}")
    print(
        f"dry run: {preview.records:,} records: {preview.records - preview.quarantined:,} "
        f"would be stored, {preview.quarantined:,} quarantined; nothing was written"
    )
    return quarantine_check(preview.quarantined, preview.records, max_quarantined)
