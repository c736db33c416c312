from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.nrp import NrpSettings, check_solution, parse_instance, solve_nrp
from tests.planner.nrp.conftest import TINY, TINY_OBJECTIVE, instance_text

FAST = NrpSettings(time_limit_s=5.0, num_workers=1, seed=0)


def solve_text(text: str) -> tuple[float | None, str]:
    result = solve_nrp(parse_instance(text, "t"), FAST)
    assert result.violations == ()
    assert result.checked_objective == result.objective
    return result.objective, result.status


def test_tiny_reaches_the_hand_optimum():
    result = solve_nrp(parse_instance(TINY, "tiny"), FAST)
    assert result.status == "optimal"
    assert result.objective == TINY_OBJECTIVE
    assert result.bound == TINY_OBJECTIVE
    assert result.gap == 0.0
    assert result.violations == ()
    assert result.checked_objective == TINY_OBJECTIVE
    points = {p.family: p.points for p in result.penalties}
    assert points == {
        "shift_on_requests": 5.0,
        "shift_off_requests": 3.0,
        "cover_under": 200.0,
        "cover_over": 0.0,
    }
    days = sorted(result.solution()["day"])
    assert days in ([0, 1, 2, 5, 6], [0, 1, 4, 5, 6])


# Staff row fields: ID, MaxShifts, MaxTot, MinTot, MaxCons, MinCons, MinDaysOff, MaxWeekends.
def test_forbidden_succession_costs_one_cover():
    # L on day 0 forbids E on day 1: one employee covers only one of them (100).
    text = instance_text(
        2, ["E,480,", "L,480,E"], ["A,E=2|L=2,960,0,2,1,1,1"], ["0,L,1,100,1", "1,E,1,100,1"]
    )
    assert solve_text(text) == (100, "optimal")


def test_max_shifts_zero_forbids_the_type():
    text = instance_text(1, ["E,480,", "L,480,"], ["A,E=1|L=0,480,0,1,1,1,1"], ["0,L,1,100,1"])
    assert solve_text(text) == (100, "optimal")


def test_day_off_is_hard():
    text = instance_text(3, ["D,480,"], ["A,D=3,1440,0,3,1,1,1"], ["1,D,1,100,1"], days_off=["A,1"])
    assert solve_text(text) == (100, "optimal")


def test_min_minutes_force_over_cover():
    # Nothing wanted (over weight 1 each day) but at least 2 shifts: 2 points.
    text = instance_text(
        3,
        ["D,480,"],
        ["A,D=3,1440,960,3,1,1,1"],
        ["0,D,0,100,1", "1,D,0,100,1", "2,D,0,100,1"],
    )
    assert solve_text(text) == (2, "optimal")


def test_max_weekends_over_two_weeks():
    # Only weekend days are wanted; one weekend allowed: the other weekend is missed (200).
    cover = [f"{d},D,{1 if d in (5, 6, 12, 13) else 0},100,1" for d in range(14)]
    text = instance_text(14, ["D,480,"], ["A,D=14,6720,0,14,1,1,1"], cover)
    assert solve_text(text) == (200, "optimal")


def test_min_runs_exempt_at_the_horizon_ends():
    # Min 3 in a row and at most 2 shifts: only runs touching the ends can be that short,
    # and days 0 and 4 are exactly those (0 points).
    cover = [f"{d},D,{1 if d in (0, 4) else 0},100,1" for d in range(5)]
    text = instance_text(5, ["D,480,"], ["A,D=5,960,0,5,3,1,1"], cover)
    assert solve_text(text) == (0, "optimal")


def test_min_run_inside_the_horizon_binds():
    # Day 2 alone would be an inner run of 1 < 3; 3 days around it cost 2 over (2 points)
    # against 100 for leaving it uncovered.
    cover = [f"{d},D,{1 if d == 2 else 0},100,1" for d in range(5)]
    text = instance_text(5, ["D,480,"], ["A,D=5,2400,0,5,3,1,1"], cover)
    assert solve_text(text) == (2, "optimal")


def test_max_consecutive_and_min_days_off():
    # Every day wanted, at most 2 in a row, inner days off at least 2 over 6 days:
    # WWOOWW covers 4 days (200 short).
    cover = [f"{d},D,1,100,1" for d in range(6)]
    text = instance_text(6, ["D,480,"], ["A,D=6,2880,0,2,1,2,1"], cover)
    assert solve_text(text) == (200, "optimal")


def test_instance1_reaches_the_published_optimum(shared_dir):
    # 607: Instance1's value in every column of the published best-known table (ORProjects/NRP).
    # The time limit only stops a slow (loaded) machine, so it decides nothing here: whatever
    # the solver reached is valid and scored right, 607 lies between its bound and its
    # objective, and a proven optimum is 607.
    inst = parse_instance((shared_dir / "Instance1.txt").read_text(), "Instance1")
    result = solve_nrp(inst, NrpSettings(time_limit_s=60.0, num_workers=2, seed=0))
    assert result.status in ("optimal", "feasible")
    assert result.violations == ()
    assert result.checked_objective == result.objective
    assert result.objective is not None
    assert result.bound <= 607 <= result.objective
    if result.status == "optimal":
        assert result.objective == 607


def brute_force(text: str) -> int | None:
    """The optimum by enumerating every assignment, scored by the independent checker."""
    inst = parse_instance(text, "bf")
    options = [None, *(s.shift_id for s in inst.shifts)]
    staff = [e.employee_id for e in inst.employees]
    best: int | None = None
    for choice in itertools.product(options, repeat=inst.days * len(staff)):
        rows = [(staff[k // inst.days], k % inst.days, s) for k, s in enumerate(choice) if s]
        check = check_solution(inst, pd.DataFrame(rows, columns=["employee", "day", "shift"]))
        if not check.violations and (best is None or check.objective < best):
            best = check.objective
    return best


@st.composite
def small_instances(draw: st.DrawFn) -> str:
    days = draw(st.integers(3, 6))
    two_shifts = draw(st.booleans())
    shifts = ["E,480,", "L,600,E"] if two_shifts else ["E,480,"]
    ids = ["E", "L"] if two_shifts else ["E"]
    n_staff = 1 if two_shifts else draw(st.integers(1, 2))
    staff = []
    for k in range(n_staff):
        most = "|".join(f"{s}={draw(st.integers(0, days))}" for s in ids)
        max_min = draw(st.integers(0, days)) * 600
        min_min = draw(st.integers(0, 2)) * 480
        staff.append(
            f"{'AB'[k]},{most},{max_min},{min(min_min, max_min)},"
            f"{draw(st.integers(1, days))},{draw(st.integers(1, 3))},"
            f"{draw(st.integers(1, 3))},{draw(st.integers(0, 1))}"
        )
    cover = [
        f"{d},{s},{draw(st.integers(0, 2))},{draw(st.integers(1, 100))},{draw(st.integers(1, 3))}"
        for d in range(days)
        for s in ids
    ]
    on = [
        f"A,{draw(st.integers(0, days - 1))},{draw(st.sampled_from(ids))},{draw(st.integers(1, 5))}"
    ]
    off = [
        f"A,{draw(st.integers(0, days - 1))},{draw(st.sampled_from(ids))},{draw(st.integers(1, 5))}"
    ]
    days_off = [f"A,{draw(st.integers(0, days - 1))}"] if draw(st.booleans()) else []
    return instance_text(days, shifts, staff, cover, days_off, on, off)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_solver_matches_brute_force_and_its_own_check(text):
    # Property: every solution passes the independent check, its recomputed objective is
    # the solver's, and a proven optimum equals the enumerated one (or both infeasible).
    result = solve_nrp(parse_instance(text, "p"), FAST)
    expected = brute_force(text)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    assert result.violations == ()
    assert result.checked_objective == result.objective
    assert result.objective == expected
