"""Argument types shared by the commands."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime


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
