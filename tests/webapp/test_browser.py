"""The main flows in a real browser: Debian's chromium driven by Playwright.

Skipped, with the reason, when Playwright or a chromium executable is absent. With
FOLLOWSUN_SCREENSHOTS set to a folder, a screenshot of each page is written there
(docs/webapp/ holds the committed ones).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from flask import Flask

from followsun.services.accounts import add_user
from followsun.services.plan import next_monday
from followsun.store.users import Role
from tests.db_fixtures import sqlite_url
from tests.webapp.conftest import PASSWORDS

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("FOLLOWSUN_CHROMIUM") or shutil.which("chromium")
SCREENSHOTS_ENV = "FOLLOWSUN_SCREENSHOTS"
JOB_TIMEOUT_MS = 600_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app under waitress on a free loopback port (plain HTTP, so cookies are not Secure).

    On SQLite only: the flows are the same on every store, and the store tests cover both.
    """
    waitress_server = pytest.importorskip("waitress.server")
    from webapp import create_app

    db_url = sqlite_url(tmp_path)
    for role in Role:
        add_user(role.value, role.value, PASSWORDS[role], db_url)
    app: Flask = create_app(
        {
            "SECRET_KEY": "browser-test",
            "DATABASE_URL": db_url,
            "OUTPUT_DIR": str(tmp_path / "out"),
            "SESSION_COOKIE_SECURE": False,
        }
    )
    server = waitress_server.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        app.extensions["followsun_engine"].dispose()


def test_log_in_plan_compare_publish_and_subscribe(server: str, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("no chromium executable (apt-get install -y chromium)")
    shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})

        def shot(name: str) -> None:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        page.goto(f"{server}/")
        assert "/login" in page.url
        shot("login")
        page.fill("input[name=username]", "scheduler")
        page.fill("input[name=password]", PASSWORDS[Role.SCHEDULER])
        page.click("button[type=submit]")
        assert page.url.rstrip("/") == server
        shot("dashboard-empty")

        for scenario in ("example:reference", "example:24x7-amsterdam"):
            page.goto(f"{server}/plans/")
            page.select_option("select[name=scenario]", scenario)
            page.fill("input[name=time_limit_s]", "5")
            page.click("form.card button[type=submit]")
            assert "/jobs/" in page.url
            shot("job")
            # The page polls the API and reloads when the job ends.
            page.wait_for_selector("text=Result", timeout=JOB_TIMEOUT_MS)
            assert "done" in page.inner_text("#job")

        page.goto(f"{server}/plans/compare")
        page.wait_for_selector(".chart .main-svg")
        assert "cheapest" in page.inner_text(".verdict")
        shot("compare")

        page.goto(f"{server}/")
        page.wait_for_selector(".chart .main-svg")
        shot("dashboard")
        page.goto(f"{server}/forecast/")
        page.wait_for_selector(".chart .main-svg")
        shot("forecast")
        page.goto(f"{server}/scenarios/")
        page.fill("input[name='f.sites.0.timezone']", "Mars/Base")
        page.click(".actions button:has-text('Check')")
        assert page.locator(".field.bad").count() >= 1
        page.screenshot(path=str(shots / "scenario-form.png"))  # the form is long: its top
        page.goto(f"{server}/scenarios/?view=yaml")
        page.fill("textarea[name=text]", "extends: reference.yaml\nname: wrong\nsites: 3\n")
        page.click("button:has-text('Check')")
        assert page.locator("tr.bad").count() >= 1
        shot("scenario-editor")

        page.goto(f"{server}/rosters/")
        page.click("table a >> nth=0")
        page.wait_for_selector(".chart .main-svg")
        shot("roster")
        page.click("text=Publish this version")
        assert page.locator(".badge", has_text="published").count() == 1
        page.click("button:has-text('Issue feed URL')")
        feed_url = page.inner_text("code.feed-url")
        shot("calendar")
        feed = page.request.get(feed_url)
        assert feed.status == 200
        assert feed.body().startswith(b"BEGIN:VCALENDAR")

        mark_sick_replan_publish_and_subscribe(page, server, shot)

        page.goto(f"{server}/imports/")
        shot("imports")
        page.goto(f"{server}/jobs/")
        shot("jobs")
        browser.close()


def mark_sick_replan_publish_and_subscribe(page: Any, server: str, shot: Any) -> None:
    """The sample organisation's roster: publish, store its agents, mark one sick, re-plan,
    see the changes, publish them, open the agent's page and download their calendar."""
    page.goto(f"{server}/rosters/")
    page.locator("h2:has-text('reference') + table a").first.click()
    page.click("text=Publish this version")
    heading = page.inner_text("h1")
    scenario, version = heading.split(" · version ")[0], heading.split(" · version ")[1].split()[0]
    roster_url = page.url

    page.goto(f"{server}/agents/")
    page.select_option("select[name=version]", f"{scenario}@{version}")
    page.click("button:has-text('Store agents')")
    assert page.locator("table.agents tr").count() > 2
    shot("agents")

    start = next_monday(datetime.now(UTC).date())
    sick_from, sick_to = start + timedelta(days=2), start + timedelta(days=3)
    roster_id = published_id(page, server, scenario)
    rows = page.request.get(f"{server}/api/rosters/{roster_id}/shifts").json()
    sick = next(r["agent_id"] for r in rows if r["date_local"] == str(sick_from))

    page.goto(f"{server}/absences/")
    form = "form.absence-form"
    page.select_option(f"{form} select[name=agent]", sick)
    page.fill(f"{form} input[name=from]", str(sick_from))
    page.fill(f"{form} input[name=to]", str(sick_to))
    page.select_option(f"{form} select[name=kind]", "sick")
    page.click(f"{form} button[type=submit]")
    assert page.locator("table.absences td", has_text=sick).count() >= 1
    # The same dates again overlap: refused beside the field, nothing stored.
    page.select_option(f"{form} select[name=agent]", sick)
    page.fill(f"{form} input[name=from]", str(sick_to))
    page.fill(f"{form} input[name=to]", str(sick_to + timedelta(days=1)))
    page.click(f"{form} button[type=submit]")
    assert "overlaps" in page.inner_text("p.problem[data-field=from]")
    shot("absences")

    page.goto(roster_url)
    assert page.locator(".roster-absences td", has_text=sick).count() == 1
    page.wait_for_selector(".chart .main-svg")
    shot("roster-absences")
    page.click("text=Re-plan this version around them")
    page.fill("input[name=freeze_until]", str(sick_from))
    page.fill("input[name=time_limit_s]", "20")
    shot("replan")
    page.click("form.replan-form button[type=submit]")
    assert "/jobs/" in page.url
    page.wait_for_selector("text=Result", timeout=JOB_TIMEOUT_MS)
    assert "done" in page.inner_text("#job")
    assert page.locator("a.see-changes").count() == 1, page.inner_text("main")
    page.click("a.see-changes")
    assert page.locator("h2", has_text=sick).count() == 1
    assert page.locator(".agent-changes tr.removed").count() >= 1
    shot("diff")
    page.click("button:has-text('Publish version')")
    assert page.locator(".badge", has_text="published").count() == 1
    page.goto(f"{server}/versions/?all=1")
    shot("versions")

    page.goto(f"{server}/rosters/{published_id(page, server, scenario)}")
    page.select_option("select[name=agent_id]", sick)
    page.click("button:has-text('Issue feed URL')")
    page.goto(page.inner_text("code.my-shifts-url"))
    assert sick in page.inner_text("h1")
    shot("my-shifts")
    feed = page.request.get(page.get_attribute("a.feed-link", "href"))
    assert feed.status == 200
    calendar = icalendar.Calendar.from_ical(feed.body())
    working = {
        str(event.decoded("dtstart"))[:10]
        for event in calendar.walk("VEVENT")
        if str(event.get("status", "")) != "CANCELLED"
    }
    assert working and not {str(sick_from), str(sick_to)} & working


def published_id(page: Any, server: str, scenario: str) -> int:
    """The key of the scenario's published roster version, read from the API."""
    versions = page.request.get(f"{server}/api/versions?scenario={scenario}").json()
    return int(next(v["id"] for v in versions if v["published"]))
