"""`followsun jobs list|show|cancel|wait` on jobs stored in each state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import ModuleType

import pytest
from sqlalchemy import Engine

from followsun.cli import main
from followsun.jobs import JobState, run_job, worker_silent
from followsun.store import (
    DATABASE_URL_ENV,
    claim_job,
    create_job,
    finish_job,
    get_job,
    report_progress,
    session_scope,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # before the tests run: old heartbeats


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The test store, as the one the CLI opens."""
    monkeypatch.setenv(DATABASE_URL_ENV, engine.url.render_as_string(hide_password=False))
    return engine


def add_job(engine: Engine, kind: str, state: JobState) -> int:
    """A job brought to `state` through the store's own transitions."""
    with session_scope(engine) as session:
        job_id = create_job(session, kind, "somewhere:work", {"weeks": 4}, now=T0).id
        if state is not JobState.QUEUED:
            claim_job(session, job_id, "host-a", 4242, now=T0)
            report_progress(session, job_id, 0.4, "rostering", now=T0)
        if state.ended:
            finish_job(session, job_id, state, error="boom" if state is JobState.FAILED else None)
    return job_id


def test_list_shows_the_jobs_newest_first_and_filters_by_state(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    done = add_job(store, "plan", JobState.DONE)
    running = add_job(store, "roster", JobState.RUNNING)
    assert main(["jobs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(j["id"], j["state"]) for j in listed] == [(running, "running"), (done, "done")]
    assert listed[0]["progress_fraction"] == 0.4
    assert listed[0]["created_at"] == "2026-03-01T09:00:00.000000Z"
    assert main(["jobs", "list", "--state", "running"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # the header and the running job
    assert lines[1].split()[:4] == [str(running), "roster", "running", "40%"]


def test_show_prints_one_job(store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    failed = add_job(store, "import", JobState.FAILED)
    assert main(["jobs", "show", str(failed), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["id"], shown["state"], shown["error"]) == (failed, "failed", "boom")
    assert (shown["worker_host"], shown["worker_pid"]) == ("host-a", 4242)
    assert main(["jobs", "show", str(failed)]) == 0
    assert "error      boom" in capsys.readouterr().out


def test_cancel_stops_a_queued_job_flags_a_running_one_and_refuses_an_ended_one(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queued = add_job(store, "plan", JobState.QUEUED)
    running = add_job(store, "plan", JobState.RUNNING)
    done = add_job(store, "plan", JobState.DONE)
    assert main(["jobs", "cancel", str(queued)]) == 0
    assert main(["jobs", "cancel", str(running)]) == 0
    assert main(["jobs", "cancel", str(done)]) == 1
    assert "already ended: done" in capsys.readouterr().err
    with session_scope(store) as session:
        states = [
            (get_job(session, i).state, get_job(session, i).cancel_requested)
            for i in (queued, running, done)
        ]
    assert states == [
        (JobState.CANCELLED, True),
        (JobState.RUNNING, True),
        (JobState.DONE, False),
    ]


def test_an_unknown_job_is_bad_input(store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("show", "cancel", "wait"):
        assert main(["jobs", action, "99"]) == 2
        assert "job 99: no such job" in capsys.readouterr().err


def test_wait_exits_by_how_the_job_ended(
    store: Engine, sample_jobs: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    url = store.url.render_as_string(hide_password=False)
    with session_scope(store) as session:
        good = create_job(session, "count", "sample_jobs:count_slowly", {"steps": 2, "step_s": 0})
        bad = create_job(session, "count", "sample_jobs:fail", {"message": "no forecast"})
    run_job(url, good.id)
    run_job(url, bad.id)
    assert main(["jobs", "wait", str(good.id), "--quiet"]) == 0
    assert f"job {good.id} (count): done" in capsys.readouterr().out
    assert main(["jobs", "wait", str(bad.id), "--quiet"]) == 1
    assert "ValueError: no forecast" in capsys.readouterr().out


def test_wait_gives_up_at_its_timeout(store: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    running = add_job(store, "plan", JobState.RUNNING)
    assert main(["jobs", "wait", str(running), "--quiet", "--timeout", "0"]) == 1
    assert f"job {running} still running" in capsys.readouterr().err


def test_a_running_job_whose_worker_went_silent_is_pointed_out(
    store: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = add_job(store, "plan", JobState.RUNNING)  # its last heartbeat: T0, long ago
    alive = add_job(store, "plan", JobState.RUNNING)
    ended = add_job(store, "plan", JobState.DONE)
    with session_scope(store) as session:
        report_progress(session, alive, 0.5, "rostering")  # a heartbeat now
        assert worker_silent(get_job(session, silent))
        assert not worker_silent(get_job(session, alive))
        assert not worker_silent(get_job(session, ended))
    assert main(["jobs", "show", str(silent)]) == 0
    assert "its worker may have stopped" in capsys.readouterr().out
    assert main(["jobs", "list", "--state", "running"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.endswith("(worker silent)") for line in lines] == [False, True]
