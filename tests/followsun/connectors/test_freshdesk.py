from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.connectors import (
    FreshdeskMapping,
    ImportResult,
    RetryPolicy,
    SourceConfig,
    import_source,
)
from followsun.connectors.freshdesk import map_page, map_ticket
from followsun.store import get_cursor, quarantine_count, session_scope
from tests.benchmarks import benchmark_folder
from tests.followsun.connectors.helpers import stored
from tests.followsun.connectors.standin import FreshdeskData, StandIn, basic

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
KEY = "fd-key"


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FS_TEST_FD_KEY", KEY)


def samples(name: str) -> Path:
    """A freshdesk API sample from the shared benchmarks (the test skips without it)."""
    return benchmark_folder("helpdesk-api/freshdesk", name) / name


def sample_data(n: int = 11) -> FreshdeskData:
    data = FreshdeskData()
    for i in range(1, n + 1):
        created = T0 + timedelta(minutes=13 * i)
        # Tickets 4 to 6 share one updated_at second: keyset paging must not lose ties.
        updated = T0 + timedelta(hours=1) if 4 <= i <= 6 else created + timedelta(minutes=3)
        resolved = created + timedelta(hours=2) if i % 2 == 0 else None
        data.add(
            i,
            created,
            updated=updated,
            status=4 if resolved else 2,
            source=[1, 2, 3, 7][i % 4],
            resolved=resolved,
            escalated=i % 5 == 0,
        )
    data.add(n + 1, T0 + timedelta(hours=5), deleted=True)
    return data


def serve(data: FreshdeskData) -> StandIn:
    return StandIn(data.respond, authorization=basic(KEY, "X"))


def run(
    engine: Engine, stand_in: StandIn, sleeps: list[float] | None = None, **kw: object
) -> ImportResult:
    config = SourceConfig(
        "freshdesk", "freshdesk", stand_in.url, "FS_TEST_FD_KEY", None, {}, 3, True
    )
    waits = sleeps if sleeps is not None else []
    policy = RetryPolicy(max_attempts=3, backoff_s=0.25, max_backoff_s=1.0, timeout_s=10.0)
    return import_source(engine, config, policy=policy, sleep=waits.append, **kw)  # type: ignore[arg-type]


def test_map_ticket_reads_the_documented_sample() -> None:
    # The vendor's documented 'View a ticket' answer with include=stats (shared sample).
    ticket = json.loads(samples("ticket_1.json").read_text())
    row = map_ticket(ticket, FreshdeskMapping(), "fd")
    assert row["ticket_id"] == "1"
    assert (row["status"], row["channel"]) == ("open", "web")  # status 2, source 2 (portal)
    assert row["first_reply_at"] == datetime(2020, 6, 17, 20, 23, 43, tzinfo=UTC)
    assert row["solved_at"] == datetime(2020, 7, 24, 15, 35, 21, tzinfo=UTC)
    assert row["escalated"] is True
    assert row["language"] == "und"
    assert row["agent_id"] == str(ticket["responder_id"])


def test_offsets_are_converted_to_utc_and_deleted_tickets_marked() -> None:
    (ticket,) = json.loads(samples("all_tickets.json").read_text())
    row = map_ticket({**ticket, "deleted": True}, FreshdeskMapping(), "fd")
    assert row["created_at"] == datetime(2014, 12, 31, 2, 27, 9, tzinfo=UTC)  # +10:00
    assert row["status"] == "deleted"


def test_language_custom_field_and_refusals() -> None:
    mapping = FreshdeskMapping.from_dict(
        {"language_field": "cf_language", "language_values": {"Deutsch": "de"}}
    )
    good = {
        "id": 3,
        "created_at": "2027-03-01T08:00:00Z",
        "updated_at": "2027-03-01T08:00:00Z",
        "status": 5,
        "source": 7,
        "custom_fields": {"cf_language": "Deutsch"},
    }
    rows, rejects = map_page([good, {**good, "id": 4, "status": None}, "junk"], mapping, "fd")
    assert [(r["language"], r["status"], r["channel"]) for r in rows] == [("de", "closed", "chat")]
    assert [(r.record_key, r.reason) for r in rejects] == [
        ("4", "status None is not a status code"),
        ("item 2", "ticket is not a JSON object"),
    ]


def test_import_with_rate_limit_ties_and_deleted(engine: Engine) -> None:
    stand_in = serve(sample_data())
    stand_in.faults = {2: (429, {"Retry-After": "3"})}
    sleeps: list[float] = []
    with stand_in.serve():
        result = run(engine, stand_in, sleeps)
    frame = stored(engine)
    assert sorted(frame["ticket_id"].astype(int)) == list(range(1, 13))
    assert sleeps == [3.0]
    assert result.counts.inserted == 12
    assert frame.set_index("ticket_id").loc["12", "status"] == "deleted"
    with session_scope(engine) as session:
        cursor = get_cursor(session, "freshdesk")
    assert cursor is not None
    # the resume point is the latest update seen (ticket 12, created T0 + 5 h)
    assert cursor.updated_since == datetime(2027, 3, 1, 13, 0, tzinfo=UTC)


def test_killed_and_rerun_equals_clean_run_and_picks_up_updates(
    engine: Engine, clean_engine: Engine
) -> None:
    data = sample_data()
    reference = serve(data)
    with reference.serve():
        run(clean_engine, reference)
    broken = serve(data)
    broken.faults = {n: (500, {}) for n in range(4, 12)}
    with broken.serve(), pytest.raises(Exception, match="HTTP 500"):
        run(engine, broken)
    assert 0 < len(stored(engine)) < 12
    healthy = serve(data)
    with healthy.serve():
        run(engine, healthy)
    pd.testing.assert_frame_equal(stored(engine), stored(clean_engine))
    data.update(1, T0 + timedelta(days=1), status=5)
    with healthy.serve():
        again = run(engine, healthy)
    assert again.counts.updated == 1
    assert stored(engine).set_index("ticket_id").loc["1", "status"] == "closed"


def test_malformed_tickets_go_to_quarantine(engine: Engine) -> None:
    data = sample_data(3)
    data.add(50, T0, updated=T0 + timedelta(minutes=1), drop=("created_at",))
    stand_in = serve(data)
    with stand_in.serve():
        result = run(engine, stand_in)
    assert result.quarantined == 1
    with session_scope(engine) as session:
        assert quarantine_count(session, "freshdesk") == 1
    assert len(stored(engine)) == 4
