"""The roster page draws every agent and every shift of its version, cached or not."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from flask.testing import FlaskClient

from followsun.store import create_store_engine, session_scope
from followsun.store.rosters import save_roster
from followsun.store.users import Role
from tests.webapp.conftest import csrf_token
from webapp.cache import LRUCache

FIGURE = re.compile(r'data-figure="([^"]*)"')
TOKEN = re.compile(r'(content|value)="[^"]*\.[^"]*\.[^"]*"')
SITES = (("ams", "Europe/Amsterdam"), ("tpe", "Asia/Taipei"), ("sjc", "America/Los_Angeles"))


def shifts(agents: int, days: int, hour: int) -> pd.DataFrame:
    """Agents on three zones, shifts of 4 to 9 hours starting at `hour` local, some days off."""
    rows = []
    for a in range(agents):
        site, zone = SITES[a % len(SITES)]
        for d in range(days):
            if (a + d) % 4 == 3:
                continue
            day = date(2027, 3, 25) + timedelta(days=d)
            start = pd.Timestamp(f"{day.isoformat()} {hour:02d}:00", tz=zone)
            end = start + pd.Timedelta(hours=4 + (a + d) % 6)
            rows.append(
                {
                    "agent_id": f"{site}-{a}",
                    "site": site,
                    "timezone": zone,
                    "date_local": day.isoformat(),
                    "start_local": f"{hour:02d}:00",
                    "end_local": f"{end.hour:02d}:00",
                    "start_utc": start.tz_convert("UTC"),
                    "end_utc": end.tz_convert("UTC"),
                    "shift": ("early", "late")[a % 2],
                    "tier": 1,
                    "skills": "chat/en",
                    "breaks": "",
                }
            )
    return pd.DataFrame(rows)


def save(db_url: str, name: str, frame: pd.DataFrame) -> int:
    engine = create_store_engine(db_url)
    with session_scope(engine) as session:
        roster_id = save_roster(session, name, frame).id
    engine.dispose()
    return roster_id


def figure(page: str) -> dict[str, Any]:
    found = FIGURE.search(page)
    assert found is not None, "no chart on the page"
    drawn: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return drawn


def values(array: Any) -> list[Any]:
    """A plotly JSON array as a list (plotly sends numeric arrays as base64 typed arrays)."""
    if isinstance(array, dict):
        return list(np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]))
    return list(array)


def drawn_shifts(fig: dict[str, Any]) -> set[tuple[str, str, float]]:
    """(agent label, local start, hours) of every bar, read back from the plotly JSON."""
    axis = fig["layout"]["yaxis"]
    labels = dict(zip(axis["tickvals"], axis["ticktext"], strict=True))
    bars = set()
    for trace in fig["data"]:
        for base, width, row in zip(
            values(trace["base"]), values(trace["x"]), values(trace["y"]), strict=True
        ):
            bars.add((labels[row], pd.Timestamp(base).isoformat(), round(width / 3.6e6, 6)))
    return bars


def expected_shifts(frame: pd.DataFrame) -> set[tuple[str, str, float]]:
    """The same triples computed from the roster: each start on the agent's own clock."""
    out = set()
    for row in frame.itertuples():
        local = row.start_utc.tz_convert(row.timezone).tz_localize(None)
        hours = (row.end_utc - row.start_utc).total_seconds() / 3600
        out.add((f"{row.site} · {row.agent_id}", local.isoformat(), round(hours, 6)))
    return out


@pytest.mark.parametrize("agents", [1, 7])
def test_the_page_draws_every_agent_and_shift_and_a_repeat_is_identical(
    client_as: Callable[[Role | None], FlaskClient], db_url: str, agents: int
) -> None:
    frame = shifts(agents, 6, 9)
    roster_id = save(db_url, "drawn", frame)
    viewer = client_as(Role.VIEWER)
    first = viewer.get(f"/rosters/{roster_id}").get_data(as_text=True)
    fig = figure(first)
    assert set(fig["layout"]["yaxis"]["ticktext"]) == {
        f"{s} · {a}" for s, a in zip(frame["site"], frame["agent_id"], strict=True)
    }
    assert sum(len(values(trace["base"])) for trace in fig["data"]) == len(frame)
    assert drawn_shifts(fig) == expected_shifts(frame)
    assert f"{frame['agent_id'].nunique()} agents, {len(frame)} shifts" in first
    again = viewer.get(f"/rosters/{roster_id}").get_data(as_text=True)
    assert TOKEN.sub("", again) == TOKEN.sub("", first)  # the CSRF tokens are timestamped


def test_each_version_and_filter_draws_its_own_shifts(
    client_as: Callable[[Role | None], FlaskClient], db_url: str
) -> None:
    early, late = shifts(4, 3, 7), shifts(5, 3, 13)
    first, second = save(db_url, "versions", early), save(db_url, "versions", late)
    viewer = client_as(Role.VIEWER)
    for roster_id, frame in ((first, early), (second, late), (first, early)):
        page = viewer.get(f"/rosters/{roster_id}").get_data(as_text=True)
        assert drawn_shifts(figure(page)) == expected_shifts(frame)
    ams = viewer.get(f"/rosters/{second}?site=ams").get_data(as_text=True)
    assert drawn_shifts(figure(ams)) == expected_shifts(late[late["site"] == "ams"])


def test_publishing_shows_at_once_on_a_page_already_drawn(
    client_as: Callable[[Role | None], FlaskClient], db_url: str
) -> None:
    roster_id = save(db_url, "publish", shifts(2, 2, 9))
    scheduler = client_as(Role.SCHEDULER)
    assert 'class="badge"' not in scheduler.get(f"/rosters/{roster_id}").get_data(as_text=True)
    scheduler.post(f"/rosters/{roster_id}/publish", data={"csrf_token": csrf_token(scheduler, "/")})
    assert 'class="badge">published' in scheduler.get(f"/rosters/{roster_id}").get_data(
        as_text=True
    )


def test_the_cache_keeps_the_most_recently_used_and_makes_each_value_once() -> None:
    cache = LRUCache(2)
    made: list[str] = []

    def maker(key: str) -> Callable[[], str]:
        return lambda: made.append(key) or key.upper()

    assert cache.get("a", maker("a")) == "A"
    assert cache.get("b", maker("b")) == "B"
    assert cache.get("a", maker("a")) == "A"  # kept: "b" is now the oldest used
    assert cache.get("c", maker("c")) == "C"
    assert cache.get("a", maker("a")) == "A"
    assert cache.get("b", maker("b")) == "B"  # evicted, made again
    assert made == ["a", "b", "c", "b"] and len(cache) == 2
