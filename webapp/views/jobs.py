"""Jobs: what is running or ran, each with live progress (polled from the API) and cancel."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from followsun.errors import InputError
from followsun.store.jobs import get_job, list_jobs, request_cancel
from followsun.store.users import Role
from webapp.auth import requires
from webapp.db import store

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

JOBS_LISTED = 100


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """The newest jobs."""
    with store() as db:
        jobs = list_jobs(db, None, JOBS_LISTED)
    return render_template("jobs.html", jobs=jobs)


@bp.route("/<int:job_id>")
@requires(Role.VIEWER)
def show(job_id: int) -> str:
    """One job, its progress bar following it until it ends."""
    with store() as db:
        try:
            job = get_job(db, job_id)
        except InputError:
            abort(404)
    return render_template("job.html", job=job)


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@requires(Role.SCHEDULER)
def cancel(job_id: int) -> Any:
    """Ask the job to stop."""
    with store() as db:
        try:
            request_cancel(db, job_id)
        except InputError:
            abort(404)
    flash(f"Asked job {job_id} to stop.", "info")
    return redirect(url_for("jobs.show", job_id=job_id))
