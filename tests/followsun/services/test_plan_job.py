"""The demo's run (plan a scenario) as a job: its files, its stored run and its summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from followsun.jobs import JobState
from followsun.services.plan import DemoOptions, plan_job
from scenarios.loader import dump_scenario
from tests.followsun.services.feedback_data import AS_OF, tiny_scenario
from tests.followsun.services.service_jobs import run_as_job


@pytest.mark.slow
def test_a_plan_job_writes_the_demo_files_and_stores_its_run(
    engine: Engine, tmp_path: Path
) -> None:
    scenario_path = tmp_path / "tiny.yaml"
    scenario_path.write_text(dump_scenario(tiny_scenario()), encoding="utf-8")
    url = engine.url.render_as_string(hide_password=False)
    options = DemoOptions(
        out=tmp_path / "out",
        start=AS_OF,
        weeks=1,
        history_weeks=8,
        time_limit_s=5,
        workers=1,
        database_url=url,
        scenario_path=scenario_path,
    )
    job = run_as_job(engine, "plan", plan_job, options)

    assert job.state is JobState.DONE, job.error
    assert job.result_location == str(options.out)
    summary = json.loads((options.out / "summary.json").read_text())
    assert {k: job.result[k] for k in summary} == summary
    assert isinstance(job.result["run_id"], int)
    for name in ("forecast.csv", "requirements.csv", "roster.csv", "outcomes.csv", "report.html"):
        assert (options.out / name).exists(), name


def test_demo_options_with_variants_to_compare_survive_the_job_parameters() -> None:
    import json
    from datetime import date
    from pathlib import Path

    from followsun.services.params import from_params, to_params
    from followsun.services.plan import DemoOptions

    options = DemoOptions(
        out=Path("out/x"),
        start=date(2027, 3, 8),
        weeks=1,
        compare=(Path("a.yaml"), Path("b.yaml")),
    )
    params = json.loads(json.dumps(to_params(options)))
    assert from_params(DemoOptions, params) == options
    assert (
        from_params(
            DemoOptions,
            json.loads(json.dumps(to_params(DemoOptions(Path("o"), date(2027, 3, 8), 1)))),
        ).compare
        == ()
    )
