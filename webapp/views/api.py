"""The JSON API behind the pages, with the same roles; described at /api/openapi.json.

Logged-in browsers call it with their session cookie; a POST carries the page's CSRF
token in the `X-CSRFToken` header, like every form.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any

from flask import Blueprint, abort, jsonify, request
from werkzeug.wrappers import Response

from followsun.errors import InputError
from followsun.files import json_records
from followsun.store.jobs import JobRecord, JobState, get_job, list_jobs, request_cancel
from followsun.store.rosters import (
    get_roster,
    publish_roster,
    roster_frame,
    roster_scenario_names,
    roster_versions,
)
from followsun.store.runs import recent_runs
from followsun.store.users import Role
from webapp.auth import requires
from webapp.db import store
from webapp.views.plans import start_plan

bp = Blueprint("api", __name__, url_prefix="/api")

JOBS_LISTED = 100


def plain(value: Any) -> Any:
    """Dataclasses, enums and instants as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def job_json(job: JobRecord) -> dict[str, Any]:
    """A job without its parameters: they may hold a database URL with its password."""
    record: dict[str, Any] = plain(job)
    record.pop("parameters", None)
    return record


def _json(value: Any, status: int = 200) -> Response:
    response = jsonify(plain(value))
    response.status_code = status
    return response


@bp.route("/jobs")
@requires(Role.VIEWER)
def jobs() -> Response:
    """The newest jobs (optionally in one state)."""
    state = request.args.get("state")
    try:
        wanted = None if state is None else JobState(state)
    except ValueError:
        abort(400, "unknown state")
    with store() as db:
        return _json([job_json(job) for job in list_jobs(db, wanted, JOBS_LISTED)])


@bp.route("/jobs/<int:job_id>")
@requires(Role.VIEWER)
def job(job_id: int) -> Response:
    """One job: state, progress fraction and message, result."""
    with store() as db:
        try:
            return _json(job_json(get_job(db, job_id)))
        except InputError:
            abort(404)


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@requires(Role.SCHEDULER)
def cancel_job(job_id: int) -> Response:
    """Ask a job to stop; answers the job as it stands after the request."""
    with store() as db:
        try:
            return _json(job_json(request_cancel(db, job_id)))
        except InputError:
            abort(404)


@bp.route("/plans", methods=["POST"])
@requires(Role.SCHEDULER)
def plan() -> Response:
    """Start planning a scenario as a job; answers its id (202)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    return _json({"job_id": start_plan(body)}, 202)


@bp.route("/runs")
@requires(Role.VIEWER)
def runs() -> Response:
    """The newest planning runs with their summaries."""
    with store() as db:
        return _json(recent_runs(db, None, JOBS_LISTED))


@bp.route("/rosters")
@requires(Role.VIEWER)
def rosters() -> Response:
    """Every scenario's roster versions."""
    with store() as db:
        return _json({name: roster_versions(db, name) for name in roster_scenario_names(db)})


@bp.route("/rosters/<int:roster_id>/shifts")
@requires(Role.VIEWER)
def shifts(roster_id: int) -> Response:
    """The shifts of one roster version (roster.csv's columns)."""
    with store() as db:
        if get_roster(db, roster_id) is None:
            abort(404)
        frame = roster_frame(db, roster_id).drop(columns=["extra"], errors="ignore")
    return _json(json_records(frame))


@bp.route("/rosters/<int:roster_id>/publish", methods=["POST"])
@requires(Role.SCHEDULER)
def publish(roster_id: int) -> Response:
    """Publish one roster version."""
    with store() as db:
        try:
            return _json(publish_roster(db, roster_id))
        except InputError:
            abort(404)


@bp.route("/openapi.json")
@requires(Role.VIEWER)
def openapi() -> Response:
    """This API as an OpenAPI 3.1 document."""
    return _json(openapi_document())


def _operation(summary: str, role: Role, body: bool = False) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"Role: {role.value} or above.",
        "x-role": role.value,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "401": {"description": "not logged in"},
            "403": {"description": "role too low, or the CSRF token is missing"},
        },
    }
    if body:
        operation["requestBody"] = {"content": {"application/json": {"schema": PLAN_REQUEST}}}
    return operation


PLAN_REQUEST = {
    "type": "object",
    "properties": {
        "scenario": {"type": "string", "description": "a key such as example:reference"},
        "weeks": {"type": "integer", "minimum": 1, "maximum": 4},
        "seed": {"type": "integer", "minimum": 0},
        "time_limit_s": {"type": "number", "minimum": 1},
        "publish": {"type": "boolean"},
    },
}
ID = {"in": "path", "required": True, "schema": {"type": "integer"}}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document: one entry per API route, each with the role it needs."""
    from webapp.views.api_scheduling import scheduling_paths

    return {
        "openapi": "3.1.0",
        "info": {"title": "followsun", "version": "1"},
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            }
        },
        "security": [{"session": [], "csrf": []}],
        "paths": {
            "/api/jobs": {"get": _operation("List jobs", Role.VIEWER)},
            "/api/jobs/{job_id}": {
                "parameters": [{"name": "job_id", **ID}],
                "get": _operation("One job with its progress", Role.VIEWER),
            },
            "/api/jobs/{job_id}/cancel": {
                "parameters": [{"name": "job_id", **ID}],
                "post": _operation("Ask a job to stop", Role.SCHEDULER),
            },
            "/api/plans": {"post": _operation("Plan a scenario as a job", Role.SCHEDULER, True)},
            "/api/runs": {"get": _operation("Planning runs", Role.VIEWER)},
            "/api/rosters": {"get": _operation("Roster versions per scenario", Role.VIEWER)},
            "/api/rosters/{roster_id}/shifts": {
                "parameters": [{"name": "roster_id", **ID}],
                "get": _operation("A roster version's shifts", Role.VIEWER),
            },
            "/api/rosters/{roster_id}/publish": {
                "parameters": [{"name": "roster_id", **ID}],
                "post": _operation("Publish a roster version", Role.SCHEDULER),
            },
            "/api/openapi.json": {"get": _operation("This document", Role.VIEWER)},
            **scheduling_paths(),
        },
    }
