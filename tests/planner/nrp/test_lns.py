from __future__ import annotations

import random
import threading
from typing import Any, cast

import pytest
from ortools.sat.python import cp_model

from planner.nrp import NrpSettings, check_solution, parse_instance, solve_nrp
from planner.nrp.solve import _Shared, _Thread
from tests.planner.nrp.conftest import instance_text


def generated(seed: int, employees: int = 10, days: int = 14) -> str:
    """A seeded instance shaped like Instances 2-3: tight cover, many requests."""
    rng = random.Random(seed)
    shifts = ["E,480,", "D,480,", "L,480,E|D"]
    ids = ["E", "D", "L"]
    staff = [
        f"{chr(65 + k)},E={days}|D={days}|L={rng.randint(0, 5)},"
        f"{480 * (days // 2 + 2)},{480 * (days // 2 - 2)},5,2,2,1"
        for k in range(employees)
    ]
    cover = [f"{d},{s},{rng.randint(1, 3)},100,1" for d in range(days) for s in ids]
    on = sorted(
        {f"{chr(65 + rng.randrange(employees))},{rng.randrange(days)},{rng.choice(ids)},"
         f"{rng.randint(1, 3)}" for _ in range(25)}
    )  # fmt: skip
    off = sorted(
        {f"{chr(65 + rng.randrange(employees))},{rng.randrange(days)},{rng.choice(ids)},"
         f"{rng.randint(1, 3)}" for _ in range(15)}
    )  # fmt: skip
    days_off = [f"{chr(65 + k)},{rng.randrange(days)}" for k in range(employees)]
    return instance_text(days, shifts, staff, cover, days_off, on, off)


@pytest.mark.slow
def test_lns_solutions_are_valid_and_rechecked():
    # The LNS path: a short first phase cannot prove this one, so neighbourhoods run.
    # Property checked: hard rules hold and the independent checker's objective from the
    # assignments alone equals the solver's; the bound never exceeds the objective.
    inst = parse_instance(generated(7), "gen7")
    result = solve_nrp(inst, NrpSettings(time_limit_s=4.0, num_workers=2, seed=0))
    assert result.objective is not None
    assert result.status == "optimal" or result.lns_steps > 0
    assert result.violations == ()
    assert result.checked_objective == result.objective
    assert result.bound <= result.objective
    check = check_solution(inst, result.solution())
    assert check.objective == result.objective


def test_lns_off_gives_the_first_phase_only():
    inst = parse_instance(generated(3, employees=6, days=7), "gen3")
    result = solve_nrp(inst, NrpSettings(time_limit_s=2.0, num_workers=1, use_lns=False))
    assert result.lns_steps == 0
    assert result.objective is not None
    assert result.checked_objective == result.objective
    assert result.violations == ()


def test_instance2_lns_is_valid(shared_dir):
    inst = parse_instance((shared_dir / "Instance2.txt").read_text(), "Instance2")
    result = solve_nrp(inst, NrpSettings(time_limit_s=3.0, num_workers=2, seed=0))
    assert result.objective is not None
    assert result.violations == ()
    assert result.checked_objective == result.objective
    # 828 is the best known (the published table, every method at 60 min): nothing valid beats it
    # if it is optimal, so a lower objective would mean a model bug.
    assert result.objective >= 828


def _thread(values: list[int] | None, best: int) -> _Thread:
    state = _Thread(hoods=cast(Any, None))
    state.values, state.best = values, best
    state.solver = cp_model.CpSolver() if values is not None else None
    return state


def test_threads_on_seconds_share_every_improvement_at_once():
    # The shared incumbent only ever improves: a thread ahead publishes its solution, a
    # thread behind continues from the shared one, and equals change nothing.
    shared = _Shared([0, 0], 100, cp_model.CpSolver(), threading.Lock())
    ahead = _thread([1, 0], 90)
    assert shared.exchange(ahead) is False
    assert (shared.values, shared.best, shared.solver) == ([1, 0], 90, ahead.solver)
    behind = _thread(None, 100)
    assert shared.exchange(behind) is True
    assert (behind.values, behind.best, behind.solver) == ([1, 0], 90, ahead.solver)
    level = _thread([0, 1], 90)
    assert shared.exchange(level) is False
    assert (shared.values, level.values) == ([1, 0], [0, 1])


def test_a_proof_of_optimality_stops_every_thread():
    shared = _Shared([0, 0], 100, cp_model.CpSolver(), threading.Lock())
    other = _thread(None, 100)
    shared.exchange(other)
    assert shared.proven is False
    prover = _thread([1, 1], 80)
    prover.proven = True
    shared.exchange(prover)
    assert shared.proven is True
    assert shared.best == 80
