from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from followsun.connectors import (
    HttpError,
    JsonClient,
    RetryPolicy,
    SourceConfig,
    load_sources,
    save_source,
)
from followsun.connectors.http import retry_after_s
from tests.followsun.connectors.standin import StandIn


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_s("30", now) == 30.0
    # RFC 9110 section 10.2.3: an HTTP-date is also allowed.
    assert retry_after_s("Mon, 01 Mar 2027 12:01:30 GMT", now) == 90.0
    assert retry_after_s("Mon, 01 Mar 2027 11:00:00 GMT", now) == 0.0  # already past
    assert retry_after_s("soon", now) is None
    assert retry_after_s(None, now) is None


def test_5xx_backoff_doubles_up_to_its_bound_then_gives_up() -> None:
    stand_in = StandIn(lambda _p, _q: (200, {}, {"ok": True}))
    stand_in.faults = {n: (503, {}) for n in range(1, 10)}
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=5, backoff_s=1.0, max_backoff_s=3.0, timeout_s=5.0)
    with stand_in.serve():
        client = JsonClient(
            stand_in.url, policy=policy, sleep=sleeps.append, allow_http_loopback=True
        )
        with pytest.raises(HttpError) as failure:
            client.get("/x")
    assert failure.value.status == 503
    assert sleeps == [1.0, 2.0, 3.0, 3.0]  # 4 waits between 5 attempts
    assert stand_in.requests == 5


def test_429_is_waited_out_as_asked_unless_too_long() -> None:
    stand_in = StandIn(lambda _p, _q: (200, {}, {"ok": True}))
    stand_in.faults = {1: (429, {"Retry-After": "2"}), 3: (429, {"Retry-After": "5000"})}
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=3, max_retry_after_s=60.0, timeout_s=5.0)
    with stand_in.serve():
        client = JsonClient(
            stand_in.url, policy=policy, sleep=sleeps.append, allow_http_loopback=True
        )
        answer = client.get("/x", {"a": 1})
        with pytest.raises(HttpError, match="rate limited for 5000 s"):
            client.get("/x")
    assert (answer.body, answer.attempts, sleeps) == ({"ok": True}, 2, [2.0])
    assert stand_in.log[0] == "/x?a=1"


def test_connection_refused_is_retried_then_reported() -> None:
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=2, backoff_s=0.1, timeout_s=2.0)
    client = JsonClient(
        "http://127.0.0.1:9", policy=policy, sleep=sleeps.append, allow_http_loopback=True
    )
    with pytest.raises(HttpError) as failure:
        client.get("/x")
    assert failure.value.status == 0 and sleeps == [0.1]
    with pytest.raises(ValueError, match="expected http"):
        JsonClient("ftp://example.com")


def test_sources_file_keeps_settings_not_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sources.json"
    assert load_sources(path) == []
    first = SourceConfig(
        "zd", "zendesk", "https://a.zendesk.com", "ZD_TOKEN", "a@b.c", {"tier2_tags": ["t2"]}
    )
    save_source(first, path)
    save_source(SourceConfig("fd", "freshdesk", "https://a.freshdesk.com", "FD_KEY"), path)
    moved = SourceConfig("zd", "zendesk", "https://b.zendesk.com", "ZD_TOKEN", "a@b.c")
    save_source(moved, path)
    assert [(s.name, s.url) for s in load_sources(path)] == [
        ("zd", "https://b.zendesk.com"),
        ("fd", "https://a.freshdesk.com"),
    ]
    monkeypatch.setenv("ZD_TOKEN", "s3cret")
    assert moved.secret() == "s3cret"
    assert "s3cret" not in path.read_text()
