from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.db_fixtures import BACKENDS, PostgresSchema, postgres_test_url, sqlite_url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database (no tables at all) on each available backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    url = postgres_test_url()
    assert url is not None
    schema = PostgresSchema(url)
    try:
        yield schema.url.render_as_string(hide_password=False)
    finally:
        schema.drop()


TicketFactory = Callable[..., pd.DataFrame]


@pytest.fixture
def make_tickets() -> TicketFactory:
    """Build a canonical tickets frame of `n` tickets with reproducible random values."""

    def build(
        n: int,
        seed: int = 0,
        source: str = "zendesk",
        first_id: int = 1,
        updated_offset_min: int = 0,
    ) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        created = pd.Timestamp("2027-03-01T00:00:00Z") + pd.to_timedelta(
            np.sort(rng.integers(0, 14 * 24 * 3600, n)), unit="s"
        )
        replied = created + pd.to_timedelta(rng.integers(30, 7200, n), unit="s")
        solved = replied + pd.to_timedelta(rng.integers(60, 86400, n), unit="s")
        frame = pd.DataFrame(
            {
                "source": source,
                "ticket_id": [str(first_id + i) for i in range(n)],
                "created_at": created,
                "updated_at": solved + pd.Timedelta(minutes=updated_offset_min),
                "status": rng.choice(["open", "pending", "solved"], n),
                "channel": rng.choice(["phone", "chat", "web"], n),
                "language": rng.choice(["en", "zh", "ja"], n),
                "tier": rng.integers(1, 3, n),
                "first_reply_at": replied,
                "solved_at": solved,
                "handle_seconds": rng.gamma(2.0, 300.0, n).round(3),
                "escalated": rng.random(n) < 0.18,
                "csat": rng.choice([1.0, 2.0, 3.0, 4.0, 5.0], n),
                "region": rng.choice(["us-west", "apac"], n),
                "agent_id": rng.choice(["A17", "B2", "C9"], n),
                "wait_seconds": rng.exponential(40.0, n).round(3),
                "abandoned": pd.array(rng.random(n) < 0.1, dtype="boolean"),
                "priority": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            }
        )
        # Unanswered and unsolved tickets, and unknown handle time / CSAT, occur in exports.
        open_rows = frame["status"] == "open"
        frame.loc[open_rows, "solved_at"] = pd.NaT
        frame.loc[open_rows & (rng.random(n) < 0.5), "first_reply_at"] = pd.NaT
        frame.loc[rng.random(n) < 0.3, "csat"] = np.nan
        # Real-time fields are empty for tickets of other channels.
        not_realtime = frame["channel"] == "web"
        frame.loc[not_realtime, "wait_seconds"] = np.nan
        frame["agent_id"] = frame["agent_id"].astype(object).where(~not_realtime, None)
        for name in ("abandoned", "priority"):
            frame.loc[not_realtime, name] = pd.NA
        return frame

    return build
