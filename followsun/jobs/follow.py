"""Following a job from any process: poll its row until it ends."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine

from followsun.store import JobRecord, get_job, session_scope
from planner import cancellation

# How often a follower reads the job's row.
FOLLOW_POLL_SECONDS = 0.5


def _ignore(job: JobRecord) -> None:
    """An on_update that shows nothing."""


def wait_for_job(
    engine: Engine,
    job_id: int,
    on_update: Callable[[JobRecord], None] = _ignore,
    poll_s: float = FOLLOW_POLL_SECONDS,
    timeout_s: float | None = None,
) -> JobRecord:
    """Read the job every `poll_s` until it has ended; returns it as it ended.

    Args:
        engine: the store holding the job.
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
