from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.store import (
    ImportCursor,
    get_cursor,
    quarantine,
    quarantine_count,
    quarantined,
    session_scope,
    set_cursor,
    ticket_count,
    upsert_tickets,
)

T0 = datetime(2027, 3, 8, 14, 15, tzinfo=UTC)


def test_no_cursor_before_the_first_import(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert get_cursor(session, "zendesk") is None


def test_cursor_is_stored_and_advanced(engine: Engine) -> None:
    with session_scope(engine) as session:
        set_cursor(session, "zendesk", cursor="MTU3NjYxMzUzOS4wfHw0Njd8", now=T0)
    with session_scope(engine) as session:
        advanced = set_cursor(session, "zendesk", cursor="next-page", now=T0 + timedelta(minutes=5))
    assert advanced == ImportCursor("zendesk", "next-page", None, T0 + timedelta(minutes=5))
    with session_scope(engine) as session:
        assert get_cursor(session, "zendesk") == advanced


def test_time_cursor_keeps_its_instant(engine: Engine) -> None:
    since = datetime(2027, 3, 14, 3, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    with session_scope(engine) as session:
        set_cursor(session, "freshdesk", updated_since=since, now=T0)
    with session_scope(engine) as session:
        found = get_cursor(session, "freshdesk")
    assert found is not None and found.cursor is None
    assert found.updated_since == since and found.updated_since.tzinfo == UTC


def test_a_cursor_needs_a_position(engine: Engine) -> None:
    with pytest.raises(InputError, match="give a cursor"), session_scope(engine) as session:
        set_cursor(session, "zendesk")


def test_cursor_does_not_advance_when_its_page_fails(engine: Engine, make_tickets) -> None:
    with session_scope(engine) as session:
        upsert_tickets(session, make_tickets(10))
        set_cursor(session, "zendesk", cursor="page-2", now=T0)
    with pytest.raises(RuntimeError, match="connection reset"), session_scope(engine) as session:
        upsert_tickets(session, make_tickets(10, seed=1, first_id=11))
        set_cursor(session, "zendesk", cursor="page-3", now=T0)
        raise RuntimeError("connection reset by peer")
    with session_scope(engine) as session:
        found = get_cursor(session, "zendesk")
        assert found is not None and found.cursor == "page-2"
        assert ticket_count(session) == 10


def test_quarantine_keeps_the_record_and_counts_it_once(engine: Engine) -> None:
    payload = {"id": 4711, "created_at": "yesterday", "via": {"channel": "carrier pigeon"}}
    with session_scope(engine) as session:
        quarantine(
            session,
            "zendesk",
            "4711",
            "created_at: 'yesterday' is not ISO 8601",
            payload,
            seen_at=T0,
        )
        quarantine(
            session, "csv", "line 17", "tier: 'x' is not 1, 2 or 3", {"tier": "x"}, seen_at=T0
        )
    with session_scope(engine) as session:
        # The re-run refuses the same record again, now for a better-worded reason.
        quarantine(
            session,
            "zendesk",
            "4711",
            "created_at: expected ISO 8601",
            payload,
            seen_at=T0 + timedelta(hours=1),
        )
    with session_scope(engine) as session:
        assert quarantine_count(session) == 2
        assert quarantine_count(session, source="zendesk") == 1
        assert quarantine_count(session, since=T0 + timedelta(minutes=30)) == 1
        records = quarantined(session, source="zendesk")
    assert len(records) == 1
    assert records[0].payload == payload
    assert records[0].reason == "created_at: expected ISO 8601"
    assert records[0].seen_at == T0 + timedelta(hours=1)


def test_quarantine_refuses_a_payload_that_is_not_json(engine: Engine) -> None:
    with pytest.raises(InputError, match="not JSON"), session_scope(engine) as session:
        quarantine(session, "csv", "line 3", "bad", {"when": datetime(2027, 1, 1, tzinfo=UTC)})
