"""Where the benchmarks find the shared data: beside the checkout, never in it.

A folder's own variable names it when set (e.g. `$FOLLOWSUN_NRP_DIR`); else it is the
subfolder of `$FOLLOWSUN_BENCHMARKS_DIR`, else of `<repository>/../shared/benchmarks`.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCHMARKS_ENV = "FOLLOWSUN_BENCHMARKS_DIR"
REPOSITORY = Path(__file__).resolve().parents[1]


def benchmarks_dir() -> Path:
    """$FOLLOWSUN_BENCHMARKS_DIR, else `<repository>/../shared/benchmarks`."""
    env = os.environ.get(BENCHMARKS_ENV)
    return Path(env) if env else REPOSITORY.parent / "shared" / "benchmarks"


def shared_folder(name: str, env: str) -> Path:
    """The shared subfolder `name`, or where `$env` points when it is set."""
    override = os.environ.get(env)
    return Path(override) if override else benchmarks_dir() / name
