"""The scheduling pages: agents, absences, re-plan with a freeze, versions and diff, my shifts.

A "planned" tiny organisation (3 chat agents in Amsterdam from headcount, one week) is
stored as a plan run would store it, so the re-plan reads its scenario and requirements
from the store exactly as it does for the sample organisation.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pandas as pd
import pytest
import yaml
from flask.testing import FlaskClient

from followsun.services.roster import RosterRequest, solve_and_publish
from followsun.store import create_store_engine, session_scope
from followsun.store.people import list_absences, list_people
from followsun.store.rosters import publish_roster, roster_frame, roster_versions, save_roster
from followsun.store.runs import record_run, save_requirements, save_scenario
from followsun.store.users import Role
from tests.scenarios.test_rostering import day_requirements, scenario, scenario_data
from tests.webapp.conftest import csrf_token

MONDAY = date(2027, 5, 3)
SICK_FROM, SICK_TO = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)
JOB_SECONDS = 300


def _db(db_url: str) -> Callable[..., object]:
    def run(work: Callable[..., object]) -> object:
        engine = create_store_engine(db_url)
        try:
            with session_scope(engine) as session:
                return work(session)
        finally:
            engine.dispose()

    return run


@pytest.fixture
def planned(db_url: str, tmp_path: Path) -> int:
    """Version 1 of 'tiny', published, made by a recorded run; returns its roster id."""
    text = yaml.safe_dump(scenario_data())
    requirements = day_requirements(scenario(), MONDAY, 1).assign(method="erlang_c")
    (tmp_path / "s.yaml").write_text(text)
    requirements.to_csv(tmp_path / "r.csv", index=False)
    run = solve_and_publish(
        RosterRequest(
            scenario=tmp_path / "s.yaml",
            requirements=tmp_path / "r.csv",
            start=MONDAY,
            weeks=1,
            out=tmp_path / "v1",
            time_limit_s=4,
            database_url=db_url,
        )
    )
    assert run.result.solved

    def store(session: object) -> int:
        stored = save_scenario(session, "tiny", text)
        made = record_run(session, "demo", "h", stored.id)
        save_requirements(session, made.id, requirements)
        version = save_roster(session, "tiny", run.result.roster, run_id=made.id)
        return publish_roster(session, version.id).id

    return int(_db(db_url)(store))


def post(client: FlaskClient, path: str, data: dict[str, str]) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/")})


def wait_for_job(client: FlaskClient, job_id: int) -> dict:
    deadline = time.monotonic() + JOB_SECONDS
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").get_json()
        if job["state"] in ("done", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not end")


@pytest.mark.slow
def test_store_agents_mark_one_sick_replan_see_the_changes_publish_and_subscribe(
    client_as: Callable[[Role | None], FlaskClient], db_url: str, planned: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    assert post(scheduler, "/agents/from-roster", {"version": "tiny@1"}).status_code == 303
    agents_page = scheduler.get("/agents/").get_data(as_text=True)
    assert "ams-t1-01" in agents_page and "chat/en" in agents_page
    first = _db(db_url)(lambda s: roster_frame(s, planned))
    assert isinstance(first, pd.DataFrame)
    on_sick_day = set(first[first["date_local"].astype(str) == str(SICK_FROM)]["agent_id"])
    with_frozen = set(first[first["date_local"].astype(str) < str(SICK_FROM)]["agent_id"])
    # Someone with a shift before the freeze keeps it, so their calendar cannot be empty.
    sick = str(min(on_sick_day & with_frozen or on_sick_day))
    form = {"agent": sick, "from": str(SICK_FROM), "to": str(SICK_TO), "kind": "sick"}
    assert post(scheduler, "/absences/", form).status_code == 303
    roster_page = scheduler.get(f"/rosters/{planned}").get_data(as_text=True)
    assert re.search(rf"<td>{sick}</td><td>sick</td><td>{SICK_FROM}</td>", roster_page)
    assert "absent: sick" in roster_page  # drawn on the timeline too

    response = post(
        scheduler,
        f"/versions/{planned}/replan",
        {"freeze_until": str(SICK_FROM), "time_limit_s": "4"},
    )
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    job = wait_for_job(scheduler, job_id)
    assert job["state"] == "done", job
    result = job["result"]
    assert result["version"] == 2 and result["previous_version"] == 1
    job_page = scheduler.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "See the" in job_page and "/versions/diff" in job_page

    versions = _db(db_url)(lambda s: roster_versions(s, "tiny"))
    assert [(v.version, v.published) for v in versions] == [(1, True), (2, False)]
    second = _db(db_url)(lambda s: roster_frame(s, versions[1].id))
    assert isinstance(second, pd.DataFrame)
    days = second["date_local"].astype(str)
    assert not ((second["agent_id"] == sick) & days.isin([str(SICK_FROM), str(SICK_TO)])).any()
    kept = ["agent_id", "date_local", "shift", "start_utc"]
    before = first[first["date_local"].astype(str) < str(SICK_FROM)]
    after = second[days < str(SICK_FROM)]
    assert sorted(map(tuple, before[kept].astype(str).values)) == sorted(
        map(tuple, after[kept].astype(str).values)
    )

    diff = scheduler.get("/versions/diff?scenario=tiny&from=1&to=2").get_data(as_text=True)
    assert f"<h2>{sick}</h2>" in diff and "removed" in diff
    assert "Publish version 2" in diff
    api_diff = scheduler.get("/api/versions/diff?scenario=tiny&from=1&to=2").get_json()
    assert any(
        r["agent_id"] == sick and r["date_local"] == str(SICK_FROM) and r["change"] == "removed"
        for r in api_diff
    )
    assert post(scheduler, f"/rosters/{versions[1].id}/publish", {}).status_code == 302
    published = scheduler.get("/api/versions?scenario=tiny").get_json()
    assert [v["version"] for v in published if v["published"]] == [2]

    issued = post(scheduler, "/calendar/", {"scenario": "tiny", "agent_id": sick})
    page = issued.get_data(as_text=True)
    my_url = re.search(r'<code class="my-shifts-url">http://localhost([^<]+)</code>', page)
    assert my_url is not None
    anonymous = client_as(None)
    mine = anonymous.get(my_url.group(1)).get_data(as_text=True)
    assert f"Shifts of {sick}" in mine and "published version 2" in mine
    feed = re.search(r'<code class="feed-url">http://localhost([^<]+)</code>', mine)
    assert feed is not None
    ics = anonymous.get(feed.group(1))
    assert ics.status_code == 200 and ics.data.startswith(b"BEGIN:VCALENDAR")
    calendar = icalendar.Calendar.from_ical(ics.data)
    working = {str(e.decoded("dtstart"))[:10] for e in calendar.walk("VEVENT")}
    assert working == set(second[second["agent_id"] == sick]["date_local"].astype(str).str[:10])
    assert str(SICK_FROM) not in working


def test_bad_absences_are_shown_beside_their_field_and_store_nothing(
    client_as: Callable[[Role | None], FlaskClient], db_url: str, planned: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    post(scheduler, "/agents/from-roster", {"version": "tiny@1"})
    good = {"agent": "ams-t1-01", "from": "2027-05-05", "to": "2027-05-06", "kind": "leave"}
    assert post(scheduler, "/absences/", good).status_code == 303
    cases = {
        "agent": {**good, "agent": "nobody"},
        "to": {**good, "from": "2027-05-09", "to": "2027-05-08"},
        "from": {**good, "from": "2027-05-06", "to": "2027-05-07"},  # overlaps the leave
        "kind": {**good, "from": "2027-06-01", "to": "2027-06-01", "kind": "holiday"},
    }
    for field, form in cases.items():
        response = post(scheduler, "/absences/", form)
        assert response.status_code == 400, field
        page = response.get_data(as_text=True)
        assert f'class="problem" data-field="{field}"' in page, field
    bad_date = post(scheduler, "/absences/", {**good, "from": "05/05/2027"})
    assert 'data-field="from">a date YYYY-MM-DD' in bad_date.get_data(as_text=True)
    api = scheduler.post(
        "/api/absences", json=cases["agent"], headers={"X-CSRFToken": csrf_token(scheduler, "/")}
    )
    assert api.status_code == 400 and "agent" in api.get_json()["fields"]
    stored = _db(db_url)(lambda s: list_absences(s))
    assert [(a.agent_id, a.kind) for a in stored] == [("ams-t1-01", "leave")]


def test_a_bad_agents_csv_names_its_line_and_stores_nothing(
    client_as: Callable[[Role | None], FlaskClient], db_url: str
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    text = "agent_id,name,site,tier,skills\nann,Ann,ams,1,chat/en\nbob,Bob,ams,7,chat/en\n"
    response = scheduler.post(
        "/agents/import",
        data={
            "file": (io.BytesIO(text.encode()), "agents.csv"),
            "csrf_token": csrf_token(scheduler, "/"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "line 3: tier &#39;7&#39; is not 1, 2 or 3" in response.get_data(as_text=True)
    assert _db(db_url)(lambda s: list_people(s)) == []
    good = text.replace(",7,", ",2,")
    response = scheduler.post(
        "/agents/import",
        data={
            "file": (io.BytesIO(good.encode()), "agents.csv"),
            "csrf_token": csrf_token(scheduler, "/"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert [p["agent_id"] for p in scheduler.get("/api/agents").get_json()] == ["ann", "bob"]


def test_a_bad_replan_form_shows_its_errors_and_starts_no_job(
    client_as: Callable[[Role | None], FlaskClient], db_url: str, planned: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    response = post(
        scheduler, f"/versions/{planned}/replan", {"freeze_until": "soon", "time_limit_s": "0"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-field="freeze_until"' in page and 'data-field="time_limit_s"' in page
    assert scheduler.get("/api/jobs").get_json() == []
    token = csrf_token(scheduler, "/")
    api = scheduler.post(
        f"/api/versions/{planned}/replan",
        json={"time_limit_s": 9999},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 400 and "time_limit_s" in api.get_json()["fields"]
    assert scheduler.get("/api/jobs").get_json() == []
    assert post(scheduler, "/versions/999/replan", {}).status_code == 404


def test_versions_list_filters_by_period_and_exports_a_zip(
    client_as: Callable[[Role | None], FlaskClient], planned: int
) -> None:
    viewer = client_as(Role.VIEWER)
    page = viewer.get("/versions/").get_data(as_text=True)
    assert "tiny" in page and f"{MONDAY} – {MONDAY + timedelta(days=6)}" in page
    assert "re-plan" not in page  # a viewer is not offered it
    roster_page = viewer.get(f"/rosters/{planned}")
    assert roster_page.status_code == 200 and "Re-plan" not in roster_page.get_data(as_text=True)
    later = viewer.get("/versions/?from=2028-01-01").get_data(as_text=True)
    assert "No version matches." in later
    export = viewer.get(f"/versions/{planned}/export")
    assert export.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(export.data)).namelist()
    assert "roster.csv" in names and any(n.startswith("ics/") for n in names)


def test_my_shifts_with_a_wrong_or_revoked_token_is_not_found(
    client_as: Callable[[Role | None], FlaskClient], planned: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    anonymous = client_as(None)
    assert anonymous.get("/my/not-a-token").status_code == 404
    page = post(scheduler, "/calendar/", {"scenario": "tiny", "agent_id": "ams-t1-01"})
    found = re.search(r'my-shifts-url">http://localhost([^<]+)<', page.get_data(as_text=True))
    assert found is not None
    assert anonymous.get(found.group(1)).status_code == 200
    feeds = scheduler.get("/calendar/").get_data(as_text=True)
    feed_id = re.search(r"/calendar/(\d+)/revoke", feeds)
    assert feed_id is not None
    post(scheduler, f"/calendar/{feed_id.group(1)}/revoke", {})
    assert anonymous.get(found.group(1)).status_code == 404


def test_an_absence_without_its_csrf_token_or_from_a_viewer_stores_nothing(
    client_as: Callable[[Role | None], FlaskClient], db_url: str, planned: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    post(scheduler, "/agents/from-roster", {"version": "tiny@1"})
    form = {"agent": "ams-t1-01", "from": "2027-05-05", "to": "2027-05-05", "kind": "sick"}
    assert scheduler.post("/absences/", data=form).status_code == 400
    assert post(client_as(Role.VIEWER), "/absences/", form).status_code == 403
    assert _db(db_url)(lambda s: list_absences(s)) == []


@pytest.mark.parametrize("in_utc", [False, True])
def test_an_absence_is_drawn_over_its_whole_local_days_across_a_dst_change(in_utc: bool) -> None:
    from followsun.report import roster_figure
    from scenarios.people import Absence
    from tests.webapp.test_calendar_and_data import roster
    from webapp.absence_chart import draw_absences

    shifts = roster(2, 4)  # Amsterdam, 2027-03-26..29: clocks go forward on the 28th
    fig, _left_out = roster_figure(shifts, in_utc=in_utc)
    sick = Absence("ams-2", "sick", date(2027, 3, 28), date(2027, 3, 28))
    away = Absence("nobody", "leave", date(2027, 3, 28), date(2027, 3, 28))
    draw_absences(fig, [sick, away], shifts, in_utc)
    bars = [t for t in fig.data if t.name.startswith("absent")]
    assert [t.name for t in bars] == ["absent: sick"]
    hours = bars[0].x[0] / 3_600_000
    start = pd.Timestamp(bars[0].base[0])
    if in_utc:
        assert hours == 23 and start == pd.Timestamp("2027-03-27 23:00")
    else:
        assert hours == 24 and start == pd.Timestamp("2027-03-28 00:00")
    labels = list(fig.layout.yaxis.ticktext)
    row = [
        v for label, v in zip(labels, fig.layout.yaxis.tickvals, strict=True) if "ams-2" in label
    ]
    assert list(bars[0].y) == row
