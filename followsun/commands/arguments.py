"""Argument types shared by the commands."""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(text: str) -> date:
    """A date written YYYY-MM-DD, refused with a clear message otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from exc
