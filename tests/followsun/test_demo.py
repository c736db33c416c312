"""The demo end to end on one week: every file, the contract's keys, the stages chain."""

from __future__ import annotations

import json
import os
import pty
import re
import select as io_select
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from followsun.cli import main
from followsun.services.plan import allocated_coverage, next_monday
from followsun.store import init_db, latest_roster, models, session_scope

START = "2027-03-08"  # the week the US changes clocks and Europe has not


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    db = out / "store.sqlite"
    mp = pytest.MonkeyPatch()
    mp.setenv("FOLLOWSUN_DATABASE_URL", f"sqlite:///{db}")
    try:
        code = main(
            [
                "demo",
                "--out",
                str(out / "run"),
                "--start",
                START,
                "--weeks",
                "1",
                "--time-limit",
                "8",
                "--no-compare",
            ]
        )
    finally:
        mp.undo()
    assert code in (0, 1)  # 1 only when the roster is infeasible; the files exist either way
    return out


@pytest.mark.slow
def test_every_file_is_written(demo_dir: Path) -> None:
    run = demo_dir / "run"
    for name in (
        "scenario.yaml",
        "report.html",
        "forecast.csv",
        "requirements.csv",
        "roster.csv",
        "coverage.csv",
        "outcomes.csv",
        "solver.json",
        "summary.json",
        "history.csv",
        "tickets.csv",
        "outcomes_analytic.csv",
    ):
        assert (run / name).stat().st_size > 0, name
    assert any((run / "ics").glob("*.ics"))


@pytest.mark.slow
def test_summary_has_the_contract_keys(demo_dir: Path) -> None:
    summary = json.loads((demo_dir / "run" / "summary.json").read_text())
    assert summary["scenario"] == "reference-24x5"
    assert {s["site"]: s["agents"] for s in summary["sites"]} == {"sjc": 13, "tpe": 14}
    assert set(summary["sla"]) == {"chat", "phone", "web"}
    assert all(0.0 <= v <= 1.0 for v in summary["sla"].values())
    assert set(summary["cost"]) == {"total", "per_ticket", "currency"}
    assert float(summary["cost"]["total"]) > 0 and summary["cost"]["currency"] == "USD"
    assert set(summary["solver"]) == {"status", "objective", "bound", "gap", "seconds"}
    assert summary["solver"]["status"] in ("optimal", "feasible")
    assert summary["solver"]["objective"] >= summary["solver"]["bound"] - 1e-6


@pytest.mark.slow
def test_report_names_its_methods(demo_dir: Path) -> None:
    html = (demo_dir / "run" / "report.html").read_text()
    for words in ("Erlang", "CP-SAT", "discrete-event simulation of the roster", "forecast"):
        assert words in html
    assert "the fast estimate beside the simulation" in html
    assert "Service level per queue and week (simulated)" in html
    assert "Forecast against actuals" in html
    assert "chat-en-t1" in html


@pytest.mark.slow
def test_the_contacts_written_replay_to_the_reported_sla(demo_dir: Path) -> None:
    run = demo_dir / "run"
    tickets = pd.read_csv(run / "tickets.csv")
    assert list(tickets.columns) == [
        "created_at",
        "channel",
        "language",
        "tier",
        "handle_seconds",
        "region",
    ]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["sla_method"] == "simulated"
    replications = str(summary["sla_replications"])
    again = demo_dir / "again"
    args = ["simulate", "--scenario", str(run / "scenario.yaml"), "--roster"]
    args += [str(run / "roster.csv"), "--tickets", str(run / "tickets.csv")]
    args += ["--replications", replications, "--seed", str(summary["sla_seed"])]
    args += ["--out", str(again)]
    assert main(args) == 0
    rerun = json.loads((again / "summary.json").read_text())
    assert rerun["contacts_per_replication"] == len(tickets)
    by_channel = {row["channel"]: row for row in rerun["sla"]["by_channel"]}
    for channel, level in summary["sla"].items():
        assert by_channel[channel]["service_level"] == pytest.approx(level, abs=5e-5)
        figure = summary["sla_by_channel"][channel]
        assert by_channel[channel]["low"] == pytest.approx(figure["low"], abs=5e-5)
    outcomes = pd.read_csv(run / "outcomes.csv")
    assert outcomes["offered"].sum() == pytest.approx(len(tickets))


@pytest.mark.slow
def test_roster_is_in_local_time_across_the_us_dst_change(demo_dir: Path) -> None:
    roster = pd.read_csv(demo_dir / "run" / "roster.csv")
    sjc = roster[(roster["site"] == "sjc") & (roster["shift"] == "early")]
    assert (sjc["start_local"] == "06:00").all()
    before = sjc[sjc["date_local"] < "2027-03-14"]["start_utc"].str[11:16]
    after = sjc[sjc["date_local"] > "2027-03-14"]["start_utc"].str[11:16]
    assert set(before) <= {"14:00"} and set(after) <= {"13:00"}


@pytest.mark.slow
def test_requirements_chain_into_the_roster_command(demo_dir: Path, tmp_path: Path) -> None:
    run = demo_dir / "run"
    code = main(
        [
            "roster",
            "--scenario",
            str(run / "scenario.yaml"),
            "--requirements",
            str(run / "requirements.csv"),
            "--start",
            START,
            "--weeks",
            "1",
            "--time-limit",
            "5",
            "--out",
            str(tmp_path),
        ]
    )
    assert code in (0, 1)
    assert json.loads((tmp_path / "solver.json").read_text())["status"] in ("optimal", "feasible")


def _read_until(
    fd: int, marker: bytes | None, process: subprocess.Popen[bytes], deadline_s: float
) -> bytes:
    """What the process writes to the terminal `fd` until `marker` appears (None: until it
    ends), the process ends, or `deadline_s` passes."""
    seen = b""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        ready, _, _ = io_select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            seen += chunk
            if marker is not None and marker in seen:
                break
        elif process.poll() is not None:
            break
    return seen


def _plain(raw: bytes) -> str:
    """Terminal output without its control sequences and carriage returns."""
    text = raw.decode(errors="replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", text)


@pytest.mark.slow
def test_ctrl_c_stops_a_roster_mid_solve_and_writes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    run = demo_dir / "run"
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "followsun",
        "roster",
        "--scenario",
        str(run / "scenario.yaml"),
    ]
    command += ["--requirements", str(run / "requirements.csv"), "--start", START]
    command += ["--weeks", "1", "--time-limit", "600", "--out", str(out)]
    # stderr on a terminal, so the progress bar is drawn: SIGINT goes once the solver has
    # reported a roster (the search is under way), however long imports and model took.
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stderr=follower, stdin=subprocess.DEVNULL, env={**os.environ, "TERM": "xterm"}
    )
    os.close(follower)
    try:
        shown = _read_until(leader, b"roster: objective", process, deadline_s=600)
        assert b"roster: objective" in shown, _plain(shown)
        process.send_signal(signal.SIGINT)
        stderr = _plain(shown + _read_until(leader, None, process, deadline_s=120))
        process.wait(timeout=10)
    finally:
        process.kill()
        os.close(leader)
    assert process.returncode == 130
    assert stderr.strip().endswith("interrupted")
    assert not (out / "solver.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "stage", ["followsun.report.write_report", "followsun.services.plan.save_roster"]
)
def test_an_interrupted_demo_keeps_the_previous_run_and_stores_nothing(
    demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """Ctrl-C while the files are written, or while the run is stored: the old folder stays."""
    out = tmp_path / "run"
    shutil.copytree(demo_dir / "run", out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", url)

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stage, interrupt)
    args = ["demo", "--out", str(out), "--start", START, "--weeks", "1", "--time-limit", "3"]
    args.append("--no-compare")
    assert main(args) == 130
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".partial", ".old"))]
    engine = init_db(url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Run)) == 0
    engine.dispose()


@pytest.mark.slow
def test_forecast_and_history_chain_into_their_commands(demo_dir: Path, tmp_path: Path) -> None:
    run = demo_dir / "run"
    assert main(["validate", str(run / "scenario.yaml")]) == 0
    out = tmp_path / "f.csv"
    assert (
        main(
            [
                "forecast",
                "--history",
                str(run / "history.csv"),
                "--horizon-days",
                "7",
                "--model",
                "seasonal_naive",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert len(pd.read_csv(out)) > 0
    reqs = tmp_path / "r.csv"
    assert main(
        [
            "staff",
            "--scenario",
            str(run / "scenario.yaml"),
            "--forecast",
            str(run / "forecast.csv"),
            "--out",
            str(reqs),
        ]
    ) in (0, 1)
    assert len(pd.read_csv(reqs)) == len(pd.read_csv(run / "requirements.csv"))


@pytest.mark.slow
def test_the_run_and_its_roster_are_stored(demo_dir: Path) -> None:
    engine = init_db(f"sqlite:///{demo_dir / 'store.sqlite'}")
    with session_scope(engine) as session:
        version = latest_roster(session, "reference-24x5")
    engine.dispose()
    assert version is not None and version.version == 1 and not version.published


def test_next_monday() -> None:
    assert next_monday(date(2026, 11, 25)) == date(2026, 11, 30)  # a Wednesday
    assert next_monday(date(2026, 11, 30)) == date(2026, 12, 7)  # a Monday: the next one


def test_report_coverage_shows_allocated_heads_not_every_skill_holder() -> None:
    t = pd.Timestamp("2027-03-08T00:00Z")
    coverage = pd.DataFrame(
        {
            "interval_start": [t, t],
            "group": ["chat-en-t1", "web-en-t1"],
            "required": [1.0, 0.5],
            "scheduled": [1, 1],
            "shortfall": [0.0, 0.0],
        }
    )
    staffed = pd.DataFrame(
        {
            "interval_start": [t, t, t],
            "channel": ["chat", "web", "web"],
            "language": "en",
            "tier": 1,
            "agents": [0.75, 0.25, 2.0],
            "source": ["roster", "roster", "nightowl"],
        }
    )
    shown = allocated_coverage(coverage, staffed)
    # One shared agent: 0.75 to chat, 0.25 to web; the vendor's heads are not rostered.
    assert shown["scheduled"].tolist() == [0.75, 0.25]
    assert shown["required"].tolist() == [1.0, 0.5]
