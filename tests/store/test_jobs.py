from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.store import (
    JobState,
    claim_job,
    create_job,
    finish_job,
    get_job,
    list_jobs,
    report_progress,
    request_cancel,
    session_scope,
)

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def queued(engine: Engine, kind: str = "plan", params: dict | None = None) -> int:
    with session_scope(engine) as session:
        return create_job(session, kind, "somewhere:work", params or {"weeks": 4}, now=T0).id


def test_a_job_goes_from_queued_to_running_to_done(engine: Engine) -> None:
    job_id = queued(engine, params={"scenario": "apac.yaml", "weeks": 4, "seeds": [1, 2]})
    with session_scope(engine) as session:
        job = get_job(session, job_id)
        assert (job.state, job.started_at, job.worker_pid) == (JobState.QUEUED, None, None)
        assert job.parameters == {"scenario": "apac.yaml", "weeks": 4, "seeds": [1, 2]}
        assert claim_job(session, job_id, "host-a", 4242, now=T0 + timedelta(seconds=1))
    with session_scope(engine) as session:
        report_progress(session, job_id, 0.25, "forecast done", now=T0 + timedelta(seconds=2))
        job = get_job(session, job_id)
        assert (job.state, job.worker_host, job.worker_pid) == (JobState.RUNNING, "host-a", 4242)
        assert (job.progress_fraction, job.progress_message) == (0.25, "forecast done")
        assert job.heartbeat_at == T0 + timedelta(seconds=2)
        end = T0 + timedelta(seconds=3)
        assert finish_job(
            session, job_id, JobState.DONE, result={"cost": 1.5}, result_location="out/", now=end
        )
    with session_scope(engine) as session:
        job = get_job(session, job_id)
    assert (job.state, job.result, job.result_location) == (JobState.DONE, {"cost": 1.5}, "out/")
    assert (job.created_at, job.started_at, job.finished_at) == (
        T0,
        T0 + timedelta(seconds=1),
        T0 + timedelta(seconds=3),
    )


def test_a_job_is_claimed_once(engine: Engine) -> None:
    job_id = queued(engine)
    with session_scope(engine) as session:
        assert claim_job(session, job_id, "host-a", 1)
        assert not claim_job(session, job_id, "host-b", 2)
        assert get_job(session, job_id).worker_host == "host-a"


def test_cancelling_a_queued_job_ends_it_so_no_worker_claims_it(engine: Engine) -> None:
    job_id = queued(engine)
    with session_scope(engine) as session:
        job = request_cancel(session, job_id)
        assert (job.state, job.cancel_requested) == (JobState.CANCELLED, True)
        assert job.finished_at is not None
        assert not claim_job(session, job_id, "host-a", 1)


def test_cancelling_a_running_job_only_raises_its_flag(engine: Engine) -> None:
    job_id = queued(engine)
    with session_scope(engine) as session:
        claim_job(session, job_id, "host-a", 1)
        job = request_cancel(session, job_id)
    assert (job.state, job.cancel_requested) == (JobState.RUNNING, True)


def test_an_ended_job_stays_as_it_ended(engine: Engine) -> None:
    job_id = queued(engine)
    with session_scope(engine) as session:
        claim_job(session, job_id, "host-a", 1)
        finish_job(session, job_id, JobState.FAILED, error="ValueError: no forecast")
        job = request_cancel(session, job_id)
        assert (job.state, job.cancel_requested, job.error) == (
            JobState.FAILED,
            False,
            "ValueError: no forecast",
        )
        # A second end (a worker that lost track) changes nothing either.
        assert not finish_job(session, job_id, JobState.DONE)
        report_progress(session, job_id, 1.0, "late line")
        assert get_job(session, job_id).progress_message is None


def test_finish_job_needs_an_end_state(engine: Engine) -> None:
    job_id = queued(engine)
    with session_scope(engine) as session, pytest.raises(ValueError, match="end state"):
        finish_job(session, job_id, JobState.RUNNING)


def test_list_jobs_newest_first_and_by_state(engine: Engine) -> None:
    ids = [queued(engine, kind) for kind in ("plan", "roster", "import")]
    with session_scope(engine) as session:
        claim_job(session, ids[1], "host-a", 1)
    with session_scope(engine) as session:
        assert [j.id for j in list_jobs(session)] == ids[::-1]
        assert [j.id for j in list_jobs(session, limit=2)] == ids[:0:-1]
        assert [j.kind for j in list_jobs(session, JobState.QUEUED)] == ["import", "plan"]
        assert [j.kind for j in list_jobs(session, JobState.RUNNING)] == ["roster"]


def test_an_unknown_job_is_an_input_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        with pytest.raises(InputError, match="job 99"):
            get_job(session, 99)
        with pytest.raises(InputError, match="job 99"):
            request_cancel(session, 99)


def test_a_result_with_no_finite_answer_is_stored_as_null(engine: Engine) -> None:
    job_id = queued(engine)
    result = {"asa_seconds": float("inf"), "sla": [0.5, float("nan")], "cost": 2.0}
    with session_scope(engine) as session:
        assert claim_job(session, job_id, "host-a", 1, now=T0)
        assert finish_job(session, job_id, JobState.DONE, result=result, now=T0)
    with session_scope(engine) as session:
        job = get_job(session, job_id)
    assert job.result == {"asa_seconds": None, "sla": [0.5, None], "cost": 2.0}
