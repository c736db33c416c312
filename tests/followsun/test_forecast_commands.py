"""`followsun forecast` and `followsun backtest`: files in, files out, exit codes on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from followsun.cli import main
from forecasting.schema import FORECAST, to_csv_frame, validate_frame
from forecasting.timegrid import interval_grid

HEADER = "interval_start,channel,language,tier,volume,aht_seconds\n"


def write_history(path: Path, days: int, region: str | None = None) -> Path:
    grid = interval_grid(
        pd.Timestamp("2027-01-04", tz="UTC"),
        pd.Timestamp("2027-01-04", tz="UTC") + pd.Timedelta(days=days),
        60,
    )
    rng = np.random.default_rng(0)
    hour = np.asarray(grid.hour)
    frame = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "volume": rng.poisson(np.where((hour >= 8) & (hour < 18), 12.0, 2.0)).astype(float),
            "aht_seconds": 400.0,
        }
    )
    if region:
        frame["region"] = region
    to_csv_frame(frame).to_csv(path, index=False)
    return path


def test_forecast_writes_a_valid_forecast(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = write_history(tmp_path / "h.csv", 28, region="Europe/Amsterdam")
    out = tmp_path / "f.csv"
    assert (
        main(["forecast", "--history", str(history), "--horizon-days", "7", "--out", str(out)]) == 0
    )
    raw = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(raw.columns) == list(FORECAST.names)
    forecast = validate_frame(raw, FORECAST, source=str(out))
    assert len(forecast) == 7 * 24
    assert forecast["interval_start"].iloc[0] == pd.Timestamp("2027-02-01", tz="UTC")
    assert raw["interval_start"].iloc[0] == "2027-02-01T00:00:00Z"
    assert "combination" in capsys.readouterr().out  # the default without a scenario


def test_forecast_with_seasonal_naive(tmp_path: Path) -> None:
    history = write_history(tmp_path / "h.csv", 14)
    out = tmp_path / "f.csv"
    argv = [
        "forecast",
        "--history",
        str(history),
        "--horizon-days",
        "2",
        "--model",
        "seasonal_naive",
    ]
    assert main([*argv, "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 48


def test_backtest_json_keyed_by_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = write_history(tmp_path / "h.csv", 35)
    code = main(
        ["backtest", "--history", str(history), "--horizon-days", "7", "--folds", "2", "--json"]
    )
    assert code == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores) == {
        "seasonal_naive",
        "mean_4_weeks",
        "median_8_weeks",
        "robust_profile",
        "daily_level",
        "contact_centre",
        "combination",
    }
    for score in scores.values():
        assert set(score) == {"mase", "wape"} and score["mase"] > 0


def test_backtest_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = write_history(tmp_path / "h.csv", 28)
    argv = ["backtest", "--history", str(history), "--horizon-days", "7", "--folds", "1"]
    assert main([*argv, "--model", "seasonal_naive"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["model", "MASE", "WAPE"]
    assert lines[1].split()[0] == "seasonal_naive"


def test_short_history_warns_and_still_forecasts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = write_history(tmp_path / "h.csv", 3)
    argv = [
        "forecast",
        "--history",
        str(history),
        "--horizon-days",
        "1",
        "--model",
        "seasonal_naive",
    ]
    assert main([*argv, "--out", str(tmp_path / "f.csv")]) == 0
    assert "warning: history covers 3.0 days" in capsys.readouterr().err


BAD_ROWS = {
    "naive timestamp": (
        "2027-01-04T00:00:00,chat,en,1,3,300\n",
        "line 2: interval_start: '2027-01-04T00:00:00' has no time zone",
    ),
    "negative volume": (
        "2027-01-04T00:00:00Z,chat,en,1,-3,300\n",
        "line 2: volume: '-3' is negative",
    ),
    "non-numeric volume": (
        "2027-01-04T00:00:00Z,chat,en,1,lots,300\n",
        "line 2: volume: 'lots' is not a number",
    ),
    "duplicate interval": (
        "2027-01-04T00:00:00Z,chat,en,1,3,300\n2027-01-04T00:00:00Z,chat,en,1,4,300\n",
        "line 3: duplicate of line 2",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_history_exits_2_naming_file_and_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, expected = BAD_ROWS[case]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + rows)
    argv = [
        "forecast",
        "--history",
        str(path),
        "--horizon-days",
        "1",
        "--out",
        str(tmp_path / "f.csv"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{path}: {expected}" in err
    assert not (tmp_path / "f.csv").exists()


def test_unknown_column_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER.strip() + ",queue_name\n2027-01-04T00:00:00Z,chat,en,1,3,300,x\n")
    assert main(["backtest", "--history", str(path), "--horizon-days", "1", "--folds", "1"]) == 2
    assert "unknown column(s) queue_name" in capsys.readouterr().err


def test_history_shorter_than_a_day_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        HEADER + "2027-01-04T00:00:00Z,chat,en,1,3,300\n2027-01-04T01:00:00Z,chat,en,1,3,300\n"
    )
    argv = ["forecast", "--history", str(path), "--horizon-days", "1", "--model", "seasonal_naive"]
    assert main([*argv, "--out", str(tmp_path / "f.csv")]) == 2
    assert "less than one day" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "forecast",
        "--history",
        str(tmp_path / "nope.csv"),
        "--horizon-days",
        "1",
        "--out",
        "x.csv",
    ]
    assert main(argv) == 2
    assert "no such file" in capsys.readouterr().err


def test_forecast_auto_model(tmp_path: Path) -> None:
    history = write_history(tmp_path / "h.csv", 35)
    out = tmp_path / "f.csv"
    argv = ["forecast", "--history", str(history), "--horizon-days", "1", "--model", "auto"]
    assert main([*argv, "--out", str(out)]) == 0
    forecast = validate_frame(pd.read_csv(out, dtype=str, keep_default_na=False), FORECAST)
    assert len(forecast) == 24


def test_forecast_with_scenario_regions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from forecasting.aggregate import interval_history
    from forecasting.synthetic import synthetic_tickets
    from scenarios.demand import demand_inputs
    from scenarios.loader import load_scenario

    scenario_path = (
        Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"
    )
    start, end = pd.Timestamp("2026-10-05", tz="UTC"), pd.Timestamp("2026-10-26", tz="UTC")
    tickets = synthetic_tickets(
        demand_inputs(load_scenario(scenario_path)), start, end, np.random.default_rng(3)
    )
    history = interval_history(tickets, interval_grid(start, end, 15), by_region=True)
    path = tmp_path / "h.csv"
    to_csv_frame(history).to_csv(path, index=False)
    out = tmp_path / "f.csv"
    argv = ["forecast", "--history", str(path), "--horizon-days", "1", "--out", str(out)]
    # Region ids need the scenario for their zones: refused without it, accepted with it.
    assert main(argv) == 2
    capsys.readouterr()
    assert main([*argv, "--scenario", str(scenario_path)]) == 0
    assert "contact_centre" in capsys.readouterr().out  # the default with a scenario
    assert (
        len(pd.read_csv(out))
        == 96 * history[["channel", "language", "tier"]].drop_duplicates().shape[0]
    )


def test_backtest_statsforecast_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = write_history(tmp_path / "h.csv", 21)
    argv = ["backtest", "--history", str(history), "--horizon-days", "2", "--folds", "1"]
    code = main([*argv, "--model", "statsforecast_autoets", "--model", "seasonal_naive", "--json"])
    assert code == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores) == {"statsforecast_autoets", "seasonal_naive"}
    assert scores["statsforecast_autoets"]["wape"] > 0


def test_statsforecast_missing_exits_2_with_install_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def no_statsforecast(name: str, package: str | None = None) -> object:
        if name.startswith("statsforecast"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_statsforecast)
    history = write_history(tmp_path / "h.csv", 14)
    argv = ["forecast", "--history", str(history), "--horizon-days", "1"]
    code = main([*argv, "--model", "statsforecast_mstl", "--out", str(tmp_path / "f.csv")])
    assert code == 2
    assert "pip install 'followsun[stats]'" in capsys.readouterr().err


def test_volume_only_history_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No aht_seconds column: empty with a warning, --aht-seconds, or the scenario's queue."""
    path = write_history(tmp_path / "h.csv", days=21)
    pd.read_csv(path).drop(columns="aht_seconds").to_csv(path, index=False)
    out = tmp_path / "f.csv"
    assert main(["forecast", "--history", str(path), "--horizon-days", "2", "--out", str(out)]) == 0
    assert "chat/en/t1: their aht_seconds is left empty" in capsys.readouterr().err
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (written["aht_seconds"] == "").all()
    validate_frame(written, FORECAST)
    args = ["forecast", "--history", str(path), "--horizon-days", "2", "--out", str(out), "--force"]
    assert main([*args, "--aht-seconds", "275", "--model", "robust_profile"]) == 0
    assert "set to --aht-seconds 275" in capsys.readouterr().err
    assert (pd.read_csv(out)["aht_seconds"] == 275.0).all()
    assert main([*args, "--aht-seconds", "0"]) == 2
