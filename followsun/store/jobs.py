"""Job records: long work any process can follow (state, progress) and cancel (a flag).

A job is queued by the process that submits it, claimed by the worker that runs it, and
ended by that worker. Every change of state is one conditional UPDATE, so two processes
never both claim a job and a cancelled job is never marked done afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from followsun.store.frames import json_value

_JOBS: Table = models.Job.__table__  # type: ignore[assignment]


class JobState(StrEnum):
    """Where a job stands: queued, running, then one of the three ends."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def ended(self) -> bool:
        """Whether the job has stopped for good."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class JobRecord:
    """One job as stored.

    Attributes:
        id: its key.
        kind: what it does, e.g. 'plan', 'roster', 'compare', 'import', 'simulate'.
        function: the job function as 'module:function', importable by any worker.
        parameters: the JSON object the function is called with.
        state: queued, running, done, failed or cancelled.
        progress_fraction: fraction done (0 to 1), None when unknown.
        progress_message: the last progress line in words.
        result: the function's JSON result, if it returned one.
        result_location: where the result was written (a path or URL), if it returned one.
        error: why it failed, for a failed job.
        cancel_requested: whether anyone asked it to stop.
        worker_host: the host running (or that ran) it.
        worker_pid: the process id running (or that ran) it on that host.
        created_at: when it was queued (UTC).
        started_at: when a worker claimed it (UTC).
        finished_at: when it ended (UTC).
        heartbeat_at: when its worker last said it was alive (UTC).
    """

    id: int
    kind: str
    function: str
    parameters: Mapping[str, Any]
    state: JobState
    progress_fraction: float | None
    progress_message: str | None
    result: Any
    result_location: str | None
    error: str | None
    cancel_requested: bool
    worker_host: str | None
    worker_pid: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None


def _job_record(row: models.Job) -> JobRecord:
    values = {field.name: getattr(row, field.name) for field in fields(JobRecord)}
    return JobRecord(**{**values, "state": JobState(row.state)})


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def create_job(
    session: Session,
    kind: str,
    function: str,
    parameters: Mapping[str, Any],
    now: datetime | None = None,
) -> JobRecord:
    """Queue a job; returns it with its new id.

    Args:
        session: the caller's session (the job is visible to others once it commits).
        kind: what the job does, e.g. 'plan'.
        function: the job function as 'module:function'.
        parameters: a JSON object, the function's only input.
        now: creation time (tz-aware), default the clock.
    """
    row = models.Job(
        kind=kind,
        function=function,
        parameters=dict(parameters),
        state=JobState.QUEUED.value,
        cancel_requested=False,
        created_at=_now(now),
    )
    session.add(row)
    session.flush()
    return _job_record(row)


def get_job(session: Session, job_id: int) -> JobRecord:
    """The job `job_id` as stored now.

    Raises:
        InputError: there is no such job.
    """
    row = session.get(models.Job, job_id, populate_existing=True)
    if row is None:
        raise InputError(f"job {job_id}: no such job")
    return _job_record(row)


def list_jobs(
    session: Session, state: JobState | None = None, limit: int | None = None
) -> list[JobRecord]:
    """The jobs (in one state), newest first, at most `limit` of them."""
    query = select(models.Job).order_by(models.Job.id.desc()).limit(limit)
    if state is not None:
        query = query.where(models.Job.state == state.value)
    return [_job_record(row) for row in session.scalars(query)]


def _update(session: Session, job_id: int, *conditions: Any, **values: Any) -> bool:
    """Set `values` on the job when `conditions` hold; whether the row was changed."""
    result = session.execute(update(_JOBS).where(_JOBS.c.id == job_id, *conditions).values(values))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def claim_job(
    session: Session, job_id: int, host: str, pid: int, now: datetime | None = None
) -> bool:
    """Mark a queued job running on `host`/`pid`; False when it is no longer queued."""
    stamp = _now(now)
    return _update(
        session,
        job_id,
        _JOBS.c.state == JobState.QUEUED.value,
        state=JobState.RUNNING.value,
        started_at=stamp,
        heartbeat_at=stamp,
        worker_host=host,
        worker_pid=pid,
    )


def report_progress(
    session: Session, job_id: int, fraction: float | None, message: str, now: datetime | None = None
) -> None:
    """Store a running job's progress (also a heartbeat)."""
    _update(
        session,
        job_id,
        _JOBS.c.state == JobState.RUNNING.value,
        progress_fraction=fraction,
        progress_message=message,
        heartbeat_at=_now(now),
    )


def heartbeat(session: Session, job_id: int, now: datetime | None = None) -> bool:
    """Say a running job's worker is alive; returns whether cancellation was requested."""
    _update(session, job_id, _JOBS.c.state == JobState.RUNNING.value, heartbeat_at=_now(now))
    return cancel_requested(session, job_id)


def cancel_requested(session: Session, job_id: int) -> bool:
    """Whether someone asked the job to stop (one indexed read: polled by its worker)."""
    return bool(session.scalar(select(_JOBS.c.cancel_requested).where(_JOBS.c.id == job_id)))


def request_cancel(session: Session, job_id: int, now: datetime | None = None) -> JobRecord:
    """Ask the job to stop, from any process; a queued job is cancelled at once.

    A running job's worker sees the flag within its poll interval and cancels the job's
    token; the job ends 'cancelled' once its work reaches a cancellation check. A job
    that has already ended is left as it is.

    Raises:
        InputError: there is no such job.
    """
    get_job(session, job_id)
    not_ended = _JOBS.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])
    _update(session, job_id, not_ended, cancel_requested=True)
    _update(
        session,
        job_id,
        _JOBS.c.state == JobState.QUEUED.value,
        state=JobState.CANCELLED.value,
        finished_at=_now(now),
    )
    return get_job(session, job_id)


def finish_job(
    session: Session,
    job_id: int,
    state: JobState,
    *,
    result: Any = None,
    result_location: str | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> bool:
    """End a running job as done, failed or cancelled; False when it was not running.

    Args:
        session: the caller's session.
        job_id: the job.
        state: how it ended (one of the three ends).
        result: a JSON value the function returned, if any.
        result_location: where its result was written, if anywhere.
        error: why it failed.
        now: the end time (tz-aware), default the clock.
    """
    if not state.ended:
        raise ValueError(f"finish_job needs an end state, not {state}")
    stamp = _now(now)
    return _update(
        session,
        job_id,
        _JOBS.c.state == JobState.RUNNING.value,
        state=state.value,
        result=json_value(result),
        result_location=result_location,
        error=error,
        finished_at=stamp,
        heartbeat_at=stamp,
    )
