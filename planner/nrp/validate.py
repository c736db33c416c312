"""An independent check of a benchmark solution: hard rules and the objective recomputed.

Written from the benchmark's published rules (Curtois & Qu, 2014), not from the model: it reads
the assignment as a frame and walks each employee's days, so an off-by-one in a model
builder shows up as a disagreement between this objective and the solver's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from forecasting.schema import Column, FrameSchema
from planner.nrp.parser import NrpInstance

SOLUTION = FrameSchema(
    name="NRP solution",
    columns=(
        Column("employee", "text"),
        Column("day", "int", non_negative=True),
        Column("shift", "text"),
    ),
    key=("employee", "day"),
)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: which rule, whose, and what was found."""

    rule: str
    employee: str
    detail: str


@dataclass(frozen=True)
class NrpCheck:
    """The result of checking one solution.

    Attributes:
        violations: every hard-rule violation found (empty when the solution is valid).
        objective: penalty points recomputed from the assignment.
        requests: points from on- and off-requests not honoured.
        cover_under: points from missing staff.
        cover_over: points from extra staff.
    """

    violations: tuple[Violation, ...]
    objective: int
    requests: int
    cover_under: int
    cover_over: int


def _runs(worked: list[bool]) -> list[tuple[int, int, bool]]:
    """(first day, length, working?) for each maximal run of equal days."""
    runs: list[tuple[int, int, bool]] = []
    for d, w in enumerate(worked):
        if runs and runs[-1][2] == w:
            first, length, _ = runs[-1]
            runs[-1] = (first, length + 1, w)
        else:
            runs.append((d, 1, w))
    return runs


def check_solution(inst: NrpInstance, solution: pd.DataFrame) -> NrpCheck:
    """Check a solution against every hard rule and recompute its objective.

    Args:
        inst: the instance.
        solution: one row per worked shift, columns `employee` (id), `day` (0-based int)
            and `shift` (shift id).
    """
    SOLUTION.require(solution, "solution frame")
    out: list[Violation] = []
    lengths = {s.shift_id: s.length_min for s in inst.shifts}
    forbidden = {(s.shift_id, n) for s in inst.shifts for n in s.forbidden_next}
    staff = {e.employee_id: e for e in inst.employees}
    days_off = set(inst.days_off)
    rows = [
        (str(e), int(d), str(s))
        for e, d, s in zip(solution["employee"], solution["day"], solution["shift"], strict=True)
    ]
    plan: dict[str, dict[int, str]] = {e: {} for e in staff}
    for e, d, s in rows:
        if e not in staff or s not in lengths or not 0 <= d < inst.days:
            out.append(Violation("unknown", e, f"row ({e}, {d}, {s}) names no employee/shift/day"))
            continue
        if d in plan[e]:
            out.append(Violation("one_shift_per_day", e, f"two shifts on day {d}"))
        plan[e][d] = s
    for e, emp in staff.items():
        mine = plan[e]
        for d, s in sorted(mine.items()):
            if (e, d) in days_off:
                out.append(Violation("days_off", e, f"works {s} on day off {d}"))
            nxt = mine.get(d + 1)
            if nxt is not None and (s, nxt) in forbidden:
                out.append(Violation("forbidden_succession", e, f"{s} on day {d} then {nxt}"))
        for sid, count in Counter(mine.values()).items():
            if count > emp.max_of(sid):
                out.append(Violation("max_shifts", e, f"{count} {sid} shifts > {emp.max_of(sid)}"))
        minutes = sum(lengths[s] for s in mine.values())
        if not emp.min_total_min <= minutes <= emp.max_total_min:
            out.append(
                Violation(
                    "total_minutes",
                    e,
                    f"{minutes} min outside [{emp.min_total_min}, {emp.max_total_min}]",
                )
            )
        worked = [d in mine for d in range(inst.days)]
        for first, length, on in _runs(worked):
            # Runs touching either end of the horizon are exempt from the minimums.
            inner = first > 0 and first + length < inst.days
            if on and length > emp.max_consecutive_shifts:
                out.append(
                    Violation("max_consecutive_shifts", e, f"{length} days from day {first}")
                )
            if on and inner and length < emp.min_consecutive_shifts:
                out.append(
                    Violation("min_consecutive_shifts", e, f"{length} days from day {first}")
                )
            if not on and inner and length < emp.min_consecutive_days_off:
                out.append(
                    Violation("min_consecutive_days_off", e, f"{length} days off from day {first}")
                )
        weekends = sum(
            1 for w in range(inst.weekends) if any(worked[d] for d in inst.weekend_days(w))
        )
        if weekends > emp.max_weekends:
            out.append(Violation("max_weekends", e, f"{weekends} weekends > {emp.max_weekends}"))
    requests = sum(
        r.weight for r in inst.on_requests if plan.get(r.employee_id, {}).get(r.day) != r.shift_id
    )
    requests += sum(
        r.weight for r in inst.off_requests if plan.get(r.employee_id, {}).get(r.day) == r.shift_id
    )
    staffed = Counter((d, s) for e in plan for d, s in plan[e].items())
    under = sum(
        c.weight_under * max(0, c.requirement - staffed[(c.day, c.shift_id)]) for c in inst.cover
    )
    over = sum(
        c.weight_over * max(0, staffed[(c.day, c.shift_id)] - c.requirement) for c in inst.cover
    )
    return NrpCheck(tuple(out), requests + under + over, requests, under, over)
