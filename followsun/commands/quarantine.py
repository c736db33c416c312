"""`followsun quarantine list|export`: the records an import refused, and why, without SQL.

    followsun quarantine list [--source S] [--limit N] [--json]
    followsun quarantine export --out refused.csv [--source S] [--force]

`list` prints the count and the first refusals (oldest first): source, record key,
when, reason. `export` writes every refusal as CSV (`source`, `record_key`, `seen_at`,
`reason`, `payload` as JSON), to fix in the source system or the mapping and re-import.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `quarantine` command (`list`, `export`)."""
    parser = subparsers.add_parser(
        "quarantine",
        help="list or export the records imports refused",
        description="Read the quarantine (records an import refused, with the reason).",
    )
    action = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = action.add_parser("list", help="the count and the first refusals")
    listing.add_argument("--limit", type=int, default=20, help="refusals shown (default 20)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of lines")
    export = action.add_parser("export", help="every refusal as CSV")
    export.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    export.add_argument("--force", action="store_true", help="replace an existing --out file")
    for sub in (listing, export):
        sub.add_argument("--source", help="only this source")
        sub.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List or export the quarantine."""
    import json

    from followsun.atomic import check_output_file, replacing_file
    from followsun.errors import InputError
    from followsun.store import (
        database_url,
        init_db,
        quarantine_count,
        quarantine_frame,
        quarantined,
        session_scope,
    )

    if args.action == "list" and args.limit < 0:
        raise InputError(f"--limit {args.limit}: expected 0 or more")
    if args.action == "export":
        check_output_file(args.out, force=args.force)
    engine = init_db(database_url())
    try:
        with session_scope(engine) as session:
            if args.action == "export":
                frame = quarantine_frame(session, args.source)
            else:
                total = quarantine_count(session, args.source)
                records = quarantined(session, args.source, args.limit)
    finally:
        engine.dispose()
    if args.action == "export":
        with replacing_file(args.out) as partial:
            frame.to_csv(partial, index=False)
        print(f"wrote {len(frame):,} quarantined records to {args.out}")
        return 0
    if args.json:
        rows = [
            {
                "source": r.source,
                "record_key": r.record_key,
                "seen_at": r.seen_at.isoformat().replace("+00:00", "Z"),
                "reason": r.reason,
            }
            for r in records
        ]
        print(json.dumps({"total": total, "records": rows}, indent=2))
        return 0
    print(f"{total:,} quarantined records" + (f" from {args.source}" if args.source else ""))
    for r in records:
        print(f"{r.source}\t{r.record_key}\t{r.seen_at:%Y-%m-%d %H:%M}Z\t{r.reason}")
    if total > len(records):
        print(f"... {total - len(records):,} more: `followsun quarantine export --out FILE.csv`")
    return 0
