"""Roster versions: published ones per scenario and period, diff, export, and re-plan.

Re-planning a published version around the stored absences runs as a job.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from followsun.errors import InputError
from followsun.services.params import to_params
from followsun.services.replan import ReplanRequest, replan_job
from followsun.services.versions import VersionRef, diff_versions, export_version, version_periods
from followsun.store.rosters import get_roster, roster_scenario_names, roster_versions
from followsun.store.users import Role
from scenarios.freeze import parse_freeze
from webapp.auth import requires
from webapp.db import database_url, store
from webapp.jobs_submit import new_output_folder, submit_job
from webapp.views.absences import parse_day

bp = Blueprint("versions", __name__, url_prefix="/versions")

MAX_SOLVER_SECONDS = 600.0


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """Each scenario's versions (published ones only unless asked), touching a period if given."""
    everything = request.args.get("all") == "1"
    first = parse_day(request.args.get("from", ""))
    last = parse_day(request.args.get("to", ""))
    within = None if first is None and last is None else (first or date.min, last or date.max)
    with store() as db:
        names = roster_scenario_names(db)
    chosen = request.args.get("scenario", "")
    shown = [chosen] if chosen in names else names
    periods = {
        name: version_periods(name, not everything, within, database_url()) for name in shown
    }
    return render_template(
        "versions.html",
        periods=periods,
        names=names,
        chosen=chosen,
        everything=everything,
        period={"from": first or "", "to": last or ""},
    )


def changes_by_agent(changes: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The diff's rows grouped per agent, in date order (for reading)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in changes.to_dict("records"):
        grouped.setdefault(str(row["agent_id"]), []).append({str(k): v for k, v in row.items()})
    return grouped


def _version_number(name: str) -> int:
    text = request.args.get(name, "")
    if not text.isdigit():
        abort(400, f"{name} must be a version number")
    return int(text)


@bp.route("/diff")
@requires(Role.VIEWER)
def diff() -> Any:
    """What changed between two versions of a scenario: per agent, added, removed, moved shifts."""
    scenario = request.args.get("scenario", "")
    old, new = _version_number("from"), _version_number("to")
    try:
        changes = diff_versions(
            VersionRef(scenario, old), VersionRef(scenario, new), database_url()
        )
    except InputError as exc:
        abort(404, str(exc))
    with store() as db:
        target = next((v for v in roster_versions(db, scenario) if v.version == new), None)
    counts = changes["change"].value_counts().to_dict() if len(changes) else {}
    return render_template(
        "diff.html",
        scenario=scenario,
        old=old,
        new=new,
        target=target,
        by_agent=changes_by_agent(changes),
        counts=counts,
    )


def _stored(roster_id: int) -> Any:
    with store() as db:
        version = get_roster(db, roster_id)
    if version is None:
        abort(404)
    return version


@bp.route("/<int:roster_id>/export")
@requires(Role.VIEWER)
def export(roster_id: int) -> Any:
    """One version's roster.csv and every agent's updating calendar, as a zip."""
    version = _stored(roster_id)
    with tempfile.TemporaryDirectory(prefix="followsun-export-") as folder:
        export_version(
            VersionRef(version.scenario_name, version.version),
            Path(folder) / "export",
            database_url(),
        )
        archive = shutil.make_archive(str(Path(folder) / "roster"), "zip", Path(folder) / "export")
        content = Path(archive).read_bytes()
    name = f"{version.scenario_name}-v{version.version}.zip"
    return send_file(
        io.BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=name
    )


@bp.route("/<int:roster_id>/replan")
@requires(Role.SCHEDULER)
def replan_form(roster_id: int) -> str:
    """The re-plan form of a published version: freeze-until and the solver's time limit."""
    version = _stored(roster_id)
    periods = version_periods(version.scenario_name, database_url=database_url())
    period = next((p for p in periods if p.version.id == roster_id), None)
    return render_template("replan.html", version=version, period=period, errors={}, form={})


def replan_request(version: Any, form: Any) -> tuple[ReplanRequest | None, dict[str, str]]:
    """The re-plan request from the form, or the problems by field."""
    errors: dict[str, str] = {}
    freeze = str(form.get("freeze_until", "")).strip()
    if freeze:
        try:
            parse_freeze(freeze)
        except InputError as exc:
            errors["freeze_until"] = str(exc)
    limit = str(form.get("time_limit_s", "")).strip()
    seconds = None
    if limit:
        try:
            seconds = float(limit)
        except ValueError:
            errors["time_limit_s"] = "a number of seconds"
        else:
            if not 1 <= seconds <= MAX_SOLVER_SECONDS:
                errors["time_limit_s"] = f"between 1 and {MAX_SOLVER_SECONDS:g} seconds"
    if not version.published:
        errors["form"] = "re-plan from the published version"
    if errors:
        return None, errors
    return ReplanRequest(
        scenario=version.scenario_name,
        version=version.version,
        out=new_output_folder("replan"),
        freeze_until=freeze or None,
        time_limit_s=seconds,
        database_url=database_url(),
    ), errors


def start_replan(roster_id: int, form: Any) -> tuple[int | None, dict[str, str]]:
    """Submit the re-plan of a version as a job: its id, or the form's problems."""
    version = _stored(roster_id)
    replan, errors = replan_request(version, form)
    if replan is None:
        return None, errors
    return submit_job("replan", replan_job, to_params(replan)), errors


@bp.route("/<int:roster_id>/replan", methods=["POST"])
@requires(Role.SCHEDULER)
def replan(roster_id: int) -> Any:
    """Start the re-plan as a job and follow it on its page."""
    job_id, errors = start_replan(roster_id, request.form)
    if job_id is None:
        version = _stored(roster_id)
        return render_template(
            "replan.html", version=version, period=None, errors=errors, form=request.form
        ), 400
    flash(f"Re-plan started as job {job_id}.", "info")
    return redirect(url_for("jobs.show", job_id=job_id)), 303
