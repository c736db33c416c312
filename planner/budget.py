"""A search budget: work measured on the budget clock, with the wall clock as the hard stop.

`cancellation.clock()` counts seconds, or CP-SAT's deterministic time under
`cancellation.deterministic()`; a `Budget` shares that work out between the stages of a
solve. Steps whose length must not depend on the machine's pace (a neighbourhood, one
employee's schedule) are sized in deterministic time in either mode (`work_solver`), so
a loaded machine runs fewer of them, not shorter ones. The wall-clock stop holds in both
modes: it is the user's limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner import cancellation

# The shortest limit worth handing to CP-SAT (seconds or deterministic time).
SHORTEST = 0.05


@dataclass(frozen=True)
class Budget:
    """`work` units of `cancellation.clock()` from `began`, and a wall-clock stop.

    Attributes:
        work: the budget on the budget clock (deterministic time or seconds).
        began: `cancellation.clock()` when the budget started.
        stop_at: `time.perf_counter()` of the hard stop; infinite for none.
    """

    work: float
    began: float
    stop_at: float

    @classmethod
    def start(cls, work: float, wall_s: float | None) -> Budget:
        """A budget of `work` clock units from now, stopped after `wall_s` seconds (None: never)."""
        stop = math.inf if wall_s is None else time.perf_counter() + wall_s
        return cls(work, cancellation.clock(), stop)

    def spent(self) -> float:
        """Clock units spent since the start."""
        return cancellation.clock() - self.began

    def wall_left(self) -> float:
        """Seconds to the hard stop (infinite without one)."""
        return self.stop_at - time.perf_counter()

    def left(self) -> float:
        """Units of work left, never beyond the hard stop's seconds."""
        return min(self.work - self.spent(), self.wall_left())

    def solver(self, units: float, workers: int, seed: int) -> cp_model.CpSolver:
        """A solver limited to `units` of the budget clock (at most what is left) and the stop."""
        solver = cancellation.cp_solver(max(SHORTEST, min(units, self.left())), workers, seed)
        self._stop(solver)
        return solver

    def work_solver(self, units: float, workers: int, seed: int) -> cp_model.CpSolver:
        """A solver limited to `units` of deterministic time in either mode, and to the stop.

        The step does the same work on any machine; only the wall-clock stop can cut it.
        """
        solver = cancellation.cp_solver(max(SHORTEST, units), workers, seed)
        solver.parameters.max_deterministic_time = max(SHORTEST, units)
        solver.parameters.max_time_in_seconds = math.inf
        self._stop(solver)
        return solver

    def _stop(self, solver: cp_model.CpSolver) -> None:
        wall = self.wall_left()
        if math.isfinite(wall):
            limit = solver.parameters.max_time_in_seconds
            solver.parameters.max_time_in_seconds = max(SHORTEST, min(limit, wall))
