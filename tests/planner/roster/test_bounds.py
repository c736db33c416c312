"""Every roster's bound holds: never above the exact optimum, and above 0 on a 24/7 case."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from planner.roster import SolveSettings, build_index, solve_roster
from planner.roster import aggregate as aggregate_module
from planner.roster.aggregate import AggregatePlan, solve_aggregate
from planner.roster.model import OBJECTIVE_SCALE, build_model
from scenarios.rostering import horizon_grid, roster_inputs
from tests.planner.roster.test_properties import cases
from tests.scenarios.test_rostering import chat_requirements, scenario

MONDAY = date(2027, 5, 3)


def exact_optimum(inp) -> float | None:  # type: ignore[no-untyped-def]
    """The model's optimum in points by CP-SAT alone, or None if not proven in time."""
    v, _terms = build_model(inp, build_index(inp))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_workers = 2
    if solver.solve(v.model) != cp_model.OPTIMAL:
        return None
    return solver.objective_value / OBJECTIVE_SCALE


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_reported_bound_and_the_aggregates_are_at_most_the_exact_optimum(inp) -> None:  # type: ignore[no-untyped-def]
    optimum = exact_optimum(inp)
    if optimum is None:
        return
    result = solve_roster(inp, SolveSettings(time_limit_s=3, num_workers=2, seed=0))
    assert result.objective is not None
    assert result.bound <= optimum + 1e-6 <= result.objective + 2e-6
    # The aggregate's own bound, with counts or (cut short) without.
    index = build_index(inp)
    for seconds in (0.01, 2.0):
        plan = solve_aggregate(inp, index, seconds, workers=2)
        if plan is not None:
            assert plan.bound <= optimum + 1e-6
            assert plan.counts or plan.status == "unknown"


def test_an_aggregate_that_proves_a_bound_but_no_counts_keeps_its_bound(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp = roster_inputs(*around_the_clock(), MONDAY, 1)
    index = build_index(inp)
    calls = []

    def search(v, count, seconds, workers, seed, close=0.0):  # type: ignore[no-untyped-def]
        calls.append(seconds)
        return AggregatePlan(counts={}, objective=math.inf, bound=123.0, status="unknown")

    monkeypatch.setattr(aggregate_module, "_search", search)
    plan = solve_aggregate(inp, index, seconds=60, workers=2)
    assert plan is not None and (plan.bound, plan.status, plan.counts) == (123.0, "unknown", {})
    assert calls == [aggregate_module.PATIENCE_SECONDS]  # no second search without counts
    result = solve_roster(inp, SolveSettings(time_limit_s=3, num_workers=2, use_columns=False))
    assert result.bound >= 123.0 - 1e-6


def around_the_clock():  # type: ignore[no-untyped-def]
    """Three Amsterdam agents, two chat agents needed round the clock for a week."""
    sc = scenario(
        contract={
            "min_hours_week": 0,
            "max_hours_week": 40,
            "max_shifts_week": 5,
            "max_consecutive_days": 5,
            "min_consecutive_days_off": 1,
            "min_rest_hours": 11,
            "max_nights_per_4_weeks": 8,
            "shift_templates": [
                {"id": "early", "start": "06:00", "hours": 8},
                {"id": "late", "start": "14:00", "hours": 8},
                {"id": "night", "start": "22:00", "hours": 8},
            ],
        }
    )
    return sc, chat_requirements(horizon_grid(sc, MONDAY, 1), heads=2)


def test_a_24_7_roster_carries_a_bound_above_0_and_a_gap() -> None:
    inp = roster_inputs(*around_the_clock(), MONDAY, 1)
    result = solve_roster(inp, SolveSettings(time_limit_s=4, num_workers=2, seed=0))
    assert result.objective is not None and result.objective > 0
    # Three agents cannot staff two heads round the clock: the bound proves a shortfall.
    assert 0 < result.bound <= result.objective
    assert result.gap is not None and 0 <= result.gap < 1
