"""Start-up bench: wall time of `followsun --help` and `followsun roster --help` in fresh processes.

Beside them, the interpreter alone (the floor) and importing the planning service (what a
command costs once it runs, and what `--help` cost when every command imported its stages).
"""

from __future__ import annotations

import json
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


def heavy_imports(module: str) -> list[str]:
    """The heavy libraries registering the command `module` loads (none, for a lazy one)."""
    from followsun.cli import HEAVY_MODULES

    probe = (
        "import argparse, importlib, json, sys\n"
        f"importlib.import_module({module!r}).register(argparse.ArgumentParser().add_subparsers())\n"
        f"print(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, check=True, capture_output=True
    )
    return list(json.loads(done.stdout))


def run() -> str:
    """Time each case and return the Markdown section."""
    from followsun.cli import COMMAND_MODULES

    rows = [(label, wall_seconds(argv)) for label, argv in CASES]
    eager = {m: heavy_imports(m) for m in COMMAND_MODULES}
    eager = {m: loaded for m, loaded in eager.items() if loaded}
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
    lines.append("")
    if eager:
        lines.append("Command modules that still load heavy libraries when the parser is built:")
        lines += [f"- `{m}`: {', '.join(loaded)}" for m, loaded in eager.items()]
    else:
        lines.append("No command module loads a heavy library when the parser is built.")
    return "\n".join(lines) + "\n"
