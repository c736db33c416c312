"""Check the published roster against the latest actuals, write the findings and store the run.

Reads the imported tickets, the scenario's published roster and its latest stored
forecast from the store, runs the feedback loop (`feedback_loop.feedback_report`), writes
accuracy.csv, forecast.csv, requirements.csv, risk.csv and feedback.json, and stores the
re-forecast as a 'feedback' run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from followsun.atomic import StagedFolder, check_output_folder, replacing_folder
from followsun.files import iso_utc, json_records, write_feedback_files, write_json
from followsun.services.feedback_loop import (
    FeedbackReport,
    FeedbackSettings,
    coming_grid,
    feedback_report,
)
from followsun.services.progress import Progress, Stages, no_progress
from followsun.store import (
    RosterVersion,
    RunStatus,
    finish_run,
    forecast_frame,
    init_db,
    latest_forecast_run,
    latest_roster,
    record_run,
    roster_frame,
    save_forecast,
    save_requirements,
    save_scenario,
    session_scope,
    ticket_count,
    tickets_frame,
)
from forecasting.errors import InputError
from scenarios.loader import dump_scenario, load_scenario

MAX_DAYS = 28
STAGES = ("read", "feedback", "write", "store")
# The at-risk rows as feedback.json lists them.
AT_RISK_COLUMNS = [
    "date_local",
    "queue",
    "timezone",
    "predicted_sl",
    "target",
    "margin",
    "shortfall_heads",
    "short_head_hours",
    "worst_intervals",
    "simulated_sl",
    "simulated_at_risk",
]


@dataclass(frozen=True)
class FeedbackRun:
    """The feedback loop's findings and feedback.json's content (with the stored run id)."""

    report: FeedbackReport
    record: dict[str, Any]
    json_text: str

    @property
    def at_risk(self) -> bool:
        """Whether some coming day is at risk."""
        return bool(self.record["at_risk"])


def run_feedback(
    scenario_path: Path,
    settings: FeedbackSettings,
    out: Path,
    *,
    database_url: str | None = None,
    progress: Progress = no_progress,
) -> FeedbackRun:
    """Run the feedback loop on the store's data, write its files into `out`, store the run.

    Raises:
        InputError: bad settings, no tickets, or no published roster for the scenario.
    """
    if not 1 <= settings.days <= MAX_DAYS:
        raise InputError(f"--days: expected 1 to {MAX_DAYS}, got {settings.days}")
    if settings.calibration_days < 1 or settings.min_samples < 1:
        raise InputError("--calibration-days and --min-samples must be at least 1")
    check_output_folder(out, [scenario_path])
    stages = Stages(progress, STAGES)
    stages.start("read")
    scenario = load_scenario(scenario_path)
    end = coming_grid(scenario, settings.as_of, settings.days)[0]
    engine = init_db(database_url)
    try:
        with session_scope(engine) as session:
            if ticket_count(session) == 0:
                raise InputError(
                    "the store has no tickets; import them first (followsun import "
                    "zendesk|freshdesk|csv, or followsun sync)"
                )
            version = latest_roster(session, scenario.name, published_only=True)
            if version is None:
                raise InputError(
                    f"scenario {scenario.name!r} has no published roster; publish one with "
                    f"`followsun roster --scenario {scenario_path} ... --publish` or "
                    "`followsun demo --tickets store --publish`"
                )
            roster = roster_frame(session, version.id)
            since = end - pd.Timedelta(weeks=settings.history_weeks)
            tickets = tickets_frame(session, since=since.to_pydatetime(), until=end.to_pydatetime())
            forecast_run = latest_forecast_run(session, scenario.name, end.to_pydatetime())
            stored = None if forecast_run is None else forecast_frame(session, forecast_run)
        stages.start("feedback")
        report = feedback_report(scenario, tickets, stored, roster, settings)
        record = feedback_record(report, settings, version, forecast_run)
        stages.start("write")
        with replacing_folder(out) as staged:
            write_feedback_files(staged.path, report)
            stages.start("store")
            text = store_run(engine, report, record, dump_scenario(scenario), staged)
    finally:
        engine.dispose()
    stages.done()
    return FeedbackRun(report, record, text)


def feedback_record(
    report: FeedbackReport,
    settings: FeedbackSettings,
    version: RosterVersion,
    forecast_run: int | None,
) -> dict[str, Any]:
    """feedback.json: what was compared, measured, recalibrated and found at risk."""
    return {
        "scenario": report.scenario.name,
        "as_of": settings.as_of.isoformat(),
        "days": settings.days,
        "period": {
            "start": iso_utc(report.grid[0]),
            "end": iso_utc(report.grid[-1] + (report.grid[1] - report.grid[0])),
        },
        "roster": {
            "id": version.id,
            "version": version.version,
            "published_at": None if version.published_at is None else iso_utc(version.published_at),
        },
        "forecast_run": forecast_run,
        "forecast_method": report.forecast_method,
        "accuracy": json_records(report.accuracy),
        "calibration": json_records(report.calibration),
        "risk": json_records(report.risk),
        "at_risk": json_records(report.at_risk[AT_RISK_COLUMNS]),
        "notes": list(report.notes),
    }


def store_run(
    engine: Engine,
    report: FeedbackReport,
    record: dict[str, Any],
    resolved_yaml: str,
    staged: StagedFolder,
) -> str:
    """Store the re-forecast as a 'feedback' run; write feedback.json with its id; return the text.

    `record` gains the `run_id`. The staged folder is swapped into place just before the
    transaction commits, so the stored run's location holds this run's files.
    """
    key = json.dumps([resolved_yaml, record["as_of"], record["days"], record["roster"]])
    with session_scope(engine) as session:
        stored = save_scenario(session, report.scenario.name, resolved_yaml)
        run = record_run(session, "feedback", hashlib.sha256(key.encode()).hexdigest(), stored.id)
        save_forecast(session, run.id, report.forecast)
        save_requirements(session, run.id, report.requirements)
        finish_run(
            session,
            run.id,
            RunStatus.SUCCEEDED,
            summary={k: record[k] for k in ("as_of", "days", "roster", "at_risk", "notes")},
            outputs_location=str(staged.target.resolve()),
        )
        record["run_id"] = run.id
        text = write_json(staged.path / "feedback.json", record)
        staged.commit()
        return text
