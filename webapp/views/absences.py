"""Absences: sickness, leave and training of stored agents, per agent and date range.

A refused absence (unknown agent, reversed dates, an overlap) is shown beside the field
it concerns, and nothing is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.services.people import (
    absences_between,
    add_absence,
    list_absences,
    list_agents,
    remove_absence,
)
from followsun.store.users import Role
from scenarios.people import ABSENCE_KINDS, Absence
from webapp.auth import requires
from webapp.db import database_url

bp = Blueprint("absences", __name__, url_prefix="/absences")

# Words of the service's refusal that name the form field it concerns.
FIELD_OF_PROBLEM = (("unknown agent", "agent"), ("overlaps", "from"), ("before", "to"))


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when empty or not a date."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _page(form: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    agent = request.args.get("agent", "").strip() or None
    first = parse_day(request.args.get("from", ""))
    last = parse_day(request.args.get("to", ""))
    url = database_url()
    if first or last:
        shown = absences_between(first or date.min, last or date.max, agent, url)
    else:
        shown = list_absences(agent, url)
    return render_template(
        "absences.html",
        absences=shown,
        agents=[p.agent_id for p in list_agents(database_url=url)],
        kinds=ABSENCE_KINDS,
        filters={"agent": agent or "", "from": first or "", "to": last or ""},
        form=form,
        errors=errors,
    ), status


@bp.route("/")
@requires(Role.VIEWER)
def index() -> Any:
    """The absences of one agent (or all) touching a date range (or any date)."""
    return _page({"agent": request.args.get("agent", "")}, {})


def form_errors(form: dict[str, str]) -> dict[str, str]:
    """What is missing or malformed in the submitted fields, by field."""
    errors = {}
    if not form["agent"]:
        errors["agent"] = "choose an agent"
    for name in ("from", "to"):
        if parse_day(form[name]) is None:
            errors[name] = "a date YYYY-MM-DD"
    if form["kind"] not in ABSENCE_KINDS:
        errors["kind"] = f"one of {', '.join(ABSENCE_KINDS)}"
    return errors


def record_absence(fields: Any) -> tuple[Absence | None, dict[str, str], dict[str, str]]:
    """Store the absence the fields describe: (it, no errors) or (None, errors by field).

    Also answers the fields as text, to show them back beside their errors.
    """
    form = {k: str(fields.get(k) or "").strip() for k in ("agent", "from", "to", "kind")}
    errors = form_errors(form)
    if errors:
        return None, errors, form
    first, last = parse_day(form["from"]), parse_day(form["to"])
    assert first is not None and last is not None
    try:
        return add_absence(form["agent"], first, last, form["kind"], database_url()), {}, form
    except InputError as exc:
        message = str(exc)
        field = next((f for words, f in FIELD_OF_PROBLEM if words in message), "form")
        return None, {field: message}, form


@bp.route("/", methods=["POST"])
@requires(Role.SCHEDULER)
def add() -> Any:
    """Store one absence; a refusal is shown beside its field and stores nothing."""
    added, errors, form = record_absence(request.form)
    if added is None:
        return _page(form, errors, 400)
    flash(f"{added.agent_id}: {added.kind} {added.first} to {added.last} recorded.", "info")
    return redirect(url_for("absences.index", agent=added.agent_id)), 303


@bp.route("/<int:absence_id>/delete", methods=["POST"])
@requires(Role.SCHEDULER)
def remove(absence_id: int) -> Any:
    """Delete one absence."""
    try:
        removed = remove_absence(absence_id, database_url())
    except InputError:
        abort(404)
    flash(f"Removed {removed.agent_id}'s {removed.kind} {removed.first} to {removed.last}.", "info")
    return redirect(url_for("absences.index", agent=removed.agent_id)), 303
