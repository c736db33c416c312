"""Cancelling one job: its CP-SAT searches end, its other work is interrupted, others go on."""

from __future__ import annotations

import _thread
import threading
import time

import pytest
from ortools.sat.python import cp_model

from followsun.cli import run_stoppable
from planner import cancellation
from planner.cancellation import Cancelled, CancelToken, using

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
        solver = cancellation.cp_solver(LONG_S, 2, 0)
        try:
            cancellation.current().solve(solver, golomb_ruler(11))
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


def test_a_search_after_a_cancel_does_not_start() -> None:
    token = CancelToken()
    token.cancel()
    with using(token), pytest.raises(Cancelled):
        token.solve(cancellation.cp_solver(LONG_S, 1, 0), golomb_ruler(11))
    solver = cancellation.cp_solver(5.0, 1, 0)
    assert cancellation.current().solve(solver, golomb_ruler(4)) == cp_model.OPTIMAL
    assert solver.objective_value == 6  # the best ruler of 4 marks: 0 1 4 6


def test_cancelling_one_job_leaves_another_running_job_untouched() -> None:
    first, second = CancelToken(), CancelToken()
    outcomes: dict[str, object] = {}

    def job(name: str, token: CancelToken, marks: int, seconds: float) -> None:
        with using(token):
            solver = cancellation.cp_solver(seconds, 1, 0)
            try:
                outcomes[name] = cancellation.current().solve(solver, golomb_ruler(marks))
            except Cancelled:
                outcomes[name] = "cancelled"
            outcomes[name + "_wall"] = solver.wall_time

    threads = [
        threading.Thread(target=job, args=("first", first, 11, LONG_S)),
        threading.Thread(target=job, args=("second", second, 11, 3.0)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    first.cancel()
    for thread in threads:
        thread.join()
    assert outcomes["first"] == "cancelled"
    assert outcomes["first_wall"] < LONG_S / 10
    # The second search ran on to its own time limit, long after the first was cancelled.
    assert outcomes["second"] == cp_model.FEASIBLE
    assert outcomes["second_wall"] >= 2.5
    assert not second.cancelled


def test_threads_a_job_starts_inside_a_copied_context_see_its_token() -> None:
    import contextvars

    token = CancelToken()
    seen: list[CancelToken] = []
    with using(token):
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(lambda: seen.append(cancellation.current()),),
        )
        thread.start()
        thread.join()
    assert seen == [token]
    assert cancellation.current() is not token


def test_work_that_ends_returns_its_code_and_raises_its_errors() -> None:
    assert run_stoppable(lambda: 3) == 3

    def fails() -> int:
        raise ValueError("bad row 7")

    with pytest.raises(ValueError, match="bad row 7"):
        run_stoppable(fails)


def test_deterministic_time_limits_searches_and_drives_the_clock() -> None:
    before = cancellation.clock()
    assert not cancellation.is_deterministic()
    with cancellation.deterministic():
        assert cancellation.is_deterministic()
        assert cancellation.clock() == 0.0
        solver = cancellation.cp_solver(0.2, 1, 0)
        assert solver.parameters.max_deterministic_time == pytest.approx(0.2)
        assert not solver.parameters.interleave_search
        assert cancellation.cp_solver(0.2, 2, 0).parameters.interleave_search
        cancellation.current().solve(solver, golomb_ruler(11))
        spent = solver.deterministic_time
        # The search stopped at its deterministic limit, and the clock moved by that alone.
        assert spent > 0.0
        assert solver.status_name(solver.response_proto.status) != "OPTIMAL"
        assert cancellation.clock() == pytest.approx(spent)
        time.sleep(0.05)  # wall time passing does not move the deterministic clock
        assert cancellation.clock() == pytest.approx(spent)
    assert not cancellation.is_deterministic()
    assert cancellation.clock() >= before


def test_a_deterministic_search_repeats_exactly() -> None:
    def search() -> tuple[float, float, float]:
        with cancellation.deterministic():
            solver = cancellation.cp_solver(0.5, 1, 5)
            cancellation.current().solve(solver, golomb_ruler(10))
            return solver.objective_value, solver.best_objective_bound, cancellation.clock()

    assert search() == search()
