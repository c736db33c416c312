"""Re-planning with a freeze: shifts before it stay exactly as published; after it, changes are priced."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from planner.roster import SolveSettings, solve_roster
from planner.roster.changes import roster_changes
from scenarios.freeze import parse_freeze
from scenarios.rostering import horizon_grid, roster_inputs
from tests.scenarios.test_rostering import chat_requirements, day_requirements, scenario

FAST = SolveSettings(time_limit_s=4, num_workers=2, seed=1)
MONDAY = date(2027, 5, 3)
KEY = ["agent_id", "date_local", "shift", "start_utc", "end_utc", "breaks"]


def published_and_replanned(freeze: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A week's roster for day cover, then a re-plan where nights are needed too."""
    sc = scenario()
    first = solve_roster(roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1), FAST)
    grid = horizon_grid(sc, MONDAY, 1)
    local = grid.tz_convert("Europe/Amsterdam")
    nights = chat_requirements(grid[(local.hour >= 22) | (local.hour < 6)])
    changed = pd.concat([day_requirements(sc, MONDAY, 1), nights], ignore_index=True)
    inputs = roster_inputs(sc, changed, MONDAY, 1, previous=first.roster, freeze_until=freeze)
    second = solve_roster(inputs, FAST)
    assert second.status in ("optimal", "feasible")
    return first.roster, second.roster


@pytest.mark.parametrize("days", [0, 2, 5])
def test_no_shift_starting_before_the_freeze_changes(days: int) -> None:
    freeze = datetime.combine(MONDAY + timedelta(days=days), datetime.min.time())
    old, new = published_and_replanned(freeze)
    cutoff = pd.Timestamp(freeze, tz="Europe/Amsterdam").tz_convert("UTC")

    def before(roster: pd.DataFrame) -> set[tuple]:
        rows = roster[pd.to_datetime(roster["start_utc"], utc=True) < cutoff]
        return {tuple(str(x) for x in r) for r in rows[KEY].itertuples(index=False)}

    assert before(new) == before(old)
    # The new nights are needed: after the freeze the roster does change, and each change is listed.
    changes = roster_changes(old, new)
    assert (changes["date_local"] >= str(freeze.date())).all()
    if days < 5:
        assert (new["shift"] == "night").any()


def test_a_freeze_at_a_time_of_day_keeps_the_shifts_started_by_then() -> None:
    freeze = datetime.combine(MONDAY + timedelta(days=1), datetime.min.time()).replace(hour=12)
    old, new = published_and_replanned(freeze)
    tuesday = str(MONDAY + timedelta(days=1))
    kept = {(r.agent_id, r.shift) for r in old.itertuples() if str(r.date_local) == tuesday}
    assert kept <= {(r.agent_id, r.shift) for r in new.itertuples() if str(r.date_local) == tuesday}


def test_a_freeze_outside_the_period_or_without_a_previous_roster_is_refused() -> None:
    sc = scenario()
    req = day_requirements(sc, MONDAY, 1)
    prev = pd.DataFrame({"agent_id": ["ams-t1-01"], "date_local": [str(MONDAY)], "shift": ["day"]})
    with pytest.raises(InputError, match="outside the period"):
        roster_inputs(sc, req, MONDAY, 1, previous=prev, freeze_until=datetime(2027, 5, 20))
    with pytest.raises(InputError, match="outside the period"):
        roster_inputs(sc, req, MONDAY, 1, previous=prev, freeze_until=datetime(2027, 5, 2, 23))
    with pytest.raises(InputError, match="--previous"):
        roster_inputs(sc, req, MONDAY, 1, freeze_until=datetime(2027, 5, 4))


@pytest.mark.parametrize("text", ["2027-05-04Z", "tomorrow", "2027-05-04T08:00+02:00"])
def test_a_freeze_must_be_a_local_date_or_time(text: str) -> None:
    with pytest.raises(InputError, match="--freeze-until"):
        parse_freeze(text)


@functools.cache
def published() -> pd.DataFrame:
    """The week's published roster for day cover (solved once for every example)."""
    sc = scenario()
    return solve_roster(roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1), FAST).roster


@settings(max_examples=12, deadline=None)
@given(
    day=st.integers(0, 6),
    hour=st.integers(0, 23),
    night_days=st.sets(st.integers(0, 6), max_size=7),
    day_heads=st.integers(0, 3),
)
def test_any_freeze_keeps_every_shift_started_before_it_exactly(
    day: int, hour: int, night_days: set[int], day_heads: int
) -> None:
    """Random freeze points and demand changes: what started before the freeze is kept."""
    sc = scenario()
    old = published()
    grid = horizon_grid(sc, MONDAY, 1)
    local = grid.tz_convert("Europe/Amsterdam")
    at_night = (local.hour >= 22) | (local.hour < 6)
    nights = chat_requirements(grid[at_night & np.isin(local.dayofweek, sorted(night_days))])
    changed = pd.concat([day_requirements(sc, MONDAY, 1, heads=day_heads), nights])
    freeze = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()).replace(hour=hour)
    inputs = roster_inputs(
        sc, changed.reset_index(drop=True), MONDAY, 1, previous=old, freeze_until=freeze
    )
    new = solve_roster(inputs, SolveSettings(time_limit_s=2, num_workers=2, seed=day)).roster
    cutoff = pd.Timestamp(freeze, tz="Europe/Amsterdam").tz_convert("UTC")

    def before(roster: pd.DataFrame) -> set[tuple]:
        rows = roster[pd.to_datetime(roster["start_utc"], utc=True) < cutoff]
        return {tuple(str(x) for x in r) for r in rows[KEY].itertuples(index=False)}

    assert before(new) == before(old)
    changes = roster_changes(old, new)
    # Shifts dated before the freeze's date all start before it: no change there.
    assert (changes["date_local"].astype(str) >= str(freeze.date())).all()


def test_a_frozen_day_offers_only_its_published_shift_even_later_that_day() -> None:
    """A night starting after a morning freeze may not replace that day's frozen shift."""
    sc = scenario()
    old = published()
    first = old.sort_values("start_utc").iloc[0]
    day = pd.Timestamp(str(first["date_local"])).date()
    start_local = pd.Timestamp(first["start_utc"]).tz_convert("Europe/Amsterdam")
    freeze = datetime.combine(day, start_local.time()) + timedelta(minutes=30)
    grid = horizon_grid(sc, MONDAY, 1)
    local = grid.tz_convert("Europe/Amsterdam")
    nights = chat_requirements(grid[(local.hour >= 22) | (local.hour < 6)])
    changed = pd.concat([day_requirements(sc, MONDAY, 1), nights]).reset_index(drop=True)
    inputs = roster_inputs(sc, changed, MONDAY, 1, previous=old, freeze_until=freeze)
    agent = str(first["agent_id"])
    assert day in next(a.frozen for a in inputs.agents if a.agent_id == agent)
    that_day = {o.template for o in inputs.options if o.agent_id == agent and o.date_local == day}
    assert that_day == {str(first["shift"])}
