"""Cancelling one piece of work without touching any other: a token per job.

Every CP-SAT solve and solver loop asks the *current* token (a context variable, so each
job's thread sees its own) whether to go on. CP-SAT catches SIGINT itself by default and
ends the search as if its time were up, so solvers are made with `catch_sigint_signal` off
and solved through `CancelToken.solve`, which lets `cancel` end the searches in progress;
loops between solves call `check`. Threads a solver starts run in `contextvars.copy_context()`
so they see the token of the job that started them.

The same context carries the clock budgets are measured on: wall-clock seconds, or under
`deterministic()` CP-SAT's deterministic time spent by the searches so far, which makes a
solve whose every stage is budgeted on `clock()` give the same result on any load.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ortools.sat.python import cp_model


class Cancelled(KeyboardInterrupt):
    """The work was cancelled: raised where it next checks its token.

    A KeyboardInterrupt, so that `except Exception` on the way out does not swallow it.
    """


class CancelToken:
    """One job's stop request, shared by its thread and every solver search it starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        # Solvers searching now, by the thread that waits for each.
        self._searching: dict[cp_model.CpSolver, int] = {}

    @property
    def cancelled(self) -> bool:
        """Whether `cancel` was called."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled when the work was cancelled."""
        if self._event.is_set():
            raise Cancelled

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking at once on cancel; True when cancelled."""
        return self._event.wait(seconds)

    def solve(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ) -> cp_model.CpSolverStatus:
        """`solver.solve(model, callback)` that `cancel` ends with Cancelled."""
        with self._lock:
            self.check()
            self._searching[solver] = threading.get_ident()
        try:
            code = solver.solve(model, callback)
        finally:
            with self._lock:
                self._searching.pop(solver, None)
        spent = _clock.get()
        if spent is not None:
            spent.add(solver.deterministic_time)
        self.check()
        return code

    def cancel(self, interrupt: list[threading.Thread] | None = None) -> None:
        """End this token's searches in progress; raise Cancelled in `interrupt` threads.

        A thread waiting for CP-SAT gets its Cancelled from `solve` once the search has
        stopped: raised asynchronously while CP-SAT may call back into Python on that
        thread, it could not unwind through the search. Threads not searching are
        interrupted where they are, so work between checks stops too.
        """
        with self._lock:
            self._event.set()
            for solver in self._searching:
                solver.stop_search()
            busy = set(self._searching.values())
            for thread in interrupt or []:
                if thread.ident is not None and thread.ident not in busy and thread.is_alive():
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(thread.ident), ctypes.py_object(Cancelled)
                    )


_NEVER = CancelToken()
_current: ContextVar[CancelToken] = ContextVar("followsun_cancel_token", default=_NEVER)


def current() -> CancelToken:
    """The token of the work running in this context (one never cancelled by default)."""
    return _current.get()


@contextmanager
def using(token: CancelToken) -> Iterator[CancelToken]:
    """Run the block with `token` as the current one."""
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)


class _DeterministicClock:
    """CP-SAT deterministic time spent by the searches of one piece of work."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent = 0.0

    def add(self, seconds: float) -> None:
        with self._lock:
            self._spent += seconds

    def now(self) -> float:
        with self._lock:
            return self._spent


_clock: ContextVar[_DeterministicClock | None] = ContextVar(
    "followsun_deterministic_clock", default=None
)


@contextmanager
def deterministic() -> Iterator[None]:
    """Run the block on deterministic time: limits and `clock()` count CP-SAT's work, not seconds.

    Every solver from `cp_solver` stops at a deterministic-time limit (and interleaves its
    workers, which keeps several deterministic), and `clock()` advances only by the
    deterministic time of finished searches, so budgets shared out between stages give the
    same stages the same work whatever the machine's load.
    """
    reset = _clock.set(_DeterministicClock())
    try:
        yield
    finally:
        _clock.reset(reset)


def is_deterministic() -> bool:
    """Whether the current context runs on deterministic time."""
    return _clock.get() is not None


def clock() -> float:
    """Seconds to measure budgets on: wall-clock, or deterministic time under `deterministic()`."""
    spent = _clock.get()
    return time.perf_counter() if spent is None else spent.now()


def cp_solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with a time limit, workers and seed, which leaves SIGINT to Python.

    The limit is deterministic time under `deterministic()`, else wall-clock seconds.
    """
    solver = cp_model.CpSolver()
    if is_deterministic():
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.interleave_search = workers > 1
    else:
        solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.catch_sigint_signal = False
    return solver
