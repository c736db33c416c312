"""Roster versions per scenario (plan), their shifts, and which one is published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from followsun.store.frames import (
    ROSTER_COLUMNS,
    columns_to_rows,
    date_values,
    extra_values,
    int_values,
    require_no_nulls,
    str_values,
    utc_series,
    utc_values,
    with_extra,
)
from planner.roster.schema import ROSTER

_SHIFTS: Table = models.RosterShift.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class RosterVersion:
    """One stored version of a scenario's roster.

    Attributes:
        id: its key.
        scenario_name: the scenario (plan) it belongs to.
        version: 1 for the first roster of the scenario, then 2, 3, ...
        run_id: the run that made it, if recorded.
        published: whether it is the scenario's published roster (at most one is).
        published_at: when it was last published (UTC); kept after it is superseded.
        created_at: when it was saved (UTC).
        shift_count: how many shifts it holds.
    """

    id: int
    scenario_name: str
    version: int
    run_id: int | None
    published: bool
    published_at: datetime | None
    created_at: datetime
    shift_count: int


def _version(session: Session, row: models.Roster) -> RosterVersion:
    return _versions(session, [row])[0]


def _versions(session: Session, rows: list[models.Roster]) -> list[RosterVersion]:
    """Records of roster rows, their shifts counted in one query."""
    counts: dict[int, int] = {}
    if rows:
        query = (
            select(_SHIFTS.c.roster_id, func.count())
            .where(_SHIFTS.c.roster_id.in_([row.id for row in rows]))
            .group_by(_SHIFTS.c.roster_id)
        )
        counts = {int(roster_id): int(count) for roster_id, count in session.execute(query)}
    return [
        RosterVersion(
            id=row.id,
            scenario_name=row.scenario_name,
            version=row.version,
            run_id=row.run_id,
            published=row.published,
            published_at=row.published_at,
            created_at=row.created_at,
            shift_count=counts.get(row.id, 0),
        )
        for row in rows
    ]


def _shift_rows(roster_id: int, frame: pd.DataFrame) -> list[dict[str, Any]]:
    what = "roster"
    ROSTER.require(frame, what)
    frame = frame.reset_index(drop=True)
    require_no_nulls(frame, ROSTER.required, what)
    columns: dict[str, list[Any]] = {"roster_id": [roster_id] * len(frame)}
    for name in ROSTER_COLUMNS:
        if name == "breaks" and name not in frame.columns:
            columns[name] = [None] * len(frame)
        elif name in ("start_utc", "end_utc"):
            columns[name] = utc_values(frame, name, what)
        elif name == "date_local":
            columns[name] = date_values(frame, name, what)
        elif name == "tier":
            columns[name] = int_values(frame, name, what)
        else:
            columns[name] = str_values(frame, name)
    columns["extra"] = extra_values(frame, ROSTER_COLUMNS)
    return columns_to_rows(columns)


def save_roster(
    session: Session,
    scenario_name: str,
    frame: pd.DataFrame,
    run_id: int | None = None,
    now: datetime | None = None,
) -> RosterVersion:
    """Store `frame` as the next roster version of `scenario_name` (not published).

    Args:
        session: the caller's session.
        scenario_name: the scenario (plan) it belongs to.
        frame: roster rows (`planner.roster.schema.ROSTER`): `agent_id`, `site`, `timezone`, `date_local`
            (date or YYYY-MM-DD), `start_local`, `end_local` (HH:MM), `start_utc`, `end_utc`
            (tz-aware), `shift`, `tier`, `skills`, optional `breaks`; other columns kept.
        run_id: the run that made it, if recorded.
        now: creation time (tz-aware), default the clock.

    Raises:
        InputError: a required column or value is missing or mistyped.
    """
    last = session.scalar(
        select(func.max(models.Roster.version)).where(models.Roster.scenario_name == scenario_name)
    )
    row = models.Roster(
        scenario_name=scenario_name,
        version=int(last or 0) + 1,
        run_id=run_id,
        published=False,
        created_at=now or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    shifts = _shift_rows(row.id, frame)
    if shifts:
        session.execute(_SHIFTS.insert(), shifts)
    return _version(session, row)


def roster_versions(session: Session, scenario_name: str) -> list[RosterVersion]:
    """Every roster version of `scenario_name`, oldest first."""
    query = (
        select(models.Roster)
        .where(models.Roster.scenario_name == scenario_name)
        .order_by(models.Roster.version)
    )
    return _versions(session, list(session.scalars(query)))


def get_roster(session: Session, roster_id: int) -> RosterVersion | None:
    """The roster version with key `roster_id`, or None."""
    row = session.get(models.Roster, roster_id)
    return None if row is None else _version(session, row)


def roster_scenario_names(session: Session) -> list[str]:
    """The names of every scenario with at least one stored roster, sorted."""
    query = select(models.Roster.scenario_name).distinct().order_by(models.Roster.scenario_name)
    return list(session.scalars(query))


def latest_roster(
    session: Session, scenario_name: str, published_only: bool = False
) -> RosterVersion | None:
    """The newest roster version of `scenario_name` (the published one if asked), or None."""
    query = select(models.Roster).where(models.Roster.scenario_name == scenario_name)
    if published_only:
        query = query.where(models.Roster.published.is_(True))
    row = session.scalars(query.order_by(models.Roster.version.desc())).first()
    return None if row is None else _version(session, row)


def publish_roster(session: Session, roster_id: int, now: datetime | None = None) -> RosterVersion:
    """Publish roster `roster_id`, withdrawing its scenario's previously published version.

    Args:
        session: the caller's session.
        roster_id: the version to publish.
        now: publication time (tz-aware), default the clock.

    Raises:
        InputError: there is no such roster.
    """
    row = session.get(models.Roster, roster_id, with_for_update=True)
    if row is None:
        raise InputError(f"no roster with id {roster_id}")
    session.execute(
        update(models.Roster)
        .where(
            models.Roster.scenario_name == row.scenario_name,
            models.Roster.id != roster_id,
            models.Roster.published.is_(True),
        )
        .values(published=False)
        .execution_options(synchronize_session="fetch")
    )
    row.published = True
    row.published_at = now or datetime.now(UTC)
    session.flush()
    return _version(session, row)


def roster_frame(session: Session, roster_id: int) -> pd.DataFrame:
    """The shifts of roster `roster_id` as a roster frame, by start then agent.

    Returns:
        ROSTER_COLUMNS plus any extra columns saved: `start_utc`/`end_utc`
        `datetime64[ns, UTC]`, `date_local` as `datetime.date`, `tier` int64.

    Raises:
        InputError: there is no such roster.
    """
    if session.get(models.Roster, roster_id) is None:
        raise InputError(f"no roster with id {roster_id}")
    columns = (*ROSTER_COLUMNS, "extra")
    query = (
        select(*(_SHIFTS.c[name] for name in columns))
        .where(_SHIFTS.c.roster_id == roster_id)
        .order_by(_SHIFTS.c.start_utc, _SHIFTS.c.agent_id, _SHIFTS.c.id)
    )
    records = session.execute(query).all()
    data = dict(zip(columns, zip(*records, strict=True), strict=True)) if records else {}
    frame = pd.DataFrame({name: list(data.get(name, ())) for name in ROSTER_COLUMNS})
    frame["start_utc"] = utc_series(frame["start_utc"])
    frame["end_utc"] = utc_series(frame["end_utc"])
    frame["tier"] = frame["tier"].astype("int64")
    return with_extra(frame, list(data.get("extra", ())))


def roster_periods(session: Session, scenario_name: str) -> dict[int, tuple[date, date]]:
    """Each stored version of `scenario_name` (by key) to its first and last local shift date."""
    query = (
        select(_SHIFTS.c.roster_id, func.min(_SHIFTS.c.date_local), func.max(_SHIFTS.c.date_local))
        .join(models.Roster, models.Roster.id == _SHIFTS.c.roster_id)
        .where(models.Roster.scenario_name == scenario_name)
        .group_by(_SHIFTS.c.roster_id)
    )
    return {int(key): (first, last) for key, first, last in session.execute(query)}
