"""A CPU-bound process on one core beside a benchmark: the 'loaded machine' condition.

`busy_core()` starts a process that spins on CPU 0 (pinned where the system allows) until
the block ends, so a section can report its figures quiet and beside one busy core, as a
scheduler's laptop or a shared server would run them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager


def _spin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    while True:
        pass


@contextmanager
def busy_core() -> Iterator[int]:
    """Run the block beside a process busy on one core; yields its process id."""
    process = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    process.start()
    try:
        assert process.pid is not None
        yield process.pid
    finally:
        process.terminate()
        process.join()
