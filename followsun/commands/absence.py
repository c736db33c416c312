"""`followsun absence add|list|remove`: sickness, leave and training of agents.

An absence makes the agent unavailable on every local date from --from to --to
(inclusive); the next roster solve with --people gives them no shift then. The agent is
a stored one, or with --scenario one the scenario names or generates from its headcount.
An unknown agent or an overlap with another of their absences is refused (exit 2) and
nothing is stored.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import iso_date

KINDS = ("sick", "leave", "training")


def register(subparsers: Any) -> None:
    """Add the `absence` command and its actions."""
    parser = subparsers.add_parser(
        "absence",
        help="add, list or remove agents' sickness, leave and training",
        description="Absences of the agents kept in the store ($FOLLOWSUN_DATABASE_URL).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="mark an agent absent over inclusive dates")
    add.add_argument("--agent", required=True, help="agent id")
    add.add_argument("--from", dest="first", required=True, type=iso_date, help="first date")
    add.add_argument("--to", dest="last", required=True, type=iso_date, help="last date")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument(
        "--scenario",
        type=Path,
        default=None,
        help="scenario YAML whose agents (named, or generated from headcount as "
        "<site>-t<tier>-<nn>) may be absent without being stored",
    )
    listing = actions.add_parser("list", help="print the absences")
    listing.add_argument("--agent", default=None, help="only this agent")
    remove = actions.add_parser("remove", help="delete one absence by id")
    remove.add_argument("absence_id", type=int, metavar="ID")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    from followsun.services import people

    if args.action == "add":
        added = people.add_absence(
            args.agent, args.first, args.last, args.kind, scenario=args.scenario
        )
        print(
            f"absence {added.absence_id}: {added.agent_id} {added.kind} {added.first}..{added.last}"
        )
    elif args.action == "remove":
        removed = people.remove_absence(args.absence_id)
        print(f"removed absence {args.absence_id}: {removed.agent_id} {removed.kind}")
    else:
        for a in people.list_absences(args.agent):
            print(f"{a.absence_id}\t{a.agent_id}\t{a.kind}\t{a.first}\t{a.last}")
    return 0
