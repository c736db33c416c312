"""A refused record that later imports cleanly leaves the quarantine, with its page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.connectors.base import Page, Reject, run_import
from followsun.store import (
    quarantine,
    quarantine_count,
    quarantined,
    session_scope,
    upsert_tickets,
)

T0 = datetime(2027, 3, 8, 14, 15, tzinfo=UTC)
TicketFactory = Callable[..., pd.DataFrame]


def test_a_clean_import_releases_the_same_source_and_id_only(
    engine: Engine, make_tickets: TicketFactory
) -> None:
    with session_scope(engine) as session:
        quarantine(session, "zendesk", "3", "created_at is empty", {"id": 3}, T0)
        quarantine(session, "zendesk", "99", "created_at is empty", {"id": 99}, T0)
        quarantine(session, "freshdesk", "3", "status unknown", {"id": 3}, T0)
    with session_scope(engine) as session:
        upsert_tickets(session, make_tickets(5, source="zendesk"))
    with session_scope(engine) as session:
        left = {(r.source, r.record_key) for r in quarantined(session)}
        assert left == {("zendesk", "99"), ("freshdesk", "3")}
        assert quarantine_count(session, "zendesk") == 1


def test_an_unchanged_ticket_releases_but_a_stale_version_does_not(
    engine: Engine, make_tickets: TicketFactory
) -> None:
    with session_scope(engine) as session:
        upsert_tickets(session, make_tickets(2, source="zendesk", updated_offset_min=60))
        quarantine(session, "zendesk", "1", "refused", {"id": 1}, T0)
        quarantine(session, "zendesk", "2", "refused", {"id": 2}, T0)
    newer, older = make_tickets(2, source="zendesk", updated_offset_min=60), make_tickets(2)
    with session_scope(engine) as session:
        counts = upsert_tickets(session, pd.concat([newer.iloc[[0]], older.iloc[[1]]]))
        assert (counts.unchanged, counts.stale) == (1, 1)
    with session_scope(engine) as session:
        assert [r.record_key for r in quarantined(session)] == ["2"]


def test_the_release_rolls_back_with_its_page(engine: Engine, make_tickets: TicketFactory) -> None:
    with session_scope(engine) as session:
        quarantine(session, "zendesk", "1", "refused", {"id": 1}, T0)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        upsert_tickets(session, make_tickets(1, source="zendesk"))
        raise RuntimeError("the page's cursor could not be written")
    with session_scope(engine) as session:
        assert quarantine_count(session) == 1


def test_run_import_releases_a_record_refused_on_an_earlier_page(
    engine: Engine, make_tickets: TicketFactory
) -> None:
    tickets = make_tickets(3, source="zendesk")
    pages = [
        Page(tickets.iloc[:2], rejects=[Reject("3", "created_at is empty", {"id": 3})]),
        Page(tickets.iloc[2:], cursor="end"),
    ]
    result = run_import(engine, "zendesk", pages, now=lambda: T0)
    assert result.quarantined == 1  # refused once in this run ...
    with session_scope(engine) as session:
        assert quarantine_count(session, "zendesk") == 0  # ... and imported since
