"""`followsun validate FILE...`: check scenario files and list every problem by field path."""

from __future__ import annotations

import argparse
import sys
from typing import Any


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
    from followsun.services.validate import validate_scenarios

    checks = validate_scenarios(args.files)
    for check in checks:
        if check.error is not None:
            print(str(check.error), file=sys.stderr)
            continue
        print(
            f"{check.path}: ok ({check.name}: {check.sites} sites, {check.agents} agents, "
            f"{check.queues} queues)"
        )
        for note in check.notes:
            print(f"  note: {note}")
    return 0 if all(check.valid for check in checks) else 2
