"""Budgets on deterministic time, and the employee-by-employee first solution."""

from __future__ import annotations

import itertools
import time

import pandas as pd
import pytest

from planner import cancellation
from planner.budget import Budget
from planner.nrp import NrpSettings, build_index, check_solution, parse_instance, solve_nrp
from planner.nrp import solve as nrp_solve
from planner.nrp.construct import EmployeeSearch, NoSchedule, construct
from planner.nrp.solve import NrpResult, solution_frame
from tests.planner.nrp.conftest import instance_text
from tests.planner.nrp.test_lns import generated

# A work budget with no wall-clock stop: the result may depend on nothing but the work.
ON_WORK = NrpSettings(time_limit_s=None, work_limit=3.0, num_workers=2, seed=3)


def _solve(text: str, settings: NrpSettings = ON_WORK) -> NrpResult:
    return solve_nrp(parse_instance(text, "gen"), settings)


@pytest.mark.slow
def test_a_work_budget_repeats_exactly_whatever_the_wall_clock(monkeypatch: pytest.MonkeyPatch):
    text = generated(7, employees=12, days=21)
    calm = _solve(text)
    # Every read of the wall clock jumps an hour: a budget measured on it would be spent
    # before any stage started.
    hours = itertools.count()
    with monkeypatch.context() as patch:
        patch.setattr(time, "perf_counter", lambda: 3600.0 * next(hours))
        rushed = _solve(text)
    assert next(hours) > 1  # the solve did read the (patched) wall clock
    assert calm.status in ("optimal", "feasible")
    assert calm.lns_steps > 0  # the neighbourhood search ran, in threads, and repeated
    assert (calm.status, calm.objective, calm.bound, calm.lns_steps) == (
        rushed.status,
        rushed.objective,
        rushed.bound,
        rushed.lns_steps,
    )
    pd.testing.assert_frame_equal(calm.solution(), rushed.solution())
    assert calm.violations == () and calm.checked_objective == calm.objective


def test_a_settings_without_any_limit_is_refused():
    with pytest.raises(ValueError, match="time_limit_s or work_limit"):
        _solve(generated(1, employees=3, days=7), NrpSettings(time_limit_s=None))


def test_the_budget_stops_at_the_wall_clock_in_either_mode():
    budget = Budget.start(100.0, wall_s=2.0)
    assert budget.left() <= 2.0
    solver = budget.work_solver(10.0, 1, 0)
    assert solver.parameters.max_deterministic_time == pytest.approx(10.0)
    assert solver.parameters.max_time_in_seconds <= 2.0
    with cancellation.deterministic():
        on_work = Budget.start(5.0, wall_s=None)
        assert on_work.left() == pytest.approx(5.0)  # no wall stop: only the work counts
        limited = on_work.solver(100.0, 2, 0)
        assert limited.parameters.max_deterministic_time == pytest.approx(5.0)


def _objective(inst, shifts) -> tuple[int, int]:
    """(hard violations, objective) of `shifts` by the independent checker."""
    frame = solution_frame(
        tuple(
            nrp_solve.Assignment(inst.employees[e].employee_id, d, inst.shifts[s].shift_id)
            for (e, d), s in sorted(shifts.items())
        )
    )
    check = check_solution(inst, frame)
    return len(check.violations), check.objective


def test_employee_sweeps_keep_the_rules_and_never_worsen_the_objective():
    # The objective of each employee's model is the change of the whole objective with
    # the others fixed, so every accepted re-solve lowers the checker's objective.
    inst = parse_instance(generated(5, employees=10, days=14), "gen5")
    index = build_index(inst)
    search = EmployeeSearch(inst, index)
    budget = Budget.start(100.0, wall_s=None)
    for e in range(len(inst.employees)):
        search.best(e, budget, e)
    hard, before = _objective(inst, search.shifts)
    assert hard == 0
    for e in range(len(inst.employees)):
        improved = search.best(e, budget, 100 + e)
        hard, after = _objective(inst, search.shifts)
        assert hard == 0
        assert after < before if improved else after == before
        before = after


def test_an_employee_who_cannot_keep_the_rules_makes_the_instance_infeasible():
    # B must work 2400 minutes in a 3-day horizon of 480-minute shifts.
    text = instance_text(
        3,
        ["E,480,"],
        ["A,E=3,1440,0,3,1,1,1", "B,E=3,2400,2400,3,1,1,1"],
        [f"{d},E,1,100,1" for d in range(3)],
    )
    inst = parse_instance(text, "no")
    with pytest.raises(NoSchedule) as failed:
        construct(inst, build_index(inst), Budget.start(10.0, None), 0, lambda: False)
    assert failed.value.employee == "B" and failed.value.infeasible
    assert _solve(text, NrpSettings(time_limit_s=10.0)).status == "infeasible"


def test_a_large_model_starts_from_the_employee_by_employee_solution(
    monkeypatch: pytest.MonkeyPatch,
):
    # Past LARGE_MODEL the full first search is skipped; the result is still a valid
    # solution whose objective the independent checker confirms.
    monkeypatch.setattr(nrp_solve, "LARGE_MODEL", 0)
    text = generated(9, employees=8, days=14)
    result = _solve(text, NrpSettings(time_limit_s=None, work_limit=2.0, num_workers=2))
    assert result.status in ("feasible", "optimal")
    assert result.violations == ()
    assert result.checked_objective == result.objective


@pytest.mark.slow
def test_instance20_has_a_first_solution_within_a_work_budget(shared_dir):
    # A full CP-SAT search finds no solution to Instance 20 in 30 s; the employee by
    # employee start does, within a work budget and however loaded the machine is.
    inst = parse_instance((shared_dir / "Instance20.txt").read_text(), "Instance20")
    settings = NrpSettings(time_limit_s=None, work_limit=40.0, num_workers=2, use_lns=False)
    result = solve_nrp(inst, settings)
    assert result.status == "feasible"
    assert result.violations == ()
    assert result.checked_objective == result.objective
