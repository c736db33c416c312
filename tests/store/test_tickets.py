from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, event, text

from followsun.errors import InputError
from followsun.store import (
    TICKET_COLUMNS,
    UpsertCounts,
    session_scope,
    ticket_count,
    tickets_frame,
    upsert_tickets,
)
from followsun.store.models import Ticket
from forecasting.synthetic import synthetic_tickets
from scenarios.demand import demand_inputs
from scenarios.loader import load_scenario

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"


def stored(engine: Engine) -> pd.DataFrame:
    with session_scope(engine) as session:
        return tickets_frame(session)


def same_tickets(left: pd.DataFrame, right: pd.DataFrame, check_dtype: bool = True) -> None:
    key = ["source", "ticket_id"]
    pd.testing.assert_frame_equal(
        left.sort_values(key).reset_index(drop=True),
        right.sort_values(key).reset_index(drop=True),
        check_dtype=check_dtype,
    )


def test_upsert_inserts_then_is_idempotent(engine: Engine, make_tickets) -> None:
    frame = make_tickets(300)
    with session_scope(engine) as session:
        first = upsert_tickets(session, frame, batch_rows=64)
    after_first = stored(engine)
    with session_scope(engine) as session:
        second = upsert_tickets(session, frame, batch_rows=64)
    assert first == UpsertCounts(inserted=300, updated=0, unchanged=0, stale=0)
    assert second == UpsertCounts(inserted=0, updated=0, unchanged=300, stale=0)
    same_tickets(stored(engine), after_first)
    assert len(after_first) == 300


def test_stored_frame_equals_the_input(engine: Engine, make_tickets) -> None:
    frame = make_tickets(200, seed=3)
    with session_scope(engine) as session:
        upsert_tickets(session, frame)
    back = stored(engine)
    assert list(back.columns) == list(TICKET_COLUMNS)
    expected = frame.astype({"escalated": "boolean", "tier": "int64"})
    same_tickets(back, expected[list(TICKET_COLUMNS)])


def test_updated_tickets_overwrite_and_new_ones_are_added(engine: Engine, make_tickets) -> None:
    with session_scope(engine) as session:
        upsert_tickets(session, make_tickets(100))
    changed = make_tickets(100, updated_offset_min=90)  # same ids, later versions
    changed.loc[:9, "status"] = "closed"
    changed.loc[:9, "csat"] = 1.0
    newer = pd.concat([changed.iloc[:10], make_tickets(5, seed=9, first_id=1000)])
    with session_scope(engine) as session:
        counts = upsert_tickets(session, newer)
    assert counts == UpsertCounts(inserted=5, updated=10, unchanged=0, stale=0)
    back = stored(engine).set_index("ticket_id")
    assert len(back) == 105
    assert (back.loc[[str(i) for i in range(1, 11)], "status"] == "closed").all()
    assert (back.loc[[str(i) for i in range(1, 11)], "csat"] == 1.0).all()
    expected_updated = changed.set_index("ticket_id").loc["1", "updated_at"]
    assert back.loc["1", "updated_at"] == expected_updated
    # Tickets not in the second frame kept their first version.
    assert (
        back.loc["50", "updated_at"]
        == make_tickets(100).set_index("ticket_id").loc["50", "updated_at"]
    )


def test_an_older_version_never_overwrites_a_newer_one(engine: Engine, make_tickets) -> None:
    newer = make_tickets(20, updated_offset_min=60)
    newer["status"] = "solved"
    older = make_tickets(20)
    older["status"] = "open"
    with session_scope(engine) as session:
        upsert_tickets(session, newer)
    with session_scope(engine) as session:
        counts = upsert_tickets(session, older)
    assert counts == UpsertCounts(inserted=0, updated=0, unchanged=0, stale=20)
    assert (stored(engine)["status"] == "solved").all()


def test_a_ticket_repeated_in_one_frame_keeps_its_latest_version(
    engine: Engine, make_tickets
) -> None:
    page = make_tickets(10)
    later = page.iloc[[3]].copy()
    later["updated_at"] += pd.Timedelta(hours=2)
    later["status"] = "solved"
    earlier = page.iloc[[4]].copy()
    earlier["updated_at"] -= pd.Timedelta(hours=2)
    earlier["status"] = "pending"
    with session_scope(engine) as session:
        counts = upsert_tickets(session, pd.concat([page, later, earlier]))
    assert counts.inserted == 10 and counts.total == 10
    back = stored(engine).set_index("ticket_id")
    assert back.loc["4", "status"] == "solved"
    assert back.loc["5", "status"] == page.loc[4, "status"]


def test_same_ticket_id_in_two_sources_is_two_tickets(engine: Engine, make_tickets) -> None:
    with session_scope(engine) as session:
        upsert_tickets(session, make_tickets(7, source="zendesk"))
        upsert_tickets(session, make_tickets(7, source="freshdesk"))
    with session_scope(engine) as session:
        assert ticket_count(session) == 14
        assert ticket_count(session, source="freshdesk") == 7
        assert len(tickets_frame(session, source="zendesk")) == 7


@pytest.mark.parametrize(
    "local",
    [
        # Instants next to DST changes: US spring-forward 2027-03-14 (02:00 -> 03:00 PDT),
        # EU autumn 2027-10-31 (03:00 CEST -> 02:00 CET, 01:30 UTC exists twice locally as
        # 02:30 fold 0/1), and Taipei (no DST, UTC+8). Offsets from the IANA tz database.
        datetime(2027, 3, 14, 1, 59, 59, 999999, tzinfo=ZoneInfo("America/Los_Angeles")),
        datetime(2027, 3, 14, 3, 0, 0, 1, tzinfo=ZoneInfo("America/Los_Angeles")),
        datetime(2027, 10, 31, 2, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
        datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Amsterdam")),
        datetime(2027, 1, 1, 7, 59, 30, 250000, tzinfo=ZoneInfo("Asia/Taipei")),
    ],
    ids=["us-before-spring", "us-after-spring", "eu-fold0", "eu-fold1", "taipei"],
)
def test_timestamps_keep_their_utc_instant(engine: Engine, make_tickets, local: datetime) -> None:
    frame = make_tickets(1)
    frame["created_at"] = pd.Series([pd.Timestamp(local)])
    assert str(frame["created_at"].dt.tz) == str(local.tzinfo)
    frame["first_reply_at"] = frame["created_at"] + pd.Timedelta(seconds=1)
    with session_scope(engine) as session:
        upsert_tickets(session, frame)
    back = stored(engine)
    expected_utc = local.astimezone(UTC)
    got = cast(pd.Timestamp, back.loc[0, "created_at"])
    assert str(got.tz) == "UTC"
    assert got.to_pydatetime() == expected_utc
    assert got.to_pydatetime().replace(tzinfo=None) == expected_utc.replace(tzinfo=None)
    assert cast(pd.Timestamp, back.loc[0, "first_reply_at"]) - got == pd.Timedelta(seconds=1)


def test_reading_in_another_session_time_zone_keeps_the_instant(
    engine: Engine, make_tickets
) -> None:
    frame = make_tickets(20)
    with session_scope(engine) as session:
        upsert_tickets(session, frame)
    with session_scope(engine) as session:
        if engine.dialect.name == "postgresql":
            # timestamptz values come back in the session's zone (here UTC+12:45/+13:45).
            session.execute(text("SET LOCAL TIME ZONE 'Pacific/Chatham'"))
        back = tickets_frame(session)
    same_tickets(back, as_stored(frame))


def test_since_and_until_select_by_creation_instant(engine: Engine, make_tickets) -> None:
    frame = make_tickets(120, seed=5)
    with session_scope(engine) as session:
        upsert_tickets(session, frame)
    since = datetime(2027, 3, 4, 8, 0, tzinfo=ZoneInfo("Asia/Taipei"))  # 00:00 UTC
    until = datetime(2027, 3, 8, tzinfo=UTC)
    with session_scope(engine) as session:
        window = tickets_frame(session, since=since, until=until)
    inside = (frame["created_at"] >= since) & (frame["created_at"] < until)
    assert sorted(window["ticket_id"]) == sorted(frame.loc[inside, "ticket_id"])
    assert window["created_at"].is_monotonic_increasing


def test_empty_store_gives_typed_empty_frame(engine: Engine) -> None:
    back = stored(engine)
    assert back.empty and list(back.columns) == list(TICKET_COLUMNS)
    assert str(back["created_at"].dtype) == "datetime64[ns, UTC]"
    assert back["tier"].dtype == "int64"


class KilledImport(RuntimeError):
    pass


@contextmanager
def killed_at_write(engine: Engine, write_number: int) -> Iterator[None]:
    """Make the nth ticket write on `engine` raise, like a process killed mid-import."""
    writes = 0

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal writes
        if statement.lstrip().upper().startswith("INSERT INTO TICKETS"):
            writes += 1
            if writes == write_number:
                raise KilledImport(f"killed at write {write_number}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)


def as_stored(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame tickets_frame returns for `frame`'s tickets (dtypes of a read-back)."""
    present = [c for c in TICKET_COLUMNS if c in frame.columns]
    return (
        frame[present]
        .astype({"tier": "int64"})
        .astype({c: "boolean" for c in present if c == "escalated"})
    )


def reference_store(pages: list[pd.DataFrame]) -> pd.DataFrame:
    """Second implementation of the upsert rule: per ticket, the version with the latest
    updated_at wins, the later-written one on a tie."""
    everything = pd.concat(pages, ignore_index=True)
    ordered = everything.sort_values("updated_at", kind="stable")
    return as_stored(ordered.drop_duplicates(["source", "ticket_id"], keep="last"))


def test_a_batch_killed_mid_transaction_leaves_no_rows(engine: Engine, make_tickets) -> None:
    with (
        killed_at_write(engine, write_number=3),
        pytest.raises(KilledImport),
        session_scope(engine) as session,
    ):
        upsert_tickets(session, make_tickets(500), batch_rows=100)
    assert len(stored(engine)) == 0


def test_killed_paged_import_rerun_equals_one_clean_run(engine: Engine, make_tickets) -> None:
    # Four pages whose ids overlap (40 new ids a page, 50 rows), as exports repeat tickets.
    pages = [make_tickets(50, seed=s, first_id=1 + 40 * s) for s in range(4)]
    # Pages commit one by one, as an importer does; page 2 is killed at its second batch.
    with killed_at_write(engine, write_number=4), pytest.raises(KilledImport):
        for page in pages:
            with session_scope(engine) as session:
                upsert_tickets(session, page, batch_rows=25)
    assert sorted(stored(engine)["ticket_id"], key=int) == [str(i) for i in range(1, 51)]
    for page in pages:
        with session_scope(engine) as session:
            upsert_tickets(session, page, batch_rows=25)
    same_tickets(stored(engine), reference_store(pages))
    assert len(stored(engine)) == 1 + 40 * 3 + 49


@st.composite
def ticket_versions(draw: st.DrawFn) -> list[pd.DataFrame]:
    base = pd.Timestamp("2027-03-01T00:00:00Z")
    pages = []
    for _ in range(draw(st.integers(1, 4))):
        size = draw(st.integers(0, 8))
        ids = draw(st.lists(st.integers(1, 6), min_size=size, max_size=size))
        minutes = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
        states = draw(st.lists(st.sampled_from(["open", "solved"]), min_size=size, max_size=size))
        pages.append(
            pd.DataFrame(
                {
                    "source": "csv",
                    "ticket_id": [str(i) for i in ids],
                    "created_at": pd.Series([base] * size, dtype="datetime64[ns, UTC]"),
                    "updated_at": pd.Series(
                        [base + pd.Timedelta(minutes=m) for m in minutes],
                        dtype="datetime64[ns, UTC]",
                    ),
                    "status": pd.Series(states, dtype=object),
                    "channel": "chat",
                    "language": "en",
                    "tier": 1,
                }
            )
        )
    return pages


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pages=ticket_versions())
def test_any_sequence_of_upserts_matches_the_reference(
    engine: Engine, pages: list[pd.DataFrame]
) -> None:
    with session_scope(engine) as session:
        session.execute(delete(Ticket))
    total = UpsertCounts(0, 0, 0, 0)
    for page in pages:
        with session_scope(engine) as session:
            total += upsert_tickets(session, page, batch_rows=3)
    expected = reference_store(pages)
    back = stored(engine)
    assert total.inserted == len(expected)
    key = ["ticket_id"]
    got = back[["ticket_id", "updated_at", "status"]].sort_values(key).reset_index(drop=True)
    want = expected[["ticket_id", "updated_at", "status"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_naive_timestamps_are_refused(engine: Engine, make_tickets) -> None:
    frame = make_tickets(3)
    frame["created_at"] = frame["created_at"].dt.tz_localize(None)
    with (
        pytest.raises(InputError, match="created_at must hold timezone-aware"),
        session_scope(engine) as session,
    ):
        upsert_tickets(session, frame)


def test_missing_columns_and_values_are_named(engine: Engine, make_tickets) -> None:
    with (
        pytest.raises(InputError, match="missing column.*channel"),
        session_scope(engine) as session,
    ):
        upsert_tickets(session, make_tickets(3).drop(columns=["channel"]))
    frame = make_tickets(3)
    frame.loc[1, "language"] = None
    with pytest.raises(InputError) as caught, session_scope(engine) as session:
        upsert_tickets(session, frame)
    assert "language: empty in 1 row(s), e.g. rows 1" in str(caught.value)


def test_integer_ids_and_optional_columns(engine: Engine, make_tickets) -> None:
    frame = make_tickets(4)[list(TICKET_COLUMNS[:8])]
    frame["ticket_id"] = [101, 102, 103, 104]
    with session_scope(engine) as session:
        upsert_tickets(session, frame)
    back = stored(engine)
    assert sorted(back["ticket_id"]) == ["101", "102", "103", "104"]
    assert back["solved_at"].isna().all() and back["escalated"].isna().all()


def test_synthetic_tickets_round_trip_to_the_microsecond(engine: Engine) -> None:
    # The generator's frames (pandas string dtype, nanosecond stamps) are the demo's input.
    scenario = load_scenario(REFERENCE)
    start, end = pd.Timestamp("2027-01-04", tz="UTC"), pd.Timestamp("2027-01-07", tz="UTC")
    frame = synthetic_tickets(demand_inputs(scenario), start, end, np.random.default_rng(7))
    with session_scope(engine) as session:
        assert upsert_tickets(session, frame).inserted == len(frame)
    with session_scope(engine) as session:
        assert upsert_tickets(session, frame).unchanged == len(frame)
    expected = frame.copy()
    for column in ("created_at", "updated_at", "first_reply_at", "solved_at"):
        expected[column] = expected[column].dt.floor("us")  # the databases' precision
    # Text comes back as object, not the generator's pandas string dtype; the generator
    # leaves the real-time fields (agent, wait, abandoned, priority) empty.
    expected["agent_id"] = None
    expected["abandoned"] = pd.array([pd.NA] * len(expected), dtype="boolean")
    expected["priority"] = pd.array([pd.NA] * len(expected), dtype="Int64")
    same_tickets(stored(engine), expected, check_dtype=False)
