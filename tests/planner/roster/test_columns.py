"""Column generation's bound never exceeds a roster's cost; its master builds valid rosters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster.columns import pattern_lower_bound, solve_master
from planner.roster.hint import greedy_roster
from planner.roster.solve import roster_frame
from tests.planner.roster.test_properties import cases


def _by_agent(inp, index, chosen):  # type: ignore[no-untyped-def]
    out: list[list[int]] = [[] for _ in inp.agents]
    for o in chosen:
        out[index.agent_pos[inp.options[o].agent_id]].append(o)
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_bound_is_below_the_optimum_and_the_master_keeps_the_rules(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    starts = _by_agent(inp, index, greedy_roster(inp, index))
    pool = pattern_lower_bound(inp, index, starts, seconds=10)
    best = solve_roster(inp, SolveSettings(time_limit_s=5, num_workers=2, use_columns=False))
    assert best.objective is not None
    # Small cases solve to optimality; the bound can never pass a roster's cost.
    assert pool.bound <= best.objective + 1e-6
    if pool.converged:
        assert pool.bound <= pool.lp + 1e-6
    chosen = solve_master(inp, index, pool, starts, seconds=5, workers=2)
    assert chosen is not None
    found = validate_roster(roster_frame(inp, chosen), inp)
    assert [f for f in found if f.rule != "min_hours_week"] == []
