"""The import loop shared by every connector: one page, one transaction, one cursor.

A connector yields `Page`s lazily (it fetches page k+1 only when asked for it), each
holding the canonical rows it mapped, the records it refused, and the cursor to resume
after it. `run_import` writes each page's tickets, its quarantined records and its
cursor in one transaction, so a killed import leaves the store at a page boundary and
re-running it from the stored cursor ends with exactly the tickets of one clean run
(the upsert is keyed by source and ticket id and never lets an older version win).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from followsun.store import (
    TICKET_COLUMNS,
    UpsertCounts,
    quarantine,
    session_scope,
    set_cursor,
    upsert_tickets,
)
from followsun.store.frames import TICKET_TIMESTAMPS

DELETED_STATUS = "deleted"
# Tickets compared and written per statement: fewer, larger batches cut the per-batch
# look-up of stored versions (a table scan on SQLite); 10,000 keys stay under SQLite's
# 32,766 bound variables.
UPSERT_BATCH_ROWS = 10_000
UNKNOWN_LANGUAGE = "und"  # BCP 47 'undetermined': the source did not say


class RecordError(ValueError):
    """A source record that cannot become a canonical ticket; the message is the reason."""


@dataclass(frozen=True)
class Reject:
    """A refused record: its key in the source, why, and the record as received."""

    record_key: str
    reason: str
    payload: Any


def map_items(
    items: list[Any], map_one: Callable[[Mapping[str, Any]], dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Map each JSON ticket of a vendor answer to a canonical row, or refuse it with why.

    No item is dropped: one that is not an object, or whose mapping raises RecordError,
    becomes a Reject keyed by its `id` (or its position) with the record as received.
    """
    rows: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            rejects.append(Reject(f"item {position}", "ticket is not a JSON object", item))
            continue
        key = str(item.get("id")) if item.get("id") is not None else f"item {position}"
        try:
            rows.append(map_one(item))
        except RecordError as exc:
            rejects.append(Reject(key, str(exc), dict(item)))
    return rows, rejects


@dataclass(frozen=True)
class Page:
    """One unit of import: mapped tickets, refused records, and where to resume after it.

    Attributes:
        tickets: canonical tickets (TICKET_COLUMNS; see `rows_frame`), possibly empty.
        rejects: records refused by the mapping.
        cursor: the vendor cursor to resume after this page, if the source has one.
        updated_since: the instant to resume after this page, if the source works by time.
        fetched: source records on the page (tickets, duplicates and rejects).
    """

    tickets: pd.DataFrame
    rejects: Sequence[Reject] = ()
    cursor: str | None = None
    updated_since: datetime | None = None
    fetched: int = 0


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    Attributes:
        source: the source name the tickets are stored under.
        pages: pages committed.
        fetched: source records read.
        counts: what the upserts did (inserted, updated, unchanged, stale).
        quarantined: records refused (and kept in quarantine) by this run.
        cursor: the vendor cursor stored last, if any.
        updated_since: the resume instant stored last, if any.
    """

    source: str
    pages: int
    fetched: int
    counts: UpsertCounts
    quarantined: int
    cursor: str | None = None
    updated_since: datetime | None = None

    @property
    def accounted(self) -> int:
        """Records the counts explain: every upsert outcome, merged rows and refusals."""
        return self.counts.rows + self.quarantined

    def summary(self) -> str:
        """One line saying what the import did; its parts add up to the records read."""
        c = self.counts
        line = (
            f"{self.source}: {self.fetched:,} records in {self.pages} "
            f"page{'' if self.pages == 1 else 's'} = {c.inserted:,} new + {c.updated:,} updated "
            f"+ {c.unchanged:,} unchanged + {c.stale:,} stale + {self.quarantined:,} "
            f"quarantined + {c.merged:,} merged duplicates"
        )
        if self.accounted != self.fetched:
            line += f" ({self.fetched - self.accounted:+,} not accounted for)"
        return line


Progress = Callable[[ImportResult], None]


@dataclass
class _Tally:
    pages: int = 0
    fetched: int = 0
    quarantined: int = 0
    counts: UpsertCounts = field(default_factory=lambda: UpsertCounts(0, 0, 0, 0))
    cursor: str | None = None
    updated_since: datetime | None = None

    def result(self, source: str) -> ImportResult:
        return ImportResult(
            source,
            self.pages,
            self.fetched,
            self.counts,
            self.quarantined,
            self.cursor,
            self.updated_since,
        )


def run_import(
    engine: Engine,
    source: str,
    pages: Iterable[Page],
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
    batch_rows: int = UPSERT_BATCH_ROWS,
) -> ImportResult:
    """Store every page of `pages`, each with its cursor in its own transaction.

    Pages are pulled one at a time: the next page is fetched only after the previous
    one is committed, so memory holds one page whatever the export's size.

    Args:
        engine: the store.
        source: the source name the tickets, refusals and cursor are stored under.
        pages: the connector's pages, in export order.
        progress: called after each committed page with the running totals.
        now: the clock for the cursor and quarantine stamps (default the system clock).
        batch_rows: tickets per upsert statement.

    Returns:
        The totals of the run.
    """
    clock = now or (lambda: datetime.now(UTC))
    tally = _Tally()
    for page in pages:
        stamp = clock()
        with session_scope(engine) as session:
            if len(page.tickets):
                tally.counts += upsert_tickets(session, page.tickets, batch_rows)
            for reject in page.rejects:
                quarantine(session, source, reject.record_key, reject.reason, reject.payload, stamp)
            if page.cursor is not None or page.updated_since is not None:
                set_cursor(session, source, page.cursor, page.updated_since, stamp)
        tally.pages += 1
        tally.fetched += page.fetched or (len(page.tickets) + len(page.rejects))
        tally.quarantined += len(page.rejects)
        tally.cursor = page.cursor if page.cursor is not None else tally.cursor
        tally.updated_since = page.updated_since or tally.updated_since
        if progress is not None:
            progress(tally.result(source))
    return tally.result(source)


def rows_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Canonical rows as a tickets frame the store accepts (timestamps UTC, all columns)."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(TICKET_COLUMNS))
    for name in TICKET_TIMESTAMPS:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def parse_instant(value: Any, what: str) -> datetime:
    """An ISO 8601 timestamp with a zone (or epoch seconds) as a UTC `datetime`.

    Raises:
        RecordError: empty, unreadable or without a zone (a naive time is not an instant).
    """
    if value is None or value == "":
        raise RecordError(f"{what} is empty")
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise RecordError(f"{what} {value!r} is not a time in years 1 to 9999") from exc
    if not isinstance(value, str):
        raise RecordError(f"{what} {value!r} is not a timestamp")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise RecordError(f"{what} {value!r} is not an ISO 8601 timestamp") from exc
    if parsed.tzinfo is None:
        raise RecordError(f"{what} {value!r} has no time zone")
    return parsed.astimezone(UTC)


def optional_instant(value: Any, what: str) -> datetime | None:
    """`parse_instant`, with None for an empty value."""
    if value is None or value == "":
        return None
    return parse_instant(value, what)


def language_tag(locale: Any) -> str | None:
    """The primary language subtag of a locale, lower case: 'en-US' -> 'en', 'zh_TW' -> 'zh'."""
    if not isinstance(locale, str) or not locale.strip():
        return None
    primary = locale.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
