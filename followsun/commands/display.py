"""What commands draw on the terminal while a service runs: a progress bar on stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followsun.services.progress import Progress


@contextmanager
def progress_bar(first: str) -> Iterator[Progress]:
    """A transient bar on stderr, drawn from a service's Progress reports.

    Args:
        first: the line shown before the first report.
    """
    from rich.console import Console
    from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(first, total=1.0)

        def report(fraction: float | None, message: str) -> None:
            if fraction is None:
                bar.update(task, description=message)
            else:
                bar.update(task, completed=min(max(fraction, 0.0), 1.0), description=message)

        yield report


class ProgressLine:
    """A Progress drawn as one line on stderr: rewritten in place on a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.shown = False

    def __call__(self, fraction: float | None, message: str) -> None:
        """Show `message` (the fraction is not drawn)."""
        if self.quiet:
            return
        print(message, end="\r" if self.tty else "\n", file=sys.stderr, flush=True)
        self.shown = True

    def close(self) -> None:
        """End the line on a terminal, so what follows starts on a fresh one."""
        if self.shown and self.tty:
            print(file=sys.stderr, flush=True)
