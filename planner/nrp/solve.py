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
import math
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from ortools.sat.python import cp_model

from planner import cancellation
from planner.budget import Budget
from planner.nrp.construct import NoSchedule, construct
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
# Deterministic time one neighbourhood may take, and the least worth starting: work, not
# seconds, so a loaded machine solves fewer neighbourhoods but each as far (docs/ROSTER.md).
STEP_WORK = 0.25
STEP_MIN_WORK = 0.05
STEP_MAX_WORK = 2.0
# Deterministic time each LNS thread spends from one shared incumbent before the threads
# exchange their best, on deterministic time only: rounds of equal work make the search
# repeat exactly. On seconds the threads share every improvement at once.
ROUND_WORK = 2.0
# The least work a neighbourhood is charged, so that a round always ends.
STEP_CHARGE = 0.01
# Seconds below which no search is started before the wall-clock stop.
WALL_MIN_S = 0.1
# Assignment variables beyond which the full first search is skipped: its presolve alone
# outlasts the budget (Instance 24 has a million); the employee-by-employee start is used.
LARGE_MODEL = 200_000
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


@dataclass(frozen=True, kw_only=True)
class NrpSettings:
    """Solver budget, set through `solver.parameters` only (by keyword).

    Attributes:
        time_limit_s: wall-clock limit in seconds for the whole solve (the hard stop);
            None for none (then `work_limit` is required).
        work_limit: the budget in CP-SAT deterministic time (about a second of one core
            each) instead of seconds: every stage is measured on it and the result is the
            same on any load, unless `time_limit_s` stops it first. None: seconds.
        num_workers: parallel search workers for every CP-SAT call.
        seed: random seed of CP-SAT and of the neighbourhood choice.
        use_lns: improve the first solution by large-neighbourhood search.
        log_search: print CP-SAT's search log.
    """

    time_limit_s: float | None = 60.0
    work_limit: float | None = None
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


def _solver(settings: NrpSettings, solver: cp_model.CpSolver) -> cp_model.CpSolver:
    """`solver` (limits set by the budget) with the settings' search log."""
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
        self.pairs = set(self.keys)
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
        half = min(n, max(2, n // 2))
        people = self.rng.sample(range(n), half) if kind < HALF_STAFF_MOVES else range(n)
        return {(e, d) for e in people for d in range(first, min(days, first + width))}

    def solve(
        self, values: list[int], free: set[tuple[int, int]], solver: cp_model.CpSolver
    ) -> cp_model.CpSolverStatus:
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
            return cancellation.current().solve(solver, self.model)
        finally:
            for i, (lo, hi) in zip(self.index, self.saved, strict=True):
                variables[i].domain[0] = lo
                variables[i].domain[1] = hi


@dataclass
class _Thread:
    """One LNS thread's own state, kept from round to round."""

    hoods: _Neighbourhoods
    share: float = START_SHARE
    step: float = STEP_WORK
    idle: int = 0
    # Wall seconds of the last neighbourhood, fixing and restoring included: no new one
    # starts closer than that to the stop, since on very large models a step spends
    # time outside CP-SAT's own limit (docs/ROSTER.md).
    last_wall: float = 0.0
    steps: int = 0
    values: list[int] | None = None
    best: int = 0
    solver: cp_model.CpSolver | None = None
    # Set when a neighbourhood freeing every assignment was solved to optimality.
    proven: bool = False
    error: BaseException | None = None


@dataclass
class _Shared:
    """The best solution of the LNS threads on seconds, exchanged after every neighbourhood."""

    values: list[int]
    best: int
    solver: cp_model.CpSolver
    lock: threading.Lock
    # Set once a thread has proven its solution optimal: every thread then stops.
    proven: bool = False

    def exchange(self, state: _Thread) -> bool:
        """Publish `state`'s better solution or take the shared one; True when taken."""
        with self.lock:
            self.proven = self.proven or state.proven
            if state.values is not None and state.best < self.best:
                assert state.solver is not None
                self.values, self.best, self.solver = state.values, state.best, state.solver
                return False
            if self.best < state.best:
                state.values, state.best, state.solver = self.values, self.best, self.solver
                return True
            return False


def solve_nrp(inst: NrpInstance, settings: NrpSettings | None = None) -> NrpResult:
    """Build, solve and improve the model of one instance within the budget.

    With `settings.work_limit` the solve runs on deterministic time: the same instance and
    settings give the same result whatever the machine's pace, unless the wall-clock stop
    (`time_limit_s`) comes first.

    Raises:
        ValueError: neither a time limit nor a work limit.
    """
    settings = settings or NrpSettings()
    if settings.work_limit is None and settings.time_limit_s is None:
        raise ValueError("NrpSettings needs time_limit_s or work_limit")
    if settings.work_limit is not None:
        with cancellation.deterministic():
            return _solve(inst, settings)
    return _solve(inst, settings)


def _solve(inst: NrpInstance, settings: NrpSettings) -> NrpResult:
    """`solve_nrp` with its budget measured on `cancellation.clock()`."""
    began = time.perf_counter()
    work = settings.work_limit if settings.work_limit is not None else settings.time_limit_s
    assert work is not None
    budget = Budget.start(work, settings.time_limit_s)
    index = build_index(inst)
    v, terms = build_model(inst, index)
    code = cp_model.UNKNOWN
    bound_scaled = 0.0
    solver: cp_model.CpSolver | None = None
    if len(v.x) <= LARGE_MODEL:
        first = budget.work * (FIRST_SHARE if settings.use_lns else 1.0)
        solver = _solver(settings, budget.solver(first, settings.num_workers, settings.seed))
        code = cancellation.current().solve(solver, v.model)
        bound_scaled = solver.best_objective_bound
        if code == cp_model.INFEASIBLE:
            return _empty(inst, "infeasible", bound_scaled, began)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No solution yet: build one employee at a time (all hard rules are per employee).
        solver, code = _constructed(inst, index, v, settings, budget)
        if code == cp_model.INFEASIBLE:
            return _empty(inst, "infeasible", bound_scaled, began)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _empty(inst, "unknown", bound_scaled, began)
    assert solver is not None
    best = round(solver.objective_value)
    proven = code == cp_model.OPTIMAL and bound_scaled >= best
    steps = 0
    if settings.use_lns and not proven and best > bound_scaled:
        solver, best, steps, bound_scaled = _lns(
            v, inst, index, settings, solver, best, bound_scaled, budget
        )
    proven = proven or best <= bound_scaled
    return _result(inst, v, index, terms, solver, best, bound_scaled, proven, began, steps)


def _constructed(
    inst: NrpInstance, index: NrpIndex, v: NrpVars, settings: NrpSettings, budget: Budget
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    """A solution built employee by employee, completed on the full model.

    Sweeps re-solve employees while more than half the budget is left (the LNS takes the
    rest); the full model then only fills in the cover and weekend variables.
    """
    half = budget.work / 2
    try:
        shifts = construct(
            inst, index, budget, settings.seed, lambda: budget.left() > half and settings.use_lns
        )
    except NoSchedule as failed:
        empty = cp_model.CpSolver()
        return empty, cp_model.INFEASIBLE if failed.infeasible else cp_model.UNKNOWN
    hoods = _Neighbourhoods(v.model, v, inst, index, random.Random(settings.seed))
    values = [0] * len(v.model.proto.variables)
    for (e, d, s), i in zip(hoods.x_keys, hoods.index, strict=True):
        values[i] = int(shifts.get((e, d)) == s)
    solver = _solver(settings, budget.work_solver(max(1.0, budget.left()), 1, settings.seed))
    code = hoods.solve(values, set(), solver)
    return solver, code


def _lns(
    v: NrpVars,
    inst: NrpInstance,
    index: NrpIndex,
    settings: NrpSettings,
    incumbent: cp_model.CpSolver,
    best: int,
    bound_scaled: float,
    budget: Budget,
) -> tuple[cp_model.CpSolver, int, int, float]:
    """Re-optimise neighbourhoods until the budget ends.

    Returns the best solve, its objective, the neighbourhoods solved and the bound (the
    objective when a neighbourhood freeing every assignment was solved to optimality).

    Each of `num_workers` threads owns a copy of the model and runs one-worker CP-SAT
    solves of neighbourhoods, each sized in deterministic time. On deterministic time
    they run in rounds: each thread spends ROUND_WORK from the round's incumbent, keeping
    its own improvements, and the best thread's solution (the first on ties) starts the
    next round, so the sequence of solutions is the same on any machine. On seconds
    there is one round to the stop, and the threads share every improvement as it comes,
    so no thread searches from a solution another has already beaten. Every sub-model is
    the full model with the assignments outside the neighbourhood fixed, so each
    improving solve is a complete solution of the instance.
    """
    workers = max(1, settings.num_workers)
    threads = [
        _Thread(
            _Neighbourhoods(
                v.model if k == 0 else v.model.clone(),
                v,
                inst,
                index,
                random.Random(settings.seed * 7919 + k),
            )
        )
        for k in range(workers)
    ]
    values = list(incumbent.response_proto.solution)
    solver = incumbent
    steps = 0
    live = (
        None
        if cancellation.is_deterministic()
        else _Shared(values, best, incumbent, threading.Lock())
    )

    def run_round(k: int, quota: float) -> None:
        state = threads[k]
        spent = 0.0
        short = state.hoods.shortfalls(state.values or values)
        while quota - spent >= STEP_MIN_WORK and budget.wall_left() > max(
            WALL_MIN_S, state.last_wall
        ):
            if state.best <= bound_scaled or state.proven or (live is not None and live.proven):
                return
            current = state.values or values
            state.steps += 1
            sub = _solver(
                settings,
                budget.work_solver(
                    min(state.step, quota - spent),
                    1,
                    settings.seed + 7919 * k + state.steps,
                ),
            )
            # The full LP relaxation proves neighbourhoods of 5-6 whole employees optimal
            # within a second or two; the default linearisation leaves them at large gaps.
            sub.parameters.linearization_level = 2
            free = state.hoods.free_set(state.share, short)
            started = time.perf_counter()
            code = state.hoods.solve(current, free, sub)
            state.last_wall = time.perf_counter() - started
            state.proven = code == cp_model.OPTIMAL and len(free) == len(state.hoods.pairs)
            spent += max(sub.deterministic_time, STEP_CHARGE)
            improved = code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
                sub.objective_value < state.best - 0.5 or state.proven
            )
            if improved:
                state.values = list(sub.response_proto.solution)
                state.best = round(sub.objective_value)
                state.solver = sub
            if (live is not None and live.exchange(state)) or improved:
                short = state.hoods.shortfalls(state.values or values)
            _adapt(state, improved, code == cp_model.OPTIMAL)

    def run(k: int, quota: float) -> None:
        try:
            run_round(k, quota)
        except KeyboardInterrupt:
            return  # a stop was requested: raised again below, once every thread ends
        except Exception as exc:  # raised again below, once every thread ends
            threads[k].error = exc

    while best > bound_scaled and budget.left() > WALL_MIN_S:
        # On seconds one round runs to the wall-clock stop; its work is not counted.
        quota = (
            math.inf
            if live is not None
            else min(ROUND_WORK, (budget.work - budget.spent()) / workers)
        )
        if quota < STEP_MIN_WORK:
            break
        for state in threads:
            state.values, state.best, state.solver = None, best, None
        pool = [
            threading.Thread(target=contextvars.copy_context().run, args=(run, k, quota))
            for k in range(workers)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        cancellation.current().check()
        for state in threads:
            if state.error is not None:
                raise state.error
            if state.values is not None and (state.best < best or state.proven):
                values, best, solver = state.values, state.best, state.solver or solver
            if state.proven:
                bound_scaled = max(bound_scaled, state.best)
                break
        if live is not None:
            break
    steps = sum(state.steps for state in threads)
    v.model.proto.clear_solution_hint()
    return solver, best, steps, bound_scaled


def _adapt(state: _Thread, improved: bool, optimal: bool) -> None:
    """Size the next neighbourhood: larger and longer when stuck, by how the last one ended."""
    state.idle = 0 if improved else state.idle + 1
    if state.idle >= STALL_STEPS:
        state.idle, state.step = 0, min(STEP_MAX_WORK, state.step * 2)
        state.share = min(MAX_SHARE, state.share * 1.5)
    elif improved:
        state.step = STEP_WORK
    # Grow the neighbourhood when it was solved to optimality, shrink it when not.
    state.share = (
        min(MAX_SHARE, state.share * 1.1) if optimal else max(MIN_SHARE, state.share * 0.85)
    )


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
    # Read from the response's vector: one `boolean_value` call per variable is slow on large models.
    values = solver.response_proto.solution
    assignments = tuple(
        Assignment(inst.employees[e].employee_id, d, inst.shifts[s].shift_id)
        for (e, d, s), var in sorted(v.x.items())
        if values[var.index]
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
