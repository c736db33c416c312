"""Where a mid-size roster starts: the split of close unproven aggregate counts, or greedy."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from planner.roster import SolveSettings, build_index, solve_roster, validate_roster
from planner.roster import solve as solve_module
from planner.roster.aggregate import AggregatePlan, solve_aggregate
from planner.roster.columns import CONVERGED_POINTS
from planner.roster.solve import _first_roster, roster_frame
from tests.planner.roster.test_columns import two_queue_organisation


def _answers(
    monkeypatch: pytest.MonkeyPatch, share_of_bound: float
) -> tuple[AggregatePlan, list[dict[str, float]], list[int]]:
    """Make the aggregate answer its true optimal counts, unproven with the bound below.

    The bound is the objective times `share_of_bound`. Returns that answer, the keyword
    arguments each aggregate search was given and how many times the counts were split.
    """
    inp = two_queue_organisation()
    index = build_index(inp)
    proven = solve_aggregate(inp, index, seconds=60, workers=2)
    assert proven is not None and proven.status == "optimal"
    answer = replace(proven, bound=proven.objective * share_of_bound, status="feasible")
    asked: list[dict[str, float]] = []
    splits: list[int] = []

    def aggregate(inputs, index, seconds, workers, seed=0, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs)
        return answer

    def split(inputs, index, keys, counts, seconds, workers, seed=0):  # type: ignore[no-untyped-def]
        assert counts == answer.counts
        splits.append(1)
        return real_split(inputs, index, keys, counts, seconds, workers, seed)

    real_split = solve_module.split_plan
    monkeypatch.setattr(solve_module, "solve_aggregate", aggregate)
    monkeypatch.setattr(solve_module, "split_plan", split)
    return answer, asked, splits


def _start(inp, limit_s):  # type: ignore[no-untyped-def]
    """`_first_roster` with a side thread of its own (waited for before returning)."""
    with ThreadPoolExecutor(max_workers=1) as side:
        found = _first_roster(inp, build_index(inp), SolveSettings(time_limit_s=limit_s), side)
        if found[3] is not None:
            found[3].result()
        return found


def test_close_unproven_counts_of_a_mid_size_roster_are_split_into_a_valid_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer, asked, splits = _answers(monkeypatch, 1 - solve_module.CLOSE_GAP / 2)
    inp = two_queue_organisation()
    assert len(inp.agents) <= solve_module.MID_SIZE_AGENTS
    first, bound, counts, early = _start(inp, 19)
    assert splits == [1] and counts == answer.counts and bound == answer.bound
    # The aggregate searched the mid-size share, stopping at close counts.
    share = 19 * solve_module.MID_AGGREGATE_SHARE
    assert asked == [{"patience": share, "close": solve_module.CLOSE_GAP}]
    assert early is None  # below the columns' minimum budget
    found = validate_roster(roster_frame(inp, list(first)), inp)
    assert [v for v in found if v.rule != "min_hours_week"] == []


def test_far_unproven_counts_leave_the_greedy_start(monkeypatch: pytest.MonkeyPatch) -> None:
    answer, _asked, splits = _answers(monkeypatch, 1 - 2 * solve_module.CLOSE_GAP)
    inp = two_queue_organisation()
    first, bound, counts, _early = _start(inp, 19)
    assert splits == [] and counts is None and bound == answer.bound
    found = validate_roster(roster_frame(inp, list(first)), inp)
    assert [v for v in found if v.rule != "min_hours_week"] == []


def test_a_large_roster_splits_only_proven_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    _answer, asked, splits = _answers(monkeypatch, 1 - solve_module.CLOSE_GAP / 2)
    monkeypatch.setattr(solve_module, "MID_SIZE_AGENTS", 1)
    inp = two_queue_organisation()
    _first, _bound, counts, early = _start(inp, 20)
    assert splits == [] and counts is None and early is None
    # Its own patience, no early stop.
    assert asked == [{"patience": solve_module.PATIENCE_SECONDS, "close": 0.0}]


def test_early_columns_bound_the_roster_and_reach_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a budget the columns apply to, they start from the greedy roster once the
    # aggregate's patience has passed (here at once, the aggregate waiting for them);
    # their bound reaches the result and stays below it.
    answer, _asked, _splits = _answers(monkeypatch, 1 - solve_module.CLOSE_GAP / 2)
    began = threading.Event()
    real_early = solve_module._EarlyColumns

    def early_columns(*args):  # type: ignore[no-untyped-def]
        found = real_early(*args)
        began.set()
        return found

    def aggregate(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert began.wait(60)
        return answer

    monkeypatch.setattr(solve_module, "PATIENCE_SECONDS", 0.0)
    monkeypatch.setattr(solve_module, "_EarlyColumns", early_columns)
    monkeypatch.setattr(solve_module, "solve_aggregate", aggregate)
    inp = two_queue_organisation()
    assert solve_module.columns_apply(inp, SolveSettings(time_limit_s=20))
    _first, _bound, counts, early = _start(inp, 20)
    assert early is not None and counts is not None
    pool = early.result()
    result = solve_roster(inp, SolveSettings(time_limit_s=20, seed=0))
    assert result.objective is not None
    assert pool.bound <= result.objective + 1e-6
    assert pool.converged
    assert result.bound >= pool.bound - CONVERGED_POINTS - 1e-6
