"""Who may open what: every route x anonymous, viewer, scheduler, admin; CSRF on every form.

The expected role of each route is written here, independently of the views' own
declarations, and the table must cover exactly the app's routes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from followsun.store.users import Role
from tests.webapp.conftest import csrf_token

PUBLIC = None
V, S, A = Role.VIEWER, Role.SCHEDULER, Role.ADMIN

# endpoint: (method, path, minimum role or PUBLIC, form or JSON body). Bodies of allowed
# POSTs are invalid or name missing objects on purpose, so the matrix changes nothing.
SCHEDULING_ROUTES: dict[str, tuple[str, str, Role | None, dict[str, Any] | None]] = {
    "agents.index": ("GET", "/agents/", V, None),
    "agents.upload": ("POST", "/agents/import", S, {}),
    "agents.from_roster": ("POST", "/agents/from-roster", S, {}),
    "absences.index": ("GET", "/absences/?agent=x&from=2027-01-01", V, None),
    "absences.add": ("POST", "/absences/", S, {"agent": "nobody"}),
    "absences.remove": ("POST", "/absences/999/delete", S, {}),
    "versions.index": ("GET", "/versions/", V, None),
    "versions.diff": ("GET", "/versions/diff?scenario=x&from=1&to=2", V, None),
    "versions.export": ("GET", "/versions/999/export", V, None),
    "versions.replan_form": ("GET", "/versions/999/replan", S, None),
    "versions.replan": ("POST", "/versions/999/replan", S, {}),
    "myshifts.show": ("GET", "/my/not-a-token", PUBLIC, None),
    "api_scheduling.agents": ("GET", "/api/agents", V, None),
    "api_scheduling.absences": ("GET", "/api/absences?agent=x", V, None),
    "api_scheduling.add_absence": ("POST", "/api/absences", S, {"agent": "nobody"}),
    "api_scheduling.delete_absence": ("POST", "/api/absences/999/delete", S, {}),
    "api_scheduling.versions": ("GET", "/api/versions?scenario=x", V, None),
    "api_scheduling.diff": ("GET", "/api/versions/diff?scenario=x&from=1&to=2", V, None),
    "api_scheduling.replan": ("POST", "/api/versions/999/replan", S, {}),
}
"""The scheduling pages (agents, absences, versions, re-plan, my shifts) and their API."""
ROUTES: dict[str, tuple[str, str, Role | None, dict[str, Any] | None]] = {
    "static": ("GET", "/static/app.css", PUBLIC, None),
    "auth.login": ("GET", "/login", PUBLIC, None),
    "calendar.feed": ("GET", "/calendar/feed/not-a-token.ics", PUBLIC, None),
    "auth.logout": ("POST", "/logout", V, {}),
    "dashboard.index": ("GET", "/", V, None),
    "dashboard.plotly": ("GET", "/vendor/plotly.min.js", V, None),
    "dashboard.report": ("GET", "/runs/999/report", V, None),
    "plans.index": ("GET", "/plans/", V, None),
    "plans.start": ("POST", "/plans/", S, {"weeks": "99"}),
    "plans.compare": ("GET", "/plans/compare", V, None),
    "forecasts.index": ("GET", "/forecast/", V, None),
    "rosters.index": ("GET", "/rosters/", V, None),
    "rosters.show": ("GET", "/rosters/999", V, None),
    "rosters.publish": ("POST", "/rosters/999/publish", S, {}),
    "scenarios.index": ("GET", "/scenarios/", V, None),
    "scenarios.check": ("POST", "/scenarios/check", V, {"text": "name: x"}),
    "scenarios.save": ("POST", "/scenarios/save", S, {"text": "name: x"}),
    "scenarios.schema": ("GET", "/scenarios/schema.json", V, None),
    "scenarios.form": ("POST", "/scenarios/form", V, {"f.name": "x"}),
    "scenarios.save_form": ("POST", "/scenarios/form/save", S, {"f.name": "x"}),
    "imports.index": ("GET", "/imports/", V, None),
    "imports.upload_csv": ("POST", "/imports/csv", S, {}),
    "imports.configure_source": ("POST", "/imports/sources", A, {"kind": "other"}),
    "jobs.index": ("GET", "/jobs/", V, None),
    "jobs.show": ("GET", "/jobs/999", V, None),
    "jobs.cancel": ("POST", "/jobs/999/cancel", S, {}),
    "users.index": ("GET", "/users/", A, None),
    "users.add": ("POST", "/users/", A, {"username": "x", "role": "viewer", "password": "short"}),
    "users.delete": ("POST", "/users/999/delete", A, {}),
    "calendar.index": ("GET", "/calendar/", S, None),
    "calendar.issue": ("POST", "/calendar/", S, {}),
    "calendar.revoke": ("POST", "/calendar/999/revoke", S, {}),
    "api.jobs": ("GET", "/api/jobs", V, None),
    "api.job": ("GET", "/api/jobs/999", V, None),
    "api.cancel_job": ("POST", "/api/jobs/999/cancel", S, {}),
    "api.plan": ("POST", "/api/plans", S, {"weeks": 99}),
    "api.runs": ("GET", "/api/runs", V, None),
    "api.rosters": ("GET", "/api/rosters", V, None),
    "api.shifts": ("GET", "/api/rosters/999/shifts", V, None),
    "api.publish": ("POST", "/api/rosters/999/publish", S, {}),
    "api.openapi": ("GET", "/api/openapi.json", V, None),
    **SCHEDULING_ROUTES,
}
ROLES: list[Role | None] = [None, *Role]


def test_the_table_covers_every_route(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES)


def call(client: FlaskClient, endpoint: str, csrf: bool = True) -> Any:
    method, path, _role, body = ROUTES[endpoint]
    if method == "GET":
        return client.get(path)
    token = csrf_token(client) if csrf else None
    if path.startswith("/api/"):
        headers = {"X-CSRFToken": token} if token else {}
        return client.post(path, json=body, headers=headers)
    return client.post(path, data={**(body or {}), **({"csrf_token": token} if token else {})})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: "anonymous" if r is None else r.value)
def test_every_route_answers_each_role_as_its_table_says(
    client_as: Callable[[Role | None], FlaskClient], role: Role | None
) -> None:
    for endpoint, (_method, path, needed, _body) in ROUTES.items():
        client = client_as(role)
        response = call(client, endpoint)
        response.close()
        status = response.status_code
        where = f"{role} {endpoint}"
        assert status < 500, where
        if needed is PUBLIC:
            assert status not in (401, 403), where
        elif role is None and path.startswith("/api/"):
            assert status == 401, where
        elif role is None:
            assert status == 302 and "/login" in response.headers["Location"], where
        elif not role.allows(needed):
            assert status == 403, where
        else:
            assert status not in (401, 403), where
            if endpoint != "auth.logout":  # the one allowed request that ends at the login page
                assert "/login" not in response.headers.get("Location", ""), where


POSTS = [e for e, (method, *_rest) in ROUTES.items() if method == "POST"]


def test_a_post_without_its_csrf_token_is_refused(
    client_as: Callable[[Role | None], FlaskClient],
) -> None:
    admin = client_as(Role.ADMIN)
    for endpoint in POSTS:
        response = call(admin, endpoint, csrf=False)
        assert response.status_code == 400, endpoint
        assert b"CSRF" in response.data, endpoint


def test_login_without_csrf_token_is_refused(client_as: Callable[..., FlaskClient]) -> None:
    response = client_as(None).post(
        "/login", data={"username": "admin", "password": "admin-password-long"}
    )
    assert response.status_code == 400


def test_a_refused_csrf_post_changes_nothing(client_as: Callable[..., FlaskClient]) -> None:
    admin = client_as(Role.ADMIN)
    form = {"username": "mallory", "role": "admin", "password": "mallory-password-long"}
    assert admin.post("/users/", data=form).status_code == 400
    assert b"mallory" not in admin.get("/users/").data
    form["csrf_token"] = csrf_token(admin)
    assert admin.post("/users/", data=form).status_code == 303
    assert b"mallory" in admin.get("/users/").data


def test_a_viewer_cannot_edit_or_publish_through_the_api(
    client_as: Callable[..., FlaskClient],
) -> None:
    viewer = client_as(Role.VIEWER)
    token = csrf_token(viewer)
    for path in ("/api/plans", "/api/rosters/1/publish", "/api/jobs/1/cancel"):
        response = viewer.post(path, json={}, headers={"X-CSRFToken": token})
        assert response.status_code == 403
        assert response.is_json
