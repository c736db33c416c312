"""Per-agent contracts, availability, wishes, holiday fairness and break placement, from the
scenario through the solver."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pandas as pd
import pytest
from pydantic import ValidationError

from planner.roster import SolveSettings, solve_roster, validate_roster
from scenarios.rostering import (
    available,
    break_placements,
    horizon_grid,
    roster_inputs,
    unmet_wishes,
)
from scenarios.spec import Scenario, ShiftTemplate
from tests.scenarios.test_rostering import (
    chat_requirements,
    day_requirements,
    scenario,
    scenario_data,
)

FAST = SolveSettings(time_limit_s=10, num_workers=2, seed=1)
MONDAY = date(2027, 5, 3)
PART_TIME = {
    "min_hours_week": 0,
    "max_hours_week": 20,
    "max_shifts_week": 5,
    "max_consecutive_days": 5,
    "min_consecutive_days_off": 1,
    "min_rest_hours": 11,
    "shift_templates": [{"id": "half", "start": "12:00", "hours": 4}],
}


def agent(agent_id: str, **extra: object) -> dict:
    return {"id": agent_id, "tier": 1, "skills": ["chat/en"], **extra}


def test_an_agent_works_under_the_contract_it_names() -> None:
    sc = scenario(
        contracts={"part-time": PART_TIME}, agents=[agent("a"), agent("p", contract="part-time")]
    )
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1)
    rules = {a.agent_id: a.rules for a in inputs.agents}
    assert rules["p"].max_minutes_week == 20 * 60
    assert rules["a"].max_minutes_week == 40 * 60
    templates = {a: {o.template for o in inputs.options if o.agent_id == a} for a in ("a", "p")}
    assert templates == {"a": {"day", "night"}, "p": {"half"}}
    result = solve_roster(inputs, FAST)
    mine = result.roster[result.roster["agent_id"] == "p"]
    assert mine["paid_minutes"].sum() <= 20 * 60
    assert validate_roster(result.roster, inputs) == ()


def test_unknown_contract_and_unknown_wished_shift_are_refused_with_their_field() -> None:
    data = scenario_data(
        agents=[agent("p", contract="part-time", preferences={"shifts": ["late"]})]
    )
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    text = str(err.value)
    assert "agents[0].contract: 'part-time' is not one of this site's contracts []" in text
    data = scenario_data(agents=[agent("p", preferences={"shifts": ["late"]})])
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    assert "agents[0].preferences.shifts: 'late' is not a shift template" in str(err.value)


def test_availability_offers_only_shifts_inside_a_window() -> None:
    window = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "19:00"}
    sc = scenario(agents=[agent("a", availability=[window]), agent("b")])
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1)
    mine = [o for o in inputs.options if o.agent_id == "a"]
    assert {o.template for o in mine} == {"day"}  # 09:00-18:00 fits, 22:00 night does not
    assert {o.date_local.weekday() for o in mine} == set(range(5))
    assert len([o for o in inputs.options if o.agent_id == "b"]) == 14


def test_a_window_past_midnight_admits_a_night_shift() -> None:
    night = ShiftTemplate.model_validate({"id": "n", "start": "22:00", "hours": 8})
    sc = scenario(agents=[agent("a", availability=[{"start": "21:00", "end": "07:00"}])])
    assert available(sc.sites[0].agents[0], night, MONDAY)
    late = ShiftTemplate.model_validate({"id": "l", "start": "23:30", "hours": 8})
    assert not available(sc.sites[0].agents[0], late, MONDAY)


def test_unmet_wishes_count_days_off_and_other_shifts_by_weight() -> None:
    sc = scenario(
        agents=[
            agent(
                "a", preferences={"days_off": ["sat", "2027-05-05"], "shifts": ["day"], "weight": 2}
            )
        ]
    )
    a = sc.sites[0].agents[0]
    day, night = sc.sites[0].contract.shift_templates
    assert unmet_wishes(a, day, MONDAY) == 0
    assert unmet_wishes(a, night, MONDAY) == 2
    assert unmet_wishes(a, night, MONDAY + timedelta(days=5)) == 4  # Saturday, night
    assert unmet_wishes(a, day, MONDAY + timedelta(days=2)) == 2  # the wished date


def test_the_solver_grants_a_wished_day_off_when_a_colleague_can_cover() -> None:
    sc = scenario(
        contract={**scenario_data()["sites"][0]["contract"], "max_shifts_week": 6},
        agents=[
            agent("a", preferences={"days_off": ["wed"]}),
            agent("b", preferences={"days_off": ["thu"]}),
        ],
    )
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1)
    result = solve_roster(inputs, FAST)
    worked = {(r.agent_id, r.date_local.weekday()) for r in result.roster.itertuples()}
    assert ("a", 2) not in worked and ("b", 3) not in worked
    assert ("b", 2) in worked and ("a", 3) in worked  # the colleague covers the day
    assert not any(p.family == "wishes" and p.points > 0 for p in result.penalties)


def test_break_placements_follow_the_window_and_never_overlap() -> None:
    template = ShiftTemplate.model_validate(
        {
            "id": "d",
            "start": "09:00",
            "hours": 9,
            "breaks": [
                {"offset_minutes": 120, "minutes": 15, "latest_offset_minutes": 180},
                {
                    "offset_minutes": 180,
                    "minutes": 60,
                    "latest_offset_minutes": 300,
                    "step_minutes": 60,
                },
            ],
        }
    )
    placements = break_placements(template)
    assert (120, 180) in placements and (180, 300) in placements
    assert (180, 180) not in placements  # the lunch would start inside the short break
    assert all(b >= a + 15 for a, b in placements)
    assert len(placements) == 3 * 3 - 1


def test_the_solver_places_the_lunch_where_demand_dips() -> None:
    day = {
        "id": "day",
        "start": "09:00",
        "hours": 9,
        "breaks": [
            {"offset_minutes": 180, "minutes": 60, "latest_offset_minutes": 300, "step_minutes": 60}
        ],
    }
    contract = {**scenario_data()["sites"][0]["contract"], "shift_templates": [day]}
    sc = scenario(contract=contract, headcount=[{"tier": 1, "count": 1, "skills": ["chat/en"]}])
    grid = horizon_grid(sc, MONDAY, 1)
    local = grid.tz_convert("Europe/Amsterdam")
    # One agent needed 09:00-18:00 on Monday, except 13:00-14:00 (offset 240).
    monday = local.date == MONDAY
    busy = monday & (local.hour >= 9) & (local.hour < 18) & (local.hour != 13)
    req = chat_requirements(grid[busy])
    inputs = roster_inputs(sc, req, MONDAY, 1)
    assert Counter(o.date_local for o in inputs.options)[MONDAY] == 3
    result = solve_roster(inputs, FAST)
    row = result.roster[result.roster["date_local"] == MONDAY].iloc[0]
    assert row["breaks"] == "13:00-14:00"
    assert result.coverage["shortfall"].sum() == 0


def test_public_holidays_are_shared_within_a_site() -> None:
    # King's Day (27 April 2027) and Ascension Day (6 May 2027) are Dutch holidays.
    start = date(2027, 4, 26)
    sc = scenario(headcount=[{"tier": 1, "count": 2, "skills": ["chat/en"]}])
    grid = horizon_grid(sc, start, 2)
    local = grid.tz_convert("Europe/Amsterdam")
    holidays = pd.Index(local.date).isin([date(2027, 4, 27), date(2027, 5, 6)])
    busy = holidays & (local.hour >= 9) & (local.hour < 17)
    req = chat_requirements(grid[busy])
    inputs = roster_inputs(sc, req, start, 2)
    result = solve_roster(inputs, FAST)
    worked = result.roster[result.roster["holiday"].astype(bool)]
    assert sorted(Counter(worked["agent_id"]).values()) == [1, 1]
