"""Stopping long solves on request (Ctrl-C): every CP-SAT solve and solver loop checks here.

CP-SAT catches SIGINT itself by default and ends the search as if its time were up, so
an interrupted command would carry on and write its output. Solvers are therefore made
with `catch_sigint_signal` off and solved through `solve`, which lets `request_stop` end
the searches in progress; loops between solves call `check`. The command line runs its
work in a thread of its own and asks for the stop when its main thread sees Ctrl-C.
"""

from __future__ import annotations

import ctypes
import threading

from ortools.sat.python import cp_model

_lock = threading.Lock()
_stop = threading.Event()
# Solvers searching now, by the thread that waits for each.
_searching: dict[cp_model.CpSolver, int] = {}


def cp_solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with a time limit, workers and seed, which leaves SIGINT to Python."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    return solver


def solve(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> cp_model.CpSolverStatus:
    """`solver.solve(model, callback)` that a stop request ends with KeyboardInterrupt."""
    with _lock:
        check()
        _searching[solver] = threading.get_ident()
    try:
        code = solver.solve(model, callback)
    finally:
        with _lock:
            _searching.pop(solver, None)
    check()
    return code


def check() -> None:
    """Raise KeyboardInterrupt when a stop was requested."""
    if _stop.is_set():
        raise KeyboardInterrupt


def request_stop(threads: list[threading.Thread]) -> None:
    """End every search in progress and interrupt `threads` where they are not searching.

    A thread waiting for CP-SAT gets its KeyboardInterrupt from `solve` once the search
    has stopped: raised asynchronously while CP-SAT may call back into Python on that
    thread, it could not unwind through the search.
    """
    with _lock:
        _stop.set()
        for solver in _searching:
            solver.stop_search()
        busy = set(_searching.values())
        for thread in threads:
            if thread.ident is not None and thread.ident not in busy and thread.is_alive():
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
                )


def clear() -> None:
    """Forget a stop request once the interrupted work has ended."""
    _stop.clear()
