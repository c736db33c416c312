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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from followsun.connectors import (
    CsvMapping,
    HttpError,
    ImportResult,
    SourceConfig,
    csv_pages,
    import_source,
    load_mapping,
    preview_csv,
    run_import,
    save_source,
)
from followsun.connectors.base import RecordError
from followsun.errors import InputError
from followsun.store import database_url, init_db
from scenarios.yamlfile import read_yaml


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


def parse_since(text: str | None) -> datetime | None:
    """`--since` as a UTC instant: a date is midnight UTC; a time needs a zone."""
    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except ValueError as exc:
        raise InputError(f"--since {text!r}: expected YYYY-MM-DD or ISO 8601") from exc
    if stamp.tzinfo is None:
        if stamp != stamp.normalize():
            raise InputError(f"--since {text!r}: a time needs a zone, e.g. 2027-03-01T08:00Z")
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(UTC).to_pydatetime()


class ProgressLine:
    """A counter on stderr after each committed page: rewritten in place on a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, result: ImportResult) -> None:
        """Show the running totals of `result`."""
        if self.quiet:
            return
        c = result.counts
        line = (
            f"{result.source}: page {result.pages}: {result.fetched:,} records, "
            f"{c.inserted:,} new, {c.updated:,} updated, {result.quarantined:,} quarantined"
        )
        print(line, end="\r" if self.tty else "\n", file=sys.stderr, flush=True)
        self.shown = True

    def close(self) -> None:
        """End the line on a terminal, so the summary starts on a fresh one."""
        if self.shown and self.tty:
            print(file=sys.stderr, flush=True)


def summary(result: ImportResult) -> str:
    """One line saying what an import did."""
    return result.summary()


def run_source(
    config: SourceConfig, since: datetime | None, quiet: bool, max_quarantined: float = 1.0
) -> int:
    """Import one API source; print its summary; return the exit code."""
    engine = init_db(database_url())
    progress = ProgressLine(quiet)
    try:
        result = import_source(engine, config, since, progress)
    except HttpError as exc:
        if exc.is_auth:
            raise InputError(
                f"{config.name}: {config.url} refused the credentials in ${config.secret_env}"
            ) from exc
        print(
            f"followsun import: {config.name} stopped: {exc}; the pages before it are "
            "stored: run `followsun sync` to continue",
            file=sys.stderr,
        )
        return 1
    except RecordError as exc:
        print(f"followsun import: {config.name}: unexpected answer: {exc}", file=sys.stderr)
        return 1
    finally:
        progress.close()
        engine.dispose()
    print(summary(result))
    return quarantine_check(result.quarantined, result.fetched, max_quarantined)


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


def _mapping(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = read_yaml(path, "mapping file") or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of keys to values")
    return data


def run(args: argparse.Namespace) -> int:
    """Run the chosen import."""
    if not 0 <= args.max_quarantined <= 1:
        raise InputError(f"--max-quarantined {args.max_quarantined}: expected a share from 0 to 1")
    if args.source_kind == "csv":
        return _run_csv(args)
    if not 1 <= args.per_page <= (1000 if args.source_kind == "zendesk" else 100):
        raise InputError(f"--per-page {args.per_page}: out of the vendor's range")
    config = SourceConfig(
        name=args.source,
        kind=args.source_kind,
        url=args.url,
        secret_env=args.token_env if args.source_kind == "zendesk" else args.key_env,
        email=getattr(args, "email", None),
        mapping=_mapping(args.mapping),
        per_page=args.per_page,
        allow_http_loopback=args.allow_http_loopback,
    )
    config.check()
    since = parse_since(args.since)
    config.secret()  # fail before remembering a source that cannot run
    save_source(config)
    return run_source(config, since, args.quiet, args.max_quarantined)


def _dry_run(args: argparse.Namespace, mapping: CsvMapping) -> int:
    preview = preview_csv(args.file, mapping, max(args.rows, 0), args.chunk_rows)
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
    return quarantine_check(preview.quarantined, preview.records, args.max_quarantined)


def _run_csv(args: argparse.Namespace) -> int:
    if args.chunk_rows < 1:
        raise InputError(f"--chunk-rows {args.chunk_rows}: expected 1 or more")
    mapping = load_mapping(args.mapping)
    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file")
    if args.dry_run:
        return _dry_run(args, mapping)
    engine = init_db(database_url())
    progress = ProgressLine(args.quiet)
    try:
        pages = csv_pages(args.file, mapping, args.chunk_rows)
        result = run_import(engine, mapping.source, pages, progress)
    finally:
        progress.close()
        engine.dispose()
    print(summary(result))
    return quarantine_check(result.quarantined, result.fetched, args.max_quarantined)
