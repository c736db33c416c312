"""Following jobs from any process: list them, read one, ask one to stop, wait for its end.

Each function opens the store at the URL it is given (default `database_url()`), so a
second terminal or a web request needs nothing but the database the job lives in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from followsun.jobs.runner import SILENT_AFTER_S
from followsun.store import (
    JobRecord,
    JobState,
    get_job,
    init_db,
    list_jobs,
    request_cancel,
    session_scope,
)
from planner import cancellation

# How often a follower reads the job's row.
FOLLOW_POLL_SECONDS = 0.5


@contextmanager
def _store(url: str | URL | None) -> Iterator[Engine]:
    engine = init_db(url)
    try:
        yield engine
    finally:
        engine.dispose()


def find_jobs(
    url: str | URL | None = None, state: JobState | None = None, limit: int | None = None
) -> list[JobRecord]:
    """The jobs (in one state), newest first, at most `limit` of them."""
    with _store(url) as engine, session_scope(engine) as session:
        return list_jobs(session, state, limit)


def find_job(url: str | URL | None, job_id: int) -> JobRecord:
    """The job `job_id` as stored now.

    Raises:
        InputError: there is no such job.
    """
    with _store(url) as engine, session_scope(engine) as session:
        return get_job(session, job_id)


def cancel_job(url: str | URL | None, job_id: int) -> JobRecord:
    """Ask the job to stop (see `request_cancel`); returns it as it stands after the request.

    Raises:
        InputError: there is no such job.
    """
    with _store(url) as engine, session_scope(engine) as session:
        return request_cancel(session, job_id)


def worker_silent(job: JobRecord, now: datetime | None = None) -> bool:
    """Whether a running job's worker has stopped sending heartbeats (killed, or its host down).

    Such a job stays 'running' in the store: nothing is left to end it.
    """
    if job.state is not JobState.RUNNING or job.heartbeat_at is None:
        return False
    return (now or datetime.now(UTC)) - job.heartbeat_at > timedelta(seconds=SILENT_AFTER_S)


def _ignore(job: JobRecord) -> None:
    """An on_update that shows nothing."""


def wait_for_job(
    url: str | URL | None,
    job_id: int,
    on_update: Callable[[JobRecord], None] = _ignore,
    poll_s: float = FOLLOW_POLL_SECONDS,
    timeout_s: float | None = None,
) -> JobRecord:
    """Read the job every `poll_s` until it has ended; returns it as it ended.

    Args:
        url: the database holding the job (default `database_url()`).
        job_id: the job.
        on_update: called with each reading (to draw progress).
        poll_s: seconds between readings.
        timeout_s: give up after this long (default: wait as long as it takes).

    Raises:
        TimeoutError: the job had not ended after `timeout_s`.
        Cancelled: the follower's own token was cancelled (the job goes on).
        InputError: there is no such job.
    """
    token = cancellation.current()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    with _store(url) as engine:
        while True:
            with session_scope(engine) as session:
                job = get_job(session, job_id)
            on_update(job)
            if job.state.ended:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job.state} after {timeout_s:g} s")
            token.wait(poll_s)
            token.check()
