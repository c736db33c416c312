"""Solve a benchmark instance: a CP-SAT start, then large-neighbourhood search (LNS).

Why LNS by hand: with two workers CP-SAT's portfolio spends most of its time on one full
search whose solutions stay far from the best known on the larger instances (9% to 78%
above on Instances 5-12 in 60 s). Re-optimising a few employees, or a window of days,
with everything else fixed to the incumbent, gives sub-models that CP-SAT (with its full
LP relaxation) often solves to optimality within a second, and most neighbourhoods are
aimed at a cover shortfall, which dominates the objective (100 points per missing
person). The first phase also supplies the proven lower bound reported with every
solution; the LNS only improves the incumbent, it proves nothing.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from ortools.sat.python import cp_model

from planner import cancellation
from planner.nrp.model import (
    OBJECTIVE_SCALE,
    NrpIndex,
    NrpVars,
    PenaltyTerm,
    build_index,
    build_model,
)
from planner.nrp.parser import NrpInstance
from planner.nrp.validate import SOLUTION, Violation, check_solution
from planner.solve_status import SolveStatus

Status = SolveStatus

# Share of the budget for the first full CP-SAT search (first solution and the bound).
# Short on purpose: the LNS improves faster than the full search once there is a
# solution (docs/ROSTER.md, "Measurements behind the settings").
FIRST_SHARE = 0.05
# Seconds one neighbourhood may take, and the least worth starting; a shorter first
# step leaves the benchmark further from the best known on a slower machine
# (docs/ROSTER.md).
STEP_S = 1.0
STEP_MIN_S = 0.2
STEP_MAX_S = 4.0
# Neighbourhoods in a row without improvement before they get larger and longer.
STALL_STEPS = 20
# Shares of neighbourhoods: whole employees, a window for half the staff, else for all.
EMPLOYEE_MOVES = 0.5
HALF_STAFF_MOVES = 0.75
# Share of neighbourhoods aimed at a cover shortfall (the rest anywhere).
AIM_AT_SHORTFALL = 0.7
# Neighbourhood sizes, as a share of the employees (employee moves) or days (window moves).
START_SHARE = 0.15
MIN_SHARE = 0.05
MAX_SHARE = 0.6


@dataclass(frozen=True)
class NrpSettings:
    """Solver budget, set through `solver.parameters` only.

    Attributes:
        time_limit_s: wall-clock limit in seconds for the whole solve.
        num_workers: parallel search workers for every CP-SAT call.
        seed: random seed of CP-SAT and of the neighbourhood choice.
        use_lns: improve the first solution by large-neighbourhood search.
        log_search: print CP-SAT's search log.
    """

    time_limit_s: float = 60.0
    num_workers: int = 2
    seed: int = 0
    use_lns: bool = True
    log_search: bool = False


@dataclass(frozen=True)
class Assignment:
    """One worked shift: employee id, 0-based day, shift id."""

    employee: str
    day: int
    shift: str


@dataclass(frozen=True)
class FamilyPenalty:
    """Points of the objective owed to one soft rule family."""

    family: str
    points: float


@dataclass(frozen=True)
class NrpResult:
    """A solved instance with everything needed to trust it.

    Attributes:
        instance: the instance name.
        status: 'optimal' (proven), 'feasible' (time limit), 'infeasible' (the hard rules
            cannot all hold) or 'unknown' (no solution found in time).
        objective: penalty points of the solution, None without one.
        bound: proven lower bound on the objective in points.
        gap: (objective - bound) / max(objective, 1), None without a solution.
        wall_seconds: elapsed seconds of the whole solve (model building included).
        assignments: the worked shifts, sorted by employee position and day.
        penalties: points per soft family.
        lns_steps: neighbourhoods solved after the first phase.
        violations: hard-rule violations found by `check_solution` (empty when valid).
        checked_objective: the objective recomputed by `check_solution` from the
            assignments alone; equal to `objective` unless the model has a bug.
    """

    instance: str
    status: Status
    objective: float | None
    bound: float
    gap: float | None
    wall_seconds: float
    assignments: tuple[Assignment, ...]
    penalties: tuple[FamilyPenalty, ...]
    lns_steps: int
    violations: tuple[Violation, ...]
    checked_objective: int | None

    def solution(self) -> pd.DataFrame:
        """The assignments as a frame with columns `employee`, `day`, `shift`."""
        return solution_frame(self.assignments)


def solution_frame(assignments: tuple[Assignment, ...]) -> pd.DataFrame:
    """Assignments as a frame with columns `employee`, `day` (int), `shift`."""
    return pd.DataFrame(
        {
            "employee": [a.employee for a in assignments],
            "day": pd.Series([a.day for a in assignments], dtype="int64"),
            "shift": [a.shift for a in assignments],
        },
        columns=list(SOLUTION.names),
    )


def _solver(settings: NrpSettings, seconds: float, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with the settings and a time limit (parameters only)."""
    solver = cancellation.cp_solver(max(0.05, seconds), settings.num_workers, seed)
    solver.parameters.log_search_progress = settings.log_search
    return solver


class _Neighbourhoods:
    """Fix all assignment variables but a neighbourhood by narrowing proto domains.

    Works on its own copy of the model (one per LNS thread); variable positions are the
    same in every copy, so solutions are exchanged as plain value vectors.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        v: NrpVars,
        inst: NrpInstance,
        index: NrpIndex,
        rng: random.Random,
    ) -> None:
        self.model = model
        self.inst = inst
        self.rng = rng
        self.n_employees = len(inst.employees)
        self.keys = [(e, d) for e, d, _s in v.x]
        self.index = [var.index for var in v.x.values()]
        self.x_keys = list(v.x)
        self.allowed = [set(a) for a in index.allowed]
        self.need = {(c.day, index.shift_pos[c.shift_id]): c.requirement for c in inst.cover}
        proto = model.proto.variables
        # Assignment variables are Booleans: one interval [lo, hi] each.
        self.saved = [(proto[i].domain[0], proto[i].domain[1]) for i in self.index]

    def shortfalls(self, values: list[int]) -> list[tuple[int, int, tuple[int, ...]]]:
        """(day, shift, employees free to take it) for each cover short of staff in `values`.

        'Free to take it' means the employee may work that shift type and is off that day.
        """
        staffed: dict[tuple[int, int], int] = defaultdict(int)
        working: set[tuple[int, int]] = set()
        for (e, d, s), i in zip(self.x_keys, self.index, strict=True):
            if values[i]:
                staffed[(d, s)] += 1
                working.add((e, d))
        return [
            (
                d,
                s,
                tuple(
                    e
                    for e in range(self.n_employees)
                    if s in self.allowed[e] and (e, d) not in working
                ),
            )
            for (d, s), need in self.need.items()
            if staffed[(d, s)] < need
        ]

    def free_set(
        self, share: float, short: list[tuple[int, int, tuple[int, ...]]]
    ) -> set[tuple[int, int]]:
        """(employee, day) pairs to re-optimise: some employees, or a window of days.

        Most neighbourhoods aim at a cover shortfall (where the objective's hundreds
        are): whole horizons of employees who are off when staff is missing, or a window
        of days around it across many employees.
        """
        days, n = self.inst.days, self.n_employees
        kind = self.rng.random()
        target = self.rng.choice(short) if short and self.rng.random() < AIM_AT_SHORTFALL else None
        if kind < EMPLOYEE_MOVES:
            k = min(n, max(2, round(share * n)))
            pool = list(target[2]) if target else []
            chosen = self.rng.sample(pool, min(len(pool), (k + 1) // 2))
            rest = [e for e in range(n) if e not in chosen]
            chosen += self.rng.sample(rest, k - len(chosen))
            return {(e, d) for e in chosen for d in range(days)}
        width = min(days, max(3, round(min(1.0, 2 * share) * days)))
        if target:
            first = min(max(0, target[0] - self.rng.randrange(width)), days - width)
        else:
            first = self.rng.randrange(0, max(1, days - width + 1))
        people = self.rng.sample(range(n), max(2, n // 2)) if kind < HALF_STAFF_MOVES else range(n)
        return {(e, d) for e in people for d in range(first, min(days, first + width))}

    def solve(
        self, values: list[int], free: set[tuple[int, int]], solver: cp_model.CpSolver
    ) -> int:
        """Fix every assignment outside `free` to `values`, hint `values`, solve, restore."""
        proto = self.model.proto
        variables = proto.variables
        for key, i in zip(self.keys, self.index, strict=True):
            if key not in free:
                variables[i].domain[0] = values[i]
                variables[i].domain[1] = values[i]
        proto.clear_solution_hint()
        proto.solution_hint.vars.extend(range(len(values)))
        proto.solution_hint.values.extend(values)
        try:
            return int(cancellation.current().solve(solver, self.model))
        finally:
            for i, (lo, hi) in zip(self.index, self.saved, strict=True):
                variables[i].domain[0] = lo
                variables[i].domain[1] = hi


@dataclass
class _Incumbent:
    """The best solution found so far, shared by the LNS threads under `lock`."""

    solver: cp_model.CpSolver
    values: list[int]
    best: int
    steps: int
    lock: threading.Lock


def solve_nrp(inst: NrpInstance, settings: NrpSettings | None = None) -> NrpResult:
    """Build, solve and improve the model of one instance within the time limit."""
    settings = settings or NrpSettings()
    began = time.perf_counter()
    deadline = began + settings.time_limit_s
    index = build_index(inst)
    v, terms = build_model(inst, index)
    first_s = settings.time_limit_s * (FIRST_SHARE if settings.use_lns else 1.0)
    solver = _solver(settings, min(first_s, deadline - time.perf_counter()), settings.seed)
    code = cancellation.current().solve(solver, v.model)
    bound_scaled = solver.best_objective_bound
    if code == cp_model.INFEASIBLE:
        return _empty(inst, "infeasible", bound_scaled, began)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No solution yet: search on, but hand over to the LNS at the first solution.
        rest = deadline - time.perf_counter()
        if rest > STEP_MIN_S:
            solver = _solver(settings, rest, settings.seed + 1)
            solver.parameters.stop_after_first_solution = settings.use_lns
            code = cancellation.current().solve(solver, v.model)
            bound_scaled = max(bound_scaled, solver.best_objective_bound)
        if code == cp_model.INFEASIBLE:
            return _empty(inst, "infeasible", bound_scaled, began)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _empty(inst, "unknown", bound_scaled, began)
    best = round(solver.objective_value)
    proven = code == cp_model.OPTIMAL
    steps = 0
    if settings.use_lns and not proven and best > bound_scaled:
        solver, best, steps = _lns(v, inst, index, settings, solver, best, bound_scaled, deadline)
    proven = proven or best <= bound_scaled
    return _result(inst, v, index, terms, solver, best, bound_scaled, proven, began, steps)


def _lns(
    v: NrpVars,
    inst: NrpInstance,
    index: NrpIndex,
    settings: NrpSettings,
    incumbent: cp_model.CpSolver,
    best: int,
    bound_scaled: float,
    deadline: float,
) -> tuple[cp_model.CpSolver, int, int]:
    """Re-optimise neighbourhoods until the deadline; return the best solve, objective, steps.

    Each of `num_workers` threads owns a copy of the model and runs one-worker CP-SAT
    solves on it (CP-SAT releases the GIL while it searches). Every sub-model is the full
    model with the assignments outside the neighbourhood fixed, so each improving solve is
    a complete solution of the instance.
    """
    shared = _Incumbent(
        incumbent, list(incumbent.response_proto.solution), best, 0, threading.Lock()
    )

    def work(k: int, model: cp_model.CpModel) -> None:
        rng = random.Random(settings.seed * 7919 + k)
        hoods = _Neighbourhoods(model, v, inst, index, rng)
        share, step_s = START_SHARE, STEP_S
        seen: list[int] | None = None
        idle = 0
        short: list[tuple[int, int, tuple[int, ...]]] = []
        while True:
            left = deadline - time.perf_counter()
            with shared.lock:
                if left < STEP_MIN_S or shared.best <= bound_scaled:
                    return
                values = shared.values
                shared.steps += 1
                seed = settings.seed + shared.steps
            if values is not seen:
                seen, short = values, hoods.shortfalls(values)
            solver = _solver(settings, min(step_s, left), seed)
            solver.parameters.num_workers = 1
            # The full LP relaxation proves neighbourhoods of 5-6 whole employees optimal
            # within a second or two; the default linearisation leaves them at large gaps.
            solver.parameters.linearization_level = 2
            code = hoods.solve(values, hoods.free_set(share, short), solver)
            improved = False
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                with shared.lock:
                    if solver.objective_value < shared.best - 0.5:
                        improved = True
                        shared.values = list(solver.response_proto.solution)
                        shared.best = round(solver.objective_value)
                        shared.solver = solver
            # Stuck in a local optimum: give larger neighbourhoods more time.
            idle = 0 if improved else idle + 1
            if idle >= STALL_STEPS:
                idle, step_s = 0, min(STEP_MAX_S, step_s * 2)
                share = min(MAX_SHARE, share * 1.5)
            elif improved:
                step_s = STEP_S
            # Grow the neighbourhood when it was solved to optimality, shrink it when not.
            share = (
                min(MAX_SHARE, share * 1.1)
                if code == cp_model.OPTIMAL
                else max(MIN_SHARE, share * 0.85)
            )

    def run(k: int, model: cp_model.CpModel) -> None:
        try:
            work(k, model)
        except KeyboardInterrupt:
            return  # a stop was requested: raised again below, once every thread ends

    threads = [
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(run, k, v.model if k == 0 else v.model.clone()),
        )
        for k in range(max(1, settings.num_workers))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cancellation.current().check()
    v.model.proto.clear_solution_hint()
    return shared.solver, shared.best, shared.steps


def _empty(inst: NrpInstance, status: Status, bound_scaled: float, began: float) -> NrpResult:
    return NrpResult(
        instance=inst.name,
        status=status,
        objective=None,
        bound=bound_scaled / OBJECTIVE_SCALE,
        gap=None,
        wall_seconds=time.perf_counter() - began,
        assignments=(),
        penalties=(),
        lns_steps=0,
        violations=(),
        checked_objective=None,
    )


def _result(
    inst: NrpInstance,
    v: NrpVars,
    index: NrpIndex,
    terms: list[PenaltyTerm],
    solver: cp_model.CpSolver,
    best_scaled: int,
    bound_scaled: float,
    proven: bool,
    began: float,
    steps: int,
) -> NrpResult:
    """Read the assignments and the penalty per family from the best solve."""
    assignments = tuple(
        Assignment(inst.employees[e].employee_id, d, inst.shifts[s].shift_id)
        for (e, d, s), var in sorted(v.x.items())
        if solver.boolean_value(var)
    )
    points: dict[str, float] = defaultdict(float)
    for term in terms:
        raw = term.expr if isinstance(term.expr, int) else solver.value(term.expr)
        points[term.family] += term.weight * (raw + term.constant)
    objective = best_scaled / OBJECTIVE_SCALE
    bound = bound_scaled / OBJECTIVE_SCALE
    check = check_solution(inst, solution_frame(assignments))
    return NrpResult(
        instance=inst.name,
        status="optimal" if proven else "feasible",
        objective=objective,
        bound=bound,
        gap=0.0 if proven else max(0.0, objective - bound) / max(abs(objective), 1.0),
        wall_seconds=time.perf_counter() - began,
        assignments=assignments,
        penalties=tuple(FamilyPenalty(f, p) for f, p in points.items()),
        lns_steps=steps,
        violations=check.violations,
        checked_objective=check.objective,
    )
