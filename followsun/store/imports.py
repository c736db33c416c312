"""Import bookkeeping: where each source resumes, and the records it refused."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from followsun.errors import InputError
from followsun.store import models
from followsun.store.upsert import upsert

_CURSORS: Table = models.ImportCursor.__table__  # type: ignore[assignment]
_QUARANTINE: Table = models.QuarantinedRecord.__table__  # type: ignore[assignment]
RELEASE_CHUNK = 5_000  # record keys per DELETE: well under SQLite's bound-variable limit


@dataclass(frozen=True)
class ImportCursor:
    """Where the next import from `source` resumes.

    Attributes:
        source: the configured source name (e.g. 'zendesk').
        cursor: the vendor's opaque cursor (Zendesk incremental export), if it has one.
        updated_since: resume from tickets updated at or after this UTC instant
            (Freshdesk `updated_since`), if the source works by time.
        updated_at: when the cursor was last advanced (UTC).
    """

    source: str
    cursor: str | None
    updated_since: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class QuarantinedRecord:
    """A source record that could not be imported, as received.

    Attributes:
        source: the source it came from.
        record_key: its id in the source, or its position (e.g. 'line 17') when it has none.
        reason: why it was refused, in words.
        payload: the raw record (JSON-compatible).
        seen_at: when it was last refused (UTC).
    """

    source: str
    record_key: str
    reason: str
    payload: Any
    seen_at: datetime


def get_cursor(session: Session, source: str) -> ImportCursor | None:
    """The stored cursor of `source`, or None before its first import."""
    row = session.get(models.ImportCursor, source, populate_existing=True)
    if row is None:
        return None
    return ImportCursor(row.source, row.cursor, row.updated_since, row.updated_at)


def set_cursor(
    session: Session,
    source: str,
    cursor: str | None = None,
    updated_since: datetime | None = None,
    now: datetime | None = None,
) -> ImportCursor:
    """Advance `source`'s cursor; call it in the same transaction as the page it follows.

    Committing the page and its cursor together is what makes a killed import safe to
    re-run: either both are stored or neither.

    Args:
        session: the caller's session.
        source: the source name.
        cursor: the vendor cursor to resume from.
        updated_since: the UTC instant to resume from (tz-aware).
        now: the time of the update (tz-aware), default the clock.

    Raises:
        InputError: neither a cursor nor a time is given.
    """
    if cursor is None and updated_since is None:
        raise InputError(f"import cursor for {source}: give a cursor or an updated_since time")
    stamp = now or datetime.now(UTC)
    row = {"source": source, "cursor": cursor, "updated_since": updated_since, "updated_at": stamp}
    upsert(session, _CURSORS, [row], ("source",))
    found = get_cursor(session, source)
    assert found is not None  # just written in this transaction
    return found


def quarantine(
    session: Session,
    source: str,
    record_key: str,
    reason: str,
    payload: Any,
    seen_at: datetime | None = None,
) -> QuarantinedRecord:
    """Keep a malformed record with the reason it was refused.

    Keyed by (`source`, `record_key`): refusing the same record again (a re-run import)
    updates its reason and time instead of counting it twice.

    Args:
        session: the caller's session.
        source: the source it came from.
        record_key: its id in the source, or its position when it has none.
        reason: why it was refused.
        payload: the raw record; must be JSON-serialisable.
        seen_at: when it was refused (tz-aware), default the clock.

    Raises:
        InputError: the payload cannot be stored as JSON.
    """
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"quarantine {source}/{record_key}: payload is not JSON ({exc})") from exc
    stamp = (seen_at or datetime.now(UTC)).astimezone(UTC)
    row = {
        "source": source,
        "record_key": str(record_key),
        "reason": reason,
        "payload": payload,
        "seen_at": stamp,
    }
    upsert(session, _QUARANTINE, [row], ("source", "record_key"))
    return QuarantinedRecord(source, str(record_key), reason, payload, stamp)


def quarantine_count(
    session: Session, source: str | None = None, since: datetime | None = None
) -> int:
    """How many records are quarantined (for one source; refused at or after `since`)."""
    query = select(func.count()).select_from(_QUARANTINE)
    if source is not None:
        query = query.where(_QUARANTINE.c.source == source)
    if since is not None:
        query = query.where(_QUARANTINE.c.seen_at >= since)
    return int(session.scalar(query) or 0)


def quarantined(
    session: Session, source: str | None = None, limit: int | None = None
) -> list[QuarantinedRecord]:
    """The quarantined records (for one source; the first `limit`), oldest refusal first."""
    query = select(models.QuarantinedRecord).order_by(
        models.QuarantinedRecord.seen_at, models.QuarantinedRecord.record_key
    )
    if source is not None:
        query = query.where(models.QuarantinedRecord.source == source)
    if limit is not None:
        query = query.limit(limit)
    return [
        QuarantinedRecord(r.source, r.record_key, r.reason, r.payload, r.seen_at)
        for r in session.scalars(query)
    ]


def quarantine_frame(session: Session, source: str | None = None) -> pd.DataFrame:
    """Every quarantined record as a frame, oldest refusal first.

    Columns: `source`, `record_key`, `seen_at` (ISO 8601 UTC text), `reason`, `payload`
    (the record as received, JSON text).
    """
    rows = [
        {
            "source": r.source,
            "record_key": r.record_key,
            "seen_at": r.seen_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "reason": r.reason,
            "payload": json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
        }
        for r in quarantined(session, source)
    ]
    return pd.DataFrame(rows, columns=["source", "record_key", "seen_at", "reason", "payload"])


def release_quarantined(session: Session, keys: Iterable[tuple[str, str]]) -> int:
    """Forget the refusals of records that have since been imported; returns how many.

    A record refused once and stored cleanly later (fixed at the source, or mapped by a
    newer release) no longer counts as quarantined. Call it in the transaction that
    stores the tickets, so the two change together.

    Args:
        session: the caller's session.
        keys: (`source`, ticket id) of the tickets just stored; a quarantined record
            matches when its `record_key` is that id.
    """
    wanted: dict[str, list[str]] = {}
    for source, ticket_id in keys:
        wanted.setdefault(source, []).append(str(ticket_id))
    removed = 0
    for source, ids in wanted.items():
        # Most imports have nothing quarantined: one indexed probe spares the deletes.
        held = session.scalar(
            select(_QUARANTINE.c.record_key).where(_QUARANTINE.c.source == source).limit(1)
        )
        if held is None:
            continue
        for start in range(0, len(ids), RELEASE_CHUNK):
            chunk = ids[start : start + RELEASE_CHUNK]
            result = session.execute(
                delete(_QUARANTINE).where(
                    _QUARANTINE.c.source == source, _QUARANTINE.c.record_key.in_(chunk)
                )
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
