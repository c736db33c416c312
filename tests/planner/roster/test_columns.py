"""Column generation's bound never exceeds a roster's cost; its dive builds valid rosters."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster.columns import MasterLP, dive, pattern_lower_bound, rounded_counts
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
def test_the_bound_is_below_the_optimum_and_the_dive_keeps_the_rules(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    starts = _by_agent(inp, index, greedy_roster(inp, index))
    pool = pattern_lower_bound(inp, index, starts, seconds=10)
    best = solve_roster(inp, SolveSettings(time_limit_s=5, num_workers=2, use_columns=False))
    assert best.objective is not None
    # Small cases solve to optimality; the bound can never pass a roster's cost.
    assert pool.bound <= best.objective + 1e-6
    if pool.converged:
        assert pool.bound <= pool.lp + 1e-6
    worked = sorted(pool.roster)
    assert len(set(worked)) == len(worked)
    assert {inp.options[o].agent_id for o in worked} <= {a.agent_id for a in inp.agents}
    found = validate_roster(roster_frame(inp, worked), inp)
    assert [f for f in found if f.rule != "min_hours_week"] == []


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=12), st.integers(-20, 20))
def test_rounded_counts_add_up_and_stay_within_one_of_each_share(weights, drift) -> None:  # type: ignore[no-untyped-def]
    total = 40
    shares = [total * w / sum(weights) if sum(weights) else total / len(weights) for w in weights]
    counts = rounded_counts(shares, total)
    assert sum(counts) == total
    assert all(int(x) <= n <= int(x) + 1 for n, x in zip(counts, shares, strict=True))
    # Shares that do not add up still give the right total, never a negative count.
    off = rounded_counts([max(0.0, x + drift / len(shares)) for x in shares], total)
    assert sum(off) == total
    assert min(off) >= 0


def test_the_master_lp_re_solves_warm_with_new_columns_and_reports_duals() -> None:
    lp = MasterLP()
    row = lp.add_row(3.0, math.inf)  # x + y >= 3
    lp.add_col(1.0, 2.0, [row], [1.0])  # x <= 2 at 1 point
    lp.add_col(3.0, math.inf, [row], [1.0])  # y at 3 points
    assert lp.solve(5.0)
    assert lp.value() == pytest.approx(5.0)  # x = 2, y = 1
    assert lp.duals()[row] == pytest.approx(3.0)
    lp.add_col(2.0, math.inf, [row], [1.0])  # z at 2 points replaces y
    assert lp.solve(5.0)
    assert lp.value() == pytest.approx(4.0)
    assert lp.duals()[row] == pytest.approx(2.0)
    assert lp.values() == pytest.approx([2.0, 0.0, 1.0])
    lp.set_lower(1, 1.0)  # y fixed at one at least
    assert lp.solve(5.0, bounds_raised=True)
    assert lp.value() == pytest.approx(5.0)
    assert lp.values() == pytest.approx([2.0, 1.0, 0.0])
    lp.set_lower(2, 2.0)  # z at two at least: x gives way
    assert lp.solve(5.0, bounds_raised=True)
    assert lp.value() == pytest.approx(7.0)
    assert lp.values() == pytest.approx([0.0, 1.0, 2.0])


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_the_dive_gives_each_group_whole_counts_costing_at_least_the_lp(sizes, data) -> None:  # type: ignore[no-untyped-def]
    # A master of its own: groups choose among columns covering three demand rows,
    # whose shortfall costs 5 a head.
    lp = MasterLP()
    need = [data.draw(st.integers(0, 8)) for _ in range(3)]
    demand = [lp.add_row(n, math.inf) for n in need]
    for row in demand:
        lp.add_col(5.0, math.inf, [row], [1.0])
    columns: list[list[int]] = []
    priced: dict[int, tuple[float, list[bool]]] = {}
    for size in sizes:
        convexity = lp.add_row(size, size)
        columns.append([])
        for _ in range(data.draw(st.integers(1, 4))):
            covers = data.draw(st.lists(st.booleans(), min_size=3, max_size=3))
            cost = float(data.draw(st.integers(0, 9)))
            rows = [convexity] + [r for r, on in zip(demand, covers, strict=True) if on]
            c = lp.add_col(cost, math.inf, rows, [1.0] * len(rows))
            priced[c] = (cost, covers)
            columns[-1].append(c)
    assert lp.solve(5.0)
    relaxed = lp.value()
    counts = dive(lp, columns, sizes, 5.0, lambda: None)
    assert [sum(row) for row in counts] == sizes
    assert min(min(row) for row in counts) >= 0
    chosen = [
        (c, n)
        for cols, row in zip(columns, counts, strict=True)
        for c, n in zip(cols, row, strict=True)
    ]
    heads = [sum(n for c, n in chosen if priced[c][1][r]) for r in range(3)]
    whole = sum(priced[c][0] * n for c, n in chosen)
    whole += 5.0 * sum(max(0, n - h) for n, h in zip(need, heads, strict=True))
    assert whole >= relaxed - 1e-6
