"""Agents: the named people a scheduler keeps (site, tier, skills, contract), imported from CSV."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.errors import InputError
from followsun.services.people import import_agents, list_agents
from followsun.services.replan import store_version_agents
from followsun.services.versions import VersionRef
from followsun.store.rosters import roster_scenario_names, roster_versions
from followsun.store.users import Role
from webapp.auth import requires
from webapp.db import database_url, store
from webapp.jobs_submit import new_output_folder

bp = Blueprint("agents", __name__, url_prefix="/agents")


def _page(problems: list[str] | None = None, status: int = 200) -> Any:
    site = request.args.get("site") or None
    everyone = list_agents(database_url=database_url())
    people = [p for p in everyone if site is None or p.site == site]
    with store() as db:
        planned = [
            (name, v.version)
            for name in roster_scenario_names(db)
            for v in roster_versions(db, name)
            if v.run_id is not None
        ]
    sites = sorted({p.site for p in everyone})
    return render_template(
        "agents.html", people=people, sites=sites, site=site, planned=planned, problems=problems
    ), status


@bp.route("/")
@requires(Role.VIEWER)
def index() -> Any:
    """The stored agents (of one site if chosen), the import forms."""
    return _page()


@bp.route("/import", methods=["POST"])
@requires(Role.SCHEDULER)
def upload() -> Any:
    """Import an uploaded agents.csv (all or nothing); its problems are listed by line."""
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _page(["choose an agents.csv file"], 400)
    path = new_output_folder("agents") / f"{secrets.token_hex(8)}.csv"
    upload_file.save(path)
    try:
        counts = import_agents(path, database_url())
    except InputError as exc:
        return _page([exc.args[0], *exc.problems], 400)
    finally:
        path.unlink(missing_ok=True)
    flash(f"Agents imported: {counts.added} added, {counts.updated} updated.", "info")
    return redirect(url_for("agents.index")), 303


@bp.route("/from-roster", methods=["POST"])
@requires(Role.SCHEDULER)
def from_roster() -> Any:
    """Store the agents a planned roster version used (e.g. the sample organisation's headcount)."""
    scenario, _, number = request.form.get("version", "").rpartition("@")
    if not scenario or not number.isdigit():
        abort(400, "choose a roster version")
    try:
        counts = store_version_agents(VersionRef(scenario, int(number)), database_url())
    except InputError as exc:
        return _page([str(exc)], 400)
    flash(f"Agents of {scenario}: {counts.added} added, {counts.updated} updated.", "info")
    return redirect(url_for("agents.index")), 303
