"""Argument types shared by the commands."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from typing import Any


def iso_date(text: str) -> date:
    """A date written YYYY-MM-DD, refused with a clear message otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from exc


def add_force(parser: argparse.ArgumentParser) -> None:
    """Add `--force`: an existing output file is replaced only when asked."""
    parser.add_argument("--force", action="store_true", help="replace an existing --out file")


def parse_since(text: str | None, flag: str = "--since") -> datetime | None:
    """An instant flag (`--since`, `--from`, `--to`) in UTC: a date is midnight UTC; a time needs a zone.

    Errors name `flag`, the option the user typed.
    """
    import pandas as pd

    from followsun.errors import InputError

    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise InputError(f"{flag} {text!r}: expected YYYY-MM-DD or ISO 8601") from exc
    if stamp is pd.NaT:
        raise InputError(f"{flag} {text!r}: expected YYYY-MM-DD or ISO 8601")
    if stamp.tzinfo is None:
        if stamp != stamp.normalize():
            raise InputError(f"{flag} {text!r}: a time needs a zone, e.g. 2027-03-01T08:00Z")
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(UTC).to_pydatetime()


def add_decision_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every decision command (compare, size) shares: horizon, seeds, executor."""
    parser.add_argument(
        "--replications",
        type=int,
        default=5,
        help="simulation runs per candidate, the same seeds for each (default 5)",
    )
    parser.add_argument(
        "--executor",
        default=None,
        help="thread, local (processes) or dask://HOST:PORT; default $FOLLOWSUN_EXECUTOR, "
        "else local",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="candidates at once on a local pool (default: the CPU count)",
    )
    parser.add_argument("--weeks", type=int, default=1, help="horizon in weeks (default 1)")
    parser.add_argument(
        "--start",
        type=iso_date,
        default=None,
        help="first Monday (YYYY-MM-DD; default the next Monday)",
    )
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="roster seconds per candidate (default: the scenarios' solver_seconds)",
    )
    budget.add_argument(
        "--deterministic-time",
        type=float,
        default=None,
        metavar="UNITS",
        help="roster budget per candidate in CP-SAT deterministic time instead of seconds "
        "(about a second of one core each): the same inputs give the same figures on any "
        "load, without the column-generation bound",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of demand, solver and replications (default 7)"
    )


def decision_settings(args: argparse.Namespace) -> Any:
    """`followsun.services.compare.DecisionSettings` from `add_decision_arguments`' options."""
    from followsun.services.compare import DecisionSettings
    from followsun.services.plan import next_monday

    return DecisionSettings(
        start=args.start or next_monday(datetime.now(UTC).date()),
        weeks=args.weeks,
        replications=args.replications,
        seed=args.seed,
        time_limit_s=args.time_limit
        if args.deterministic_time is None
        else args.deterministic_time,
        deterministic=args.deterministic_time is not None,
        executor=args.executor,
        max_workers=args.workers,
    )
