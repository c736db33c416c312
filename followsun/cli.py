"""The `followsun` command line: one module per command under `followsun.commands`.

Exit codes: 0 success; 1 the work ran but a check or target failed; 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from followsun.errors import InputError

# Each module defines `register(subparsers)`, which adds its parser with `func=run(args) -> int`.
COMMAND_MODULES = [
    "followsun.commands.demo",
    "followsun.commands.validate",
    "followsun.commands.erlang",
    "followsun.commands.staff",
    "followsun.commands.forecast",
    "followsun.commands.backtest",
    "followsun.commands.roster",
    "followsun.commands.tickets_import",
    "followsun.commands.sync",
    "followsun.commands.kpis",
    "followsun.commands.export",
    "followsun.commands.nrp",
    "followsun.commands.feedback",
]


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="followsun",
        description="Follow-the-sun workforce and scheduling planner.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"followsun {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
