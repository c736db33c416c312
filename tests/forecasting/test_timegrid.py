"""The time model at the DST changes of the US, the EU and Taiwan (which has none)."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.calendars import is_known_country, public_holidays
from forecasting.timegrid import (
    DailyHours,
    WeekPoint,
    daily_hours_mask,
    interval_grid,
    interval_index,
    is_iana_zone,
    local_span_to_utc,
    local_to_utc,
    weekly_span_mask,
)
from scenarios.coverage import coverage_mask
from scenarios.loader import load_scenario

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"
UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_grid_is_utc_aligned_and_half_open() -> None:
    grid = interval_grid(ts("2027-03-08"), ts("2027-03-09"), 15)
    assert len(grid) == 96
    assert str(grid.tz) == "UTC"
    assert grid[0] == ts("2027-03-08") and grid[-1] == ts("2027-03-08 23:45")
    with pytest.raises(ValueError, match="one of"):
        interval_grid(ts("2027-03-08"), ts("2027-03-09"), 20)
    with pytest.raises(ValueError, match="aligned"):
        interval_grid(ts("2027-03-08 00:10"), ts("2027-03-09"), 15)
    with pytest.raises(ValueError, match="no time zone"):
        interval_grid(pd.Timestamp("2027-03-08"), ts("2027-03-09"), 15)


# US DST 2027: starts Sunday 14 March 02:00, ends Sunday 7 November 02:00 (Energy Policy Act 2005).
# EU summer time 2027: starts Sunday 28 March 01:00 UTC, ends Sunday 31 October 01:00 UTC
# (Directive 2000/84/EC: last Sunday of March and of October). Taiwan: no DST since 1979.
@pytest.mark.parametrize(
    ("day", "zone", "before_utc", "after_utc"),
    [
        (date(2027, 3, 14), "America/Los_Angeles", "2027-03-13 17:00", "2027-03-14 16:00"),
        (date(2027, 11, 7), "America/Los_Angeles", "2027-11-06 16:00", "2027-11-07 17:00"),
        (date(2027, 3, 28), "Europe/Amsterdam", "2027-03-27 08:00", "2027-03-28 07:00"),
        (date(2027, 10, 31), "Europe/Amsterdam", "2027-10-30 07:00", "2027-10-31 08:00"),
        (date(2027, 3, 14), "Asia/Taipei", "2027-03-13 01:00", "2027-03-14 01:00"),
    ],
)
def test_a_local_9am_shift_moves_in_utc_at_the_change(
    day: date, zone: str, before_utc: str, after_utc: str
) -> None:
    assert local_to_utc(day - timedelta(days=1), time(9), zone) == ts(before_utc)
    assert local_to_utc(day, time(9), zone) == ts(after_utc)


def test_skipped_and_repeated_wall_times() -> None:
    # 02:30 does not exist on 14 March 2027 in California: moved forward to 03:30 PDT.
    assert local_to_utc(date(2027, 3, 14), time(2, 30), "America/Los_Angeles") == ts(
        "2027-03-14 10:30"
    )
    # 01:30 happens twice on 7 November 2027: the first (PDT, UTC-7) is taken.
    assert local_to_utc(date(2027, 11, 7), time(1, 30), "America/Los_Angeles") == ts(
        "2027-11-07 08:30"
    )


def test_night_shift_across_a_dst_change_keeps_its_elapsed_length() -> None:
    start, end = local_span_to_utc(
        date(2027, 3, 27), time(22), timedelta(hours=9), "Europe/Amsterdam"
    )
    assert (end - start) == pd.Timedelta(hours=9)
    assert end.tz_convert("Europe/Amsterdam").hour == 8  # wall clock gained an hour overnight


def local_dates(start_utc: pd.Timestamp, end_utc: pd.Timestamp, tz: str) -> list[date]:
    """Local dates in `tz` overlapping [start_utc, end_utc) (the test's own walk)."""
    first = start_utc.tz_convert(tz).date()
    last = (end_utc - pd.Timedelta(microseconds=1)).tz_convert(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_daily_hours_overnight_and_zone() -> None:
    grid = interval_grid(ts("2027-03-08"), ts("2027-03-15"), 60)
    hours = DailyHours(frozenset({0}), time(22), time(2), "Asia/Taipei")  # Mon 22:00 to Tue 02:00
    mask = daily_hours_mask(grid, hours)
    open_local = grid[mask].tz_convert("Asia/Taipei")
    assert [t.strftime("%a %H") for t in open_local] == ["Mon 22", "Mon 23", "Tue 00", "Tue 01"]


def test_weekly_span_across_zones_and_weeks() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 15)
    start = WeekPoint(0, time(7), "Asia/Taipei")
    end = WeekPoint(4, time(22), "America/Los_Angeles")
    mask = weekly_span_mask(grid, start, end)
    # Mon 07:00 Taipei = Sun 23:00 UTC; Fri 22:00 PST = Sat 06:00 UTC: 5 days 7 hours a week.
    assert mask.sum() == 2 * (5 * 24 + 7) * 4
    first_open = grid[int(np.argmax(mask))]
    assert first_open == ts("2027-01-04 00:00")  # the span began the evening before the grid


@given(st.integers(min_value=0, max_value=52 * 3))
def test_24x5_is_one_continuous_run_each_week(week: int) -> None:
    sunday_noon = ts("2027-01-03 12:00") + pd.Timedelta(weeks=week)
    grid = interval_grid(sunday_noon, sunday_noon + pd.Timedelta(days=7), 15)
    mask = weekly_span_mask(
        grid, WeekPoint(0, time(7), "Asia/Taipei"), WeekPoint(4, time(22), "America/Los_Angeles")
    )
    edges = np.flatnonzero(np.diff(mask.astype(int)))
    assert len(edges) == 2  # opens once, closes once
    hours = mask.sum() / 4
    # Sun 23:00 UTC to Sat 06:00 UTC, an hour less while Los Angeles is on daylight time.
    assert hours in (5 * 24 + 7, 5 * 24 + 6)


@pytest.mark.parametrize("monday", ["2027-01-11", "2027-07-12", "2027-03-15", "2027-11-01"])
def test_reference_offices_cover_the_24x5_window_without_gaps(monday: str) -> None:
    """Winter, summer, and the weeks when only the US has changed clocks."""
    scenario = load_scenario(REFERENCE)
    start = ts(monday) - pd.Timedelta(days=1)
    grid = interval_grid(start, start + pd.Timedelta(days=8), 15)
    window = coverage_mask(scenario.queue("chat-en-t1").coverage, grid)
    covered = np.zeros(len(grid), dtype=bool)
    for site in scenario.sites:
        for day in local_dates(grid[0] - pd.Timedelta(days=1), grid[-1], site.timezone):
            if day.weekday() >= 5:
                continue
            for template in site.contract.shift_templates:
                lo, hi = local_span_to_utc(
                    day, template.start, timedelta(hours=template.hours), site.timezone
                )
                covered[list(interval_index(grid, lo, hi))] = True
    assert window.any()
    assert not (window & ~covered).any(), grid[window & ~covered][:5]


def test_interval_index_includes_partial_overlaps() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-05"), 15)
    assert list(interval_index(grid, ts("2027-01-04 01:10"), ts("2027-01-04 01:45"))) == [4, 5, 6]
    assert list(interval_index(grid, ts("2027-01-04 23:30"), ts("2027-01-05 03:00"))) == [94, 95]


def test_holidays_per_country() -> None:
    us = public_holidays("US", [2027], "CA")
    tw = public_holidays("TW", [2027])
    nl = public_holidays("NL", [2027])
    assert date(2027, 7, 5) in us  # Independence Day observed (4 July 2027 is a Sunday)
    assert date(2027, 10, 11) in tw  # National Day (10 October) observed on Monday 11th
    assert date(2027, 4, 27) in nl  # King's Day
    assert date(2027, 7, 5) not in nl
    assert is_known_country("TW") and not is_known_country("XX")


@pytest.mark.parametrize("name", ["US", "Europe", "America", "", "Mars/Olympus"])
def test_a_folder_of_the_tz_database_or_an_unknown_name_is_not_a_zone(name: str) -> None:
    assert not is_iana_zone(name)


@pytest.mark.parametrize("name", ["US/Pacific", "Europe/Amsterdam", "Asia/Taipei", "UTC"])
def test_known_zones_are_zones(name: str) -> None:
    assert is_iana_zone(name)
