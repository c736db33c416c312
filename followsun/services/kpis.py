"""Actual support KPIs of a period from the stored tickets (definitions in forecasting.kpis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from followsun.atomic import check_output_file
from followsun.files import write_csv
from followsun.store import init_db, session_scope, tickets_frame
from forecasting.errors import InputError
from forecasting.kpis import Kpis, SlaTarget, ticket_kpis, volume_by_interval
from scenarios.loader import load_scenario

DEFAULT_DAYS = 28


@dataclass(frozen=True)
class KpisRequest:
    """Which period and tickets to measure, and against which targets.

    Attributes:
        start: first instant (default: DEFAULT_DAYS before `end`).
        end: the instant after the period (default: now).
        scenario: take first-response targets from its queues (else channel defaults).
        source: only this source's tickets.
        intervals_out: also write the volume per channel and UTC interval to this CSV.
        interval_minutes: the grain of `intervals_out`.
        force: replace an existing `intervals_out` file.
        database_url: the store (None: the configured one).
    """

    start: datetime | None = None
    end: datetime | None = None
    scenario: Path | None = None
    source: str | None = None
    intervals_out: Path | None = None
    interval_minutes: int = 30
    force: bool = False
    database_url: str | None = None


def measure_kpis(request: KpisRequest, now: datetime | None = None) -> Kpis:
    """The KPIs of [start, end) (the backlog counts tickets created before the period too).

    Raises:
        InputError: a period that does not start before it ends, or a bad scenario.
    """
    now = now or datetime.now(UTC)
    end = request.end or now
    start = request.start or end - timedelta(days=DEFAULT_DAYS)
    if not start < end:
        raise InputError(f"--from {start:%Y-%m-%d %H:%M} must be before --to {end:%Y-%m-%d %H:%M}")
    if request.intervals_out is not None:
        check_output_file(request.intervals_out, force=request.force, inputs=[request.scenario])
    targets = scenario_targets(request.scenario) if request.scenario else None
    engine = init_db(request.database_url)
    try:
        with session_scope(engine) as session:
            tickets = tickets_frame(session, until=end, source=request.source)
    finally:
        engine.dispose()
    kpis = ticket_kpis(
        tickets,
        pd.Timestamp(start),
        pd.Timestamp(end),
        targets=targets,
        as_of=pd.Timestamp(min(end, now)),
    )
    if request.intervals_out:
        volume = volume_by_interval(
            tickets, pd.Timestamp(start), pd.Timestamp(end), request.interval_minutes
        )
        write_csv(volume, request.intervals_out)
    return kpis


def scenario_targets(path: Path) -> tuple[SlaTarget, ...]:
    """One first-response target per queue of the scenario."""
    scenario = load_scenario(path)
    return tuple(
        SlaTarget(q.channel, q.target.within_seconds, q.target.fraction, q.language, q.tier)
        for q in scenario.queues
    )
