"""The relative gap is a share of the objective, zero at a proven bound."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.gap import relative_gap

points = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(points, points)
def test_a_bound_below_the_objective_gives_a_share_of_it(objective: float, bound: float) -> None:
    low, high = sorted((objective, bound))
    gap = relative_gap(high, low)
    assert 0.0 <= gap <= 1.0
    assert abs(gap * max(high, 1.0) - (high - low)) <= 1e-9 * max(high, 1.0)


@given(points)
def test_a_proven_objective_has_no_gap(objective: float) -> None:
    assert relative_gap(objective, objective) == 0.0
