"""The JSON twins of the scheduling pages: agents, absences, versions, diff and re-plan.

Same roles as the pages; a POST carries the CSRF token in `X-CSRFToken`. Described in
the app's OpenAPI document (`SCHEDULING_PATHS`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, request
from werkzeug.wrappers import Response

from followsun.errors import InputError
from followsun.files import json_records
from followsun.services.people import absences_between, list_absences, list_agents, remove_absence
from followsun.services.versions import VersionRef, diff_versions, version_periods
from followsun.store.users import Role
from webapp.auth import requires
from webapp.db import database_url
from webapp.views.absences import parse_day, record_absence
from webapp.views.api import ID, _json, _operation, plain
from webapp.views.versions import start_replan

bp = Blueprint("api_scheduling", __name__, url_prefix="/api")


def _absence(a: Any) -> dict[str, Any]:
    return {
        "id": a.absence_id,
        "agent_id": a.agent_id,
        "kind": a.kind,
        "from": a.first,
        "to": a.last,
    }


@bp.route("/agents")
@requires(Role.VIEWER)
def agents() -> Response:
    """The stored agents (of one site with ?site=)."""
    return _json(list_agents(request.args.get("site") or None, database_url()))


@bp.route("/absences")
@requires(Role.VIEWER)
def absences() -> Response:
    """Absences, of one agent (?agent=) touching a date range (?from=&to=) if given."""
    agent = request.args.get("agent") or None
    first, last = parse_day(request.args.get("from", "")), parse_day(request.args.get("to", ""))
    if first or last:
        found = absences_between(first or date.min, last or date.max, agent, database_url())
    else:
        found = list_absences(agent, database_url())
    return _json([_absence(a) for a in found])


@bp.route("/absences", methods=["POST"])
@requires(Role.SCHEDULER)
def add_absence() -> Response:
    """Store an absence {agent, from, to, kind}: 201 with it, or 400 with the errors by field."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    added, errors, _form = record_absence(body)
    if added is None:
        return _json({"error": "; ".join(errors.values()), "fields": errors}, 400)
    return _json(_absence(added), 201)


@bp.route("/absences/<int:absence_id>/delete", methods=["POST"])
@requires(Role.SCHEDULER)
def delete_absence(absence_id: int) -> Response:
    """Delete one absence; answers what was removed."""
    try:
        return _json(_absence(remove_absence(absence_id, database_url())))
    except InputError:
        abort(404)


@bp.route("/versions")
@requires(Role.VIEWER)
def versions() -> Response:
    """A scenario's versions with their periods (?scenario=, ?all=1 for unpublished too)."""
    scenario = request.args.get("scenario", "")
    first, last = parse_day(request.args.get("from", "")), parse_day(request.args.get("to", ""))
    within = None if first is None and last is None else (first or date.min, last or date.max)
    periods = version_periods(scenario, request.args.get("all") != "1", within, database_url())
    return _json([{**plain(p.version), "first": p.first, "last": p.last} for p in periods])


@bp.route("/versions/diff")
@requires(Role.VIEWER)
def diff() -> Response:
    """Per agent-day changes between versions ?from= and ?to= of ?scenario=."""
    scenario = request.args.get("scenario", "")
    numbers = [request.args.get(k, "") for k in ("from", "to")]
    if not all(n.isdigit() for n in numbers):
        abort(400, "from and to must be version numbers")
    try:
        changes = diff_versions(
            VersionRef(scenario, int(numbers[0])),
            VersionRef(scenario, int(numbers[1])),
            database_url(),
        )
    except InputError as exc:
        abort(404, str(exc))
    return _json(json_records(changes))


@bp.route("/versions/<int:roster_id>/replan", methods=["POST"])
@requires(Role.SCHEDULER)
def replan(roster_id: int) -> Response:
    """Re-plan a published version as a job {freeze_until, time_limit_s}: 202 with its id."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    job_id, errors = start_replan(roster_id, body)
    if job_id is None:
        return _json({"error": "; ".join(errors.values()), "fields": errors}, 400)
    return _json({"job_id": job_id}, 202)


QUERY = {"in": "query", "required": False, "schema": {"type": "string"}}
ABSENCE_REQUEST = {
    "type": "object",
    "required": ["agent", "from", "to", "kind"],
    "properties": {
        "agent": {"type": "string"},
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date", "description": "inclusive"},
        "kind": {"type": "string", "enum": ["sick", "leave", "training"]},
    },
}
REPLAN_REQUEST = {
    "type": "object",
    "properties": {
        "freeze_until": {"type": "string", "description": "YYYY-MM-DD[THH:MM], local time"},
        "time_limit_s": {"type": "number", "minimum": 1, "maximum": 600},
    },
}


def _with_body(operation: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    operation["requestBody"] = {"content": {"application/json": {"schema": schema}}}
    operation["responses"]["400"] = {"description": "bad input, with the errors by field"}
    return operation


def _query(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, **QUERY} for name in names]


def scheduling_paths() -> dict[str, Any]:
    """This blueprint's entries of the OpenAPI document."""
    return {
        "/api/agents": {
            "parameters": _query("site"),
            "get": _operation("Stored agents", Role.VIEWER),
        },
        "/api/absences": {
            "parameters": _query("agent", "from", "to"),
            "get": _operation("Absences per agent and date range", Role.VIEWER),
            "post": _with_body(_operation("Add an absence", Role.SCHEDULER), ABSENCE_REQUEST),
        },
        "/api/absences/{absence_id}/delete": {
            "parameters": [{"name": "absence_id", **ID}],
            "post": _operation("Remove an absence", Role.SCHEDULER),
        },
        "/api/versions": {
            "parameters": _query("scenario", "all", "from", "to"),
            "get": _operation("Roster versions with their periods", Role.VIEWER),
        },
        "/api/versions/diff": {
            "parameters": _query("scenario", "from", "to"),
            "get": _operation("Changes between two versions, per agent-day", Role.VIEWER),
        },
        "/api/versions/{roster_id}/replan": {
            "parameters": [{"name": "roster_id", **ID}],
            "post": _with_body(
                _operation("Re-plan a published version as a job", Role.SCHEDULER),
                REPLAN_REQUEST,
            ),
        },
    }
