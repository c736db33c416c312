from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.cli import main
from followsun.connectors.http import JsonClient, RetryPolicy
from forecasting.schema import TICKETS, validate_frame
from tests.followsun.connectors.helpers import stored
from tests.followsun.connectors.standin import StandIn, ZendeskData, basic
from tests.followsun.connectors.test_zendesk import EMAIL, T0, TOKEN, sample_data


@pytest.fixture
def cli_env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("FOLLOWSUN_SOURCES_FILE", str(tmp_path / "sources.json"))
    monkeypatch.setenv("ZD_TOKEN", TOKEN)
    # Two quick attempts and no real waiting, so a vendor outage ends the run at once.
    monkeypatch.setattr(
        JsonClient.__init__,
        "__defaults__",
        (None, RetryPolicy(max_attempts=2, backoff_s=0.0), lambda _s: None),
    )
    return tmp_path


def zendesk_args(url: str) -> list[str]:
    return [
        "import",
        "zendesk",
        "--url",
        url,
        "--email",
        EMAIL,
        "--token-env",
        "ZD_TOKEN",
        "--per-page",
        "5",
        "--allow-http-loopback",
    ]


def test_import_sync_kpis_export_round_trip(
    cli_env: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sample_data()
    stand_in = StandIn(data.respond, authorization=basic(f"{EMAIL}/token", TOKEN))
    with stand_in.serve():
        assert main(zendesk_args(stand_in.url)) == 0
        out, err = capsys.readouterr()
        assert "13 new" in out and "0 quarantined" in out
        assert "page 3" in err  # progress on stderr
        sources = (cli_env / "sources.json").read_text()
        assert "ZD_TOKEN" in sources and TOKEN not in sources  # the name, never the secret
        data.update(1, T0 + timedelta(days=3), status="solved")
        assert main(["sync", "--quiet"]) == 0
        assert "1 updated" in capsys.readouterr().out
    assert main(["kpis", "--from", "2027-03-01", "--to", "2027-03-08", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 12  # 13 tickets, one deleted
    assert {c["channel"] for c in report["by_channel"]} == {
        "web",
        "email",
        "chat",
        "phone",
        "social",
    }
    assert all("queue" in s for s in report["sla"])
    assert main(["kpis", "--from", "2027-03-01", "--to", "2027-03-08"]) == 0
    assert "SLA (first response)" in capsys.readouterr().out
    assert main(["export", "tickets", "--out", "tickets.csv"]) == 0
    exported = pd.read_csv(cli_env / "tickets.csv", dtype=str, keep_default_na=False)
    typed = validate_frame(exported, TICKETS, source="tickets.csv")  # the file contract
    assert len(typed) == len(stored(engine)) == 13


def test_outage_exits_1_and_sync_continues(
    cli_env: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sample_data()
    stand_in = StandIn(data.respond, authorization=basic(f"{EMAIL}/token", TOKEN))
    stand_in.faults = {3: (502, {}), 4: (502, {})}
    with stand_in.serve():
        assert main(zendesk_args(stand_in.url)) == 1
        assert "followsun sync" in capsys.readouterr().err
        assert len(stored(engine)) == 10
        assert main(["sync"]) == 0
    assert len(stored(engine)) == 13


def test_bad_input_exits_2(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["sync"]) == 2  # nothing configured yet
    stand_in = StandIn(ZendeskData().respond, authorization=basic(f"{EMAIL}/token", TOKEN))
    monkeypatch.setenv("ZD_TOKEN", "wrong")
    with stand_in.serve():
        assert main(zendesk_args(stand_in.url)) == 2
    assert "refused the credentials" in capsys.readouterr().err
    monkeypatch.delenv("ZD_TOKEN")
    assert main(zendesk_args("http://127.0.0.1:9")) == 2
    assert "ZD_TOKEN is not set" in capsys.readouterr().err
    assert main(["kpis", "--from", "2027-03-08", "--to", "2027-03-01"]) == 2


def test_import_csv_command(
    cli_env: Path, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env / "m.yaml").write_text(
        "source: sheet\ntimezone: Asia/Taipei\ncolumns: {ticket_id: id, created_at: opened, channel: via}\n"
        "defaults: {status: open, language: zh, tier: 1}\n"
    )
    (cli_env / "t.csv").write_text("id,opened,via\n7,2027-03-02 09:00,Chat\n8,not a date,Chat\n")
    # Half the rows quarantined: more than the default 5%, so the import exits 1.
    assert main(["import", "csv", "t.csv", "--mapping", "m.yaml", "--quiet"]) == 1
    assert "1 new" in capsys.readouterr().out
    args = ["import", "csv", "t.csv", "--mapping", "m.yaml", "--quiet", "--max-quarantined", "0.5"]
    assert main(args) == 0
    assert "1 unchanged" in capsys.readouterr().out
    frame = stored(engine)
    assert frame["created_at"].tolist() == [
        pd.Timestamp(datetime(2027, 3, 2, 1, 0, tzinfo=UTC))
    ]  # UTC+8
    assert frame["channel"].tolist() == ["chat"]


def test_freshdesk_import_and_sync_goes_on_past_a_broken_source(
    cli_env: Path,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.followsun.connectors.test_freshdesk import KEY
    from tests.followsun.connectors.test_freshdesk import sample_data as freshdesk_data

    monkeypatch.setenv("FD_KEY", KEY)
    data = freshdesk_data(4)
    fd = StandIn(data.respond, authorization=basic(KEY, "X"))
    zd = StandIn(sample_data(3).respond, authorization=basic(f"{EMAIL}/token", TOKEN))
    with fd.serve(), zd.serve():
        assert main(zendesk_args(zd.url) + ["--quiet"]) == 0
        args = ["import", "freshdesk", "--url", fd.url, "--key-env", "FD_KEY", "--quiet"]
        args.append("--allow-http-loopback")
        assert main(args) == 0
        assert "5 new" in capsys.readouterr().out
        monkeypatch.delenv("ZD_TOKEN")
        data.update(2, T0 + timedelta(days=1), status=5)
        assert main(["sync", "--quiet"]) == 2  # zendesk cannot run, freshdesk still syncs
    captured = capsys.readouterr()
    assert "ZD_TOKEN is not set" in captured.err
    assert "1 updated" in captured.out
    frame = stored(engine).set_index(["source", "ticket_id"])
    assert frame.loc[("freshdesk", "2"), "status"] == "closed"


def test_kpis_take_sla_targets_from_a_scenario_and_write_intervals(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "examples" / "reference.yaml"
    data = sample_data()
    stand_in = StandIn(data.respond, authorization=basic(f"{EMAIL}/token", TOKEN))
    with stand_in.serve():
        assert main(zendesk_args(stand_in.url) + ["--quiet"]) == 0
    capsys.readouterr()
    args = [
        "kpis",
        "--from",
        "2027-03-01",
        "--to",
        "2027-03-02",
        "--json",
        "--scenario",
        str(scenario),
    ]
    assert main([*args, "--intervals-out", "v.csv", "--interval-minutes", "60"]) == 0
    report = json.loads(capsys.readouterr().out)
    queues = {s["queue"] for s in report["sla"]}
    assert "chat-en-t1" in queues and "phone-en-t1" in queues
    volume = pd.read_csv(cli_env / "v.csv")
    assert volume["volume"].sum() == report["created"] == 12
    assert volume["interval_start"].iloc[0] == "2027-03-01T00:00:00Z"
