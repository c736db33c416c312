"""Bad inputs and interrupted writes at the CLI: exit 2 with the file and line, old outputs kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from followsun.atomic import MARKER
from followsun.cli import main
from followsun.services.plan import reference_scenario_path
from forecasting.schema import to_csv_frame
from scenarios.loader import load_scenario

START = "2027-03-01"  # a Monday


def tier1_queues() -> list[tuple[str, str, int]]:
    scenario = load_scenario(reference_scenario_path())
    return [(q.channel, q.language, q.tier) for q in scenario.queues if q.tier == 1]


def queue_frame(days: int, minutes: int, **values: float) -> pd.DataFrame:
    """Every Tier 1 queue of the reference scenario on a `minutes` grid from START, in UTC."""
    begin = pd.Timestamp(START, tz="UTC")
    grid = pd.date_range(
        begin, begin + pd.Timedelta(days=days), freq=f"{minutes}min", inclusive="left"
    )
    parts = [
        pd.DataFrame({"interval_start": grid, "channel": c, "language": lang, "tier": t, **values})
        for c, lang, t in tier1_queues()
    ]
    return pd.concat(parts, ignore_index=True)


def write_requirements(path: Path, minutes: int = 15) -> Path:
    frame = queue_frame(7, minutes, agents_required=1.0)
    to_csv_frame(frame).to_csv(path, index=False)
    return path


def write_forecast(path: Path) -> Path:
    frame = queue_frame(1, 15, volume=3.0, volume_p10=2.0, volume_p90=4.0, aht_seconds=300.0)
    to_csv_frame(frame).to_csv(path, index=False)
    return path


def roster(requirements: Path, out: Path) -> int:
    scenario = str(reference_scenario_path())
    args = ["roster", "--scenario", scenario, "--requirements", str(requirements)]
    return main([*args, "--start", START, "--weeks", "1", "--out", str(out)])


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input must be refused before the solve: fail loudly if it is reached."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the solver ran on input that should have been refused")

    monkeypatch.setattr("followsun.services.roster.solve_roster", refuse)


@pytest.mark.usefixtures("no_solve")
def test_roster_out_naming_a_file_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "roster.csv"
    out.write_text("kept\n")
    assert roster(write_requirements(tmp_path / "r.csv"), out) == 2
    assert "is a file; expected an output folder" in capsys.readouterr().err
    assert out.read_text() == "kept\n"


@pytest.mark.usefixtures("no_solve")
def test_roster_refuses_zone_less_timestamps_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_requirements(tmp_path / "r.csv")
    frame = pd.read_csv(path, dtype=str)
    frame.loc[2, "interval_start"] = frame.loc[2, "interval_start"].removesuffix("Z")
    frame.to_csv(path, index=False)
    assert roster(path, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert f"{path}: line 4: interval_start:" in err
    assert "has no time zone" in err


@pytest.mark.usefixtures("no_solve")
def test_roster_refuses_a_fractional_tier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_requirements(tmp_path / "r.csv")
    frame = pd.read_csv(path, dtype=str)
    frame.loc[0, "tier"] = "1.5"
    frame.to_csv(path, index=False)
    assert roster(path, tmp_path / "out") == 2
    assert f"{path}: line 2: tier: '1.5' is not a whole number" in capsys.readouterr().err


@pytest.mark.usefixtures("no_solve")
def test_roster_refuses_a_header_only_requirements_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.csv"
    path.write_text("interval_start,channel,language,tier,agents_required\n")
    assert roster(path, tmp_path / "out") == 2
    assert f"{path}: no rows after the header" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("no_solve")
def test_a_seven_minute_grid_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_requirements(tmp_path / "r.csv", minutes=7)
    assert roster(path, tmp_path / "out") == 2
    assert "7 minutes apart; expected a grain of (15, 30, 60)" in capsys.readouterr().err


@pytest.mark.usefixtures("no_solve")
def test_roster_refuses_an_output_folder_holding_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / MARKER).touch()
    assert roster(write_requirements(tmp_path / "r.csv"), tmp_path) == 2
    assert "inside the output folder" in capsys.readouterr().err
    assert (tmp_path / "r.csv").exists()


def test_forecast_horizon_is_bounded_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.csv"
    frame = queue_frame(14, 60, volume=2.0).drop_duplicates(["interval_start"])
    to_csv_frame(frame).to_csv(history, index=False)
    out = tmp_path / "f.csv"
    args = ["forecast", "--history", str(history), "--out", str(out)]
    assert main([*args, "--horizon-days", "100000"]) == 2
    assert "--horizon-days 100000: expected 1 to 731" in capsys.readouterr().err
    assert not out.exists()


def test_forecast_out_equal_to_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.csv"
    history.write_text("interval_start,channel,language,tier,volume\n")
    before = history.read_bytes()
    args = ["forecast", "--history", str(history), "--horizon-days", "7"]
    assert main([*args, "--out", str(history), "--force"]) == 2
    assert "is also an input" in capsys.readouterr().err
    assert history.read_bytes() == before


def test_staff_replaces_an_existing_file_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forecast = write_forecast(tmp_path / "f.csv")
    out = tmp_path / "r.csv"
    out.write_text("old\n")
    args = ["staff", "--scenario", str(reference_scenario_path()), "--forecast", str(forecast)]
    assert main([*args, "--out", str(out)]) == 2
    assert "exists: pass --force" in capsys.readouterr().err
    assert out.read_text() == "old\n"
    assert main([*args, "--out", str(out), "--force"]) in (0, 1)
    queues = len(load_scenario(reference_scenario_path()).queues)  # Tier 2 ones included
    assert len(pd.read_csv(out)) == queues * 96


def test_an_interrupted_staff_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forecast = write_forecast(tmp_path / "f.csv")
    out = tmp_path / "r.csv"
    out.write_text("old\n")
    real = pd.DataFrame.to_csv

    def half_then_interrupt(self: pd.DataFrame, path: object = None, **kwargs: object) -> None:
        real(self.head(3), path, **kwargs)  # type: ignore[call-overload]
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_interrupt)
    args = ["staff", "--scenario", str(reference_scenario_path()), "--forecast", str(forecast)]
    assert main([*args, "--out", str(out), "--force"]) == 130
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "r.csv"]


def test_kpis_names_the_flag_the_user_typed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpis", "--from", "2016-13-01"]) == 2
    err = capsys.readouterr().err
    assert "--from '2016-13-01': expected YYYY-MM-DD" in err
    assert "--since" not in err
    assert main(["kpis", "--to", "2016-01-01T08:00"]) == 2
    assert "--to '2016-01-01T08:00': a time needs a zone" in capsys.readouterr().err


def test_export_refuses_an_existing_file_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    out = tmp_path / "tickets.csv"
    out.write_text("old\n")
    assert main(["export", "tickets", "--out", str(out)]) == 2
    assert "exists: pass --force" in capsys.readouterr().err
    assert out.read_text() == "old\n"
    assert main(["export", "tickets", "--out", str(out), "--force"]) == 0
    assert "created_at" in out.read_text()
