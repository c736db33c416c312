"""`followsun replay` end to end on a log written by the engine, and on the shared bank log."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from followsun.cli import main
from followsun.connectors.csv_import import csv_pages
from followsun.connectors.csv_mapping import load_mapping
from forecasting.schema import to_csv_frame
from tests.benchmarks import benchmark_folder
from tests.evaluation.log_fixtures import engine_log


def test_replay_writes_daily_hourly_summary_and_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tickets, other = tmp_path / "march.csv", tmp_path / "april.csv"
    to_csv_frame(engine_log(days=2, seed=7)).to_csv(tickets, index=False)
    to_csv_frame(engine_log(days=2, seed=8)).to_csv(other, index=False)
    out = tmp_path / "out"
    args = ["replay", "--tickets", str(tickets), "--calibrate-from", str(other)]
    assert main([*args, "--replications", "3", "--out", str(out)]) == 0
    daily = pd.read_csv(out / "daily.csv")
    hourly = pd.read_csv(out / "hourly.csv")
    summary = json.loads((out / "summary.json").read_text())
    assert len(daily) == 2 and hourly["calls"].sum() == daily["calls"].sum() == summary["calls"]
    assert summary["mae_service_level_points"] == pytest.approx(
        daily["simulated_error_service_level"].abs().mean()
    )
    assert summary["textbook"]["mae_abandonment_points"] == pytest.approx(
        daily["textbook_error_abandonment"].abs().mean()
    )
    assert summary["calibrated_from"] == str(other) and summary["replications"] == 3
    assert "answered within target" in (out / "chart.html").read_text()
    assert "mean absolute daily error" in capsys.readouterr().out


def test_a_tickets_file_without_the_log_fields_exits_2_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tickets = tmp_path / "tickets.csv"
    to_csv_frame(engine_log(days=1).drop(columns=["agent_id"])).to_csv(tickets, index=False)
    assert main(["replay", "--tickets", str(tickets), "--out", str(tmp_path / "o")]) == 2
    assert "agent_id" in capsys.readouterr().err


def test_the_shared_bank_log_imports_with_agent_wait_outcome_and_priority() -> None:
    folder = benchmark_folder("contact-logs", "january.txt.gz")
    pages = csv_pages(folder / "january.txt.gz", load_mapping("anonymous-bank-call-log"))
    log = pd.concat([p.tickets for p in pages])
    answered = log[log["status"] == "solved"]
    raw = pd.read_csv(folder / "january.txt.gz", sep="\t", dtype=str)
    no_server = (raw["outcome"] == "AGENT") & (raw["server"] == "NO_SERVER")
    # Served rows naming NO_SERVER in the source carry no agent; every other one does.
    assert answered["agent_id"].isna().sum() == no_server.sum() > 0
    assert (~answered["abandoned"]).all()
    assert log.loc[log["status"] == "abandoned", "abandoned"].all()
    assert (log["wait_seconds"] >= 0).all() and set(log["priority"]) <= {0, 1, 2}


def test_replay_takes_the_agents_from_a_roster_when_given(tmp_path: Path) -> None:
    from tests.evaluation.test_replay import roster_of_engine_log

    tickets, roster = tmp_path / "log.csv", tmp_path / "roster.csv"
    to_csv_frame(engine_log(days=2, seed=7)).to_csv(tickets, index=False)
    to_csv_frame(roster_of_engine_log(days=2)).to_csv(roster, index=False)
    out = tmp_path / "out"
    args = ["replay", "--tickets", str(tickets), "--roster", str(roster), "--out", str(out)]
    assert main([*args, "--replications", "2"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["agents_from"] == str(roster)
    assert summary["mae_abandonment_points"] < 3.0


def test_the_plan_report_line_states_the_replay_errors_of_the_latest_log() -> None:
    from evaluation.call_log import calibrate_log
    from evaluation.replay import compare, mean_absolute_errors, replay
    from followsun.services.replay import CHECK_REPLICATIONS, latest_month_check

    log = engine_log(days=3, seed=12)
    before = pd.Timestamp("2027-03-03T00:00Z")  # the third day is after the plan's start
    line = latest_month_check(log, before)
    kept = log[log["created_at"] < before]
    daily = compare(replay(kept, calibrate_log(kept), CHECK_REPLICATIONS, 0, 60.0), "UTC", False)
    errors = mean_absolute_errors(daily, "simulated")
    assert line is not None and "2027-03-01 to 2027-03-02" in line
    assert f"{errors['mae_service_level_points']:.1f} points of service level" in line
    assert latest_month_check(log.drop(columns=["wait_seconds"]), before) is None
    assert latest_month_check(log.assign(agent_id=None), before) is None
