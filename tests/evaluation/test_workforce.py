"""The roster's agents as the simulation sees them: periods, breaks, skills, vendor heads."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pandas as pd
import pytest

from evaluation.workforce import (
    ROSTER_COLUMNS,
    agent_slots,
    break_spans,
    chat_slots,
    roster_workforce,
    vendor_heads_bought,
)
from forecasting.errors import InputError
from forecasting.queues import QueueKey
from scenarios.loader import load_scenario
from scenarios.spec import Scenario

REFERENCE = "scenarios/examples/reference.yaml"


@pytest.fixture(scope="module")
def reference() -> Scenario:
    return load_scenario(REFERENCE)


def _row(
    agent: str,
    site: str,
    zone: str,
    day: str,
    start: str,
    end: str,
    breaks: str,
    tier: int,
    skills: str,
) -> dict[str, object]:
    return {
        "agent_id": agent,
        "site": site,
        "timezone": zone,
        "date_local": day,
        "start_local": pd.Timestamp(start).tz_convert(zone).strftime("%H:%M"),
        "start_utc": start,
        "end_utc": end,
        "shift": "late",
        "tier": tier,
        "skills": skills,
        "breaks": breaks,
    }


def test_a_break_after_midnight_falls_on_the_next_local_day() -> None:
    spans = break_spans("01:00-02:00", date(2027, 4, 12), time(20, 0), "America/Los_Angeles")
    # 2027-04-13 01:00 PDT is 08:00 UTC.
    assert spans == [
        (pd.Timestamp("2027-04-13 08:00", tz="UTC"), pd.Timestamp("2027-04-13 09:00", tz="UTC"))
    ]


def test_shifts_less_breaks_become_periods_and_skills_follow_tier(reference: Scenario) -> None:
    grid = pd.date_range("2027-04-12", "2027-04-14", freq="15min", tz="UTC", inclusive="left")
    roster = pd.DataFrame(
        [
            # 13:00-22:00 Los Angeles (PDT, UTC-7) = 20:00-05:00 UTC, lunch 17:00-18:00 local.
            _row(
                "sjc-t1-01",
                "sjc",
                "America/Los_Angeles",
                "2027-04-12",
                "2027-04-12T20:00:00Z",
                "2027-04-13T05:00:00Z",
                "17:00-18:00",
                1,
                "chat/en;phone/en;web/en",
            ),
            _row(
                "tpe-t2-01",
                "tpe",
                "Asia/Taipei",
                "2027-04-13",
                "2027-04-13T01:00:00Z",
                "2027-04-13T10:00:00Z",
                "13:00-14:00",
                2,
                "web/en;web/zh;web/ja",
            ),
        ]
    )
    wf = roster_workforce(reference, roster, grid)
    assert wf.agent_ids == ("sjc-t1-01", "tpe-t2-01")
    hours = 3600.0
    sjc = wf.period_agent == 0
    np.testing.assert_allclose(wf.period_start_s[sjc], [20 * hours, 25 * hours])
    np.testing.assert_allclose(wf.period_end_s[sjc], [24 * hours, 29 * hours])
    assert len(set(wf.period_shift[sjc])) == 1
    ids = [q.id for q in reference.queues]
    served_by = {wf.agent_ids[a]: {ids[q] for q in np.flatnonzero(wf.skills[a])} for a in range(2)}
    assert served_by["sjc-t1-01"] == {"chat-en-t1", "phone-en-t1", "web-en-t1"}
    assert served_by["tpe-t2-01"] == {"web-en-t2", "web-zh-t2", "web-ja-t2"}
    assert wf.groups[:2] == ("sjc", "tpe") and list(wf.group) == [0, 1]
    np.testing.assert_allclose(wf.available_s(), [8 * hours, 8 * hours])


def test_vendor_heads_become_vendor_agents_in_the_intervals_bought() -> None:
    scenario = load_scenario("scenarios/examples/24x7-bpo.yaml")
    # Saturday: inside the vendor's Friday-night-to-Monday-morning span.
    grid = pd.date_range("2027-03-13 12:00", periods=8, freq="15min", tz="UTC")
    heads = pd.DataFrame(
        {
            "interval_start": [grid[1], grid[1], grid[2], grid[5]],
            "group": ["chat-en-t1", "web-en-t1", "chat-en-t1", "web-en-t1"],
            "vendor": [1.0, 1.0, 1.0, 0.75],
            "vendor_id": "nightowl",
        }
    )
    no_shifts = pd.DataFrame(columns=list(ROSTER_COLUMNS))
    wf = roster_workforce(scenario, no_shifts, grid, heads)
    # Two heads in interval 1, one in 2 and (0.75 rounds to) one in 5.
    assert wf.agent_ids == ("nightowl-01", "nightowl-02")
    np.testing.assert_allclose(wf.available_s(), [3 * 900, 900])
    assert wf.groups[-1] == "nightowl" and set(wf.group) == {len(scenario.sites)}
    np.testing.assert_allclose(wf.handle_factor, [1 / 0.9, 1 / 0.9])
    assert np.isnan(wf.one_touch).all()
    ids = [q.id for q in scenario.queues]
    assert {ids[q] for q in np.flatnonzero(wf.skills[0])} == {"chat-en-t1", "web-en-t1"}


def test_chat_slots_add_up_to_the_pool_figure() -> None:
    for c in (1.0, 1.5, 2.0, 2.5):
        assert sum(agent_slots(i, c) for i in range(10)) == int(10 * c)


def test_a_roster_at_an_unknown_site_is_refused(reference: Scenario) -> None:
    grid = pd.date_range("2027-03-08", periods=8, freq="15min", tz="UTC")
    roster = pd.DataFrame(
        [
            _row(
                "x",
                "ams",
                "Europe/Amsterdam",
                "2027-03-08",
                "2027-03-08T08:00:00Z",
                "2027-03-08T16:00:00Z",
                "",
                1,
                "chat/en",
            )
        ]
    )
    with pytest.raises(InputError, match="ams"):
        roster_workforce(reference, roster, grid)


def test_bought_heads_are_read_from_the_coverage_vendor_column(reference: Scenario) -> None:
    scenario = load_scenario("scenarios/examples/24x7-bpo.yaml")
    coverage = pd.DataFrame(
        {
            "interval_start": ["2027-03-13T12:00:00Z", "2027-03-13T12:15:00Z"],
            "group": ["chat-en-t1", "chat-en-t1"],
            "vendor": [0.0, 2.0],
        }
    )
    heads = vendor_heads_bought(scenario, coverage)
    assert heads is not None and list(heads["vendor"]) == [2.0]
    assert list(heads["vendor_id"]) == ["nightowl"]
    assert heads["interval_start"].iloc[0] == pd.Timestamp("2027-03-13T12:15:00Z")
    assert vendor_heads_bought(reference, coverage) is None  # no vendor in the scenario
    two = scenario.model_copy(update={"vendors": scenario.vendors * 2})
    with pytest.raises(InputError, match="more than one vendor"):
        vendor_heads_bought(two, coverage)


def test_observed_concurrency_replaces_the_scenarios(reference: Scenario) -> None:
    # Tier 1 San Jose agents serve chat-en (concurrency 2); the phone/web-only Tier 2 hold 1.
    skills = np.array([[q.id == "chat-en-t1" for q in reference.queues]] * 4)
    assert chat_slots(reference, skills, {}) == [2, 2, 2, 2]
    observed = {QueueKey("chat", "en", 1): 1.5}
    assert chat_slots(reference, skills, observed) == [1, 2, 1, 2]
    no_chat = np.array([[q.id == "web-en-t2" for q in reference.queues]])
    assert chat_slots(reference, no_chat, observed) == [1]
