from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

import followsun.connectors.base as base_module
from followsun.connectors import (
    HttpError,
    ImportResult,
    RetryPolicy,
    SourceConfig,
    ZendeskMapping,
    import_source,
)
from followsun.connectors.zendesk import map_page, map_ticket
from followsun.store import get_cursor, quarantine_count, quarantined, session_scope
from tests.benchmarks import benchmark_folder
from tests.followsun.connectors.helpers import stored
from tests.followsun.connectors.standin import StandIn, ZendeskData, basic

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
EMAIL = "planner@example.com"
TOKEN = "tok-123"


def sample_data(n: int = 12) -> ZendeskData:
    data = ZendeskData()
    channels = ["web", "email", "chat", "voice", "api", "twitter"]
    for i in range(1, n + 1):
        created = T0 + timedelta(minutes=17 * i)
        solved = created + timedelta(hours=3) if i % 3 == 0 else None
        data.add(
            i,
            created,
            updated=created + timedelta(minutes=5),
            status="solved" if solved else "open",
            channel=channels[i % len(channels)],
            locale=["en-US", "zh-TW", "ja"][i % 3],
            reply_min=None if i % 4 == 0 else 10 * i,
            solved=solved,
            group_stations=2 if i % 5 == 0 else 1,
            score="good" if i % 6 == 0 else ("bad" if i % 7 == 0 else None),
        )
    data.add(n + 1, T0 + timedelta(hours=9), status="deleted")
    return data


def config(url: str, per_page: int = 4) -> SourceConfig:
    return SourceConfig("zendesk", "zendesk", url, "FS_TEST_ZD_TOKEN", EMAIL, {}, per_page, True)


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FS_TEST_ZD_TOKEN", TOKEN)


def serve(data: ZendeskData) -> StandIn:
    return StandIn(data.respond, authorization=basic(f"{EMAIL}/token", TOKEN))


def run(
    engine: Engine, stand_in: StandIn, sleeps: list[float] | None = None, **kw: object
) -> ImportResult:
    waits = sleeps if sleeps is not None else []
    policy = RetryPolicy(max_attempts=3, backoff_s=0.5, max_backoff_s=5.0, timeout_s=10.0)
    return import_source(engine, config(stand_in.url), policy=policy, sleep=waits.append, **kw)  # type: ignore[arg-type]


def samples(name: str) -> Path:
    """A zendesk API sample from the shared benchmarks (the test skips without it)."""
    return benchmark_folder("helpdesk-api/zendesk", name) / name


# --- pure mapping ---------------------------------------------------------------------


def test_map_ticket_reads_the_documented_sample_shapes() -> None:
    # Real payloads from the vendor's documentation and a real export (shared samples).
    page = json.loads(samples("incremental_tickets_cursor_page_raw.json").read_text())
    metric = json.loads(samples("spec_ticket_metric.json").read_text())
    ticket = page["response"]["tickets"][0]
    metric = {**metric, "ticket_id": ticket["id"]}
    row = map_ticket(
        ticket, metric, {"id": ticket["requester_id"], "locale": "zh-TW"}, ZendeskMapping(), "zd"
    )
    assert row["ticket_id"] == "28"
    assert row["created_at"] == datetime(2023, 9, 18, 15, 57, 42, tzinfo=UTC)
    assert row["channel"] == "web"  # via.channel 'api' -> web by the default map
    assert row["language"] == "zh"
    # reply_time_in_minutes.calendar = 2391 minutes after creation
    assert row["first_reply_at"] == row["created_at"] + timedelta(minutes=2391)
    assert row["solved_at"] == datetime(2011, 5, 9, 10, 38, 52, tzinfo=UTC)
    assert row["escalated"] is True  # group_stations 7 > 1


def test_real_export_page_maps_every_ticket_and_keeps_the_deleted_one() -> None:
    page = json.loads(samples("incremental_tickets_page_raw.json").read_text())["response"]
    rows, rejects = map_page(page, ZendeskMapping(), "zd")
    assert rejects == []
    assert len(rows) == len(page["tickets"]) == 87
    assert sum(r["status"] == "deleted" for r in rows) == 1
    assert {r["channel"] for r in rows} <= {"web", "other"}  # api, web, sample_ticket


def test_mapping_rules_channel_language_field_tier_and_csat() -> None:
    mapping = ZendeskMapping.from_dict(
        {
            "channels": {"sample_ticket": "email"},
            "language_field_id": 77,
            "language_values": {"lang_dutch": "nl"},
            "tier2_tags": ["tier2"],
            "handle_field_id": 78,
        }
    )
    ticket = {
        "id": 5,
        "created_at": "2027-03-01T08:00:00+01:00",
        "updated_at": "2027-03-01T09:00:00Z",
        "status": "solved",
        "via": {"channel": "sample_ticket"},
        "tags": ["tier2"],
        "custom_fields": [{"id": 77, "value": "lang_dutch"}, {"id": 78, "value": "420"}],
        "satisfaction_rating": {"score": "bad"},
    }
    row = map_ticket(ticket, None, {"locale": "en-US"}, mapping, "zd")
    assert row["created_at"] == datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    assert (row["channel"], row["language"], row["tier"]) == ("email", "nl", 2)
    assert row["handle_seconds"] == 420.0
    assert row["csat"] == 0.0
    assert row["first_reply_at"] is None and row["solved_at"] is None
    assert row["escalated"] is False
    assert row["agent_id"] is None  # unassigned
    assert map_ticket({**ticket, "assignee_id": 9001}, None, None, mapping, "zd")["agent_id"] == (
        "9001"
    )
    unknown = {**ticket, "via": {"channel": "carrier_pigeon"}, "custom_fields": []}
    other = map_ticket(unknown, None, None, mapping, "zd")
    assert (other["channel"], other["language"]) == ("other", "und")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "no id"),
        ({"created_at": None}, "created_at is empty"),
        ({"updated_at": "2027-03-01T09:00:00"}, "no time zone"),
        ({"updated_at": "yesterday"}, "not an ISO 8601"),
    ],
)
def test_malformed_tickets_are_refused_with_the_reason(
    change: dict[str, object], reason: str
) -> None:
    ticket = {
        "id": 9,
        "created_at": "2027-03-01T08:00:00Z",
        "updated_at": "2027-03-01T09:00:00Z",
        "status": "open",
    }
    rows, rejects = map_page({"tickets": [{**ticket, **change}]}, ZendeskMapping(), "zd")
    assert rows == []
    assert len(rejects) == 1 and reason in rejects[0].reason


# --- the import loop against the stand-in ---------------------------------------------


def test_import_pages_with_429_500_duplicates_and_deleted(
    engine: Engine, clean_engine: Engine
) -> None:
    data = sample_data()
    data.repeat_boundary = True  # duplicates across pages
    reference = serve(data)
    with reference.serve():
        run(clean_engine, reference)
    stand_in = serve(data)
    stand_in.faults = {2: (429, {"Retry-After": "7"}), 4: (500, {})}
    sleeps: list[float] = []
    with stand_in.serve():
        result = run(engine, stand_in, sleeps)
    frame = stored(engine)
    assert sorted(frame["ticket_id"].astype(int)) == list(range(1, 14))
    assert result.counts.inserted == 13
    assert result.counts.unchanged >= 1  # the repeated boundary tickets
    assert sleeps == [7.0, 0.5]  # Retry-After honoured; the 500 backed off once
    deleted = frame.loc[frame["ticket_id"] == "13", "status"].item()
    assert deleted == "deleted"
    pd.testing.assert_frame_equal(frame, stored(clean_engine))


def test_pages_are_fetched_only_after_the_previous_one_is_committed(engine: Engine) -> None:
    stand_in = serve(sample_data())
    seen: list[tuple[int, int]] = []

    def on_page(result: ImportResult) -> None:
        seen.append((result.pages, stand_in.ok_answers))

    with stand_in.serve():
        result = run(engine, stand_in, progress=on_page)
    # 13 tickets at 4 a page: 4 pages; at each commit the server had answered exactly
    # as many pages as were committed, so the loop never held more than one page.
    assert result.pages == 4
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]


def test_export_killed_mid_way_and_rerun_equals_one_clean_run(
    engine: Engine, clean_engine: Engine
) -> None:
    data = sample_data()
    reference = serve(data)
    with reference.serve():
        run(clean_engine, reference)
    broken = serve(data)
    broken.faults = {n: (503, {}) for n in range(3, 10)}  # page 3 never comes
    with broken.serve(), pytest.raises(HttpError) as failure:
        run(engine, broken)
    assert failure.value.status == 503
    with session_scope(engine) as session:
        cursor = get_cursor(session, "zendesk")
    assert cursor is not None and cursor.cursor is not None
    assert len(stored(engine)) == 8  # exactly pages 1 and 2
    healthy = serve(data)
    with healthy.serve():
        resumed = run(engine, healthy)
    assert resumed.pages == 2  # it continued from the cursor, not from the start
    pd.testing.assert_frame_equal(stored(engine), stored(clean_engine))


def test_kill_inside_a_page_rolls_back_the_page_and_its_cursor(
    engine: Engine, clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = sample_data()
    reference = serve(data)
    with reference.serve():
        run(clean_engine, reference)
    real = base_module.upsert_tickets
    calls = {"n": 0}

    def dying(session: object, frame: pd.DataFrame, batch_rows: int) -> object:
        calls["n"] += 1
        written = real(session, frame, batch_rows)  # type: ignore[arg-type]
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed after writing, before the commit
        return written

    monkeypatch.setattr(base_module, "upsert_tickets", dying)
    stand_in = serve(data)
    with stand_in.serve(), pytest.raises(KeyboardInterrupt):
        run(engine, stand_in)
    assert len(stored(engine)) == 8
    monkeypatch.setattr(base_module, "upsert_tickets", real)
    with stand_in.serve():
        run(engine, stand_in)
    pd.testing.assert_frame_equal(stored(engine), stored(clean_engine))


def test_tickets_updated_after_the_first_import_are_picked_up(engine: Engine) -> None:
    data = sample_data()
    stand_in = serve(data)
    with stand_in.serve():
        run(engine, stand_in)
        later = T0 + timedelta(days=2)
        data.update(2, later, status="solved")
        data.metric_sets[2]["solved_at"] = "2027-03-03T08:00:00Z"
        data.add(20, later, updated=later)
        again = run(engine, stand_in)
    assert (again.counts.inserted, again.counts.updated) == (1, 1)
    frame = stored(engine).set_index("ticket_id")
    assert frame.loc["2", "status"] == "solved"
    assert frame.loc["2", "solved_at"] == pd.Timestamp("2027-03-03T08:00:00Z")
    assert len(frame) == 14


def test_malformed_records_are_quarantined_once_across_reruns(engine: Engine) -> None:
    data = sample_data(5)
    data.add(40, T0, drop=("created_at",))
    stand_in = serve(data)
    with stand_in.serve():
        first = run(engine, stand_in)
        run(engine, stand_in, since=datetime(2027, 1, 1, tzinfo=UTC))
    assert first.quarantined == 1
    with session_scope(engine) as session:
        assert quarantine_count(session, "zendesk") == 1
        (record,) = quarantined(session, "zendesk")
    assert record.record_key == "40"
    assert "created_at" in record.reason
    assert record.payload["id"] == 40
    assert len(stored(engine)) == 6


def test_bad_credentials_fail_at_once_without_retrying(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FS_TEST_ZD_TOKEN", "wrong")
    stand_in = serve(sample_data(2))
    with stand_in.serve(), pytest.raises(HttpError) as failure:
        run(engine, stand_in)
    assert failure.value.is_auth
    assert stand_in.requests == 1
