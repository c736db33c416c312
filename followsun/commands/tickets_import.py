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

if TYPE_CHECKING:
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
    for sub in (zendesk, freshdesk, csv):
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


def report(run: ImportRun) -> int:
    """Print what an import did (or why it stopped) and return its exit code."""
    from followsun.services.imports import import_summary

    if run.result is None:
        print(f"followsun import: {run.stopped}", file=sys.stderr)
        return 1
    print(import_summary(run.result))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the chosen import."""
    from followsun.services.imports import ApiSource, import_api, import_csv

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
            )
            done = import_api(source, parse_since(args.since), progress=progress)
    finally:
        progress.close()
    return report(done)
