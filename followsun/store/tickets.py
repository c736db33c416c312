"""The canonical tickets table: idempotent upserts from any source, and reads as a frame."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import String, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from followsun.store.frames import (
    TICKET_COLUMNS,
    TICKET_KEY,
    TICKET_REQUIRED,
    TICKET_TIMESTAMPS,
    bool_values,
    columns_to_rows,
    float_values,
    int_values,
    require_no_nulls,
    str_values,
    utc_series,
    utc_values,
)
from followsun.store.imports import release_quarantined
from followsun.store.models import Ticket
from followsun.store.upsert import upsert
from forecasting.schema import TICKETS

DEFAULT_BATCH_ROWS = 2_000
_TABLE: Table = Ticket.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class UpsertCounts:
    """What an upsert did to each incoming ticket (after de-duplicating the frame).

    Attributes:
        inserted: tickets that were not stored before.
        updated: stored tickets overwritten by a version with an equal or later `updated_at`.
        unchanged: stored tickets equal to the incoming version (nothing written).
        stale: incoming versions older (`updated_at`) than the stored one (not written).
        merged: incoming rows folded into another row of the same ticket in the same
            frame (the latest version of a ticket the export repeats is the one upserted).
    """

    inserted: int
    updated: int
    unchanged: int
    stale: int = 0
    merged: int = 0

    @property
    def total(self) -> int:
        """Distinct tickets seen."""
        return self.inserted + self.updated + self.unchanged + self.stale

    @property
    def rows(self) -> int:
        """Incoming rows: the distinct tickets and the rows merged into them."""
        return self.total + self.merged

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.stale + other.stale,
            self.merged + other.merged,
        )


def ticket_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Validate a canonical tickets frame and turn it into rows, one per distinct ticket.

    When a ticket appears more than once (an export that repeats it across pages), the
    version with the latest `updated_at` wins, the later row on a tie.

    Args:
        frame: canonical tickets (`forecasting.schema.TICKETS`); `source`..`tier` required, the optional
            columns may be absent; timestamps tz-aware; extra columns are ignored.

    Raises:
        InputError: a required column or value is missing, or a value has the wrong type.
    """
    what = "tickets"
    TICKETS.require(frame, what, TICKET_REQUIRED)
    frame = frame.reset_index(drop=True)
    require_no_nulls(frame, TICKET_REQUIRED, what)
    size = len(frame)
    columns: dict[str, Sequence[Any]] = {}
    for name in TICKET_COLUMNS:
        if name not in frame.columns:
            columns[name] = [None] * size
        elif name in TICKET_TIMESTAMPS:
            columns[name] = utc_values(frame, name, what)
        elif name == "tier":
            columns[name] = int_values(frame, name, what)
        elif name in ("handle_seconds", "csat", "wait_seconds"):
            columns[name] = float_values(frame, name, what)
        elif name == "priority":
            columns[name] = [None if v is None else int(v) for v in float_values(frame, name, what)]
        elif name in ("escalated", "abandoned"):
            columns[name] = bool_values(frame, name, what)
        else:
            columns[name] = str_values(frame, name)
    rows = columns_to_rows(columns)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["source"], row["ticket_id"])
        held = latest.get(key)
        if held is None or row["updated_at"] >= held["updated_at"]:
            latest[key] = row
    return list(latest.values())


def upsert_tickets(
    session: Session, frame: pd.DataFrame, batch_rows: int = DEFAULT_BATCH_ROWS
) -> UpsertCounts:
    """Insert new tickets and overwrite changed ones, keyed by (`source`, `ticket_id`).

    Idempotent: the same frame upserted twice leaves the same rows (the second time every
    ticket is `unchanged`). A stored ticket is never overwritten by an older version (by
    `updated_at`), so a re-run from an earlier cursor cannot undo later updates. A ticket
    the store now holds (inserted, updated or unchanged) leaves the quarantine: an earlier
    refusal of the same source and ticket id is deleted in the same transaction. Nothing
    is committed here: a failure part-way leaves the caller's transaction to roll back.

    Args:
        session: the caller's session.
        frame: canonical tickets, see `ticket_rows`.
        batch_rows: tickets compared and written per statement.

    Returns:
        How many tickets were inserted, updated, unchanged or stale, and how many rows
        were merged into another row of the same ticket.
    """
    rows = ticket_rows(frame)
    counts = UpsertCounts(0, 0, 0, 0, merged=len(frame) - len(rows))
    for start in range(0, len(rows), batch_rows):
        counts += _upsert_batch(session, rows[start : start + batch_rows])
    return counts


def _upsert_batch(session: Session, rows: list[dict[str, Any]]) -> UpsertCounts:
    stored = _stored_versions(session, rows)
    inserted = updated = unchanged = stale = 0
    writes = []
    current = []
    for row in rows:
        held = stored.get((row["source"], row["ticket_id"]))
        if held is None:
            inserted += 1
            writes.append(row)
        elif held == row:
            unchanged += 1
            current.append(row)
        elif row["updated_at"] < held["updated_at"]:
            stale += 1
        else:
            updated += 1
            writes.append(row)
    upsert(
        session,
        _TABLE,
        writes,
        TICKET_KEY,
        only_if=lambda new: _TABLE.c.updated_at <= new.updated_at,
    )
    release_quarantined(session, ((r["source"], r["ticket_id"]) for r in (*writes, *current)))
    return UpsertCounts(inserted, updated, unchanged, stale)


def _stored_versions(
    session: Session, rows: list[dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    sources = [row["source"] for row in rows]
    ids = [row["ticket_id"] for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        # Join the keys as two arrays: an IN list of parameters is searched linearly per
        # row, and a first bulk load has no statistics to steer the planner away from it.
        keys = (
            func.unnest(
                bindparam("key_sources", sources, type_=postgresql.ARRAY(String())),
                bindparam("key_ids", ids, type_=postgresql.ARRAY(String())),
            )
            .table_valued("source", "ticket_id")
            .render_derived(name="keys", with_types=False)
        )
        query = select(*_TABLE.c).join(
            keys, (keys.c.source == _TABLE.c.source) & (keys.c.ticket_id == _TABLE.c.ticket_id)
        )
        found = list(session.execute(query).mappings())
    else:
        # One `source = ? AND ticket_id IN (...)` per source: SQLite answers it from the
        # primary key, where a row-value IN over both columns scanned the whole table.
        by_source: dict[str, list[str]] = {}
        for source, ticket_id in zip(sources, ids, strict=True):
            by_source.setdefault(source, []).append(ticket_id)
        found = []
        for source, wanted in by_source.items():
            query = select(*_TABLE.c).where(
                (_TABLE.c.source == source) & _TABLE.c.ticket_id.in_(wanted)
            )
            found.extend(session.execute(query).mappings())
    return {(row["source"], row["ticket_id"]): dict(row) for row in found}


def tickets_frame(
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Stored tickets created in [`since`, `until`), ordered by creation time.

    Args:
        session: the caller's session.
        since: first creation instant included (tz-aware), default the beginning.
        until: first creation instant excluded (tz-aware), default no end.
        source: only this source's tickets.

    Returns:
        The canonical tickets frame (TICKET_COLUMNS): timestamps `datetime64[ns, UTC]`,
        `tier` int64, `handle_seconds` and `csat` float64 (NaN when unknown),
        `escalated` and `abandoned` nullable boolean, `wait_seconds` float64, `priority`
        nullable Int64.
    """
    query = select(*_TABLE.c)
    if since is not None:
        query = query.where(_TABLE.c.created_at >= since)
    if until is not None:
        query = query.where(_TABLE.c.created_at < until)
    if source is not None:
        query = query.where(_TABLE.c.source == source)
    query = query.order_by(_TABLE.c.created_at, _TABLE.c.source, _TABLE.c.ticket_id)
    records = session.execute(query).all()
    data = dict(zip(TICKET_COLUMNS, zip(*records, strict=True), strict=True)) if records else {}
    frame = pd.DataFrame({name: list(data.get(name, ())) for name in TICKET_COLUMNS})
    for name in TICKET_TIMESTAMPS:
        frame[name] = utc_series(frame[name])
    frame["tier"] = frame["tier"].astype("int64")
    frame["handle_seconds"] = frame["handle_seconds"].astype("float64")
    frame["csat"] = frame["csat"].astype("float64")
    frame["escalated"] = frame["escalated"].astype("boolean")
    frame["wait_seconds"] = frame["wait_seconds"].astype("float64")
    frame["abandoned"] = frame["abandoned"].astype("boolean")
    frame["priority"] = frame["priority"].astype("Int64")
    return frame


def ticket_count(session: Session, source: str | None = None) -> int:
    """How many tickets are stored (for one source, or all)."""
    query = select(func.count()).select_from(_TABLE)
    if source is not None:
        query = query.where(_TABLE.c.source == source)
    return int(session.scalar(query) or 0)
