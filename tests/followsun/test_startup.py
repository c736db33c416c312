"""`followsun --help` answers at once: building the parser loads no heavy dependency.

A property of the imports, checked in a fresh interpreter (this one has loaded them all);
the wall time is measured in the benchmarks (`python -m bench startup`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from followsun.cli import COMMAND_MODULES, HEAVY_MODULES

REPO = Path(__file__).resolve().parents[2]


def loaded_heavy(code: str) -> list[str]:
    """The HEAVY_MODULES in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY_MODULES!r} if m in sys.modules]))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", COMMAND_MODULES, ids=lambda m: m.rsplit(".", 1)[1])
def test_registering_a_command_loads_no_heavy_module(module: str) -> None:
    code = (
        "import argparse, importlib\n"
        f"importlib.import_module({module!r}).register(argparse.ArgumentParser().add_subparsers())"
    )
    assert loaded_heavy(code) == []


def test_building_the_parser_loads_no_heavy_module() -> None:
    assert loaded_heavy("import followsun.cli\nfollowsun.cli.build_parser()") == []


def test_the_probe_sees_a_heavy_import() -> None:
    # The check itself can fail: a command that runs does load its dependencies.
    assert "pandas" in loaded_heavy("import followsun.services.staff")
