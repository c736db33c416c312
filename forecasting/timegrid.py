"""The time model: a UTC interval grid, local wall-clock times to UTC, weekly windows.

Every interval is stored and computed in UTC. Local times (shift starts, opening hours)
are converted per date with the zone's rules, so 09:00 in Amsterdam stays 09:00 local
across a DST change while its UTC slot moves.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

ALLOWED_INTERVAL_MIN = (15, 30, 60)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UTC = ZoneInfo("UTC")


# Listing the tz database walks its directory (tens of milliseconds): once per process.
_known_zones = functools.cache(available_timezones)


def is_iana_zone(name: str) -> bool:
    """Tell whether `name` is an IANA time zone known to this machine's tz database."""
    if name in _known_zones():
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "US"
        return False
    return "/" in name or name == "UTC"


def check_interval_min(interval_min: int) -> int:
    """Return `interval_min` if it is an allowed planning grain, else raise ValueError."""
    if interval_min not in ALLOWED_INTERVAL_MIN:
        raise ValueError(f"interval_min must be one of {ALLOWED_INTERVAL_MIN}, got {interval_min}")
    return interval_min


def as_utc(ts: datetime | pd.Timestamp) -> pd.Timestamp:
    """Return `ts` as a UTC pandas Timestamp; naive timestamps are refused."""
    stamp = pd.Timestamp(ts)
    if stamp.tzinfo is None:
        raise ValueError(f"timestamp {ts!s} has no time zone; expected e.g. 2027-03-08T14:15:00Z")
    return stamp.tz_convert("UTC")


def interval_grid(start_utc: datetime, end_utc: datetime, interval_min: int) -> pd.DatetimeIndex:
    """UTC interval starts in [start_utc, end_utc), aligned to the grain."""
    check_interval_min(interval_min)
    start = as_utc(start_utc)
    end = as_utc(end_utc)
    freq = f"{interval_min}min"
    if start != start.floor(freq) or end != end.floor(freq):
        raise ValueError(f"grid bounds must be aligned to {interval_min} minutes")
    return pd.date_range(start, end, freq=freq, inclusive="left", name="interval_start")


def local_to_utc(day: date, clock: time, tz: str) -> pd.Timestamp:
    """The UTC instant of wall-clock `clock` on local `day` in zone `tz`.

    A wall time skipped by a spring-forward change is moved forward by the gap (02:30
    becomes 03:30); a repeated one in autumn takes its first occurrence.
    """
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, clock)
    # fold=0 reads a skipped time with the offset before the change (so it moves forward)
    # and a repeated time as its first occurrence: both as documented above.
    aware = naive.replace(tzinfo=zone, fold=0)
    return pd.Timestamp(aware.astimezone(UTC))


def local_span_to_utc(
    day: date, start: time, duration: timedelta, tz: str
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC start and end of a span that starts at local `start` on `day` and lasts `duration`.

    The duration is elapsed time, so a night shift spanning a DST change keeps its length.
    """
    begin = local_to_utc(day, start, tz)
    return begin, begin + pd.Timedelta(duration)


@dataclass(frozen=True)
class WeekPoint:
    """A point in the week in a named zone, e.g. Monday 08:00 Asia/Taipei."""

    weekday: int  # 0 = Monday
    clock: time
    tz: str


@dataclass(frozen=True)
class DailyHours:
    """Opening hours on given weekdays in a named zone; close <= open means past midnight."""

    weekdays: frozenset[int]
    open: time
    close: time
    tz: str


def daily_hours_mask(grid: pd.DatetimeIndex, hours: DailyHours) -> np.ndarray:
    """Boolean mask of grid intervals whose start falls within the opening hours."""
    local = grid.tz_convert(hours.tz)
    minutes = local.hour * 60 + local.minute
    open_min = hours.open.hour * 60 + hours.open.minute
    close_min = hours.close.hour * 60 + hours.close.minute
    weekday = np.asarray(local.weekday)
    days = np.array(sorted(hours.weekdays))
    if close_min > open_min:
        inside = (minutes >= open_min) & (minutes < close_min)
        return np.asarray(inside & np.isin(weekday, days))
    # Overnight hours: the late part belongs to the listed day, the early part to the next.
    late = (minutes >= open_min) & np.isin(weekday, days)
    early = (minutes < close_min) & np.isin((weekday - 1) % 7, days)
    return np.asarray(late | early)


def weekly_span_mask(grid: pd.DatetimeIndex, start: WeekPoint, end: WeekPoint) -> np.ndarray:
    """Boolean mask of grid intervals inside the weekly span [start, end).

    The two ends may be stated in different zones (24/5 for a global team: from Monday
    morning in Asia to Friday evening in the Americas), so each week's span is computed
    per week with both zones' rules for that week.
    """
    if len(grid) == 0:
        return np.zeros(0, dtype=bool)
    mask = np.zeros(len(grid), dtype=bool)
    values = grid.asi8
    first_local = grid[0].tz_convert(start.tz).date()
    monday = first_local - timedelta(days=first_local.weekday() + 7)
    last = grid[-1]
    while True:
        span_start = local_to_utc(monday + timedelta(days=start.weekday), start.clock, start.tz)
        end_monday = monday
        span_end = local_to_utc(end_monday + timedelta(days=end.weekday), end.clock, end.tz)
        if span_end <= span_start:
            span_end = local_to_utc(end_monday + timedelta(days=7 + end.weekday), end.clock, end.tz)
        if span_start > last:
            break
        lo, hi = span_start.value, span_end.value
        mask |= (values >= lo) & (values < hi)
        monday += timedelta(days=7)
    return mask


def interval_index(grid: pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> range:
    """Positions of the grid intervals that overlap [start, end)."""
    if len(grid) == 0:
        return range(0)
    step = grid[1] - grid[0] if len(grid) > 1 else pd.Timedelta(0)
    lo = int(grid.searchsorted(start - step, side="right"))
    if lo > 0 and grid[lo - 1] + step > start:
        lo -= 1
    hi = int(grid.searchsorted(end, side="left"))
    return range(lo, hi)


def weekday_number(name: str) -> int:
    """Weekday number (Monday 0) of a three-letter English name such as 'mon'."""
    try:
        return WEEKDAYS.index(name.lower()[:3])
    except ValueError as exc:
        raise ValueError(
            f"{name!r} is not a weekday; expected one of {', '.join(WEEKDAYS)}"
        ) from exc


def weekdays(names: Iterable[str]) -> frozenset[int]:
    """Weekday numbers of the given names."""
    return frozenset(weekday_number(n) for n in names)
