"""Start-up bench: wall time of `followsun --help` and `followsun roster --help` in fresh processes.

Beside them, the interpreter alone (the floor) and importing the planning service (what a
command costs once it runs, and what `--help` cost when every command imported its stages).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 9
REPO = Path(__file__).resolve().parents[1]
CASES = (
    ("`followsun --help`", ["-m", "followsun", "--help"]),
    ("`followsun roster --help`", ["-m", "followsun", "roster", "--help"]),
    ("`python -c pass` (the interpreter alone)", ["-c", "pass"]),
    (
        "`import followsun.services.plan` (every stage loaded)",
        ["-c", "import followsun.services.plan"],
    ),
)


def wall_seconds(argv: list[str]) -> float:
    """The median wall time of RUNS fresh interpreters running `argv`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=REPO, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> str:
    """Time each case and return the Markdown section."""
    rows = [(label, wall_seconds(argv)) for label, argv in CASES]
    lines = [
        "## Start-up",
        "",
        f"Median wall time of {RUNS} fresh processes each (`python -m bench startup`). "
        "Building the parser imports only the command modules; each imports its service "
        "and the heavy libraries (pandas, OR-tools, SciPy, SQLAlchemy, rich) inside `run`. "
        "`tests/followsun/test_startup.py` holds the property.",
        "",
        "| command | seconds |",
        "|---|---|",
    ]
    lines += [f"| {label} | {seconds:.3f} |" for label, seconds in rows]
    return "\n".join(lines) + "\n"
