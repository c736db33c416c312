"""Pages over stored data: calendar feeds (token, revocation), publishing, no leaked secrets."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient

from followsun.store import create_store_engine, session_scope
from followsun.store.rosters import latest_roster, save_roster
from followsun.store.users import Role
from tests.webapp.conftest import PASSWORDS, csrf_token
from webapp.views.api import openapi_document

FEED_URL = re.compile(r'<code class="feed-url">http://localhost(/calendar/feed/[^<]+\.ics)</code>')


def roster(agents: int, days: int) -> pd.DataFrame:
    """Amsterdam 09:00-17:00 local over the spring DST change (2027-03-28)."""
    rows = []
    for a in range(agents):
        for d in range(days):
            day = date(2027, 3, 26) + timedelta(days=d)
            start = pd.Timestamp(f"{day.isoformat()} 09:00", tz="Europe/Amsterdam")
            rows.append(
                {
                    "agent_id": f"ams-{a + 1}",
                    "site": "ams",
                    "timezone": "Europe/Amsterdam",
                    "date_local": day.isoformat(),
                    "start_local": "09:00",
                    "end_local": "17:00",
                    "start_utc": start.tz_convert("UTC"),
                    "end_utc": (start + pd.Timedelta(hours=8)).tz_convert("UTC"),
                    "shift": "day",
                    "tier": 1 + a % 2,
                    "skills": "chat/en" if a % 2 else "chat/en;email/nl",
                    "breaks": "",
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def stored(db_url: str) -> int:
    """A saved, unpublished roster of scenario 'ams' (2 agents, 4 days); returns its id."""
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        version = save_roster(session, "ams", roster(2, 4))
    engine.dispose()
    return version.id


def issue_feed(client: FlaskClient, agent: str) -> str:
    token = csrf_token(client, "/rosters/")
    page = client.post(
        "/calendar/", data={"scenario": "ams", "agent_id": agent, "csrf_token": token}
    ).get_data(as_text=True)
    found = FEED_URL.search(page)
    assert found is not None
    return found.group(1)


def test_a_feed_shows_the_agents_published_shifts_until_revoked(
    app: Flask, client_as: Callable[[Role | None], FlaskClient], stored: int
) -> None:
    scheduler = client_as(Role.SCHEDULER)
    path = issue_feed(scheduler, "ams-2")
    anonymous = client_as(None)
    assert anonymous.get(path).status_code == 404  # nothing published yet
    publish = scheduler.post(
        f"/rosters/{stored}/publish", data={"csrf_token": csrf_token(scheduler, "/")}
    )
    assert publish.status_code == 302
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 4
    # 09:00 in Amsterdam on both sides of the DST change: the UTC hour moves from 8 to 7.
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [s.hour for s in starts] == [9, 9, 9, 9]
    assert [s.astimezone(pd.Timestamp(0, tz="UTC").tzinfo).hour for s in starts] == [8, 8, 7, 7]
    assert anonymous.get(path.replace(".ics", "x.ics")).status_code == 404
    assert anonymous.get("/calendar/feed/guess.ics").status_code == 404
    listing = scheduler.get("/calendar/").get_data(as_text=True)
    assert path.rsplit("/", 1)[1].removesuffix(".ics") not in listing  # never shown again
    feed_id = re.search(r"/calendar/(\d+)/revoke", listing)
    assert feed_id is not None
    token = csrf_token(scheduler, "/")
    scheduler.post(f"/calendar/{feed_id.group(1)}/revoke", data={"csrf_token": token})
    assert anonymous.get(path).status_code == 404


def test_publishing_from_the_page_moves_the_published_flag(
    client_as: Callable[[Role | None], FlaskClient], stored: int, db_url: str
) -> None:
    viewer = client_as(Role.VIEWER)
    assert (
        viewer.post(
            f"/rosters/{stored}/publish", data={"csrf_token": csrf_token(viewer, "/")}
        ).status_code
        == 403
    )
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        assert latest_roster(session, "ams", published_only=True) is None
    scheduler = client_as(Role.SCHEDULER)
    scheduler.post(f"/rosters/{stored}/publish", data={"csrf_token": csrf_token(scheduler, "/")})
    with session_scope(engine) as session:
        published = latest_roster(session, "ams", published_only=True)
        assert published is not None and published.id == stored
    engine.dispose()


def test_the_roster_page_filters_by_site_tier_and_skill(
    client_as: Callable[[Role | None], FlaskClient], stored: int
) -> None:
    viewer = client_as(Role.VIEWER)
    everyone = viewer.get(f"/rosters/{stored}").get_data(as_text=True)
    assert "2 agents, 8 shifts" in everyone
    by_skill = viewer.get(f"/rosters/{stored}?skill=email/nl").get_data(as_text=True)
    assert "1 agents, 4 shifts" in by_skill
    by_tier = viewer.get(f"/rosters/{stored}?tier=2&time=utc").get_data(as_text=True)
    assert "1 agents, 4 shifts" in by_tier
    nobody = viewer.get(f"/rosters/{stored}?site=tpe").get_data(as_text=True)
    assert "0 agents, 0 shifts" in nobody


def test_no_page_shows_a_credential(
    app: Flask,
    client_as: Callable[[Role | None], FlaskClient],
    stored: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "zd-token-that-must-never-show"
    monkeypatch.setenv("FOLLOWSUN_SOURCES_FILE", str(tmp_path / "sources.json"))
    monkeypatch.setenv("ZENDESK_TOKEN", secret)
    admin = client_as(Role.ADMIN)
    form = {
        "name": "zd",
        "kind": "zendesk",
        "url": "https://example.zendesk.com",
        "secret_env": "ZENDESK_TOKEN",
        "email": "ops@example.com",
        "csrf_token": csrf_token(admin, "/"),
    }
    assert admin.post("/imports/sources", data=form).status_code == 303
    assert secret not in (tmp_path / "sources.json").read_text()
    issue_feed(admin, "ams-1")
    pages = ["/", "/imports/", "/users/", "/calendar/", f"/rosters/{stored}", "/api/jobs"]
    pages += ["/api/rosters", "/api/runs", "/scenarios/", "/plans/", "/jobs/"]
    imports_page = admin.get("/imports/").get_data(as_text=True)
    assert "ZENDESK_TOKEN" in imports_page  # the variable's name is shown, its value never
    for page in pages:
        body = admin.get(page).get_data(as_text=True)
        assert secret not in body, page
        assert "scrypt:" not in body and "pbkdf2:" not in body, page
        assert PASSWORDS[Role.ADMIN] not in body, page
        assert "test-secret" not in body, page


def test_the_openapi_document_describes_every_api_route_with_its_role(app: Flask) -> None:
    document = openapi_document()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            assert operation["x-role"] == view.required_role.value, (path, method)


def test_the_openapi_document_is_served_to_viewers(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    response = client_as(Role.VIEWER).get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


@pytest.mark.parametrize(("in_utc", "hours"), [(False, [9, 9, 9, 9]), (True, [8, 8, 7, 7])])
def test_the_timeline_keeps_local_wall_time_across_dst(in_utc: bool, hours: list[int]) -> None:
    from followsun.report import roster_figure

    fig, left_out = roster_figure(roster(1, 4), in_utc=in_utc)
    assert fig is not None and left_out == 0
    bases = sorted(pd.Timestamp(b) for trace in fig.data for b in trace.base)
    assert [b.hour for b in bases] == hours


def test_job_parameters_never_reach_a_page(
    client_as: Callable[[Role | None], FlaskClient], db_url: str
) -> None:
    from followsun.store.jobs import create_job

    url = "postgresql://planner:db-password-secret@db.example/followsun"
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        job_id = create_job(session, "plan", "x:y", {"database_url": url}).id
    engine.dispose()
    viewer = client_as(Role.VIEWER)
    for page in ("/api/jobs", f"/api/jobs/{job_id}", f"/jobs/{job_id}", "/jobs/", "/"):
        response = viewer.get(page)
        assert response.status_code == 200, page
        assert "db-password-secret" not in response.get_data(as_text=True), page


def test_the_compare_page_lists_stored_comparisons_with_their_verdict(
    db_url: str, client_as: Callable[[Role | None], FlaskClient]
) -> None:
    from followsun.store import finish_run, record_run, save_comparison
    from followsun.store.runs import RunStatus

    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        run = record_run(session, "compare", "h")
        csv = "scenario,total_cost,total_cost_delta,sla_overall,targets_met\n"
        csv += "ref,58756,0,0.894,False\n24x7-bpo,61982,3226,0.849,False\n"
        save_comparison(session, run.id, ["ref", "24x7-bpo"], ["<b>bpo</b> costs 5% more."], csv)
        finish_run(session, run.id, RunStatus.SUCCEEDED)
    engine.dispose()
    page = client_as(Role.VIEWER).get("/plans/compare").get_data(as_text=True)
    assert f"Run {run.id}" in page
    assert "&lt;b&gt;bpo&lt;/b&gt; costs 5% more." in page  # escaped
    assert "24x7-bpo" in page and "61,982" in page and "0.849" in page
