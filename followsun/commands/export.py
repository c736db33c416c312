"""`followsun export tickets --out FILE.csv`: the canonical tickets table as CSV.

Columns as CONTRACTS.md (`source`, `ticket_id`, `created_at`, ...), timestamps ISO 8601
in UTC with a 'Z', ordered by creation time.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_force, parse_since


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
    add_force(tickets)
    tickets.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the tickets."""
    from followsun.services.export import export_tickets

    count = export_tickets(
        args.out,
        parse_since(args.start, "--from"),
        parse_since(args.end, "--to"),
        args.source,
        force=args.force,
    )
    print(f"wrote {count:,} tickets to {args.out}")
    return 0
