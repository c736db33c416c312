"""Fairness: nights and weekend days spread within a site and tier as allowed; wishes granted, counted."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.roster import SolveSettings, solve_roster
from scenarios.fairness import fairness_by_agent, fairness_spread, wishes_by_agent
from scenarios.rostering import horizon_grid, roster_inputs
from scenarios.spec import Scenario
from tests.scenarios.test_rostering import chat_requirements, scenario, scenario_data

MONDAY = date(2027, 5, 3)


def round_the_clock(sc: Scenario, weeks: int) -> pd.DataFrame:
    """One chat agent at every hour of the horizon in Amsterdam (days and nights)."""
    grid = horizon_grid(sc, MONDAY, weeks)
    local = grid.tz_convert("Europe/Amsterdam")
    inside = (local.date >= MONDAY) & (local.date < MONDAY + timedelta(weeks=weeks))
    return chat_requirements(grid[inside])


@pytest.mark.slow
@pytest.mark.parametrize("spread", [0, 1])
def test_nights_and_weekend_days_stay_within_the_allowed_spread(spread: int) -> None:
    data = scenario_data(headcount=[{"tier": 1, "count": 6, "skills": ["chat/en"]}])
    data["planning"] |= {"fair_night_spread": spread, "fair_weekend_day_spread": spread}
    sc = Scenario.model_validate(data)
    weeks = 2
    result = solve_roster(
        roster_inputs(sc, round_the_clock(sc, weeks), MONDAY, weeks),
        SolveSettings(time_limit_s=20, num_workers=2, seed=1),
    )
    assert result.status in ("optimal", "feasible")
    per_agent = fairness_by_agent(sc, result.roster)
    assert per_agent["nights"].sum() >= 2 * 7  # nights are worked: the spread is not trivially 0
    allowed = -(-spread * 7 * weeks // 28)
    row = fairness_spread(per_agent).iloc[0]
    assert row["nights_spread"] <= max(allowed, 1)
    assert row["weekend_days_spread"] <= max(allowed, 1)


flags = st.lists(
    st.tuples(st.sampled_from(["ams-t1-01", "ams-t1-02"]), st.booleans(), st.booleans()),
    max_size=20,
)


@settings(deadline=None)  # pandas on a shared machine: timings vary tenfold
@given(rows=flags)
def test_counts_per_agent_and_spreads_match_a_direct_count(rows: list) -> None:
    sc = scenario(headcount=[{"tier": 1, "count": 3, "skills": ["chat/en"]}])
    roster = pd.DataFrame(
        [
            {"agent_id": a, "date_local": "2027-05-03", "shift": "x", "night": n, "weekend": w}
            for a, n, w in rows
        ],
        columns=["agent_id", "date_local", "shift", "night", "weekend"],
    )
    per_agent = fairness_by_agent(sc, roster).set_index("agent_id")
    for agent in ("ams-t1-01", "ams-t1-02", "ams-t1-03"):
        assert per_agent.loc[agent, "nights"] == sum(1 for a, n, _ in rows if a == agent and n)
        assert per_agent.loc[agent, "weekend_days"] == sum(
            1 for a, _, w in rows if a == agent and w
        )
        assert per_agent.loc[agent, "holidays"] == 0
    spread = fairness_spread(per_agent.reset_index()).iloc[0]
    assert spread["nights_spread"] == per_agent["nights"].max() - per_agent["nights"].min()


def test_wishes_granted_count_days_off_kept_and_preferred_shifts_worked() -> None:
    sc = scenario(
        headcount=[],
        agents=[
            {"id": "a", "tier": 1, "skills": ["chat/en"], "preferences": {"days_off": ["wed"]}},
            {"id": "b", "tier": 1, "skills": ["chat/en"], "preferences": {"shifts": ["day"]}},
            {"id": "c", "tier": 1, "skills": ["chat/en"]},
        ],
    )
    roster = pd.DataFrame(
        {
            "agent_id": ["a", "a", "b", "b", "b", "c"],
            "date_local": [
                "2027-05-05",
                "2027-05-06",
                "2027-05-03",
                "2027-05-04",
                "2027-05-12",
                "2027-05-05",
            ],
            "shift": ["day", "day", "day", "night", "day", "day"],
        }
    )
    wishes = wishes_by_agent(sc, roster, MONDAY, 14).set_index("agent_id")
    assert list(wishes.index) == ["a", "b"]  # c has no wishes
    assert (wishes.loc["a", "wishes"], wishes.loc["a", "granted"]) == (
        2,
        1,
    )  # 2 Wednesdays, 1 worked
    assert (wishes.loc["b", "wishes"], wishes.loc["b", "granted"]) == (3, 2)
