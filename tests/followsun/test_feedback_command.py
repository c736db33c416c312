"""`followsun feedback` end to end on a SQLite store, with `--publish` on roster and demo."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from followsun.cli import main
from followsun.store import init_db, latest_roster, session_scope, upsert_tickets
from scenarios.loader import dump_scenario
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, tiny_scenario

FORECAST_COLUMNS = [
    "interval_start",
    "channel",
    "language",
    "tier",
    "volume",
    "volume_p10",
    "volume_p90",
    "aht_seconds",
]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", url)
    return url


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(dump_scenario(tiny_scenario()), encoding="utf-8")
    return path


def feedback(scenario: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "feedback",
            "--scenario",
            str(scenario),
            "--as-of",
            AS_OF.isoformat(),
            "--days",
            "2",
            "--model",
            "seasonal_naive",
            "--out",
            str(out),
            *extra,
        ]
    )


def test_without_tickets_or_a_published_roster_it_says_what_to_do(
    store: str, scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert feedback(scenario_file, tmp_path / "out") == 2
    assert "import them first (followsun import" in capsys.readouterr().err
    engine = init_db(store)
    with session_scope(engine) as session:
        upsert_tickets(session, hourly_tickets(weeks=1))
    engine.dispose()
    assert feedback(scenario_file, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "no published roster" in err
    assert "followsun roster --scenario" in err and "--publish" in err
    assert "followsun demo --tickets store --publish" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_publish_then_feedback_end_to_end(
    store: str, scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = init_db(store)
    with session_scope(engine) as session:
        upsert_tickets(session, hourly_tickets(weeks=3))
    engine.dispose()

    # The demo plans the week just past on the imported tickets and publishes its roster.
    last_week = (AS_OF - timedelta(days=7)).isoformat()
    demo = ["demo", "--scenario", str(scenario_file), "--tickets", "store", "--weeks", "1"]
    demo += ["--start", last_week, "--time-limit", "5", "--out", str(tmp_path / "demo")]
    assert main([*demo, "--publish"]) == 0
    assert "published roster version 1 of scenario tiny" in capsys.readouterr().out

    # That roster covers last week only: both coming days are at risk (exit 1).
    first = tmp_path / "first"
    assert feedback(scenario_file, first) == 1
    printed = capsys.readouterr().out
    assert "at risk: 2 of 2 queue-days" in printed
    assert "handle time 300 s -> 360 s" in printed
    for name in ("accuracy.csv", "forecast.csv", "requirements.csv", "risk.csv", "feedback.json"):
        assert (first / name).exists(), name
    accuracy = pd.read_csv(first / "accuracy.csv")
    # The demo's forecast of last week against last week's tickets: 80 an open day.
    assert accuracy["intervals"].tolist() == [7 * 24]
    assert accuracy["actual"].tolist() == [7 * 80]
    forecast = pd.read_csv(first / "forecast.csv")
    assert list(forecast.columns) == FORECAST_COLUMNS
    assert forecast["interval_start"].iloc[0] == f"{AS_OF.isoformat()}T00:00:00Z"
    assert forecast["aht_seconds"].round(6).unique().tolist() == [360.0]
    risk = pd.read_csv(first / "risk.csv")
    assert risk["at_risk"].tolist() == [True, True]
    report = json.loads((first / "feedback.json").read_text())
    assert report["roster"]["version"] == 1 and report["forecast_run"] is not None
    assert [r["date_local"] for r in report["at_risk"]] == [
        AS_OF.isoformat(),
        (AS_OF + timedelta(days=1)).isoformat(),
    ]

    # Roster the coming week to the re-forecast's requirements and publish it: no risk.
    roster = ["roster", "--scenario", str(scenario_file), "--requirements"]
    roster += [str(first / "requirements.csv"), "--start", AS_OF.isoformat(), "--weeks", "1"]
    roster += ["--time-limit", "5", "--out", str(tmp_path / "roster"), "--publish"]
    assert main(roster) == 0
    assert "published roster version 2 of scenario tiny" in capsys.readouterr().out
    engine = init_db(store)
    with session_scope(engine) as session:
        published = latest_roster(session, "tiny", published_only=True)
    engine.dispose()
    assert published is not None and published.version == 2
    assert published.shift_count == len(pd.read_csv(tmp_path / "roster" / "roster.csv"))

    assert feedback(scenario_file, tmp_path / "second", "--json") == 0
    second = json.loads(capsys.readouterr().out)
    assert second["roster"]["version"] == 2
    assert second["at_risk"] == []
    assert all(r["predicted_sl"] >= r["target"] for r in second["risk"])
    assert second["run_id"] > 0
