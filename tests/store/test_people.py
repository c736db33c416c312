"""Agents and absences in the store: import, update, absences refused when bad, nothing half-stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from followsun.cli import main
from followsun.services import people as service
from followsun.store import session_scope
from followsun.store.people import (
    add_absence,
    list_absences,
    list_people,
    remove_absence,
    save_people,
)
from forecasting.errors import InputError
from scenarios.people import Absence, Person

ANN = Person("a1", "Ann", "ams", 1, ("chat/en", "email/en"), None, date(2027, 1, 1), None, ("sat",))
BOB = Person("a2", "Bob", "ams", 2, ("chat/en",), wish_weight=2.0)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_agents_round_trip_and_update_in_place(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert save_people(session, [ANN, BOB]) == (2, 0)
    moved = Person(**{**ANN.__dict__, "site": "sjc", "tier": 2})
    with session_scope(engine) as session:
        assert save_people(session, [moved]) == (0, 1)
        assert list_people(session) == [moved, BOB]
        assert list_people(session, site="ams") == [BOB]


def test_an_absence_is_stored_and_removed(engine: Engine) -> None:
    with session_scope(engine) as session:
        save_people(session, [ANN, BOB])
        stored = add_absence(session, Absence("a1", "sick", date(2027, 1, 4), date(2027, 1, 5)))
        add_absence(session, Absence("a1", "leave", date(2027, 1, 6), date(2027, 1, 9)))
        add_absence(session, Absence("a2", "sick", date(2027, 1, 4), date(2027, 1, 5)))
    with session_scope(engine) as session:
        assert [a.kind for a in list_absences(session, "a1")] == ["sick", "leave"]
        assert stored.absence_id is not None
        assert remove_absence(session, stored.absence_id) == stored
        assert [a.kind for a in list_absences(session)] == ["leave", "sick"]


@pytest.mark.parametrize(
    ("absence", "message"),
    [
        (Absence("zz", "sick", date(2027, 1, 4), date(2027, 1, 5)), "unknown agent 'zz'"),
        (Absence("a1", "leave", date(2027, 1, 5), date(2027, 1, 7)), "overlaps their sick"),
        (Absence("a1", "leave", date(2027, 1, 1), date(2027, 1, 4)), "overlaps their sick"),
        (Absence("a1", "holiday", date(2027, 2, 1), date(2027, 2, 2)), "not one of sick"),
        (Absence("a1", "sick", date(2027, 2, 2), date(2027, 2, 1)), "before --from"),
    ],
)
def test_a_bad_absence_names_the_problem_and_changes_nothing(
    engine: Engine, absence: Absence, message: str
) -> None:
    url = url_of(engine)
    with session_scope(engine) as session:
        save_people(session, [ANN])
        add_absence(session, Absence("a1", "sick", date(2027, 1, 4), date(2027, 1, 5)))
    with pytest.raises(InputError, match=message):
        service.add_absence(absence.agent_id, absence.first, absence.last, absence.kind, url)
    assert [(a.kind, a.first) for a in service.list_absences(database_url=url)] == [
        ("sick", date(2027, 1, 4))
    ]


def test_agents_csv_import_export_round_trip_and_bad_rows_named(
    engine: Engine, tmp_path: Path
) -> None:
    url = url_of(engine)
    source = tmp_path / "agents.csv"
    source.write_text(
        "agent_id,name,site,tier,skills,contract,start_date,end_date,days_off,preferred_shifts,wish_weight\n"
        "a1,Ann,ams,1,chat/en;email/en,,2027-01-01,,sat,,1\n"
        "a2,Bob,ams,2,chat/en,,,,,,2\n"
    )
    assert service.import_agents(source, url) == service.ImportCounts(2, 0)
    assert service.list_agents(database_url=url) == [ANN, BOB]
    copy = tmp_path / "copy.csv"
    assert service.export_agents(copy, url) == 2
    assert service.read_agents(copy) == [ANN, BOB]
    bad = tmp_path / "bad.csv"
    bad.write_text("agent_id,site,tier,skills\na3,ams,4,chat/en\na4,ams,1,chat\n")
    with pytest.raises(InputError) as caught:
        service.import_agents(bad, url)
    assert any("line 2" in p and "tier" in p for p in caught.value.problems)
    assert any("line 3" in p and "skills" in p for p in caught.value.problems)
    assert len(service.list_agents(database_url=url)) == 2


def test_the_absence_command_exits_2_on_an_unknown_agent(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", url_of(engine))
    args = ["absence", "add", "--agent", "nobody", "--from", "2027-01-04", "--to", "2027-01-05"]
    assert main([*args, "--kind", "sick"]) == 2
    assert "unknown agent 'nobody'" in capsys.readouterr().err


def test_an_agent_generated_from_headcount_may_be_absent_given_its_scenario(
    engine: Engine, tmp_path: Path
) -> None:
    import yaml

    from tests.scenarios.test_rostering import scenario_data

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario_data()))
    url = url_of(engine)
    monday = date(2027, 5, 3)
    with pytest.raises(InputError, match="--scenario"):
        service.add_absence("ams-t1-02", monday, monday, "sick", url)
    added = service.add_absence("ams-t1-02", monday, monday, "sick", url, scenario=path)
    assert added.absence_id is not None
    with pytest.raises(InputError, match="unknown agent 'ams-t1-04'"):
        service.add_absence("ams-t1-04", monday, monday, "sick", url, scenario=path)
    with pytest.raises(InputError, match="overlaps"):
        service.add_absence("ams-t1-02", monday, monday, "leave", url, scenario=path)
    assert [a.agent_id for a in service.list_absences(database_url=url)] == ["ams-t1-02"]
