"""The one 'solved' test: a roster or benchmark solution exists and keeps every hard rule."""

from __future__ import annotations

from typing import get_args

import pytest

from planner.solve_status import SOLVED, SolveStatus, is_solved


@pytest.mark.parametrize("status", get_args(SolveStatus))
def test_only_optimal_and_feasible_are_solved(status: str) -> None:
    assert is_solved(status) is (status in ("optimal", "feasible"))


def test_solved_statuses_are_statuses() -> None:
    assert set(get_args(SolveStatus)) >= SOLVED
