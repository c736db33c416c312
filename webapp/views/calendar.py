"""Agents' calendar feeds: a secret, revocable token per agent; the feed itself needs no login.

The feed shows the agent's shifts in the scenario's published roster. A wrong or revoked
token is 404, the same as a feed that never existed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from followsun.roster_files import agent_calendar
from followsun.services.accounts import feed_for_token, issue_calendar_token
from followsun.services.versions import published_shifts
from followsun.store.users import Role, calendar_feeds, revoke_calendar_token
from webapp.auth import public, requires
from webapp.db import database_url, store

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@bp.route("/")
@requires(Role.SCHEDULER)
def index() -> str:
    """Every feed issued (tokens are never shown again after issue)."""
    with store() as db:
        feeds = calendar_feeds(db)
    return render_template("calendar.html", feeds=feeds, issued=None)


@bp.route("/", methods=["POST"])
@requires(Role.SCHEDULER)
def issue() -> Any:
    """Issue a feed token for an agent of a scenario; its URL is shown once."""
    scenario = request.form.get("scenario", "").strip()
    agent = request.form.get("agent_id", "").strip()
    if not scenario or not agent:
        abort(400, "scenario and agent_id are required")
    with store() as db:
        issued = issue_calendar_token(db, scenario, agent)
        feeds = calendar_feeds(db)
    url = url_for("calendar.feed", token=issued.token, _external=True)
    page = url_for("myshifts.show", token=issued.token, _external=True)
    return render_template("calendar.html", feeds=feeds, issued=url, my_shifts=page)


@bp.route("/<int:feed_id>/revoke", methods=["POST"])
@requires(Role.SCHEDULER)
def revoke(feed_id: int) -> Any:
    """Revoke a feed token: its URL stops working at once."""
    with store() as db:
        if not revoke_calendar_token(db, feed_id):
            abort(404)
    flash("Feed revoked.", "info")
    return redirect(url_for("calendar.index")), 303


@bp.route("/feed/<token>.ics")
@public
def feed(token: str) -> Response:
    """The agent's published shifts as iCalendar (404 for a wrong or revoked token)."""
    with store() as db:
        found = feed_for_token(db, token)
    if found is None:
        abort(404)
    version, shifts = published_shifts(found.scenario_name, found.agent_id, None, database_url())
    if version is None:
        abort(404)
    response = Response(agent_calendar(found.agent_id, shifts), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="shifts.ics"'
    return response
