"""Ctrl-C stops a command mid-solve: CP-SAT searches end, other work is interrupted."""

from __future__ import annotations

import _thread
import threading
import time

import pytest
from ortools.sat.python import cp_model

from followsun.cli import run_stoppable
from planner import stopping

# Far longer than a test runs: a search still going when the work returns was not stopped.
LONG_S = 600.0


def golomb_ruler(marks: int) -> cp_model.CpModel:
    """The shortest Golomb ruler: proving 11 marks optimal takes CP-SAT many minutes."""
    model = cp_model.CpModel()
    length = marks * marks
    x = [model.new_int_var(0, length, f"x{i}") for i in range(marks)]
    model.add(x[0] == 0)
    diffs = []
    for i in range(marks):
        for j in range(i + 1, marks):
            diff = model.new_int_var(1, length, f"d{i}_{j}")
            model.add(diff == x[j] - x[i])
            diffs.append(diff)
    model.add_all_different(diffs)
    for i in range(marks - 1):
        model.add(x[i] < x[i + 1])
    model.minimize(x[-1])
    return model


def interrupt_after(seconds: float) -> threading.Timer:
    """Ctrl-C for the main thread in `seconds`, as the terminal would send it."""
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    return timer


def test_ctrl_c_ends_a_cp_sat_search_and_the_work() -> None:
    searched: list[float] = []

    def work() -> int:
        solver = stopping.cp_solver(LONG_S, 2, 0)
        try:
            stopping.solve(solver, golomb_ruler(11))
        finally:
            searched.append(solver.wall_time)
        return 0

    interrupt_after(1.0)
    with pytest.raises(KeyboardInterrupt):
        run_stoppable(work)
    # The work unwound through its `finally` after a search that ended long before its limit.
    assert len(searched) == 1
    assert searched[0] < LONG_S / 10


def test_ctrl_c_interrupts_work_between_searches() -> None:
    steps: list[int] = []

    def work() -> int:
        while True:
            steps.append(1)
            time.sleep(0.01)

    interrupt_after(0.5)
    with pytest.raises(KeyboardInterrupt):
        run_stoppable(work)
    seen = len(steps)
    time.sleep(0.1)
    assert len(steps) == seen > 0  # the loop no longer runs


def test_a_search_after_a_stop_request_does_not_start() -> None:
    stopping.request_stop([])
    try:
        with pytest.raises(KeyboardInterrupt):
            stopping.solve(stopping.cp_solver(LONG_S, 1, 0), golomb_ruler(11))
    finally:
        stopping.clear()
    solver = stopping.cp_solver(5.0, 1, 0)
    assert stopping.solve(solver, golomb_ruler(4)) == cp_model.OPTIMAL
    assert solver.objective_value == 6  # the best ruler of 4 marks: 0 1 4 6


def test_work_that_ends_returns_its_code_and_raises_its_errors() -> None:
    assert run_stoppable(lambda: 3) == 3

    def fails() -> int:
        raise ValueError("bad row 7")

    with pytest.raises(ValueError, match="bad row 7"):
        run_stoppable(fails)
