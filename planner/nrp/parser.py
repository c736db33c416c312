"""Parse Curtois' shift scheduling benchmark text format into frozen dataclasses.

The format (schedulingbenchmarks.org, Instance1..24): `#` starts a comment line, each
section opens with a `SECTION_<NAME>` line, and rows are comma-separated. The parser is
pure: it takes the text, never a path, so the CLI owns the file reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from forecasting.errors import InputError

DAYS_PER_WEEK = 7
# Days 5 and 6 of each week are Saturday and Sunday: every instance starts on a Monday.
SATURDAY = 5
SUNDAY = 6

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
REQUIRED_SECTIONS = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF")
# The integer fields of a staff row after its id and MaxShifts, in file order.
STAFF_FIELDS = (
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)


@dataclass(frozen=True)
class ShiftType:
    """One shift type: its length and the shift types forbidden on the next day.

    Attributes:
        shift_id: the type's id, e.g. 'D'.
        length_min: paid length in minutes.
        forbidden_next: shift ids that may not be worked the day after this one.
    """

    shift_id: str
    length_min: int
    forbidden_next: tuple[str, ...]


@dataclass(frozen=True)
class Employee:
    """One employee's hard limits over the whole horizon.

    Attributes:
        employee_id: the employee's id.
        max_shifts: (shift id, most shifts of that type); 0 means never that type.
        max_total_min: most paid minutes in the horizon.
        min_total_min: fewest paid minutes in the horizon.
        max_consecutive_shifts: longest run of working days.
        min_consecutive_shifts: shortest run of working days (runs touching an end of the
            horizon are exempt: the benchmark assumes work continues beyond it).
        min_consecutive_days_off: shortest run of days off (runs touching an end exempt).
        max_weekends: most weekends with a shift on Saturday or Sunday.
    """

    employee_id: str
    max_shifts: tuple[tuple[str, int], ...]
    max_total_min: int
    min_total_min: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int

    def max_of(self, shift_id: str) -> int:
        """The most shifts of one type (0 when the type is not listed)."""
        return dict(self.max_shifts).get(shift_id, 0)


@dataclass(frozen=True)
class ShiftRequest:
    """A soft wish to work (on-request) or not work (off-request) a shift on a day.

    Attributes:
        employee_id: who asks.
        day: 0-based day index.
        shift_id: the shift type asked for or against.
        weight: penalty points when the request is not honoured.
    """

    employee_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class Cover:
    """The soft head count wanted on one shift type on one day.

    Attributes:
        day: 0-based day index.
        shift_id: the shift type.
        requirement: employees wanted.
        weight_under: points per missing employee.
        weight_over: points per employee beyond the requirement.
    """

    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class NrpInstance:
    """One benchmark instance.

    Attributes:
        name: a label for reports (the file stem).
        days: horizon length in days, starting on a Monday.
        shifts: the shift types.
        employees: the staff with their limits.
        days_off: (employee id, day) pairs on which no shift may be worked (hard).
        on_requests: soft requests to work a shift.
        off_requests: soft requests not to work a shift.
        cover: soft requirements per day and shift type.
    """

    name: str
    days: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    days_off: tuple[tuple[str, int], ...]
    on_requests: tuple[ShiftRequest, ...]
    off_requests: tuple[ShiftRequest, ...]
    cover: tuple[Cover, ...]

    @property
    def weekends(self) -> int:
        """Weekends (Saturday and Sunday pairs, possibly cut by the horizon) in the horizon."""
        return (self.days - SATURDAY + DAYS_PER_WEEK - 1) // DAYS_PER_WEEK if self.days > 5 else 0

    def weekend_days(self, week: int) -> tuple[int, ...]:
        """The days of one weekend that lie in the horizon."""
        first = week * DAYS_PER_WEEK
        return tuple(d for d in (first + SATURDAY, first + SUNDAY) if d < self.days)


Row = tuple[int, list[str]]


def _sections(text: str) -> Iterator[tuple[str, int, list[Row]]]:
    """Yield (section name, header line, rows) with 1-based line numbers."""
    name: str | None = None
    header = 0
    rows: list[Row] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if name is not None:
                yield name, header, rows
            name, header, rows = line, number, []
            continue
        if name is None:
            raise InputError(f"line {number}: data before the first SECTION_ line: {line!r}")
        rows.append((number, [field.strip() for field in line.split(",")]))
    if name is not None:
        yield name, header, rows


class _Reader:
    """Collects problems with line numbers instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def integer(self, line: int, field: str, text: str, minimum: int = 0) -> int:
        try:
            value = int(text)
        except ValueError:
            self.problems.append(f"line {line}: {field} {text!r} is not an integer")
            return minimum
        if value < minimum:
            self.problems.append(f"line {line}: {field} {value} is below {minimum}")
            return minimum
        return value

    def width(self, line: int, fields: list[str], expected: int, what: str) -> bool:
        if len(fields) != expected:
            self.problems.append(
                f"line {line}: {what} expects {expected} comma-separated fields, got {len(fields)}"
            )
            return False
        return True


def _request_rows(
    r: _Reader, rows: list[Row], what: str, check: Callable[[int, str, int, str], None]
) -> tuple[ShiftRequest, ...]:
    out = []
    for line, f in rows:
        if not r.width(line, f, 4, what):
            continue
        day = r.integer(line, "day", f[1])
        weight = r.integer(line, "weight", f[3])
        check(line, f[0], day, f[2])
        out.append(ShiftRequest(f[0], day, f[2], weight))
    return tuple(out)


def parse_instance(text: str, name: str = "instance") -> NrpInstance:
    """Parse the text of one benchmark instance.

    Args:
        text: the file's content (LF or CRLF line ends).
        name: label kept on the instance, e.g. the file stem.

    Raises:
        InputError: unknown sections, malformed rows, unknown ids or days outside the
            horizon, each named by its 1-based line number.
    """
    r = _Reader()
    found: dict[str, tuple[int, list[Row]]] = {}
    for section, header, rows in _sections(text):
        if section not in SECTIONS:
            r.problems.append(f"line {header}: unknown section {section!r}")
        elif section in found:
            r.problems.append(f"line {header}: {section} appears twice")
        else:
            found[section] = (header, rows)
    for section in REQUIRED_SECTIONS:
        if section not in found:
            r.problems.append(f"missing section {section}")
    if r.problems:
        raise InputError(f"{name}: malformed instance", r.problems)

    header, rows = found["SECTION_HORIZON"]
    days = 0
    if len(rows) != 1 or len(rows[0][1]) != 1:
        r.problems.append(f"line {header}: SECTION_HORIZON expects one integer (days)")
    else:
        days = r.integer(rows[0][0], "horizon", rows[0][1][0], minimum=1)

    shifts: list[ShiftType] = []
    for line, f in found["SECTION_SHIFTS"][1]:
        if not r.width(line, f, 3, "a shift"):
            continue
        nxt = tuple(s.strip() for s in f[2].split("|") if s.strip())
        shifts.append(ShiftType(f[0], r.integer(line, "length", f[1], minimum=1), nxt))
    shift_ids = [s.shift_id for s in shifts]
    if len(set(shift_ids)) != len(shift_ids):
        r.problems.append("SECTION_SHIFTS: duplicate shift ids")
    known_shifts = set(shift_ids)
    for line, f in found["SECTION_SHIFTS"][1]:
        if len(f) == 3:
            for s in f[2].split("|"):
                if s.strip() and s.strip() not in known_shifts:
                    r.problems.append(f"line {line}: unknown forbidden successor {s.strip()!r}")

    employees: list[Employee] = []
    for line, f in found["SECTION_STAFF"][1]:
        if not r.width(line, f, 8, "a staff row"):
            continue
        limits: list[tuple[str, int]] = []
        for part in f[1].split("|"):
            sid, eq, count = part.partition("=")
            if not eq:
                r.problems.append(f"line {line}: MaxShifts part {part!r} is not ShiftID=max")
                continue
            if sid.strip() not in known_shifts:
                r.problems.append(f"line {line}: MaxShifts names unknown shift {sid.strip()!r}")
            limits.append((sid.strip(), r.integer(line, "MaxShifts", count.strip())))
        values = [r.integer(line, n, t) for n, t in zip(STAFF_FIELDS, f[2:], strict=True)]
        employee = Employee(f[0], tuple(limits), *values)
        if employee.min_total_min > employee.max_total_min:
            r.problems.append(f"line {line}: MinTotalMinutes exceeds MaxTotalMinutes")
        employees.append(employee)
    ids = [e.employee_id for e in employees]
    if len(set(ids)) != len(ids):
        r.problems.append("SECTION_STAFF: duplicate employee ids")
    known_staff = set(ids)

    def check(line: int, employee: str, day: int, shift: str | None) -> None:
        if employee not in known_staff:
            r.problems.append(f"line {line}: unknown employee {employee!r}")
        if not 0 <= day < days:
            r.problems.append(f"line {line}: day {day} outside the horizon 0..{days - 1}")
        if shift is not None and shift not in known_shifts:
            r.problems.append(f"line {line}: unknown shift {shift!r}")

    days_off: list[tuple[str, int]] = []
    for line, f in found.get("SECTION_DAYS_OFF", (0, []))[1]:
        for text_day in f[1:]:
            if text_day:
                day = r.integer(line, "day", text_day)
                check(line, f[0], day, None)
                days_off.append((f[0], day))
    on = _request_rows(
        r, found.get("SECTION_SHIFT_ON_REQUESTS", (0, []))[1], "an on-request", check
    )
    off = _request_rows(
        r, found.get("SECTION_SHIFT_OFF_REQUESTS", (0, []))[1], "an off-request", check
    )
    cover: list[Cover] = []
    seen: set[tuple[int, str]] = set()
    for line, f in found.get("SECTION_COVER", (0, []))[1]:
        if not r.width(line, f, 5, "a cover row"):
            continue
        day = r.integer(line, "day", f[0])
        if not 0 <= day < days:
            r.problems.append(f"line {line}: day {day} outside the horizon 0..{days - 1}")
        if f[1] not in known_shifts:
            r.problems.append(f"line {line}: unknown shift {f[1]!r}")
        if (day, f[1]) in seen:
            r.problems.append(f"line {line}: a second cover row for day {day} shift {f[1]}")
        seen.add((day, f[1]))
        cover.append(
            Cover(
                day,
                f[1],
                r.integer(line, "requirement", f[2]),
                r.integer(line, "under weight", f[3]),
                r.integer(line, "over weight", f[4]),
            )
        )
    if r.problems:
        raise InputError(f"{name}: malformed instance", r.problems)
    return NrpInstance(
        name=name,
        days=days,
        shifts=tuple(shifts),
        employees=tuple(employees),
        days_off=tuple(sorted(set(days_off))),
        on_requests=on,
        off_requests=off,
        cover=tuple(cover),
    )
