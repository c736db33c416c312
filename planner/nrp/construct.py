"""A first solution built one employee at a time, and improved the same way.

Every hard rule of the benchmark binds one employee; only the soft cover ties them. So an
employee's best schedule against everyone else's is a small exact model: that employee's
hard rules and requests, plus, for each shift worked, the cover points it changes (one
missing person fewer, or one extra person). Building employees in turn gives a valid
solution quickly however large the instance (a full search finds none on Instances 20-24
in 30 s), and sweeping them again is a descent that never makes the objective worse.
Each employee starts from the dynamic program's schedule (`first.py`) where it has one:
CP-SAT alone may find none in seconds on the largest instances.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
from ortools.sat.python import cp_model

from planner import cancellation
from planner.budget import Budget
from planner.nrp.first import first_schedule
from planner.nrp.model import (
    FAMILIES,
    NrpIndex,
    NrpVars,
    PenaltyTerm,
    build_index,
    build_objective,
    create_vars,
)
from planner.nrp.parser import NrpInstance
from planner.nrp.validate import check_solution

# Deterministic time one employee's model may take when re-solved or improved from the
# dynamic program's schedule (most are proven well within it), and to find a first
# schedule with PORTFOLIO_WORKERS strategies when the dynamic program has none.
EMPLOYEE_WORK = 0.3
PLACE_WORK = 5.0
PORTFOLIO_WORKERS = 8

Shifts = dict[tuple[int, int], int]  # (employee, day) -> shift position


class NoSchedule(Exception):
    """An employee has no schedule that keeps the hard rules (`infeasible`) or none was found."""

    def __init__(self, employee: str, infeasible: bool) -> None:
        super().__init__(employee)
        self.employee = employee
        self.infeasible = infeasible


@dataclass
class _Employee:
    """One employee's own model: hard rules and requests, the objective set per solve."""

    v: NrpVars
    requests: list[PenaltyTerm]
    keys: list[tuple[int, int]]  # (day, shift) of each assignment variable, in order


def _own_instance(inst: NrpInstance, e: int) -> NrpInstance:
    """The instance cut to employee `e`, without the cover."""
    emp = inst.employees[e]
    own = emp.employee_id
    return replace(
        inst,
        employees=(emp,),
        days_off=tuple(p for p in inst.days_off if p[0] == own),
        on_requests=tuple(r for r in inst.on_requests if r.employee_id == own),
        off_requests=tuple(r for r in inst.off_requests if r.employee_id == own),
        cover=(),
    )


def _employee_model(inst: NrpInstance, e: int) -> _Employee:
    """The model of employee `e` alone: the instance cut to them, without the cover."""
    sub = _own_instance(inst, e)
    index = build_index(sub)
    v = create_vars(sub, index)
    requests: list[PenaltyTerm] = []
    for name, builder in FAMILIES:
        if name != "cover":
            requests.extend(builder(v, sub, index))
    return _Employee(v, requests, [(d, s) for _e, d, s in v.x])


class EmployeeSearch:
    """Best schedules of single employees against the rest, on a shared cover count."""

    def __init__(self, inst: NrpInstance, index: NrpIndex) -> None:
        self.inst = inst
        self.index = index
        self.cover = {
            (c.day, index.shift_pos[c.shift_id]): (c.requirement, c.weight_under, c.weight_over)
            for c in inst.cover
        }
        self.requests_on = defaultdict(list)
        self.requests_off = defaultdict(list)
        for r in inst.on_requests:
            self.requests_on[index.employee_pos[r.employee_id]].append(
                (r.day, index.shift_pos[r.shift_id], r.weight)
            )
        for r in inst.off_requests:
            self.requests_off[index.employee_pos[r.employee_id]].append(
                (r.day, index.shift_pos[r.shift_id], r.weight)
            )
        self.staffed: dict[tuple[int, int], int] = defaultdict(int)
        self.shifts: Shifts = {}
        self._models: dict[int, _Employee] = {}

    def _marginal(self, day: int, shift: int) -> int:
        """Points one more person on (day, shift) changes, the others as they stand."""
        need, under, over = self.cover.get((day, shift), (0, 0, 0))
        return -under if self.staffed[(day, shift)] < need else over

    def points(self, e: int, own: dict[int, int]) -> int:
        """Employee `e`'s requests plus the cover points of `own` (day -> shift) on the rest."""
        total = sum(w for d, s, w in self.requests_on[e] if own.get(d) != s)
        total += sum(w for d, s, w in self.requests_off[e] if own.get(d) == s)
        return total + sum(self._marginal(d, s) for d, s in own.items())

    def _take(self, e: int, own: dict[int, int], sign: int) -> None:
        for d, s in own.items():
            self.staffed[(d, s)] += sign
            if sign > 0:
                self.shifts[(e, d)] = s
            else:
                self.shifts.pop((e, d), None)

    def _direct(self, e: int) -> dict[int, int] | None:
        """Employee `e`'s schedule by dynamic program (`first.py`), if the checker passes it."""
        own = first_schedule(self.inst, self.index, e, lambda d, s: -self._marginal(d, s))
        if own is None:
            return None
        name = self.inst.employees[e].employee_id
        frame = pd.DataFrame(
            {
                "employee": [name] * len(own),
                "day": pd.Series(sorted(own), dtype="int64"),
                "shift": [self.inst.shifts[own[d]].shift_id for d in sorted(own)],
            }
        )
        valid = not check_solution(_own_instance(self.inst, e), frame).violations
        return own if valid else None

    def best(self, e: int, budget: Budget, seed: int) -> bool:
        """Re-solve employee `e` against the others; True when the objective fell.

        Raises:
            NoSchedule: `e` has no schedule yet and none was found.
        """
        mine = {d: s for (ee, d), s in self.shifts.items() if ee == e}
        placed = e in self._models
        self._take(e, mine, -1)
        started = placed
        if not placed:
            self._models[e] = _employee_model(self.inst, e)
            direct = self._direct(e)
            started = direct is not None
            mine = direct or {}
        m = self._models[e]
        terms = list(m.requests)
        terms += [
            PenaltyTerm("cover", f"d{d} s{s}", m.v.x[(0, d, s)], self._marginal(d, s))
            for d, s in m.keys
        ]
        build_objective(m.v, terms)
        model = m.v.model
        model.clear_hints()
        for (_z, d, s), var in m.v.x.items():
            model.add_hint(var, mine.get(d) == s)
        if started:
            solver = budget.work_solver(EMPLOYEE_WORK, 1, seed)
            # The full LP relaxation: one worker on the default finds too few schedules
            # (docs/ROSTER.md has the measurement).
            solver.parameters.linearization_level = 2
        else:
            # CP-SAT's portfolio, interleaved so deterministic, to its first schedule
            # (docs/ROSTER.md).
            solver = budget.work_solver(PLACE_WORK, PORTFOLIO_WORKERS, seed)
            solver.parameters.interleave_search = True
            solver.parameters.stop_after_first_solution = True
        code = cancellation.current().solve(solver, model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if started:
                self._take(e, mine, +1)
                return False
            raise NoSchedule(self.inst.employees[e].employee_id, code == cp_model.INFEASIBLE)
        found = {d: s for (_z, d, s), var in m.v.x.items() if solver.boolean_value(var)}
        better = not started or self.points(e, found) < self.points(e, mine)
        self._take(e, found if better else mine, +1)
        return better and placed


def construct(
    inst: NrpInstance,
    index: NrpIndex,
    budget: Budget,
    seed: int,
    go_on: Callable[[], bool],
) -> Shifts:
    """Employees in turn, each at their best against those before; then sweeps while `go_on()`.

    Raises:
        NoSchedule: an employee has no schedule keeping the hard rules, or none in time.
    """
    search = EmployeeSearch(inst, index)
    n = len(inst.employees)
    for e in range(n):
        search.best(e, budget, seed + e)
    sweep = 1
    while go_on():
        improved = False
        for e in range(n):
            if not go_on():
                break
            improved |= search.best(e, budget, seed + sweep * n + e)
        if not improved:
            break
        sweep += 1
    return dict(search.shifts)
