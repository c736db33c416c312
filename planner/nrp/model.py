"""The CP-SAT model of the shift scheduling benchmark: one builder per rule family.

Formulation: one Boolean per employee x day x shift type the employee may work (days off
and types with MaxShifts 0 never become variables) and one 'works' Boolean per employee
and day equal to their sum. Forbidden successions are pairwise clauses; maximum runs are
sliding-window sums; minimum runs of shifts and of days off are one clause per forbidden
short pattern (off, k working days, off), so runs touching the horizon are exempt as the
benchmark states. Cover is soft: the count plus 'under' minus 'over' equals the
requirement. Penalty terms reuse the roster solver's `PenaltyTerm` and scaling helper.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.nrp.parser import NrpInstance
from planner.roster.model import OBJECTIVE_SCALE, LinearLike, PenaltyTerm, scaled

__all__ = [
    "FAMILIES",
    "OBJECTIVE_SCALE",
    "NrpIndex",
    "NrpVars",
    "PenaltyTerm",
    "build_index",
    "build_model",
    "build_objective",
]


@dataclass(frozen=True)
class NrpIndex:
    """Positions and lookups computed once from an instance.

    Attributes:
        shift_pos: shift id to its position.
        employee_pos: employee id to its position.
        allowed: per employee position, the shift positions it may work (MaxShifts > 0).
        day_off: (employee position, day) pairs that are hard days off.
        length_min: shift lengths in minutes by position.
        forbidden: (shift position, next-day shift position) pairs that may not follow.
    """

    shift_pos: dict[str, int]
    employee_pos: dict[str, int]
    allowed: tuple[tuple[int, ...], ...]
    day_off: frozenset[tuple[int, int]]
    length_min: tuple[int, ...]
    forbidden: tuple[tuple[int, int], ...]


def build_index(inst: NrpInstance) -> NrpIndex:
    """Index an instance's ids by position."""
    shift_pos = {s.shift_id: k for k, s in enumerate(inst.shifts)}
    employee_pos = {e.employee_id: k for k, e in enumerate(inst.employees)}
    allowed = tuple(
        tuple(k for k, s in enumerate(inst.shifts) if e.max_of(s.shift_id) > 0)
        for e in inst.employees
    )
    return NrpIndex(
        shift_pos=shift_pos,
        employee_pos=employee_pos,
        allowed=allowed,
        day_off=frozenset((employee_pos[e], d) for e, d in inst.days_off),
        length_min=tuple(s.length_min for s in inst.shifts),
        forbidden=tuple(
            (shift_pos[s.shift_id], shift_pos[n]) for s in inst.shifts for n in s.forbidden_next
        ),
    )


@dataclass(frozen=True)
class NrpVars:
    """The model and its variables keyed by positions.

    Attributes:
        model: the CP-SAT model.
        x: (employee, day, shift) to 'works that shift that day' ('x[<emp> d<day> <shift>]').
        works: (employee, day) to 'works any shift that day', or 0 on a hard day off.
    """

    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]
    works: dict[tuple[int, int], cp_model.IntVar | int]


def create_vars(inst: NrpInstance, index: NrpIndex) -> NrpVars:
    """Create the assignment Booleans and the per-day 'works' Booleans."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    works: dict[tuple[int, int], cp_model.IntVar | int] = {}
    for e, emp in enumerate(inst.employees):
        for d in range(inst.days):
            if (e, d) in index.day_off or not index.allowed[e]:
                works[(e, d)] = 0
                continue
            for s in index.allowed[e]:
                x[(e, d, s)] = model.new_bool_var(
                    f"x[{emp.employee_id} d{d} {inst.shifts[s].shift_id}]"
                )
            works[(e, d)] = model.new_bool_var(f"works[{emp.employee_id} d{d}]")
    return NrpVars(model, x, works)


def _day(v: NrpVars, index: NrpIndex, e: int, d: int) -> list[cp_model.IntVar]:
    return [v.x[(e, d, s)] for s in index.allowed[e] if (e, d, s) in v.x]


# --- hard families -------------------------------------------------------------------------


def add_one_shift_per_day(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """At most one shift a day: 'works' equals the sum of that day's shift Booleans."""
    for (e, d), w in v.works.items():
        if not isinstance(w, int):
            v.model.add(sum(_day(v, index, e, d)) == w)
    return []


def add_forbidden_successions(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """A shift may not be followed the next day by one of its forbidden successors.

    One at-most-one per shift and day over the shift and its successors the next day:
    those are at most one anyway (one shift a day), so it is the pairwise rule, in one
    constraint instead of one clause per pair (millions on Instance 24).
    """
    after: dict[int, list[int]] = defaultdict(list)
    for s, t in index.forbidden:
        after[s].append(t)
    for e in range(len(inst.employees)):
        for d in range(inst.days - 1):
            for s, successors in after.items():
                a = v.x.get((e, d, s))
                nexts = [v.x[(e, d + 1, t)] for t in successors if (e, d + 1, t) in v.x]
                if a is not None and nexts:
                    v.model.add_at_most_one([a, *nexts])
    return []


def add_max_shifts_per_type(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """At most MaxShifts shifts of each type over the horizon."""
    for e, emp in enumerate(inst.employees):
        for s in index.allowed[e]:
            chosen = [v.x[(e, d, s)] for d in range(inst.days) if (e, d, s) in v.x]
            if len(chosen) > emp.max_of(inst.shifts[s].shift_id):
                v.model.add(sum(chosen) <= emp.max_of(inst.shifts[s].shift_id))
    return []


def add_total_minutes(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """Paid minutes over the horizon between MinTotalMinutes and MaxTotalMinutes."""
    for e, emp in enumerate(inst.employees):
        minutes = sum(index.length_min[s] * var for (ee, _d, s), var in v.x.items() if ee == e)
        v.model.add_linear_constraint(minutes, emp.min_total_min, emp.max_total_min)
    return []


def add_max_consecutive_shifts(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """No more than MaxConsecutiveShifts working days in a row inside the horizon."""
    for e, emp in enumerate(inst.employees):
        most = emp.max_consecutive_shifts
        for first in range(inst.days - most):
            window = [v.works[(e, d)] for d in range(first, first + most + 1)]
            v.model.add(sum(window) <= most)
    return []


def _forbid_short_runs(v: NrpVars, inst: NrpInstance, e: int, shortest: int, working: bool) -> None:
    """Forbid runs shorter than `shortest` bounded on both sides inside the horizon.

    A run of k days starting at `first` (1 <= first, first + k <= days - 1) is the pattern
    'not r[first-1], r[first..first+k-1], not r[first+k]' with r = works (or its negation
    for days off): one clause per pattern. Runs touching either end are exempt.
    """

    def lit(d: int, value: bool) -> cp_model.LiteralT:
        w = v.works[(e, d)]
        on = value if working else not value
        if isinstance(w, int):
            return bool(w) == on
        return w if on else w.Not()

    for k in range(1, shortest):
        for first in range(1, inst.days - k):
            last = first + k - 1
            # clause: r[first-1] or not r[first..last] or r[last+1]
            clause = [lit(first - 1, True), lit(last + 1, True)]
            clause += [lit(d, False) for d in range(first, last + 1)]
            if any(c is True for c in clause):
                continue
            literals = [c for c in clause if not isinstance(c, bool)]
            if not literals:
                v.model.add_bool_or([False])  # the pattern is forced by days off
            else:
                v.model.add_bool_or(literals)


def add_min_consecutive_shifts(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """Runs of working days inside the horizon last at least MinConsecutiveShifts."""
    for e, emp in enumerate(inst.employees):
        _forbid_short_runs(v, inst, e, emp.min_consecutive_shifts, working=True)
    return []


def add_min_consecutive_days_off(
    v: NrpVars, inst: NrpInstance, index: NrpIndex
) -> list[PenaltyTerm]:
    """Runs of days off inside the horizon last at least MinConsecutiveDaysOff."""
    for e, emp in enumerate(inst.employees):
        _forbid_short_runs(v, inst, e, emp.min_consecutive_days_off, working=False)
    return []


def add_max_weekends(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """At most MaxWeekends weekends with a shift on Saturday or Sunday."""
    for e, emp in enumerate(inst.employees):
        flags = []
        for week in range(inst.weekends):
            days = [v.works[(e, d)] for d in inst.weekend_days(week)]
            live = [w for w in days if not isinstance(w, int)]
            if not live:
                continue
            flag = v.model.new_bool_var(f"weekend[{emp.employee_id} w{week}]")
            for w in live:
                v.model.add_implication(w, flag)
            v.model.add_bool_or([*live, flag.Not()])
            flags.append(flag)
        if len(flags) > emp.max_weekends:
            v.model.add(sum(flags) <= emp.max_weekends)
    return []


# --- soft families -------------------------------------------------------------------------


def add_shift_requests(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """Points for each on-request not worked and each off-request worked."""
    terms: list[PenaltyTerm] = []
    for req in inst.on_requests:
        key = (index.employee_pos[req.employee_id], req.day, index.shift_pos[req.shift_id])
        var = v.x.get(key)
        name = f"on-request {req.employee_id} d{req.day} {req.shift_id} not worked"
        # 1 - x: unmet when the shift is not worked (always unmet if impossible).
        terms.append(
            PenaltyTerm("shift_on_requests", name, 1 if var is None else 1 - var, req.weight)
        )
    for req in inst.off_requests:
        key = (index.employee_pos[req.employee_id], req.day, index.shift_pos[req.shift_id])
        var = v.x.get(key)
        if var is not None:
            name = f"off-request {req.employee_id} d{req.day} {req.shift_id} worked"
            terms.append(PenaltyTerm("shift_off_requests", name, var, req.weight))
    return terms


def add_cover(v: NrpVars, inst: NrpInstance, index: NrpIndex) -> list[PenaltyTerm]:
    """Count per day and shift type plus 'under' minus 'over' equals the requirement."""
    terms: list[PenaltyTerm] = []
    n = len(inst.employees)
    for c in inst.cover:
        s = index.shift_pos[c.shift_id]
        staff = [v.x[(e, c.day, s)] for e in range(n) if (e, c.day, s) in v.x]
        under = v.model.new_int_var(0, c.requirement, f"under[d{c.day} {c.shift_id}]")
        over = v.model.new_int_var(
            0, max(0, len(staff) - c.requirement), f"over[d{c.day} {c.shift_id}]"
        )
        v.model.add(sum(staff) + under - over == c.requirement)
        terms.append(
            PenaltyTerm("cover_under", f"missing on d{c.day} {c.shift_id}", under, c.weight_under)
        )
        terms.append(
            PenaltyTerm("cover_over", f"extra on d{c.day} {c.shift_id}", over, c.weight_over)
        )
    return terms


Builder = Callable[[NrpVars, NrpInstance, NrpIndex], list[PenaltyTerm]]

# Hard families first, then soft ones; the order is the order of the report.
FAMILIES: tuple[tuple[str, Builder], ...] = (
    ("one_shift_per_day", add_one_shift_per_day),
    ("forbidden_successions", add_forbidden_successions),
    ("max_shifts_per_type", add_max_shifts_per_type),
    ("total_minutes", add_total_minutes),
    ("max_consecutive_shifts", add_max_consecutive_shifts),
    ("min_consecutive_shifts", add_min_consecutive_shifts),
    ("min_consecutive_days_off", add_min_consecutive_days_off),
    ("max_weekends", add_max_weekends),
    ("shift_requests", add_shift_requests),
    ("cover", add_cover),
)


def build_objective(v: NrpVars, terms: list[PenaltyTerm]) -> None:
    """Minimise the weighted sum of every penalty term (the only call to `minimize`)."""
    expr: LinearLike = sum(scaled(t.weight) * (t.expr + t.constant) for t in terms)
    v.model.minimize(expr)


def build_model(inst: NrpInstance, index: NrpIndex) -> tuple[NrpVars, list[PenaltyTerm]]:
    """Create the variables, run every family builder in order and set the objective."""
    v = create_vars(inst, index)
    terms: list[PenaltyTerm] = []
    for _name, builder in FAMILIES:
        terms.extend(builder(v, inst, index))
    build_objective(v, terms)
    return v, terms
