"""statsforecast models under the forecasting interface (forecasting.statistical).

statsforecast is in the dev extra, so these tests run under `make test`.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.models import ForecastModel, ShortHistoryWarning
from forecasting.registry import model_named
from forecasting.schema import FORECAST, validate_frame
from forecasting.statistical import (
    INSTALL_HINT,
    StatsForecastAutoETS,
    StatsForecastMSTL,
    fill_gaps,
)
from forecasting.timegrid import interval_grid


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def frame(grid: pd.DatetimeIndex, volume: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "volume": np.asarray(volume, dtype=float),
            "aht_seconds": 300.0,
        }
    )


def daily_pattern(grid: pd.DatetimeIndex) -> np.ndarray:
    """An exactly daily-periodic hourly series: 10 + 5 sin(2 pi hour / 24)."""
    hour = np.asarray(grid.hour)
    return 10.0 + 5.0 * np.sin(2 * np.pi * hour / 24)


def test_fill_gaps_takes_last_week_then_last_day() -> None:
    per_day = 2
    y = np.arange(30, dtype=float)
    y[[20, 21]] = np.nan  # a week (14 steps) earlier: 6, 7
    y[[3]] = np.nan  # no week earlier; a day (2 steps) earlier: 1
    out = fill_gaps(y, per_day)
    assert out[20] == 6.0 and out[21] == 7.0
    assert out[3] == 1.0
    assert not np.isnan(out).any()


def test_fill_gaps_falls_back_to_mean() -> None:
    y = np.array([np.nan, 2.0, 4.0])
    assert fill_gaps(y, per_day=24).tolist() == [3.0, 2.0, 4.0]


def test_missing_statsforecast_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_statsforecast(name: str, package: str | None = None) -> object:
        if name.startswith("statsforecast"):
            raise ImportError(name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_statsforecast)
    with pytest.raises(InputError, match=r"pip install 'followsun\[stats\]'"):
        StatsForecastMSTL()
    with pytest.raises(InputError, match="followsun"):
        model_named("statsforecast_autoets")
    assert "followsun[stats]" in INSTALL_HINT


@pytest.mark.slow  # statsforecast compiles its numba kernels on first use
@pytest.mark.parametrize("model_cls", [StatsForecastAutoETS, StatsForecastMSTL])
def test_periodic_series_is_continued(model_cls: type[ForecastModel]) -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-25"), 60)
    history = frame(grid, daily_pattern(grid))
    history.loc[30, "volume"] = np.nan  # a gap is filled, never a NaN in the output
    horizon = interval_grid(ts("2027-01-25"), ts("2027-01-27"), 60)
    model = model_cls().fit(history)
    forecast = model.predict(horizon)
    validate_frame(forecast, FORECAST)
    # An exactly periodic series: the forecast is the period itself (analytic).
    np.testing.assert_allclose(forecast["volume"], daily_pattern(horizon), atol=0.5)
    assert (forecast["volume_p10"] <= forecast["volume"]).all()
    assert (forecast["volume"] <= forecast["volume_p90"]).all()
    assert (forecast["aht_seconds"] == 300.0).all()
    assert model_named(model_cls.alias).alias == model_cls.alias


def test_horizon_inside_history_refused_and_short_history_warns() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-09"), 60)
    with pytest.warns(ShortHistoryWarning, match="daily season only"):
        model = StatsForecastAutoETS().fit(frame(grid, daily_pattern(grid)))
    with pytest.raises(InputError, match="only after the history"):
        model.predict(interval_grid(ts("2027-01-08"), ts("2027-01-10"), 60))
    later = interval_grid(ts("2027-01-10"), ts("2027-01-11"), 60)  # a day after the end
    forecast = model.predict(later)
    np.testing.assert_allclose(forecast["volume"], daily_pattern(later), atol=0.5)


def test_history_shorter_than_two_days_refused() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-05"), 60)
    with pytest.raises(InputError, match="less than two days"):
        StatsForecastMSTL().fit(frame(grid, np.ones(len(grid))))
