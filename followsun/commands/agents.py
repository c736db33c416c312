"""`followsun agents import|export|list`: the agents a scheduler keeps, as CSV.

agents.csv columns: agent_id, name, site, tier, skills (';'-separated 'chat/en'),
contract, start_date, end_date, days_off (weekdays or dates), preferred_shifts, wish_weight.
A roster with `--people` rosters these agents instead of a site's headcount.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `agents` command and its actions."""
    parser = subparsers.add_parser(
        "agents",
        help="import, export or list the agents kept in the store",
        description="The named agents (site, tier, skills, contract, dates, wishes) kept in "
        "the store ($FOLLOWSUN_DATABASE_URL), beside the scenarios' headcount.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    load = actions.add_parser("import", help="add or update agents from an agents.csv")
    load.add_argument("path", type=Path, help="agents.csv")
    save = actions.add_parser("export", help="write the stored agents as agents.csv")
    save.add_argument("path", type=Path, help="agents.csv to write")
    listing = actions.add_parser("list", help="print the stored agents")
    listing.add_argument("--site", default=None, help="only this site")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    from followsun.services import people

    if args.action == "import":
        counts = people.import_agents(args.path)
        print(f"{args.path}: {counts.added} agents added, {counts.updated} updated")
    elif args.action == "export":
        count = people.export_agents(args.path)
        print(f"{args.path}: {count} agents")
    else:
        for p in people.list_agents(args.site):
            dates = f"{p.start_date or ''}..{p.end_date or ''}"
            print(
                f"{p.agent_id}\t{p.name}\t{p.site}\tt{p.tier}\t{';'.join(p.skills)}\t"
                f"{p.contract or 'default'}\t{dates}"
            )
    return 0
