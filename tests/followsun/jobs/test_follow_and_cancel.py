"""A job started by one process is followed and cancelled from another (this test's)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine

from followsun.jobs import JobRecord, JobState, cancel_job, wait_for_job

ROOT = Path(__file__).resolve().parents[3]
SUBMITTER = Path(__file__).resolve().parent / "sample_jobs.py"
# The long job would count for 10 minutes; the short one for about 3 s.
LONG_STEPS, SHORT_STEPS, STEP_S = 6000, 30, 0.1
# A cancelled job must end within this of the request (the worker polls every 0.5 s).
CANCEL_WITHIN_S = 5.0
TIMEOUT_S = 120.0


def test_cancelling_one_job_from_another_process_leaves_the_other_running(
    engine: Engine, sample_jobs: ModuleType
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    submitter = subprocess.Popen(
        [sys.executable, str(SUBMITTER), url, str(LONG_STEPS), str(STEP_S)]
        + [str(SHORT_STEPS), str(STEP_S)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert submitter.stdout is not None
        long_id, short_id = int(submitter.stdout.readline()), int(submitter.stdout.readline())

        seen: list[float] = []
        asked_at: list[float] = []

        def cancel_once_progress_moves(job: JobRecord) -> None:
            fraction = job.progress_fraction
            if job.state is JobState.RUNNING and fraction is not None:
                seen.extend([fraction] if not seen or fraction > seen[-1] else [])
            if len(seen) >= 3 and not asked_at:
                cancel_job(url, long_id)
                asked_at.append(time.monotonic())

        long_job = wait_for_job(
            url, long_id, cancel_once_progress_moves, poll_s=0.1, timeout_s=TIMEOUT_S
        )
        assert len(asked_at) == 1, f"progress seen before it ended: {seen}"
        ended_after_s = time.monotonic() - asked_at[0]
        short_job = wait_for_job(url, short_id, poll_s=0.1, timeout_s=TIMEOUT_S)
        _, errors = submitter.communicate(timeout=TIMEOUT_S)
    finally:
        submitter.kill()
    assert submitter.returncode == 0, errors

    # Followed from here while it ran elsewhere: progress moved, then the request stopped it.
    assert long_job.worker_pid == submitter.pid != os.getpid()
    assert long_job.state is JobState.CANCELLED
    assert long_job.cancel_requested
    assert ended_after_s < CANCEL_WITHIN_S
    assert long_job.progress_fraction is not None and long_job.progress_fraction < 0.5

    # The other job of the same process ran to its end, untouched.
    assert short_job.state is JobState.DONE
    assert short_job.result == {"counted": SHORT_STEPS}
    assert (short_job.cancel_requested, short_job.progress_fraction) == (False, 1.0)
    assert short_job.worker_pid == submitter.pid
