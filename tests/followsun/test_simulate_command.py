"""`followsun simulate` end to end on a tiny organisation, and its refusals of bad files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from followsun.cli import main
from forecasting.schema import to_csv_frame
from scenarios.loader import dump_scenario
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, roster_of, tiny_scenario

DAYS = [AS_OF - timedelta(days=d) for d in range(1, 8)]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(dump_scenario(tiny_scenario(patience_seconds=90)), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    to_csv_frame(roster_of(dict.fromkeys(DAYS, 6))).to_csv(roster, index=False)
    tickets = tmp_path / "tickets.csv"
    to_csv_frame(hourly_tickets(weeks=1)).to_csv(tickets, index=False)
    return {"scenario": scenario, "roster": roster, "tickets": tickets, "out": tmp_path / "out"}


def _args(files: dict[str, Path], **extra: str) -> list[str]:
    args = ["simulate"]
    for key in ("scenario", "roster", "tickets", "out"):
        value = extra.pop(key, str(files[key]))
        if value:
            args += [f"--{key}", value]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args


def test_simulate_writes_outcomes_and_summary_with_intervals(files: dict[str, Path]) -> None:
    assert main(_args(files, replications="3", seed="4")) == 0
    out = pd.read_csv(files["out"] / "outcomes.csv")
    for column in (
        "interval_start",
        "channel",
        "language",
        "tier",
        "offered",
        "handled",
        "abandoned",
        "service_level",
        "asa_seconds",
        "backlog",
        "occupancy",
    ):
        assert column in out.columns
    # Ten calls an hour, 5 minutes apart, at most 480 s each: never more than two at once,
    # and six agents on the floor in every open hour: nobody waits, nobody gives up.
    assert out["offered"].sum() == 7 * 8 * 10
    assert out["handled"].sum() == out["offered"].sum()
    assert out["abandoned"].sum() == 0 and out["asa_seconds"].max() == 0
    summary = json.loads((files["out"] / "summary.json").read_text())
    phone = summary["sla"]["by_queue"][0]
    assert phone["queue"] == "phone-en-t1" and phone["service_level"] == 1.0
    assert summary["replications"] == 3 and summary["seed"] == 4
    assert summary["sla"]["by_channel"][0]["channel"] == "phone"
    assert len(summary["sla"]["by_week"]) >= 1
    assert summary["first_response_seconds"][0]["p95"] == 0.0
    # Busy for every call's handle time, over 6 agents' 8 hours a day for 7 days.
    busy = pd.read_csv(files["tickets"])["handle_seconds"].sum()
    site = summary["occupancy"]["by_site"][0]
    assert site["site"] == "hq" and site["occupancy"] == pytest.approx(
        busy / (6 * 8 * 3600 * 7), rel=1e-5
    )
    assert len(summary["occupancy"]["by_agent"]) == 6


def test_replications_on_an_executor_give_the_same_answer(
    files: dict[str, Path], tmp_path: Path
) -> None:
    to_csv_frame(roster_of(dict.fromkeys(DAYS, 1))).to_csv(files["roster"], index=False)
    assert main(_args(files, replications="3", seed="5")) == 0
    there = tmp_path / "threads"
    assert main(_args(files, out=str(there), replications="3", seed="5", executor="thread")) == 0
    for name in ("outcomes.csv", "summary.json"):
        assert (there / name).read_text() == (files["out"] / name).read_text()


def test_a_thin_roster_loses_callers_and_the_same_seed_repeats(
    files: dict[str, Path], tmp_path: Path
) -> None:
    to_csv_frame(roster_of(dict.fromkeys(DAYS, 1))).to_csv(files["roster"], index=False)
    assert main(_args(files, replications="2", seed="9")) == 0
    first = (files["out"] / "outcomes.csv").read_text()
    assert main(_args(files, out=str(tmp_path / "again"), replications="2", seed="9")) == 0
    assert (tmp_path / "again" / "outcomes.csv").read_text() == first
    out = pd.read_csv(files["out"] / "outcomes.csv")
    # One agent, load 10 x 360 / 3600 = 1 Erlang: the line is overloaded, callers give up.
    assert out["abandoned"].sum() > 0
    summary = json.loads((files["out"] / "summary.json").read_text())
    assert summary["sla"]["by_queue"][0]["service_level"] < 0.8


def test_bad_files_are_refused_with_exit_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(files, roster=str(files["out"] / "missing.csv"))) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err
    tickets = pd.read_csv(files["tickets"]).assign(channel="chat")
    tickets.to_csv(files["tickets"], index=False)
    assert main(_args(files)) == 2
    assert "chat-en-t1" in capsys.readouterr().err
    pd.DataFrame(
        {
            "created_at": ["yesterday"],
            "channel": ["phone"],
            "language": ["en"],
            "tier": [1],
            "handle_seconds": [1.0],
        }
    ).to_csv(files["tickets"], index=False)
    assert main(_args(files)) == 2
    assert "line 2" in capsys.readouterr().err


def test_contacts_drawn_from_a_forecast_average_its_volume(files: dict[str, Path]) -> None:
    grid = pd.date_range(pd.Timestamp(DAYS[-1], tz="UTC"), periods=7 * 24, freq="h", tz="UTC")
    volume = [6.0 if 8 <= ts.hour < 16 else 0.0 for ts in grid]
    forecast = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "volume": volume,
            "volume_p10": volume,
            "volume_p90": volume,
            "aht_seconds": 300.0,
        }
    )
    path = files["out"].parent / "forecast.csv"
    to_csv_frame(forecast).to_csv(path, index=False)
    args = _args(files, tickets="", forecast=str(path), replications="8", seed="2")
    assert main(args) == 0
    out = pd.read_csv(files["out"] / "outcomes.csv")
    # Poisson draws: the mean over 8 replications of 336 expected calls is within 4 sd.
    expected = sum(volume)
    assert abs(out["offered"].sum() - expected) < 4 * (expected / 8) ** 0.5
    summary = json.loads((files["out"] / "summary.json").read_text())
    phone = summary["sla"]["by_queue"][0]
    assert phone["low"] <= phone["service_level"] <= phone["high"]


def test_patience_calibrated_from_actuals_makes_callers_give_up(files: dict[str, Path]) -> None:
    # Without a patience callers wait as long as it takes; actuals where every caller gave
    # up within 5 s (no answered call censors the estimate) make waiting callers abandon.
    files["scenario"].write_text(dump_scenario(tiny_scenario()), encoding="utf-8")
    to_csv_frame(roster_of(dict.fromkeys(DAYS, 1))).to_csv(files["roster"], index=False)
    actuals = hourly_tickets(weeks=1).assign(status="abandoned")
    actuals["updated_at"] = actuals["created_at"] + pd.to_timedelta(
        1 + (actuals.index % 5), unit="s"
    )
    calibration = files["out"].parent / "actuals.csv"
    to_csv_frame(actuals).to_csv(calibration, index=False)
    assert main(_args(files, replications="2")) == 0
    plain = pd.read_csv(files["out"] / "outcomes.csv")
    assert plain["abandoned"].sum() == 0 and plain["asa_seconds"].max() > 5.0
    assert main(_args(files, replications="2", calibrate_from=str(calibration))) == 0
    calibrated = pd.read_csv(files["out"] / "outcomes.csv")
    summary = json.loads((files["out"] / "summary.json").read_text())
    assert summary["calibrated"] is True
    assert calibrated["abandoned"].sum() > 0
    # Whoever is answered found the agent free or waited under 5 s.
    assert calibrated["asa_seconds"].max() <= 5.0
