"""How a service reports progress: a callback the CLI draws as a bar and a job stores."""

from __future__ import annotations

from collections.abc import Callable

# Called with the fraction done (0 to 1, or None when unknown) and a line in words.
Progress = Callable[[float | None, str], None]


def no_progress(fraction: float | None, message: str) -> None:
    """A Progress that reports nowhere."""
