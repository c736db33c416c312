"""How a service reports progress: a callback the CLI draws as a bar and a job stores."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from planner import cancellation

# Called with the fraction done (0 to 1, or None when unknown) and a line in words.
Progress = Callable[[float | None, str], None]


def no_progress(fraction: float | None, message: str) -> None:
    """A Progress that reports nowhere."""


def within(progress: Progress, start: float, end: float) -> Progress:
    """A Progress for one part of a longer run: its fractions map onto [start, end]."""

    def report(fraction: float | None, message: str) -> None:
        progress(None if fraction is None else start + (end - start) * fraction, message)

    return report


class Stages:
    """Named stages of a use case: each start is reported and is a point of cancellation.

    `stages` names them in order (evenly spaced), or maps each to the fraction done when it
    starts.
    """

    def __init__(self, progress: Progress, stages: Sequence[str] | Mapping[str, float]) -> None:
        self.progress = progress
        if isinstance(stages, Mapping):
            self.starts = dict(stages)
        else:
            self.starts = {name: k / len(stages) for k, name in enumerate(stages)}

    def start(self, name: str) -> None:
        """Report that stage `name` starts; raise `Cancelled` if the work was cancelled."""
        cancellation.current().check()
        self.progress(self.starts[name], name)

    def done(self, message: str = "done") -> None:
        """Report the end of the last stage."""
        self.progress(1.0, message)
