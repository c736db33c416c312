"""Running jobs: how each ends, what it stores, and where it runs."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.jobs import (
    JobState,
    dask_executor,
    function_name,
    make_executor,
    run_job,
    submit,
    wait_for_job,
)
from followsun.jobs.runner import JobProgress
from followsun.store import claim_job, create_job, get_job, request_cancel, session_scope

# Far longer than any of these jobs takes: reaching it means the job never ended.
TIMEOUT_S = 120.0


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def queue(engine: Engine, function: str, params: dict) -> int:
    with session_scope(engine) as session:
        return create_job(session, "test", function, params).id


def test_a_job_that_returns_ends_done_with_its_result_and_progress(
    engine: Engine, sample_jobs: ModuleType
) -> None:
    job_id = queue(engine, "sample_jobs:count_slowly", {"steps": 3, "step_s": 0.0})
    job = run_job(url_of(engine), job_id)
    assert job.state is JobState.DONE
    assert job.result == {"counted": 3}
    assert (job.progress_fraction, job.progress_message) == (1.0, "counted to 3")
    assert (job.worker_pid, job.error) == (os.getpid(), None)
    assert job.started_at is not None and job.finished_at is not None
    assert job.created_at <= job.started_at <= job.finished_at


def test_a_failing_job_ends_failed_with_its_message(
    engine: Engine, sample_jobs: ModuleType
) -> None:
    message = "no forecast for queue phone-en-t1"
    job_id = queue(engine, "sample_jobs:fail", {"message": message})
    job = run_job(url_of(engine), job_id)
    assert job.state is JobState.FAILED
    assert job.error == f"ValueError: {message}"
    assert (job.progress_fraction, job.progress_message) == (0.5, "halfway")
    assert job.result is None


def test_a_job_whose_function_is_gone_ends_failed(engine: Engine) -> None:
    job_id = queue(engine, "followsun.jobs:no_such_function", {})
    job = run_job(url_of(engine), job_id)
    assert job.state is JobState.FAILED
    assert job.error is not None and "no_such_function" in job.error


def test_a_job_cancelled_while_queued_never_runs(
    engine: Engine, sample_jobs: ModuleType, tmp_path: Path
) -> None:
    target = tmp_path / "written.txt"
    job_id = queue(engine, "sample_jobs:write_file", {"path": str(target), "text": "x"})
    with session_scope(engine) as session:
        request_cancel(session, job_id)
    job = run_job(url_of(engine), job_id)
    assert (job.state, job.started_at, job.worker_pid) == (JobState.CANCELLED, None, None)
    assert not target.exists()


def test_a_job_returning_a_path_stores_it_as_the_result_location(
    engine: Engine, sample_jobs: ModuleType, tmp_path: Path
) -> None:
    target = tmp_path / "report.txt"
    job_id = queue(engine, "sample_jobs:write_file", {"path": str(target), "text": "hello"})
    job = run_job(url_of(engine), job_id)
    assert (job.state, job.result, job.result_location) == (
        JobState.DONE,
        {"characters": 5},
        str(target),
    )
    assert target.read_text() == "hello"
    job_id = queue(engine, "sample_jobs:return_path", {"path": str(target)})
    job = run_job(url_of(engine), job_id)
    assert (job.result, job.result_location) == (None, str(target))


def test_function_names_are_what_another_process_imports(sample_jobs: ModuleType) -> None:
    assert function_name(sample_jobs.count_slowly) == "sample_jobs:count_slowly"
    assert function_name("sample_jobs:fail") == "sample_jobs:fail"

    def local(params: dict, progress: object) -> None:
        return None

    with pytest.raises(ValueError, match="top-level"):
        function_name(local)
    with pytest.raises(ValueError, match="top-level"):
        function_name(functools.partial(sample_jobs.fail, {"message": "x"}))
    with pytest.raises(ValueError, match="module:function"):
        function_name("sample_jobs.fail")
    with pytest.raises(ValueError, match="no_such"):
        function_name("sample_jobs:no_such")


def test_submit_refuses_parameters_that_are_not_json(
    engine: Engine, sample_jobs: ModuleType
) -> None:
    with pytest.raises(ValueError, match="not JSON"):
        submit(url_of(engine), "count", sample_jobs.count_slowly, {"when": object()}, "thread")
    with session_scope(engine) as session, pytest.raises(InputError, match="no such job"):
        get_job(session, 1)


@pytest.fixture
def dask_client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("where", ["thread", "local", "dask"])
def test_a_submitted_job_runs_on_each_executor(
    engine: Engine,
    sample_jobs: ModuleType,
    where: str,
    request: pytest.FixtureRequest,
) -> None:
    if where == "dask":
        executor = dask_executor(request.getfixturevalue("dask_client"))
    else:
        executor = make_executor(where, max_workers=1)
    with executor:
        job_id = submit(
            url_of(engine), "count", sample_jobs.count_slowly, {"steps": 2, "step_s": 0.0}, executor
        )
        job = wait_for_job(url_of(engine), job_id, poll_s=0.05, timeout_s=TIMEOUT_S)
    assert (job.state, job.result) == (JobState.DONE, {"counted": 2})
    # Threads and the in-process Dask cluster run it here; the local pool in a process of its own.
    assert (job.worker_pid == os.getpid()) is (where != "local")


def test_progress_is_written_at_once_then_at_most_every_interval(engine: Engine) -> None:
    job_id = queue(engine, "sample_jobs:count_slowly", {})
    with session_scope(engine) as session:
        claim_job(session, job_id, "host-a", 1)

    def stored() -> tuple[float | None, str | None]:
        with session_scope(engine) as session:
            job = get_job(session, job_id)
        return job.progress_fraction, job.progress_message

    progress = JobProgress(engine, job_id, every_s=TIMEOUT_S)
    progress(0.1, "first")
    assert stored() == (0.1, "first")
    progress(0.2, "second")
    progress(1.7, "third")  # out of range: clipped
    assert stored() == (0.1, "first")
    progress.flush()
    assert stored() == (1.0, "third")
