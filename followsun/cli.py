"""The `followsun` command line: one module per command under `followsun.commands`.

Each command parses its arguments, calls one service (`followsun.services`) and prints.
Building the parser imports only the command modules, which import argparse and the
standard library at top level and everything heavy inside `run`, so `--help` answers at
once.

Exit codes: 0 success; 1 the work ran but a check or target failed; 2 bad input or usage;
130 interrupted (Ctrl-C), which stops even a search in progress (`planner.cancellation`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
from collections.abc import Callable, Sequence

from followsun.errors import InputError

# The main thread checks for Ctrl-C this often while a command runs, and gives an
# interrupted command this long to unwind.
JOIN_POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 30.0
# What building the parser must not import (tests/followsun/test_startup.py, bench startup).
HEAVY_MODULES = ("pandas", "numpy", "ortools", "scipy", "plotly", "sqlalchemy", "alembic", "rich")
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
    "followsun.commands.jobs",
    "followsun.commands.quarantine",
    "followsun.commands.verify",
    "followsun.commands.simulate",
    "followsun.commands.replay",
    "followsun.commands.agents",
    "followsun.commands.absence",
    "followsun.commands.user",
    "webapp.serve_command",
    "followsun.commands.compare",
    "followsun.commands.size",
    "followsun.commands.capacity",
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
    """Run one command and return its exit code (Ctrl-C while starting up is 130 too)."""
    try:
        args = build_parser().parse_args(argv)
        try:
            return run_stoppable(lambda: int(args.func(args)))
        except InputError as exc:
            print(f"followsun {args.command}: {exc}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run_stoppable(work: Callable[[], int]) -> int:
    """Run `work` in a thread of its own, so that Ctrl-C stops it even mid-solve.

    The main thread waits and, on KeyboardInterrupt, cancels the command's token, which
    ends its searches in progress and interrupts the work, waits up to STOP_GRACE_SECONDS for it to
    unwind (files and transactions close on the way), then raises KeyboardInterrupt.
    """
    from planner.cancellation import CancelToken, using

    outcome: list[tuple[int, BaseException | None]] = []
    # Waited for through an event: a Thread.join interrupted by Ctrl-C marks the thread
    # stopped although it still runs, so a second join returns at once.
    done = threading.Event()

    token = CancelToken()

    def target() -> None:
        try:
            with using(token):
                outcome.append((work(), None))
        except BaseException as exc:  # handed to the main thread, which reports it
            outcome.append((0, exc))
        finally:
            done.set()

    thread = threading.Thread(target=target, name="followsun-command", daemon=True)
    thread.start()
    try:
        while not done.wait(JOIN_POLL_SECONDS):
            pass
    except KeyboardInterrupt:
        token.cancel(interrupt=[thread])
        done.wait(STOP_GRACE_SECONDS)
        raise
    code, error = outcome[0]
    if error is not None:
        raise error
    return code


if __name__ == "__main__":
    raise SystemExit(main())
