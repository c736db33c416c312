"""Imports point down only: webapp -> followsun -> evaluation -> scenarios -> simulation -> planner -> forecasting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["forecasting", "planner", "simulation", "scenarios", "evaluation", "followsun", "webapp"]
FRAMEWORKS = {"flask", "sqlalchemy", "alembic", "psycopg", "werkzeug"}
DOMAIN = {"forecasting", "planner", "simulation", "scenarios", "evaluation"}


def imported_tops(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    tops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


@pytest.mark.parametrize("package", ORDER)
def test_imports_point_down_only(package: str) -> None:
    above = set(ORDER[ORDER.index(package) + 1 :])
    forbidden = above | (FRAMEWORKS if package in DOMAIN else set())
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in sorted(imported_tops(path) & forbidden)
    ]
    assert offences == []
