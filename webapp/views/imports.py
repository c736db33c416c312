"""Imports: upload a CSV export with its mapping (run as a job); configure Zendesk or Freshdesk.

A source's credential stays in the environment: the page stores and shows only the
name of the variable holding it, never a value.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from followsun.connectors.csv_mapping import shipped_mappings
from followsun.connectors.sources import SourceConfig, load_sources, save_source
from followsun.errors import InputError
from followsun.services.imports import csv_import_job
from followsun.store import ticket_count
from followsun.store.users import Role
from webapp.auth import requires
from webapp.db import database_url, store
from webapp.jobs_submit import new_output_folder, submit_job

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.route("/")
@requires(Role.VIEWER)
def index() -> str:
    """Tickets stored, the configured API sources, the upload form."""
    with store() as db:
        tickets = ticket_count(db)
    try:
        sources = load_sources()
        problem = None
    except InputError as exc:
        sources, problem = [], str(exc)
    return render_template(
        "imports.html",
        tickets=tickets,
        sources=sources,
        problem=problem,
        mappings=sorted(shipped_mappings()),
    )


@bp.route("/csv", methods=["POST"])
@requires(Role.SCHEDULER)
def upload_csv() -> Any:
    """Save the uploaded CSV (and mapping) under a random name and import it as a job."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, "choose a CSV file")
    folder = new_output_folder("import")
    csv_path = folder / f"{secrets.token_hex(8)}.csv"
    upload.save(csv_path)
    mapping_upload = request.files.get("mapping_file")
    if mapping_upload is not None and mapping_upload.filename:
        mapping_path = folder / f"{secrets.token_hex(8)}.yaml"
        mapping_upload.save(mapping_path)
    else:
        shipped = shipped_mappings().get(request.form.get("mapping", ""))
        if shipped is None:
            abort(400, "choose a shipped mapping or upload one")
        mapping_path = shipped
    job_id = submit_job(
        "import",
        csv_import_job,
        {"file": str(csv_path), "mapping": str(mapping_path), "database_url": database_url()},
    )
    flash(f"Import started as job {job_id}.", "info")
    return redirect(url_for("jobs.show", job_id=job_id)), 303


@bp.route("/sources", methods=["POST"])
@requires(Role.ADMIN)
def configure_source() -> Any:
    """Add or replace a Zendesk or Freshdesk source; its credential is an environment variable's name."""
    kind = request.form.get("kind", "")
    if kind not in ("zendesk", "freshdesk"):
        abort(400, "kind must be zendesk or freshdesk")
    config = SourceConfig(
        name=request.form.get("name", "").strip(),
        kind=kind,  # type: ignore[arg-type]
        url=request.form.get("url", "").strip(),
        secret_env=request.form.get("secret_env", "").strip(),
        email=request.form.get("email", "").strip() or None,
    )
    try:
        save_source(config)
    except InputError as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports.index")), 303
    flash(f"Source {config.name} saved.", "info")
    return redirect(url_for("imports.index")), 303
