"""Scenarios, runs, and the forecasts and requirements a run produced."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import Table, delete, exists, select
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from followsun.store.frames import (
    FORECAST_FIGURES,
    REQUIREMENT_FIGURES,
    columns_to_rows,
    extra_values,
    float_values,
    int_values,
    require_no_nulls,
    str_values,
    utc_series,
    utc_values,
    with_extra,
)
from forecasting.schema import FORECAST, QUEUE_INTERVAL_KEY, FrameSchema
from planner.staffing.schema import REQUIREMENTS

_FORECASTS: Table = models.ForecastRow.__table__  # type: ignore[assignment]
_REQUIREMENTS: Table = models.RequirementRow.__table__  # type: ignore[assignment]


class RunStatus(StrEnum):
    """How a run stands: running until `finish_run` says how it ended."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ScenarioRecord:
    """One stored version of a named scenario.

    Attributes:
        id: its key, referenced by runs.
        name: the scenario's name.
        content: the file's text (YAML or JSON) exactly as saved.
        content_hash: SHA-256 of the UTF-8 content, hex.
        created_at: when this version was first saved (UTC).
    """

    id: int
    name: str
    content: str
    content_hash: str
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    """One execution of a pipeline stage.

    Attributes:
        id: its key.
        kind: the stage, e.g. 'demo', 'forecast', 'roster'.
        scenario_id: the scenario version it ran on, if any.
        inputs_hash: a hash of everything that went in (the caller's choice of digest).
        status: running, succeeded or failed.
        started_at: start (UTC).
        finished_at: end (UTC), None while running.
        summary: the run's JSON summary (e.g. the demo's summary.json), if recorded.
        outputs_location: where its files were written (directory or URL), if any.
    """

    id: int
    kind: str
    scenario_id: int | None
    inputs_hash: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    summary: Mapping[str, Any] | None
    outputs_location: str | None


def content_hash(content: str) -> str:
    """SHA-256 of `content` encoded as UTF-8, hex (the scenario version's identity)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _scenario_record(row: models.Scenario) -> ScenarioRecord:
    return ScenarioRecord(row.id, row.name, row.content, row.content_hash, row.created_at)


def save_scenario(
    session: Session, name: str, content: str, now: datetime | None = None
) -> ScenarioRecord:
    """Store a version of scenario `name`; saving identical content again returns the old one.

    Args:
        session: the caller's session.
        name: the scenario's name.
        content: the scenario file's text (YAML or JSON).
        now: creation time for a new version (tz-aware), default the clock.
    """
    digest = content_hash(content)
    query = select(models.Scenario).where(
        models.Scenario.name == name, models.Scenario.content_hash == digest
    )
    found = session.scalars(query).first()
    if found is None:
        found = models.Scenario(
            name=name, content=content, content_hash=digest, created_at=now or datetime.now(UTC)
        )
        session.add(found)
        session.flush()
    return _scenario_record(found)


def latest_scenario(session: Session, name: str) -> ScenarioRecord | None:
    """The most recently saved version of scenario `name`, or None."""
    query = (
        select(models.Scenario)
        .where(models.Scenario.name == name)
        .order_by(models.Scenario.created_at.desc(), models.Scenario.id.desc())
    )
    found = session.scalars(query).first()
    return None if found is None else _scenario_record(found)


def get_scenario(session: Session, scenario_id: int) -> ScenarioRecord:
    """The scenario version with key `scenario_id`.

    Raises:
        InputError: there is none.
    """
    found = session.get(models.Scenario, scenario_id)
    if found is None:
        raise InputError(f"no scenario with id {scenario_id}")
    return _scenario_record(found)


def _run_record(row: models.Run) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        scenario_id=row.scenario_id,
        inputs_hash=row.inputs_hash,
        status=RunStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        summary=row.summary,
        outputs_location=row.outputs_location,
    )


def record_run(
    session: Session,
    kind: str,
    inputs_hash: str,
    scenario_id: int | None = None,
    started_at: datetime | None = None,
) -> RunRecord:
    """Record that a run of `kind` has started (status running).

    Args:
        session: the caller's session.
        kind: the stage, e.g. 'demo'.
        inputs_hash: a digest of the run's inputs, so an identical earlier run can be found.
        scenario_id: the scenario version it runs on, if any.
        started_at: start time (tz-aware), default the clock.
    """
    row = models.Run(
        kind=kind,
        scenario_id=scenario_id,
        inputs_hash=inputs_hash,
        status=RunStatus.RUNNING.value,
        started_at=started_at or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return _run_record(row)


def finish_run(
    session: Session,
    run_id: int,
    status: RunStatus,
    summary: Mapping[str, Any] | None = None,
    outputs_location: str | None = None,
    finished_at: datetime | None = None,
) -> RunRecord:
    """Record how run `run_id` ended, its JSON summary and where its outputs are.

    Raises:
        InputError: there is no such run, it already finished, or `status` is running.
    """
    if status is RunStatus.RUNNING:
        raise InputError(f"run {run_id}: finish it as succeeded or failed, not running")
    row = session.get(models.Run, run_id, populate_existing=True)
    if row is None:
        raise InputError(f"no run with id {run_id}")
    if row.status != RunStatus.RUNNING:
        raise InputError(f"run {run_id} already finished as {row.status}")
    row.status = status.value
    row.summary = None if summary is None else dict(summary)
    row.outputs_location = outputs_location
    row.finished_at = finished_at or datetime.now(UTC)
    session.flush()
    return _run_record(row)


def get_run(session: Session, run_id: int) -> RunRecord:
    """The run with key `run_id`.

    Raises:
        InputError: there is none.
    """
    row = session.get(models.Run, run_id)
    if row is None:
        raise InputError(f"no run with id {run_id}")
    return _run_record(row)


def recent_runs(session: Session, kind: str | None = None, limit: int = 20) -> list[RunRecord]:
    """The newest runs (of one kind), newest first, at most `limit` of them."""
    query = select(models.Run).order_by(models.Run.started_at.desc(), models.Run.id.desc())
    if kind is not None:
        query = query.where(models.Run.kind == kind)
    return [_run_record(row) for row in session.scalars(query.limit(limit))]


def find_run(
    session: Session, kind: str, inputs_hash: str, status: RunStatus = RunStatus.SUCCEEDED
) -> RunRecord | None:
    """The latest run of `kind` on identical inputs with `status`, or None (a cache lookup)."""
    query = (
        select(models.Run)
        .where(
            models.Run.kind == kind,
            models.Run.inputs_hash == inputs_hash,
            models.Run.status == status.value,
        )
        .order_by(models.Run.started_at.desc(), models.Run.id.desc())
    )
    found = session.scalars(query).first()
    return None if found is None else _run_record(found)


def _queue_rows(
    session: Session,
    run_id: int,
    frame: pd.DataFrame,
    schema: FrameSchema,
    figures: tuple[str, ...],
) -> list[dict[str, Any]]:
    what = schema.name
    if session.get(models.Run, run_id) is None:
        raise InputError(f"{what}: no run with id {run_id}")
    schema.require(frame, what, (*QUEUE_INTERVAL_KEY, *figures))
    frame = frame.reset_index(drop=True)
    require_no_nulls(frame, (*QUEUE_INTERVAL_KEY, *figures), what)
    duplicated = frame.duplicated(list(QUEUE_INTERVAL_KEY))
    if duplicated.any():
        rows = ", ".join(map(str, frame.index[duplicated.to_numpy()][:5]))
        raise InputError(f"{what}: more than one row per interval and queue (rows {rows})")
    columns: dict[str, list[Any]] = {
        "run_id": [run_id] * len(frame),
        "interval_start": utc_values(frame, "interval_start", what),
        "channel": str_values(frame, "channel"),
        "language": str_values(frame, "language"),
        "tier": list(int_values(frame, "tier", what)),
    }
    for name in figures:
        if name == "method":
            columns[name] = str_values(frame, name)
        else:
            columns[name] = float_values(frame, name, what)
    columns["extra"] = extra_values(frame, (*QUEUE_INTERVAL_KEY, *figures))
    return columns_to_rows(columns)


def _save_queue_frame(
    session: Session,
    table: Table,
    run_id: int,
    frame: pd.DataFrame,
    schema: FrameSchema,
    figures: tuple[str, ...],
) -> int:
    rows = _queue_rows(session, run_id, frame, schema, figures)
    session.execute(delete(table).where(table.c.run_id == run_id))
    if rows:
        session.execute(table.insert(), rows)
    return len(rows)


def _queue_frame(
    session: Session, table: Table, run_id: int, figures: tuple[str, ...]
) -> pd.DataFrame:
    columns = (*QUEUE_INTERVAL_KEY, *figures, "extra")
    query = (
        select(*(table.c[name] for name in columns))
        .where(table.c.run_id == run_id)
        .order_by(*(table.c[name] for name in QUEUE_INTERVAL_KEY))
    )
    records = session.execute(query).all()
    data = dict(zip(columns, zip(*records, strict=True), strict=True)) if records else {}
    frame = pd.DataFrame({name: list(data.get(name, ())) for name in columns[:-1]})
    frame["interval_start"] = utc_series(frame["interval_start"])
    frame["tier"] = frame["tier"].astype("int64")
    for name in figures:
        if name != "method":
            frame[name] = frame[name].astype("float64")
    return with_extra(frame, list(data.get("extra", ())))


def save_forecast(session: Session, run_id: int, frame: pd.DataFrame) -> int:
    """Store run `run_id`'s forecast, replacing any stored for it; returns the row count.

    Args:
        session: the caller's session.
        run_id: the run that made it.
        frame: forecast rows (`forecasting.schema.FORECAST`): `interval_start` (tz-aware), `channel`,
            `language`, `tier`, `volume`, `volume_p10`, `volume_p90`, `aht_seconds`;
            one row per interval and queue. Other columns are kept as they are (JSON).

    Raises:
        InputError: a column or value is missing or mistyped, or a key repeats.
    """
    return _save_queue_frame(session, _FORECASTS, run_id, frame, FORECAST, FORECAST_FIGURES)


def forecast_frame(session: Session, run_id: int) -> pd.DataFrame:
    """Run `run_id`'s stored forecast, ordered by interval and queue (columns as saved)."""
    return _queue_frame(session, _FORECASTS, run_id, FORECAST_FIGURES)


def save_requirements(session: Session, run_id: int, frame: pd.DataFrame) -> int:
    """Store run `run_id`'s requirements, replacing any stored for it; returns the row count.

    Args:
        session: the caller's session.
        run_id: the run that made them.
        frame: requirement rows (`planner.staffing.schema.REQUIREMENTS`): `interval_start` (tz-aware), `channel`,
            `language`, `tier`, `agents_required`, `method`; the predicted figures at that
            staffing (any other columns) are kept as they are (JSON).

    Raises:
        InputError: a column or value is missing or mistyped, or a key repeats.
    """
    return _save_queue_frame(
        session, _REQUIREMENTS, run_id, frame, REQUIREMENTS, REQUIREMENT_FIGURES
    )


def requirements_frame(session: Session, run_id: int) -> pd.DataFrame:
    """Run `run_id`'s stored requirements, ordered by interval and queue.

    `agents_required` comes back as float64; extra figures as they were saved.
    """
    return _queue_frame(session, _REQUIREMENTS, run_id, REQUIREMENT_FIGURES)


def latest_forecast_run(session: Session, scenario_name: str, before: datetime) -> int | None:
    """The newest run of the scenario with a stored forecast starting before `before`."""
    has_past = exists().where(
        models.ForecastRow.run_id == models.Run.id, models.ForecastRow.interval_start < before
    )
    query = (
        select(models.Run.id)
        .join(models.Scenario, models.Run.scenario_id == models.Scenario.id)
        .where(models.Scenario.name == scenario_name, has_past)
        .order_by(models.Run.started_at.desc(), models.Run.id.desc())
        .limit(1)
    )
    found = session.scalar(query)
    return None if found is None else int(found)
