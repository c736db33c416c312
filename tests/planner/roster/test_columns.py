"""Column generation's bound never exceeds a roster's cost; its dive builds valid rosters."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster import columns as columns_module
from planner.roster import solve as solve_module
from planner.roster.aggregate import AggregatePlan
from planner.roster.columns import (
    CONVERGED_POINTS,
    MasterLP,
    PatternBound,
    dive,
    move_agents,
    pattern_lower_bound,
    rounded_counts,
)
from planner.roster.hint import greedy_roster
from planner.roster.inputs import RosterInputs, plans_by_agent
from planner.roster.model import OBJECTIVE_SCALE, build_model, cut_value
from planner.roster.polish import polish
from planner.roster.solve import COLUMNS_MIN_SECONDS, complete_roster, roster_frame
from tests.planner.roster.helpers import LOOSE, agent, daily_options, demand, grid_for, inputs
from tests.planner.roster.test_properties import TEMPLATES, cases, two_queues


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_bound_is_below_the_optimum_and_the_dive_keeps_the_rules(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    starts = plans_by_agent(inp, index, greedy_roster(inp, index))
    heard: list[float] = []
    pool = pattern_lower_bound(inp, index, starts, seconds=10, on_bound=heard.append)
    best = solve_roster(inp, SolveSettings(time_limit_s=5, num_workers=2, use_columns=False))
    assert best.objective is not None
    # Small cases solve to optimality; the bound can never pass a roster's cost.
    assert pool.bound <= best.objective + 1e-6
    if pool.converged:
        assert pool.bound <= pool.lp + 1e-6
    # Each bound heard is better than the last, and the last is the one returned.
    assert heard == sorted(set(heard))
    assert heard[-1] == pool.bound
    worked = sorted(pool.roster)
    assert len(set(worked)) == len(worked)
    assert {inp.options[o].agent_id for o in worked} <= {a.agent_id for a in inp.agents}
    found = validate_roster(roster_frame(inp, worked), inp)
    assert [f for f in found if f.rule != "min_hours_week"] == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_agent_cuts_hold_on_every_roster_and_price_its_cost_above_the_bound(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    greedy = greedy_roster(inp, index)
    pool = pattern_lower_bound(
        inp, index, plans_by_agent(inp, index, greedy), seconds=10, to_roster=False
    )
    assert sorted(c.agent for c in pool.cuts) == list(range(len(inp.agents)))
    v, _terms = build_model(inp, index)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 10
    solver.parameters.num_workers = 2
    assert solver.solve(v.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    started = complete_roster(v, set(greedy), SolveSettings())
    assert started is not None
    rosters = [(list(solver.response_proto.solution), solver.objective_value), started]
    # Each coefficient is floored to the model's scale: a hundredth of a point per shift.
    rounding = len(inp.agents) * inp.days / OBJECTIVE_SCALE + CONVERGED_POINTS
    for values, objective in rosters:
        excess = [cut_value(v, c, values) - c.floor for c in pool.cuts]
        # Valid: no roster keeping the rules breaks a cut.
        assert min(excess) >= 0
        # Priced as the model prices: a roster costs at least the bound plus every
        # agent's excess over its cut (the Lagrangian inequality).
        above = objective / OBJECTIVE_SCALE - pool.bound
        assert above >= sum(excess) / OBJECTIVE_SCALE - rounding


def two_queue_organisation(days: int = 14) -> RosterInputs:
    """Eight agents, half of them on two queues, with demand shifting day by day."""
    grid = grid_for(days)
    rules = replace(
        LOOSE,
        max_consecutive_days=5,
        min_consecutive_days_off=2,
        min_rest_min=11 * 60,
        max_shifts_week=5,
        max_minutes_week=40 * 60,
        min_minutes_week=24 * 60,
    )
    agents = [
        agent(f"a{i}", rules=rules, skills=("chat/en", "web/en")[: 1 + i % 2]) for i in range(8)
    ]
    opts = daily_options(agents, days, grid, TEMPLATES)
    spans = [(24 * d + 5 + d % 4, 24 * d + 22, 3 + d % 3) for d in range(days)]
    return inputs(
        agents,
        opts,
        grid,
        days,
        {"chat-en-t1": demand(grid, spans), "web-en-t1": demand(grid, spans[::2])},
    )


def test_the_bound_found_beside_polishing_reaches_the_result_and_progress_never_goes_back() -> None:
    # Small enough to polish, so the columns run in a thread beside it.
    inp = two_queue_organisation()
    seen: list[tuple[float, float]] = []
    settings = SolveSettings(
        time_limit_s=COLUMNS_MIN_SECONDS,
        num_workers=2,
        seed=0,
        on_progress=lambda _s, objective, bound: seen.append((objective, bound)),
    )
    result = solve_roster(inp, settings)
    index = build_index(inp)
    pool = pattern_lower_bound(
        inp, index, plans_by_agent(inp, index, greedy_roster(inp, index)), 10
    )
    assert result.objective is not None
    assert pool.converged
    assert result.bound >= pool.bound - CONVERGED_POINTS
    assert result.bound <= result.objective + 1e-6
    objectives, bounds = zip(*seen, strict=True)
    assert list(objectives) == sorted(objectives, reverse=True)
    assert list(bounds) == sorted(bounds)


def test_once_the_bound_is_done_a_second_split_is_polished_beside_on_one_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proven aggregate: the first start is polished while the columns seek the bound;
    # then the columns' thread splits the counts again and polishes that start too.
    calls: list[tuple[float, int, int]] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((args[4], args[6], args[7]))
        return polish(*args, **kwargs)

    monkeypatch.setattr(solve_module, "polish", spy)
    inp = two_queue_organisation()
    settings = SolveSettings(time_limit_s=COLUMNS_MIN_SECONDS, num_workers=2, seed=3)
    result = solve_roster(inp, settings)
    assert result.objective is not None
    assert sorted((workers, seed) for _o, workers, seed in calls) == [(1, 4), (2, 3)]
    # The better of the two searches goes on: no worse than either start.
    assert result.objective <= min(o for o, _w, _s in calls) / OBJECTIVE_SCALE + 1e-6
    assert [f for f in result.violations if f.rule != "min_hours_week"] == []


def test_no_second_start_when_its_split_and_polishing_would_not_fit_the_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    splits: list[int] = []
    monkeypatch.setattr(solve_module, "split_plan", lambda *args: splits.append(args[-1]))
    settings = SolveSettings(time_limit_s=COLUMNS_MIN_SECONDS, num_workers=2)
    split_s = settings.time_limit_s * solve_module.SPLIT_SHARE
    deadline = time.perf_counter() + split_s + solve_module.MIN_SECOND_POLISH_SECONDS - 1
    best = solve_module._Best([], math.inf, -math.inf, lambda _o, _b: None)
    inp = two_queue_organisation()
    index = build_index(inp)
    v, _terms = build_model(inp, index)
    solve_module._polish_another_start(v, inp, index, settings, {}, deadline, best)
    assert splits == []
    assert best.solution() == ([], math.inf)


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


def _x_and_y() -> tuple[MasterLP, int]:
    """x + y >= 3 with x <= 2 at 1 point and y at 3 points, solved; the LP and its row."""
    lp = MasterLP()
    row = lp.add_row(3.0, math.inf)
    lp.add_col(1.0, 2.0, [row], [1.0])
    lp.add_col(3.0, math.inf, [row], [1.0])
    assert lp.solve(5.0)
    return lp, row


@st.composite
def shared_queue_cases(draw: st.DrawFn) -> RosterInputs:
    """Agents of several classes (sites, tiers, contracts) serving the same queues."""
    days = draw(st.integers(3, 7))
    grid = grid_for(days)
    tighter = replace(LOOSE, max_shifts_week=draw(st.integers(2, 5)), max_consecutive_days=3)
    agents = [
        agent(
            f"a{i}",
            rules=draw(st.sampled_from([LOOSE, tighter])),
            skills=draw(st.sampled_from([("chat/en",), ("chat/en", "web/en")])),
            site=draw(st.sampled_from(["ams", "sjc"])),
            tier=draw(st.integers(1, 2)),
        )
        for i in range(draw(st.integers(2, 6)))
    ]
    options = daily_options(agents, days, grid, TEMPLATES)
    return inputs(agents, options, grid, days, two_queues(draw, grid, days, most=3, at_least=1))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shared_queue_cases())
def test_classes_serving_the_same_queues_share_link_rows_and_the_lp_is_unchanged(
    inp: RosterInputs,
) -> None:
    index = build_index(inp)
    starts = plans_by_agent(inp, index, greedy_roster(inp, index))
    pooled = columns_module._Master(inp, index, starts)
    by_class = _PerClassMaster(inp, index, starts)
    skill_sets = {tuple(sorted(c.queues)) for c in index.classes}
    assert max(pooled.pool_of) + 1 == len(skill_sets)
    assert len(pooled.link_row) <= len(by_class.link_row)
    until = time.perf_counter() + 20
    _, lp_pooled, _, done_pooled = pooled.converge(until, None)
    _, lp_by_class, _, done_by_class = by_class.converge(until, None)
    assert done_pooled and done_by_class
    # Each converged LP is within CONVERGED_POINTS above the master's optimum, which is
    # the same with either formulation.
    assert lp_pooled == pytest.approx(lp_by_class, abs=CONVERGED_POINTS)


class _PerClassMaster(columns_module._Master):
    """The master with one link row per class and segment (the formulation before pools)."""

    def _pools(self) -> list[int]:
        return list(range(len(self.index.classes)))


def test_the_master_lp_re_solves_warm_with_new_columns_and_reports_duals() -> None:
    lp, row = _x_and_y()
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
    lp.set_lower(1, 0.0, fixed=True)  # y fixed at zero: x comes back
    assert lp.solve(5.0, bounds_raised=True)
    assert lp.values() == pytest.approx([1.0, 0.0, 2.0])
    lp.set_lower(0, 0.0, fixed=True)  # x fixed at zero too: z covers the rest
    assert lp.solve(5.0, bounds_raised=True)
    assert lp.values() == pytest.approx([0.0, 0.0, 3.0])


def test_a_copied_master_lp_starts_from_the_same_basis_and_goes_on_apart() -> None:
    lp, row = _x_and_y()
    lp.add_col(2.0, math.inf, [row], [1.0])  # z at 2 points, not yet solved
    twin = lp.copy()
    assert twin.solve(5.0)
    assert twin.value() == pytest.approx(4.0)  # z replaces y in the twin
    twin.set_lower(1, 3.0)  # y at three at least, in the twin only
    assert twin.solve(5.0, bounds_raised=True)
    assert twin.value() == pytest.approx(9.0)
    assert lp.solve(5.0)
    assert lp.value() == pytest.approx(4.0)
    assert lp.values() == pytest.approx([2.0, 0.0, 1.0])
    assert twin.add_col(1.5, math.inf, [row], [1.0]) == 3  # positions follow the copied ones


def test_the_lp_settles_once_it_fell_by_at_most_its_share_over_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [0.0]
    monkeypatch.setattr(columns_module.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(columns_module, "SETTLED_SECONDS", 10.0)
    monkeypatch.setattr(columns_module, "SETTLED_SHARE", 0.01)
    settled = columns_module._Settling()
    heard = []
    # (seconds, LP value): falls 10% in the first 10 s, then 0.5% in the next 10 s.
    for t, value in [(0, 1100.0), (4, 1050.0), (10, 1000.0), (15, 998.0), (19, 996.0), (20, 995.0)]:
        clock[0] = t
        heard.append(settled(value))
    # Each value is compared with the newest one at least 10 s older: none before 10 s;
    # then 100 less (10%) at 10 s, 52 and 54 less than at 4 s at 15 and 19 s, and 5 less
    # than at 10 s (0.5%) at 20 s.
    assert heard == [False, False, False, False, False, True]


def test_an_early_roster_from_the_settled_lp_goes_to_on_roster_beside_the_late_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Settled at once: the early roster starts from the first LP, the late one from the
    # converged LP; each keeps every rule.
    monkeypatch.setattr(columns_module, "SETTLED_SECONDS", 0.0)
    inp = two_queue_organisation()
    index = build_index(inp)
    starts = plans_by_agent(inp, index, greedy_roster(inp, index))
    handed: list[list[int]] = []
    pool = pattern_lower_bound(
        inp, index, starts, seconds=6.0, on_roster=handed.append, spare_core=True
    )
    assert len(handed) == 1
    assert pool.roster
    for worked in (handed[0], list(pool.roster)):
        assert len(set(worked)) == len(worked)
        found = validate_roster(roster_frame(inp, sorted(worked)), inp)
        assert [f for f in found if f.rule != "min_hours_week"] == []
    # Without `on_roster`, the better of the two comes back.
    alone = pattern_lower_bound(inp, index, starts, seconds=6.0, spare_core=True)
    assert alone.roster


def _small_master(sizes, data):  # type: ignore[no-untyped-def]
    """A master of its own: groups choose among columns covering three demand rows, whose
    shortfall costs 5 a head. Returns the LP, its columns and convexity rows per group, and
    a function costing whole counts independently of the LP."""
    lp = MasterLP()
    need = [data.draw(st.integers(0, 8)) for _ in range(3)]
    demand = [lp.add_row(n, math.inf) for n in need]
    for row in demand:
        lp.add_col(5.0, math.inf, [row], [1.0])
    columns: list[list[int]] = []
    convexity: list[int] = []
    priced: dict[int, tuple[float, list[bool]]] = {}
    for size in sizes:
        convexity.append(lp.add_row(size, size))
        columns.append([])
        for _ in range(data.draw(st.integers(1, 4))):
            covers = data.draw(st.lists(st.booleans(), min_size=3, max_size=3))
            cost = float(data.draw(st.integers(0, 9)))
            rows = [convexity[-1]] + [r for r, on in zip(demand, covers, strict=True) if on]
            c = lp.add_col(cost, math.inf, rows, [1.0] * len(rows))
            priced[c] = (cost, covers)
            columns[-1].append(c)

    def cost_of(counts: list[list[int]]) -> float:
        chosen = [
            (c, n)
            for cols, row in zip(columns, counts, strict=True)
            for c, n in zip(cols, row, strict=True)
        ]
        heads = [sum(n for c, n in chosen if priced[c][1][r]) for r in range(3)]
        whole = sum(priced[c][0] * n for c, n in chosen)
        return whole + 5.0 * sum(max(0, n - h) for n, h in zip(need, heads, strict=True))

    return lp, columns, convexity, cost_of


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_the_dive_gives_each_group_whole_counts_costing_at_least_the_lp(sizes, data) -> None:  # type: ignore[no-untyped-def]
    lp, columns, _convexity, cost_of = _small_master(sizes, data)
    assert lp.solve(5.0)
    relaxed = lp.value()
    counts = dive(lp, columns, sizes, 5.0, lambda: None)
    assert [sum(row) for row in counts] == sizes
    assert min(min(row) for row in counts) >= 0
    assert cost_of(counts) >= relaxed - 1e-6


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_moving_agents_keeps_the_groups_whole_and_never_costs_more(sizes, data) -> None:  # type: ignore[no-untyped-def]
    lp, columns, convexity, cost_of = _small_master(sizes, data)
    assert lp.solve(5.0)
    dived = dive(lp, columns, sizes, 5.0, lambda: None)

    def respond(g: int, i: int) -> int | None:
        # Any schedule of the group, or none: only moves that lower the cost may stay.
        return data.draw(st.none() | st.integers(0, len(columns[g]) - 1))

    moved, value = move_agents(lp, columns, sizes, convexity, dived, 5.0, respond)
    assert [sum(row) for row in moved] == sizes
    assert min(min(row) for row in moved) >= 0
    assert cost_of(moved) <= cost_of(dived) + 1e-6
    assert value == pytest.approx(cost_of(moved))


def test_an_agent_moves_to_the_schedule_that_covers_the_shortfall_and_back_never() -> None:
    lp = MasterLP()
    demand = lp.add_row(2.0, math.inf)  # two heads needed
    lp.add_col(5.0, math.inf, [demand], [1.0])  # shortfall at 5 a head
    group = lp.add_row(3.0, 3.0)  # three agents
    idle = lp.add_col(0.0, math.inf, [group], [1.0])
    working = lp.add_col(1.0, math.inf, [group, demand], [1.0, 1.0])
    asked: list[int] = []

    def respond(g: int, i: int) -> int | None:
        asked.append(i)
        return 1 - i  # always the other schedule

    moved, value = move_agents(lp, [[idle, working]], [3], [group], [[3, 0]], 5.0, respond)
    # Two agents move to work (each saves 4 points); a third would only cost one more.
    assert moved == [[1, 2]]
    assert value == pytest.approx(2.0)
    assert 1 in asked  # a working agent was offered the idle schedule and stayed


def test_without_a_proven_aggregate_the_columns_roster_is_polished_by_class_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the aggregate the start is not split, as on a large organisation: the
    # columns dive on their own, then polishing of class windows takes their roster.
    calls: list[tuple[float, bool]] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((args[4], kwargs.get("class_windows", False)))
        return polish(*args, **kwargs)

    monkeypatch.setattr(solve_module, "polish", spy)
    inp = two_queue_organisation()
    settings = SolveSettings(
        time_limit_s=COLUMNS_MIN_SECONDS, num_workers=2, seed=0, use_aggregate=False
    )
    result = solve_roster(inp, settings)
    assert result.objective is not None
    assert len(calls) == 1
    handed, class_windows = calls[0]
    assert class_windows
    assert result.objective <= handed / OBJECTIVE_SCALE + 1e-6


def test_an_unproven_aggregate_of_a_mid_size_roster_polishes_the_early_columns_dive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As on the 24/7 variants: the aggregate proves neither counts nor optimality while
    # the early columns run from the greedy roster; once it has ended they dive to a
    # roster of their own, polishing of class windows starts from the better of the two,
    # and the columns' bound reaches the result.
    began = threading.Event()
    pools: list[PatternBound] = []
    dived: list[list[int]] = []

    def columns(*args, **kwargs):  # type: ignore[no-untyped-def]
        handed = kwargs["on_roster"]

        def record(roster: list[int]) -> None:
            dived.append(roster)
            handed(roster)

        began.set()
        pools.append(pattern_lower_bound(*args, **{**kwargs, "on_roster": record}))
        return pools[-1]

    def unproven(inputs, index, seconds, workers, seed=0, **kwargs):  # type: ignore[no-untyped-def]
        assert began.wait(60)
        return AggregatePlan(counts={}, objective=math.inf, bound=1.0, status="unknown")

    calls: list[tuple[float, bool]] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((args[4], kwargs.get("class_windows", False)))
        return polish(*args, **kwargs)

    monkeypatch.setattr(solve_module, "PATIENCE_SECONDS", 0.0)
    monkeypatch.setattr(solve_module, "pattern_lower_bound", columns)
    monkeypatch.setattr(solve_module, "solve_aggregate", unproven)
    monkeypatch.setattr(solve_module, "polish", spy)
    inp = two_queue_organisation()
    assert len(inp.agents) <= solve_module.MID_SIZE_AGENTS
    result = solve_roster(inp, SolveSettings(time_limit_s=COLUMNS_MIN_SECONDS, seed=0))
    assert result.objective is not None
    [pool] = pools
    # The columns dived: early from their settled LP, or late from the converged one.
    assert dived or pool.roster
    [(handed, class_windows)] = calls
    assert class_windows
    index = build_index(inp)
    v, _terms = build_model(inp, index)
    greedy = complete_roster(v, set(greedy_roster(inp, index)), SolveSettings(seed=0))
    assert greedy is not None
    assert handed <= greedy[1] + 1e-6
    assert result.objective <= handed / OBJECTIVE_SCALE + 1e-6
    # The columns' bound reaches the result, and no bound passes the roster.
    assert pool.converged
    assert pool.bound - CONVERGED_POINTS <= result.bound <= result.objective + 1e-6
    assert result.gap is not None
