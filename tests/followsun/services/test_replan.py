"""Re-planning a stored version from the store alone: what it refuses, and the agents it stores."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from followsun.services.replan import ReplanRequest, replan_version, store_version_agents
from followsun.services.versions import VersionRef
from followsun.store import session_scope
from followsun.store.people import list_people
from followsun.store.rosters import publish_roster, save_roster
from followsun.store.runs import record_run, save_scenario
from forecasting.errors import InputError
from tests.scenarios.test_rostering import scenario_data
from tests.webapp.test_calendar_and_data import roster


def url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_version_without_a_recorded_run_or_not_published_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        orphan = save_roster(session, "ams", roster(1, 2))
        publish_roster(session, orphan.id)
        stored = save_scenario(session, "tiny", yaml.safe_dump(scenario_data()))
        run = record_run(session, "demo", "h", stored.id)
        save_roster(session, "tiny", roster(1, 2), run_id=run.id)
    with pytest.raises(InputError, match="not made by a recorded plan"):
        replan_version(ReplanRequest("ams", 1, tmp_path / "out", database_url=url(engine)))
    with pytest.raises(InputError, match="not published"):
        replan_version(ReplanRequest("tiny", 1, tmp_path / "out", database_url=url(engine)))
    with pytest.raises(InputError, match="versions stored: 1"):
        replan_version(ReplanRequest("tiny", 7, tmp_path / "out", database_url=url(engine)))
    assert not (tmp_path / "out").exists()


def test_storing_a_versions_agents_gives_each_headcount_agent_its_roster_id(
    engine: Engine,
) -> None:
    data = scenario_data()
    data["sites"][0]["headcount"] = [
        {"tier": 1, "count": 2, "skills": ["chat/en"]},
        {"tier": 2, "count": 1, "skills": ["chat/en", "email/en"]},
    ]
    with session_scope(engine) as session:
        stored = save_scenario(session, "tiny", yaml.safe_dump(data))
        run = record_run(session, "demo", "h", stored.id)
        save_roster(session, "tiny", roster(1, 2), run_id=run.id)
    counts = store_version_agents(VersionRef("tiny", 1), url(engine))
    assert (counts.added, counts.updated) == (3, 0)
    with session_scope(engine) as session:
        people = list_people(session)
    assert [(p.agent_id, p.site, p.tier) for p in people] == [
        ("ams-t1-01", "ams", 1),
        ("ams-t1-02", "ams", 1),
        ("ams-t2-01", "ams", 2),
    ]
    assert people[2].skills == ("chat/en", "email/en")
    again = store_version_agents(VersionRef("tiny", 1), url(engine))
    assert (again.added, again.updated) == (0, 3)
