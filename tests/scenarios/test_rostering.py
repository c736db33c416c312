"""Scenario to roster inputs: agents, local shifts on the UTC grid, flags; the CLI end to end."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from followsun.cli import main
from forecasting.errors import InputError
from planner.roster import SolveSettings, Weights, solve_roster, validate_roster
from scenarios.rostering import (
    NIGHT_SHIFT_MIN_NIGHT_MINUTES,
    horizon_grid,
    roster_inputs,
    scenario_agents,
    shift_option,
)
from scenarios.spec import Scenario

FAST = SolveSettings(time_limit_s=10, num_workers=2, seed=1)


def scenario_data(**site_overrides: object) -> dict:
    """A one-site, one-queue scenario in Amsterdam (DST on 2027-03-28)."""
    site = {
        "id": "ams",
        "name": "Amsterdam",
        "timezone": "Europe/Amsterdam",
        "country": "NL",
        "hourly_cost": "50",
        "premiums": {"night": 0.25, "weekend": 0.5, "holiday": 1.0},
        "contract": {
            "min_hours_week": 0,
            "max_hours_week": 40,
            "max_shifts_week": 5,
            "max_consecutive_days": 5,
            "min_consecutive_days_off": 1,
            "min_rest_hours": 11,
            "shift_templates": [
                {
                    "id": "day",
                    "start": "09:00",
                    "hours": 9,
                    "breaks": [{"offset_minutes": 240, "minutes": 60}],
                },
                {"id": "night", "start": "22:00", "hours": 8},
            ],
        },
        "headcount": [{"tier": 1, "count": 3, "skills": ["chat/en"]}],
    }
    site.update(site_overrides)
    return {
        "name": "tiny",
        "planning": {"interval_minutes": 15},
        "sites": [site],
        "queues": [
            {
                "channel": "chat",
                "language": "en",
                "tier": 1,
                "target": {"within_seconds": 30},
                "aht_seconds": 600,
                "coverage": {"kind": "24x7"},
            }
        ],
        "demand": {
            "regions": [
                {
                    "id": "eu",
                    "timezone": "Europe/Amsterdam",
                    "country": "NL",
                    "languages": {"en": 1.0},
                    "weekly_volume": {"chat": 100},
                }
            ]
        },
    }


def scenario(**site_overrides: object) -> Scenario:
    return Scenario.model_validate(scenario_data(**site_overrides))


def chat_requirements(intervals: pd.DatetimeIndex, heads: int = 1) -> pd.DataFrame:
    """`heads` chat/en tier-1 agents in each of `intervals`."""
    return pd.DataFrame(
        {
            "interval_start": intervals,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "agents_required": heads,
        }
    )


def day_requirements(sc: Scenario, start: date, weeks: int, heads: int = 1) -> pd.DataFrame:
    """`heads` chat/en agents from 09:00 to 17:00 Amsterdam time on every date."""
    grid = horizon_grid(sc, start, weeks)
    local = grid.tz_convert("Europe/Amsterdam")
    return chat_requirements(grid[(local.hour >= 9) & (local.hour < 17)], heads)


def roster_command(
    tmp_path: Path, requirements: pd.DataFrame | str, start: str, data: dict | None = None
) -> list[str]:
    """`followsun roster` arguments for one week from `start`, output to tmp_path/'out'.

    Writes the scenario (`data`, else the test organisation's) and the requirements (a
    frame, or CSV text as a user might write it) into `tmp_path`.
    """
    sc_path = tmp_path / "s.yaml"
    sc_path.write_text(yaml.safe_dump(data if data is not None else scenario_data()))
    req_path = tmp_path / "r.csv"
    if isinstance(requirements, str):
        req_path.write_text(requirements)
    else:
        requirements.to_csv(req_path, index=False)
    args = ["roster", "--scenario", str(sc_path), "--requirements", str(req_path)]
    return args + ["--start", start, "--weeks", "1", "--out", str(tmp_path / "out")]


def test_headcount_expands_to_named_agents() -> None:
    ids = [a.id for a in scenario_agents(scenario().sites[0])]
    assert ids == ["ams-t1-01", "ams-t1-02", "ams-t1-03"]


def test_local_shift_keeps_its_wall_clock_across_dst() -> None:
    # Amsterdam is UTC+1 before 2027-03-28 and UTC+2 after: 09:00 local is 08:00 then 07:00 UTC.
    sc = scenario()
    site = sc.sites[0]
    grid = horizon_grid(sc, date(2027, 3, 22), 2)
    day = site.contract.shift_templates[0]
    before = shift_option("x", site, day, date(2027, 3, 26), grid, {})
    after = shift_option("x", site, day, date(2027, 3, 29), grid, {})
    assert before.start_utc == pd.Timestamp("2027-03-26T08:00Z")
    assert after.start_utc == pd.Timestamp("2027-03-29T07:00Z")
    assert before.start_local == after.start_local == "09:00"
    # 9 h with a 1 h unpaid break: 8 paid hours, 32 covered quarter-hours of 36.
    assert before.paid_min == 480
    assert len(before.covered) == 32
    assert before.breaks_local == ("13:00-14:00",)


def test_night_shift_spanning_spring_forward_is_seven_hours_of_wall_clock() -> None:
    # 22:00 CET on 2027-03-27 plus 8 elapsed hours ends 07:00 CEST (06:00 - 01:00 gap).
    sc = scenario()
    site = sc.sites[0]
    grid = horizon_grid(sc, date(2027, 3, 22), 1)
    night = shift_option("x", site, site.contract.shift_templates[1], date(2027, 3, 27), grid, {})
    assert night.end_local == "07:00"
    assert night.end_utc - night.start_utc == timedelta(hours=8)
    assert night.night and night.weekend
    # Night premium 25% and weekend 50% of 8 paid hours.
    assert night.premium_hours == pytest.approx(8 * 0.75)


def test_night_flag_needs_three_night_hours() -> None:
    # 14:00-00:00 has 2 h in 22:00-06:00, below the 3 h of the EU directive; 15:00-01:00 has 3 h.
    assert NIGHT_SHIFT_MIN_NIGHT_MINUTES == 180
    sc = scenario()
    site = sc.sites[0]
    grid = horizon_grid(sc, date(2027, 3, 1), 1)
    from scenarios.spec import ShiftTemplate

    two = shift_option(
        "x", site, ShiftTemplate(id="a", start=time(14), hours=10), date(2027, 3, 2), grid, {}
    )
    three = shift_option(
        "x", site, ShiftTemplate(id="b", start=time(15), hours=10), date(2027, 3, 2), grid, {}
    )
    assert not two.night
    assert three.night


def test_holiday_flag_from_the_site_calendar() -> None:
    # King's Day, 27 April, is a public holiday in the Netherlands (Dutch government calendar).
    sc = scenario()
    inp = roster_inputs(sc, day_requirements(sc, date(2027, 4, 26), 1), date(2027, 4, 26), 1)
    flags = {(o.date_local, o.holiday) for o in inp.options}
    assert (date(2027, 4, 27), True) in flags
    assert (date(2027, 4, 26), False) in flags


def test_scheduled_required_is_used_when_present() -> None:
    sc = scenario()
    start = date(2027, 3, 1)
    reqs = day_requirements(sc, start, 1).assign(scheduled_required=2.2)
    inp = roster_inputs(sc, reqs, start, 1)
    assert inp.units_per_head == 4
    assert inp.required.max() == 9  # 2.2 heads are 8.8 quarter heads, rounded up to 9


def test_template_longer_than_the_rest_rule_is_refused() -> None:
    data = scenario_data()
    data["sites"][0]["contract"]["shift_templates"].append(
        {"id": "long", "start": "06:00", "hours": 14}
    )
    sc = Scenario.model_validate(data)
    with pytest.raises(InputError, match="long"):
        roster_inputs(sc, day_requirements(sc, date(2027, 3, 1), 1), date(2027, 3, 1), 1)


def test_unknown_site_is_refused() -> None:
    sc = scenario()
    with pytest.raises(InputError, match="unknown site"):
        roster_inputs(
            sc, day_requirements(sc, date(2027, 3, 1), 1), date(2027, 3, 1), 1, sites=["xyz"]
        )


def test_requirements_for_a_queue_nobody_serves() -> None:
    sc = scenario()
    reqs = day_requirements(sc, date(2027, 3, 1), 1)
    reqs = pd.concat([reqs, reqs.assign(channel="phone", language="ja")])
    inp = roster_inputs(sc, reqs, date(2027, 3, 1), 1)
    with pytest.raises(InputError, match="phone-ja-t1"):
        solve_roster(inp, FAST)


def test_a_requirement_off_the_interval_grid_is_refused_with_its_row() -> None:
    sc = scenario()
    reqs = day_requirements(sc, date(2027, 3, 1), 1)
    reqs.loc[5, "interval_start"] += pd.Timedelta(minutes=7)
    with pytest.raises(InputError, match="15-minute grid") as caught:
        roster_inputs(sc, reqs, date(2027, 3, 1), 1)
    # CSV line of the row: the header is line 1.
    assert caught.value.problems == [f"row 7: {reqs.loc[5, 'interval_start']:%Y-%m-%dT%H:%M}Z"]


def test_requirements_beside_the_horizon_are_noted_not_dropped_silently() -> None:
    sc = scenario()
    start = date(2027, 3, 1)
    week = day_requirements(sc, start, 1)
    both = day_requirements(sc, start, 2)
    second = both.iloc[len(week) :]
    # Two weeks of requirements for a one-week roster: the second week is left out.
    (note,) = roster_inputs(sc, both, start, 1).notes
    assert f"{len(second)} rows requiring agents" in note
    assert "not rostered" in note
    # The second week's requirements alone for both weeks: nobody is required before.
    (note,) = roster_inputs(sc, second, start, 2).notes
    assert "nobody is required before" in note
    # One week of requirements for a two-week roster: nobody is required in the second.
    inp = roster_inputs(sc, week, start, 2)
    (note,) = inp.notes
    assert "nobody is required after" in note
    # Notes reach the solve's diagnoses.
    assert note in solve_roster(inp, FAST).diagnoses
    # Requirements for exactly the horizon need no note, nor a week without weekend rows.
    assert roster_inputs(sc, week, start, 1).notes == ()
    weekdays = week[pd.DatetimeIndex(week["interval_start"]).dayofweek < 5]
    assert roster_inputs(sc, weekdays, start, 1).notes == ()


def test_time_off_over_the_whole_horizon_is_diagnosed() -> None:
    start = date(2027, 3, 1)
    agents = [
        {
            "id": "ana",
            "tier": 1,
            "skills": ["chat/en"],
            "time_off": [str(start + timedelta(days=i)) for i in range(7)],
        },
        {"id": "bo", "tier": 1, "skills": ["chat/en"]},
    ]
    sc = scenario(headcount=[], agents=agents)
    result = solve_roster(roster_inputs(sc, day_requirements(sc, start, 1), start, 1), FAST)
    assert any("ana" in note for note in result.diagnoses)
    assert "ana" not in set(result.roster["agent_id"])


def test_a_dst_week_solves_and_validates() -> None:
    # The week of 2027-03-22 contains Amsterdam's spring-forward night.
    sc = scenario()
    start = date(2027, 3, 22)
    inp = roster_inputs(sc, day_requirements(sc, start, 1), start, 1)
    result = solve_roster(inp, FAST)
    assert result.status == "optimal"
    assert validate_roster(result.roster, inp) == ()
    # Demand is 09:00-17:00 local only: night shifts would cover nothing, so every shift is
    # the 09:00 template, at 08:00 UTC before the change and 07:00 UTC after it.
    assert (result.roster["start_local"] == "09:00").all()
    hours = {(r.date_local, r.start_utc.hour) for r in result.roster.itertuples()}
    assert all(h == (8 if d < date(2027, 3, 28) else 7) for d, h in hours)


def test_cli_writes_roster_coverage_report_and_calendars(tmp_path: Path) -> None:
    sc = scenario()
    start = date(2027, 3, 22)
    reqs = day_requirements(sc, start, 1)
    reqs["interval_start"] = reqs["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = tmp_path / "out"
    code = main([*roster_command(tmp_path, reqs, "2027-03-22"), "--time-limit", "10"])
    assert code == 0
    roster = pd.read_csv(out / "roster.csv")
    for column in (
        "agent_id",
        "site",
        "timezone",
        "date_local",
        "start_local",
        "end_local",
        "start_utc",
        "end_utc",
        "shift",
        "tier",
        "skills",
        "breaks",
    ):
        assert column in roster.columns
    assert roster["start_utc"].str.endswith("Z").all()
    coverage = pd.read_csv(out / "coverage.csv")
    assert list(coverage.columns[:5]) == [
        "interval_start",
        "group",
        "required",
        "scheduled",
        "shortfall",
    ]
    report = json.loads((out / "solver.json").read_text())
    assert report["status"] == "optimal"
    assert {"objective", "bound", "gap", "wall_seconds", "unmet_coverage", "binding_rules"} <= set(
        report
    )
    ics = (out / "ics" / f"{roster['agent_id'].iloc[0]}.ics").read_text()
    assert "TZID=Europe/Amsterdam" in ics
    assert "BEGIN:VTIMEZONE" in ics
    # Every shift is written in local wall-clock time with its zone, before and after DST.
    first = roster[roster["agent_id"] == roster["agent_id"].iloc[0]]
    for day in first["date_local"]:
        assert f"DTSTART;TZID=Europe/Amsterdam:{day.replace('-', '')}T090000" in ics


def test_cli_bad_requirements_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        roster_command(
            tmp_path, "interval_start,channel\n2027-03-01T00:00:00Z,chat\n", "2027-03-01"
        )
    )
    assert code == 2
    assert "missing" in capsys.readouterr().err


def test_requirements_outside_the_horizon_are_ignored() -> None:
    sc = scenario()
    start = date(2027, 3, 1)
    reqs = day_requirements(sc, start, 2)
    inp = roster_inputs(sc, reqs, start, 1)
    # One head (4 quarter-head units) in 32 intervals a day for the 7 days rostered.
    assert inp.required.sum() == 7 * 32 * inp.units_per_head
    assert np.all(inp.required <= inp.units_per_head)


def test_requirements_wholly_outside_the_horizon_are_refused_naming_both_spans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A wrong --start would otherwise roster against nothing: all idle, "optimal".
    reqs = day_requirements(scenario(), date(2027, 3, 1), 1)
    assert main(roster_command(tmp_path, reqs, "2027-04-05")) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'r.csv'}: none of the" in err
    assert "rows requiring agents falls in the rostered horizon 2027-04-0" in err
    assert "span 2027-03-0" in err
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_replan_with_the_published_roster_changes_only_what_sickness_forces() -> None:
    # Re-solving with the published roster as `previous` and nothing changed keeps it (0
    # changes); with one agent sick on one worked date, that agent-day changes and a
    # colleague with spare capacity takes the shift: one dropped and one added agent-day.
    sc = scenario()
    start = date(2027, 3, 1)
    reqs = day_requirements(sc, start, 1)
    first = solve_roster(roster_inputs(sc, reqs, start, 1), FAST)
    published = first.roster.assign(date_local=[str(d) for d in first.roster["date_local"]])
    again = solve_roster(roster_inputs(sc, reqs, start, 1, previous=published), FAST)
    assert {p.family: p.points for p in again.penalties}["stability"] == 0
    sick_day = first.roster["date_local"].iloc[0]
    sick_agent = first.roster["agent_id"].iloc[0]
    agents = [
        {
            "id": a.id,
            "tier": 1,
            "skills": ["chat/en"],
            "time_off": [str(sick_day)] if a.id == sick_agent else [],
        }
        for a in scenario_agents(sc.sites[0])
    ]
    sick = scenario(headcount=[], agents=agents)
    replanned = solve_roster(roster_inputs(sick, reqs, start, 1, previous=published), FAST)
    weights = Weights()
    points = {p.family: p.points for p in replanned.penalties}["stability"]
    assert points == weights.change + weights.change_added
    assert sick_day not in set(
        replanned.roster.loc[replanned.roster["agent_id"] == sick_agent, "date_local"]
    )


def test_previous_roster_with_an_unknown_site_is_refused() -> None:
    sc = scenario()
    start = date(2027, 3, 1)
    prev = pd.DataFrame(
        {"agent_id": ["ams-t1-01"], "site": ["xyz"], "date_local": ["2027-03-01"], "shift": ["day"]}
    )
    with pytest.raises(InputError, match="unknown site 'xyz'"):
        roster_inputs(sc, day_requirements(sc, start, 1), start, 1, previous=prev)


def test_vendor_from_the_scenario_covers_nights_nobody_in_house_works() -> None:
    # In-house: only the 09:00 day template. Demand 1 head round the clock for one day.
    # A 24x7 BPO at half the in-house hourly cost covers the night intervals.
    data = scenario_data()
    data["sites"][0]["contract"]["shift_templates"] = [
        {"id": "day", "start": "09:00", "hours": 8},
    ]
    data["vendors"] = [
        {
            "id": "bpo",
            "name": "BPO",
            "price": {"kind": "per_hour", "rate": "25"},
            "max_agents": 2,
            "skills": ["chat/en"],
            "coverage": {"kind": "24x7"},
        }
    ]
    sc = Scenario.model_validate(data)
    start = date(2027, 3, 1)
    grid = horizon_grid(sc, start, 1)
    reqs = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "agents_required": 1,
        }
    )
    inp = roster_inputs(sc, reqs, start, 1)
    assert inp.vendors[0].cost_per_interval == pytest.approx(200.0 * 0.5 * 0.25)
    result = solve_roster(inp, FAST)
    assert result.status == "optimal"
    assert result.coverage["shortfall"].sum() == 0
    assert result.coverage["vendor"].sum() > 0


def test_cli_exit_1_when_the_contract_minimum_cannot_hold(tmp_path: Path) -> None:
    # 40 h minimum with 8 paid hours a shift but at most 4 shifts a week: 32 h at most.
    # The report is still written and names the rule, the agent and the week.
    data = scenario_data()
    contract = data["sites"][0]["contract"]
    contract.update(min_hours_week=40, max_shifts_week=4)
    reqs = day_requirements(Scenario.model_validate(data), date(2027, 3, 1), 1)
    out = tmp_path / "out"
    assert main([*roster_command(tmp_path, reqs, "2027-03-01", data), "--time-limit", "5"]) == 1
    report = json.loads((out / "solver.json").read_text())
    assert report["status"] == "infeasible"
    assert any("32 h of the 40 h contract minimum" in line for line in report["binding_rules"])
    assert (out / "roster.csv").exists()


def test_cli_names_the_requirements_file_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = (
        "interval_start,channel,language,tier,agents_required\n2027-03-01T09:00:00Z,chat,en,1,-2\n"
    )
    assert main(roster_command(tmp_path, csv, "2027-03-01")) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'r.csv'}: line 2: agents_required: '-2' is negative" in err


def test_a_vendor_minimum_prepays_hours_prorated_over_the_horizon() -> None:
    # The minimum, prorated to the March dates the grid touches (of 31), buys hours at the
    # vendor's hourly rate; the roster counts them in its grid's intervals.
    data = scenario_data()
    data["vendors"] = [
        {
            "id": "bpo",
            "name": "BPO",
            "price": {"kind": "per_hour", "rate": "25", "minimum_monthly": "3100"},
            "max_agents": 2,
            "skills": ["chat/en"],
            "coverage": {"kind": "24x7"},
        }
    ]
    sc = Scenario.model_validate(data)
    start = date(2027, 3, 8)
    grid = horizon_grid(sc, start, 1)
    dates = {t.date() for t in grid}
    assert all(d.month == 3 for d in dates)
    hours = 3100 * len(dates) / 31 / 25
    inp = roster_inputs(sc, day_requirements(sc, start, 1), start, 1)
    interval_h = sc.planning.interval_minutes / 60
    assert inp.vendors[0].prepaid_intervals == pytest.approx(hours / interval_h)
    data["vendors"][0]["price"] = {"kind": "per_ticket", "rate": "3", "minimum_monthly": "3100"}
    per_ticket = Scenario.model_validate(data)
    assert (
        roster_inputs(per_ticket, day_requirements(sc, start, 1), start, 1)
        .vendors[0]
        .prepaid_intervals
        == 0
    )
