"""The per-class aggregate is a relaxation, and its counts can be handed back to agents."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from ortools.sat.python import cp_model

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster.aggregate import build_aggregate, solve_aggregate
from planner.roster.inputs import option_keys
from planner.roster.model import OBJECTIVE_SCALE
from planner.roster.solve import roster_frame
from planner.roster.split import split_plan
from tests.planner.roster.helpers import penalty
from tests.planner.roster.test_properties import cases

PER_AGENT_FAMILIES = ("fairness_nights", "fairness_weekends", "stability")


def _chosen(inp, result):  # type: ignore[no-untyped-def]
    """Option positions of a solved roster."""
    picked = {
        (row.agent_id, row.date_local, row.shift) for row in result.roster.itertuples(index=False)
    }
    return [
        o
        for o, opt in enumerate(inp.options)
        if (opt.agent_id, opt.date_local, opt.template) in picked
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_roster_counts_are_feasible_in_the_aggregate_and_cost_no_more(inp) -> None:  # type: ignore[no-untyped-def]
    full = solve_roster(
        inp, SolveSettings(time_limit_s=3, num_workers=2, seed=1, use_aggregate=False)
    )
    assume(full.objective is not None)
    index = build_index(inp)
    keys = option_keys(inp, index)
    counts = Counter(keys[o] for o in _chosen(inp, full))
    v, count = build_aggregate(inp, index)
    for key, var in count.items():
        v.model.add(var == counts.get(key, 0))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.num_workers = 2
    assert solver.solve(v.model) == cp_model.OPTIMAL
    per_agent = sum(penalty(full, f) for f in PER_AGENT_FAMILIES)
    assert full.objective is not None
    assert solver.objective_value / OBJECTIVE_SCALE <= full.objective - per_agent + 1e-6
    plan = solve_aggregate(inp, index, seconds=5, workers=2)
    assert plan is not None
    assert plan.bound <= full.objective + 1e-6


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_split_hands_a_rosters_counts_back_to_agents(inp) -> None:  # type: ignore[no-untyped-def]
    full = solve_roster(
        inp, SolveSettings(time_limit_s=3, num_workers=2, seed=2, use_aggregate=False)
    )
    assume(full.status in ("optimal", "feasible"))
    index = build_index(inp)
    keys = option_keys(inp, index)
    counts = Counter(keys[o] for o in _chosen(inp, full))
    chosen = split_plan(inp, index, keys, dict(counts), seconds=5, workers=2)
    assert Counter(keys[o] for o in chosen) == counts
    found = validate_roster(roster_frame(inp, list(chosen)), inp)
    assert [v for v in found if v.rule != "min_hours_week"] == []
