"""The night window: the roster's minutes and the cost's walk agree with a minute-by-minute count."""

from __future__ import annotations

from datetime import date, time, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.cost import split_shift
from scenarios.night import NightWindow

ZONES = ("UTC", "Europe/Amsterdam", "America/Los_Angeles", "Asia/Taipei")
# Whole hours outside 02:00-03:59, where DST changes skip or repeat wall times.
clocks = st.sampled_from([0, 1, 4, 5, 6, 7, 8, 12, 18, 20, 21, 22, 23]).map(lambda h: time(h))


def brute_night_minutes(
    window: NightWindow, start: pd.Timestamp, end: pd.Timestamp, tz: str
) -> int:
    minutes = pd.date_range(start, end, freq="1min", inclusive="left")
    local = minutes.tz_convert(tz)
    return sum(window.contains(time(t.hour, t.minute)) for t in local)


@pytest.mark.parametrize(
    ("clock", "inside"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(0, 0), True),
        (time(5, 59), True),
        (time(6, 0), False),
    ],
)
def test_an_overnight_window_wraps_past_midnight(clock: time, inside: bool) -> None:
    assert NightWindow(time(22), time(6)).contains(clock) is inside


def test_a_daytime_window_and_a_whole_day_window() -> None:
    day = NightWindow(time(1), time(5))
    assert day.contains(time(1)) and not day.contains(time(5)) and not day.contains(time(23))
    assert all(NightWindow(time(22), time(22)).contains(time(h)) for h in range(24))


@settings(max_examples=60, deadline=None)
@given(
    start=clocks,
    end=clocks,
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)),
    begin_min=st.integers(min_value=0, max_value=24 * 60 - 1),
    length_min=st.integers(min_value=15, max_value=14 * 60),
)
def test_roster_minutes_and_cost_seconds_match_a_minute_count(
    start: time, end: time, zone: str, day: date, begin_min: int, length_min: int
) -> None:
    window = NightWindow(start, end)
    local_start = pd.Timestamp(day).tz_localize(zone, nonexistent="shift_forward", ambiguous=False)
    shift_start = (local_start + timedelta(minutes=begin_min)).tz_convert("UTC")
    shift_end = shift_start + timedelta(minutes=length_min)
    expected = brute_night_minutes(window, shift_start, shift_end, zone)
    local_day = shift_start.tz_convert(zone).date()
    assert window.minutes_within(shift_start, shift_end, local_day, zone) == expected
    hours = split_shift(shift_start.to_pydatetime(), shift_end.to_pydatetime(), zone, start, end)
    assert sum(d.night_s for d in hours.by_date) == expected * 60
