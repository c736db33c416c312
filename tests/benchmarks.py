"""Where tests find the shared benchmark data: it lives beside the checkout, never in it.

`$FOLLOWSUN_BENCHMARKS_DIR` names the folder; by default it is `../shared/benchmarks`
next to the repository. A test needing a missing folder skips and says where it looked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BENCHMARKS_ENV = "FOLLOWSUN_BENCHMARKS_DIR"
REPOSITORY = Path(__file__).resolve().parents[1]


def benchmarks_dir() -> Path:
    """$FOLLOWSUN_BENCHMARKS_DIR, else `<repository>/../shared/benchmarks`."""
    env = os.environ.get(BENCHMARKS_ENV)
    return Path(env) if env else REPOSITORY.parent / "shared" / "benchmarks"


def benchmark_folder(name: str, probe: str) -> Path:
    """The benchmark subfolder `name`; skips the test unless it holds the file `probe`."""
    folder = benchmarks_dir() / name
    if not (folder / probe).exists():
        pytest.skip(
            f"benchmark data {name}/{probe} not found under {benchmarks_dir()} "
            f"(outside the repository; set {BENCHMARKS_ENV} to its folder)"
        )
    return folder
