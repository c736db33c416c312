"""Properties on random small cases: every roster (greedy or solved) passes `validate_roster`."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster.hint import greedy_roster
from planner.roster.solve import roster_frame
from tests.planner.roster.helpers import LOOSE, agent, daily_options, demand, grid_for, inputs

TEMPLATES = (
    ("early", time(6), 8),
    ("day", time(9), 9),
    ("late", time(15), 8),
    ("night", time(22), 8),
)


@st.composite
def cases(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    days = draw(st.integers(3, 10))
    rules = replace(
        LOOSE,
        max_consecutive_days=draw(st.integers(1, 5)),
        min_consecutive_days_off=draw(st.integers(1, 3)),
        min_rest_min=draw(st.sampled_from([0, 8 * 60, 11 * 60, 16 * 60])),
        max_shifts_week=draw(st.integers(1, 6)),
        max_minutes_week=draw(st.sampled_from([16 * 60, 32 * 60, 40 * 60])),
        min_minutes_week=draw(st.sampled_from([0, 8 * 60, 16 * 60])),
        max_nights_per_4_weeks=draw(st.integers(0, 3)),
        max_weekends_per_4_weeks=draw(st.integers(0, 2)),
    )
    n_agents = draw(st.integers(1, 3))
    grid = grid_for(days)
    agents = [
        agent(f"a{i}", rules=rules, skills=("chat/en", "web/en")[: 2 - i % 2])
        for i in range(n_agents)
    ]
    opts = daily_options(agents, days, grid, TEMPLATES)
    opts = [replace(o, night=o.template == "night") for o in opts]
    return inputs(agents, opts, grid, days, two_queues(draw, grid, days, most=2))


def two_queues(
    draw: st.DrawFn, grid: pd.DatetimeIndex, days: int, most: int, at_least: int = 0
) -> dict[str, np.ndarray]:
    """Chat needing up to `most` agents in a few spans, web one agent 3 hours after each."""
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, 24 * days - 1), st.integers(1, 12), st.integers(1, most)),
            min_size=at_least,
            max_size=6,
        )
    )
    chat = demand(grid, [(lo, lo + n, k) for lo, n, k in spans])
    web = demand(grid, [(lo + 3, lo + 3 + n, 1) for lo, n, _k in spans])
    return {"chat-en-t1": chat, "web-en-t1": web}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_greedy_hint_keeps_the_hard_rules_but_minimums(inp) -> None:  # type: ignore[no-untyped-def]
    chosen = greedy_roster(inp, build_index(inp))
    found = validate_roster(roster_frame(inp, list(chosen)), inp)
    assert [v for v in found if v.rule != "min_hours_week"] == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_solved_roster_passes_validation(inp) -> None:  # type: ignore[no-untyped-def]
    result = solve_roster(inp, SolveSettings(time_limit_s=5, num_workers=2, seed=3))
    assert result.status in ("optimal", "feasible", "infeasible")
    found = validate_roster(result.roster, inp)
    assert found == result.violations
    # Only a relaxed minimum may be violated, and then the status says so.
    assert all(v.rule == "min_hours_week" for v in found)
    assert (result.status == "infeasible") == bool(found)
    # Shortfall never exceeds the requirement and covers what skill holders cannot.
    cov = result.coverage
    assert (cov["shortfall"] <= cov["required"]).all()
    assert (cov["shortfall"] >= (cov["required"] - cov["scheduled"]).clip(lower=0)).all()
