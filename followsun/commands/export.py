"""`followsun export tickets --out FILE.csv`: the canonical tickets table as CSV.

Columns as CONTRACTS.md (`source`, `ticket_id`, `created_at`, ...), timestamps ISO 8601
in UTC with a 'Z', ordered by creation time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.tickets_import import parse_since
from followsun.store import database_url, init_db, session_scope, tickets_frame
from forecasting.schema import to_csv_frame


def register(subparsers: Any) -> None:
    """Add the `export` command (`export tickets`)."""
    parser = subparsers.add_parser(
        "export", help="write stored data as CSV", description="Write stored data as CSV."
    )
    what = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    tickets = what.add_parser("tickets", help="the canonical tickets table")
    tickets.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    tickets.add_argument("--from", dest="start", metavar="DATE", help="created at or after")
    tickets.add_argument("--to", dest="end", metavar="DATE", help="created before")
    tickets.add_argument("--source", help="only this source")
    tickets.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the tickets."""
    engine = init_db(database_url())
    try:
        with session_scope(engine) as session:
            frame = tickets_frame(
                session, parse_since(args.start), parse_since(args.end), args.source
            )
    finally:
        engine.dispose()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out = to_csv_frame(frame)
    out["escalated"] = out["escalated"].map({True: "true", False: "false"})
    out.to_csv(args.out, index=False)
    print(f"wrote {len(frame):,} tickets to {args.out}")
    return 0
