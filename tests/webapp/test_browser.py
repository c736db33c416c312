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
from pathlib import Path

import pytest
from flask import Flask

from followsun.services.accounts import add_user
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

        page.goto(f"{server}/imports/")
        shot("imports")
        page.goto(f"{server}/jobs/")
        shot("jobs")
        browser.close()
