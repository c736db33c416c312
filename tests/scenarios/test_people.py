"""Stored people on a scenario: they replace a site's headcount; an absence is one agent's time off only."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from planner.roster import SolveSettings, solve_roster
from scenarios.people import Absence, Person, check_absence, scenario_agent_ids, with_people
from scenarios.rostering import roster_inputs, scenario_agents
from tests.scenarios.test_rostering import day_requirements, scenario, scenario_data

MONDAY = date(2027, 5, 3)
PEOPLE = [Person(f"p{i}", f"P{i}", "ams", 1, ("chat/en",)) for i in range(1, 4)]


def options_by_agent(absences: list[Absence]) -> dict[str, set[tuple]]:
    sc = with_people(scenario(), PEOPLE, absences, MONDAY, 14)
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 2), MONDAY, 2)
    out: dict[str, set[tuple]] = {a.agent_id: set() for a in inputs.agents}
    for o in inputs.options:
        out[o.agent_id].add((o.date_local, o.template, o.breaks_local))
    return out


def test_stored_people_replace_the_headcount_of_their_site_only() -> None:
    sc = with_people(scenario(), PEOPLE, [], MONDAY, 7)
    assert [a.id for a in scenario_agents(sc.sites[0])] == ["p1", "p2", "p3"]
    assert scenario_agents(with_people(scenario(), [], [], MONDAY, 7).sites[0])[0].id == "ams-t1-01"
    with pytest.raises(InputError, match="site"):
        with_people(scenario(), [Person("x", "X", "nowhere", 1, ("chat/en",))], [], MONDAY, 7)


@settings(max_examples=15, deadline=None)
@given(first=st.integers(0, 13), length=st.integers(1, 5), who=st.sampled_from(["p1", "p2", "p3"]))
def test_an_absence_removes_that_agents_shifts_on_its_days_and_nothing_else(
    first: int, length: int, who: str
) -> None:
    start = MONDAY + timedelta(days=first)
    absence = Absence(who, "sick", start, start + timedelta(days=length - 1))
    before, after = options_by_agent([]), options_by_agent([absence])
    away = set(absence.dates())
    for agent_id in before:
        expected = {o for o in before[agent_id] if agent_id != who or o[0] not in away}
        assert after[agent_id] == expected


def test_start_and_end_dates_bound_a_persons_shifts_and_the_solver_honours_absence() -> None:
    people = [
        Person("p1", "P1", "ams", 1, ("chat/en",), start_date=MONDAY + timedelta(days=2)),
        Person("p2", "P2", "ams", 1, ("chat/en",), end_date=MONDAY + timedelta(days=3)),
        Person("p3", "P3", "ams", 1, ("chat/en",)),
    ]
    sick = Absence("p3", "sick", MONDAY, MONDAY + timedelta(days=1))
    sc = with_people(scenario(), people, [sick], MONDAY, 7)
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 1), MONDAY, 1)
    roster = solve_roster(inputs, SolveSettings(time_limit_s=4, num_workers=2, seed=1)).roster
    worked = {(r.agent_id, r.date_local) for r in roster.itertuples()}
    assert not {d for a, d in worked if a == "p1"} & {MONDAY, MONDAY + timedelta(days=1)}
    assert all(d <= MONDAY + timedelta(days=3) for a, d in worked if a == "p2")
    assert not {d for a, d in worked if a == "p3"} & set(sick.dates())


def test_overlapping_absences_are_refused_touching_ones_are_not() -> None:
    held = [Absence("p1", "leave", MONDAY, MONDAY + timedelta(days=4), absence_id=7)]
    check_absence(
        Absence("p1", "sick", MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)), held
    )
    check_absence(Absence("p2", "sick", MONDAY, MONDAY), held)
    with pytest.raises(InputError, match="absence 7"):
        check_absence(
            Absence("p1", "sick", MONDAY + timedelta(days=4), MONDAY + timedelta(days=6)), held
        )


def test_validate_counts_the_agents_a_roster_holds_and_says_named_ones_replace_headcount(
    tmp_path: Path,
) -> None:
    from followsun.services.validate import validate_scenarios

    data = scenario_data(agents=[{"id": "solo", "tier": 1, "skills": ["chat/en"]}])
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    (check,) = validate_scenarios([path])
    assert check.agents == 1  # the roster holds the one named agent, not headcount 3 + 1
    assert check.notes == ("site ams: its 1 named agents replace its headcount of 3",)


def headcount_options(absences: list[Absence]) -> dict[str, set[tuple]]:
    """Options per agent of the headcount scenario (no stored people) with `absences`."""
    sc = with_people(scenario(), [], absences, MONDAY, 14)
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 2), MONDAY, 2)
    out: dict[str, set[tuple]] = {a.agent_id: set() for a in inputs.agents}
    for o in inputs.options:
        out[o.agent_id].add((o.date_local, o.template, o.breaks_local))
    return out


@settings(max_examples=15, deadline=None)
@given(
    first=st.integers(0, 13),
    length=st.integers(1, 5),
    who=st.sampled_from(["ams-t1-01", "ams-t1-02", "ams-t1-03"]),
)
def test_an_absence_of_an_agent_generated_from_headcount_is_their_time_off_only(
    first: int, length: int, who: str
) -> None:
    start = MONDAY + timedelta(days=first)
    absence = Absence(who, "leave", start, start + timedelta(days=length - 1))
    before, after = headcount_options([]), headcount_options([absence])
    assert set(after) == set(before) == scenario_agent_ids(scenario())
    away = set(absence.dates())
    for agent_id in before:
        expected = {o for o in before[agent_id] if agent_id != who or o[0] not in away}
        assert after[agent_id] == expected


def test_the_solver_honours_an_absence_of_a_headcount_agent() -> None:
    sick = Absence("ams-t1-02", "sick", MONDAY, MONDAY + timedelta(days=2))
    sc = with_people(scenario(), [], [sick], MONDAY, 7)
    # Demand for all three on every day: without the absence ams-t1-02 would work then.
    inputs = roster_inputs(sc, day_requirements(sc, MONDAY, 1, heads=3), MONDAY, 1)
    roster = solve_roster(inputs, SolveSettings(time_limit_s=4, num_workers=2, seed=1)).roster
    worked = {(r.agent_id, r.date_local) for r in roster.itertuples()}
    assert not {d for a, d in worked if a == "ams-t1-02"} & set(sick.dates())
    assert {a for a, _d in worked} == {"ams-t1-01", "ams-t1-02", "ams-t1-03"}
