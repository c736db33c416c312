"""Where tests find the shared benchmark data: it lives beside the checkout, never in it.

`$FOLLOWSUN_BENCHMARKS_DIR` names the folder; by default it is `../shared/benchmarks`
next to the repository. A test needing a missing folder skips and says where it looked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.shared_data import BENCHMARKS_ENV, benchmarks_dir


def benchmark_folder(name: str, probe: str) -> Path:
    """The benchmark subfolder `name`; skips the test unless it holds the file `probe`."""
    folder = benchmarks_dir() / name
    if not (folder / probe).exists():
        pytest.skip(
            f"benchmark data {name}/{probe} not found under {benchmarks_dir()} "
            f"(outside the repository; set {BENCHMARKS_ENV} to its folder)"
        )
    return folder
