from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.errors import InputError
from followsun.store import (
    ROSTER_COLUMNS,
    latest_roster,
    publish_roster,
    roster_frame,
    roster_versions,
    save_roster,
    session_scope,
)

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def roster(agents: int = 2) -> pd.DataFrame:
    # Taipei (UTC+8, no DST) 09:00-18:00 local is 01:00-10:00 UTC the same day.
    rows = []
    for a in range(agents):
        for d in range(3):
            day = date(2027, 3, 8) + timedelta(days=d)
            start = pd.Timestamp(f"{day.isoformat()}T01:00:00Z")
            rows.append(
                {
                    "agent_id": f"tpe-1-{a + 1}",
                    "site": "tpe",
                    "timezone": "Asia/Taipei",
                    "date_local": day.isoformat(),
                    "start_local": "09:00",
                    "end_local": "18:00",
                    "start_utc": start,
                    "end_utc": start + pd.Timedelta(hours=9),
                    "shift": "day",
                    "tier": 1,
                    "skills": "chat/en;chat/zh",
                    "breaks": "12:00-13:00",
                }
            )
    return pd.DataFrame(rows)


def test_versions_count_up_per_scenario(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = save_roster(session, "reference", roster(1), now=T0)
        second = save_roster(session, "reference", roster(2), now=T0)
        other = save_roster(session, "24x7-amsterdam", roster(1), now=T0)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert (first.shift_count, second.shift_count) == (3, 6)
    assert not first.published and first.published_at is None
    with session_scope(engine) as session:
        assert [v.version for v in roster_versions(session, "reference")] == [1, 2]
        assert latest_roster(session, "reference") == second
        assert latest_roster(session, "reference", published_only=True) is None
        assert latest_roster(session, "nothing") is None


def test_publishing_moves_the_flag(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = save_roster(session, "reference", roster(1), now=T0)
        second = save_roster(session, "reference", roster(2), now=T0)
        other = save_roster(session, "other", roster(1), now=T0)
        publish_roster(session, other.id, now=T0)
    with session_scope(engine) as session:
        published_first = publish_roster(session, first.id, now=T0 + timedelta(hours=1))
    assert published_first.published and published_first.published_at == T0 + timedelta(hours=1)
    with session_scope(engine) as session:
        publish_roster(session, second.id, now=T0 + timedelta(hours=2))
    with session_scope(engine) as session:
        versions = {v.version: v for v in roster_versions(session, "reference")}
        current = latest_roster(session, "reference", published_only=True)
        other_now = latest_roster(session, "other", published_only=True)
    assert not versions[1].published and versions[2].published
    # The withdrawn version keeps when it had been published.
    assert versions[1].published_at == T0 + timedelta(hours=1)
    assert current is not None and current.id == second.id
    assert other_now is not None and other_now.id == other.id  # other scenarios untouched


def test_roster_round_trips(engine: Engine) -> None:
    frame = roster(2)
    frame["cost_usd"] = 315.0
    with session_scope(engine) as session:
        version = save_roster(session, "reference", frame, now=T0)
    with session_scope(engine) as session:
        back = roster_frame(session, version.id)
    assert list(back.columns) == [*ROSTER_COLUMNS, "cost_usd"]
    expected = frame.sort_values(["start_utc", "agent_id"]).reset_index(drop=True)
    expected["date_local"] = [date.fromisoformat(d) for d in expected["date_local"]]
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    assert str(back["start_utc"].dtype) == "datetime64[ns, UTC]"


def test_unknown_roster_and_bad_frames_are_refused(engine: Engine) -> None:
    with pytest.raises(InputError, match="no roster"), session_scope(engine) as session:
        publish_roster(session, 999)
    naive = roster(1)
    naive["start_utc"] = naive["start_utc"].dt.tz_localize(None)
    with pytest.raises(InputError, match="start_utc"), session_scope(engine) as session:
        save_roster(session, "reference", naive)
    with session_scope(engine) as session:
        assert roster_versions(session, "reference") == []
