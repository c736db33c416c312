"""Running a service's job function the way a worker does: queued by name, run from its row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from followsun.jobs import JobRecord, function_name, run_job
from followsun.services.params import to_params
from followsun.store import create_job, session_scope


def run_as_job(engine: Engine, kind: str, fn: Any, request: Any) -> JobRecord:
    """Queue `fn` with `request` as its JSON parameters in `engine`'s store and run it."""
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as session:
        job_id = create_job(session, kind, function_name(fn), to_params(request)).id
    return run_job(url, job_id)
