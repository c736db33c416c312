"""The roster service as a job: run by name from the jobs table, its files written and its roster published."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.files import write_requirements
from followsun.jobs import JobState
from followsun.services.params import from_params, to_params
from followsun.services.pipeline import fit_forecast
from followsun.services.roster import RosterRequest, roster_job
from followsun.store import latest_roster, roster_frame, session_scope
from forecasting.aggregate import history_before
from scenarios.loader import dump_scenario
from scenarios.staffing import requirements
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, tiny_scenario
from tests.followsun.services.service_jobs import run_as_job


def test_request_parameters_round_trip_through_json(tmp_path: Path) -> None:
    request = RosterRequest(
        scenario=tmp_path / "s.yaml",
        requirements=tmp_path / "r.csv",
        start=AS_OF,
        weeks=1,
        out=tmp_path / "out",
        previous=None,
        time_limit_s=3.5,
    )
    params = json.loads(json.dumps(to_params(request)))
    assert from_params(RosterRequest, params) == request


@pytest.mark.slow
def test_a_roster_job_writes_its_files_and_publishes_what_it_solved(
    engine: Engine, tmp_path: Path
) -> None:
    scenario = tiny_scenario()
    scenario_path = tmp_path / "tiny.yaml"
    scenario_path.write_text(dump_scenario(scenario), encoding="utf-8")
    end = pd.Timestamp(AS_OF, tz="UTC")
    history = history_before(hourly_tickets(weeks=2), end, 60, by_region=True)
    grid = pd.date_range(end, end + timedelta(weeks=1), freq="60min", inclusive="left")
    forecast, _ = fit_forecast(scenario, history, grid, "seasonal_naive")
    write_requirements(requirements(scenario, forecast), tmp_path / "requirements.csv")
    url = engine.url.render_as_string(hide_password=False)
    request = RosterRequest(
        scenario=scenario_path,
        requirements=tmp_path / "requirements.csv",
        start=AS_OF,
        weeks=1,
        out=tmp_path / "out",
        time_limit_s=5,
        workers=1,
        seed=1,
        publish=True,
        database_url=url,
    )
    job = run_as_job(engine, "roster", roster_job, request)

    assert job.state is JobState.DONE, job.error
    assert job.result_location == str(request.out)
    assert job.progress_fraction == 1.0
    solver = json.loads((request.out / "solver.json").read_text())
    assert job.result["status"] == solver["status"] in ("optimal", "feasible")
    assert job.result["shifts"] == solver["shifts"] > 0
    with session_scope(engine) as session:
        published = latest_roster(session, scenario.name, published_only=True)
        assert published is not None and published.version == job.result["published_version"]
        stored = roster_frame(session, published.id)
    written = pd.read_csv(request.out / "roster.csv")
    assert len(stored) == len(written) == job.result["shifts"]
