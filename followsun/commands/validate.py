"""`followsun validate FILE...`: check scenario files and list every problem by field path."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from forecasting.errors import InputError
from scenarios.loader import load_scenario


def register(subparsers: Any) -> None:
    """Add the `validate` command."""
    parser = subparsers.add_parser(
        "validate",
        help="check scenario files",
        description="Validate scenario YAML files (with their `extends:` chains). "
        "Exit 0 when all are valid, 2 when any is not, with every problem listed.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file; report each one's verdict."""
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            failed += 1
            print(str(exc), file=sys.stderr)
            continue
        agents = sum(g.count for s in scenario.sites for g in (*s.headcount, *s.agents))
        print(
            f"{path}: ok ({scenario.name}: {len(scenario.sites)} sites, {agents} agents, "
            f"{len(scenario.queues)} queues)"
        )
    return 2 if failed else 0
