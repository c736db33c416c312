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


def parse_since(text: str | None) -> datetime | None:
    """`--since` (and `--from`, `--to`) as a UTC instant: a date is midnight UTC; a time needs a zone."""
    import pandas as pd

    from followsun.errors import InputError

    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except ValueError as exc:
        raise InputError(f"--since {text!r}: expected YYYY-MM-DD or ISO 8601") from exc
    if stamp.tzinfo is None:
        if stamp != stamp.normalize():
            raise InputError(f"--since {text!r}: a time needs a zone, e.g. 2027-03-01T08:00Z")
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(UTC).to_pydatetime()
