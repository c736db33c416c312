"""The per-class aggregate is a relaxation, and its counts can be handed back to agents."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from ortools.sat.python import cp_model

from planner.roster import SolveSettings, aggregate, build_index, solve_roster, validate_roster
from planner.roster.aggregate import AggregatePlan, build_aggregate, solve_aggregate
from planner.roster.inputs import option_keys
from planner.roster.model import OBJECTIVE_SCALE
from planner.roster.solve import roster_frame
from planner.roster.split import split_plan
from tests.planner.roster.helpers import agent, daily_options, demand, grid_for, inputs, penalty
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
    # Generous time limits: the searches end when they prove their answer (at once on these
    # small cases), so the limits only matter on a loaded machine and decide nothing.
    full = solve_roster(
        inp, SolveSettings(time_limit_s=15, num_workers=2, seed=2, use_aggregate=False)
    )
    assume(full.status in ("optimal", "feasible"))
    index = build_index(inp)
    keys = option_keys(inp, index)
    counts = Counter(keys[o] for o in _chosen(inp, full))
    chosen = split_plan(inp, index, keys, dict(counts), seconds=60, workers=2)
    assert Counter(keys[o] for o in chosen) == counts
    found = validate_roster(roster_frame(inp, list(chosen)), inp)
    assert [v for v in found if v.rule != "min_hours_week"] == []


def _small_case():  # type: ignore[no-untyped-def]
    """Two agents over a week, one queue needing one agent 9:00-17:00 UTC each day."""
    days = 7
    grid = grid_for(days)
    agents = [agent("a1"), agent("a2")]
    need = demand(grid, [(24 * (d + 1) + 9, 24 * (d + 1) + 17, 1) for d in range(days)])
    inp = inputs(agents, daily_options(agents, days, grid), grid, days, {"chat-en-t1": need})
    return inp, build_index(inp)


def _fake_searches(monkeypatch, plans):  # type: ignore[no-untyped-def]
    """Make `aggregate._search` answer `plans` in turn; returns its calls (seconds, hints)."""
    calls: list[tuple[float, int]] = []
    answers = iter(plans)

    def search(v, count, seconds, workers, seed, close=0.0):  # type: ignore[no-untyped-def]
        calls.append((seconds, len(v.model.proto.solution_hint.vars)))
        plan = next(answers)
        return None if plan is None else replace(plan, counts=dict.fromkeys(count, 0))

    monkeypatch.setattr(aggregate, "_search", search)
    return calls


def _plan(objective: float, bound: float, status: str = "feasible") -> AggregatePlan:
    """An answer of the aggregate's search (its counts are filled in by the fake)."""
    return AggregatePlan(counts={}, objective=objective, bound=bound, status=status)


def test_a_hopeless_aggregate_stops_after_its_patience(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    calls = _fake_searches(monkeypatch, [_plan(1000.0, 10.0)])
    plan = solve_aggregate(inp, index, seconds=60, workers=2)
    assert calls == [(aggregate.PATIENCE_SECONDS, 0)]
    assert plan is not None and plan.status == "feasible"


def test_an_aggregate_without_counts_stops_after_its_patience(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    calls = _fake_searches(monkeypatch, [None])
    assert solve_aggregate(inp, index, seconds=60, workers=2) is None
    assert len(calls) == 1


def test_a_promising_aggregate_searches_on_from_its_counts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    _v, count = build_aggregate(inp, index)
    calls = _fake_searches(monkeypatch, [_plan(100.0, 80.0), _plan(90.0, 90.0, "optimal")])
    plan = solve_aggregate(inp, index, seconds=60, workers=2)
    assert len(calls) == 2
    assert calls[0] == (aggregate.PATIENCE_SECONDS, 0)
    assert 0 < calls[1][0] <= 60  # what the clock leaves of the budget
    assert calls[1][1] == len(count)  # every count hinted
    assert plan is not None and (plan.objective, plan.status) == (90.0, "optimal")


def test_a_worse_second_search_keeps_the_first_counts_and_the_better_bound(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    _fake_searches(monkeypatch, [_plan(100.0, 80.0), _plan(120.0, 85.0)])
    plan = solve_aggregate(inp, index, seconds=60, workers=2)
    assert plan is not None and (plan.objective, plan.bound) == (100.0, 85.0)


def test_counts_close_to_the_bound_end_the_search_without_a_second(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    calls = _fake_searches(monkeypatch, [_plan(101.0, 100.0)])
    plan = solve_aggregate(inp, index, seconds=60, workers=2, patience=30, close=0.02)
    assert calls == [(30, 0)]
    assert plan is not None and (plan.objective, plan.status) == (101.0, "feasible")


def test_counts_short_of_close_search_on_for_the_rest(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    inp, index = _small_case()
    calls = _fake_searches(monkeypatch, [_plan(110.0, 100.0), _plan(101.0, 100.0)])
    plan = solve_aggregate(inp, index, seconds=60, workers=2, patience=30, close=0.02)
    assert len(calls) == 2 and calls[0][0] == 30
    assert plan is not None and plan.objective == 101.0
