"""Rolling-origin backtests: MASE and WAPE recomputed by hand for a tiny history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.aggregate import interval_history
from forecasting.backtest import backtest, fold_origins, forecast_accuracy
from forecasting.errors import InputError
from forecasting.models import ContactCentre, RegionInfo, SeasonalNaive
from forecasting.synthetic import GeneratorInputs, QueueModel, RegionDemand, synthetic_tickets
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
            "volume": volume,
            "aht_seconds": 300.0,
        }
    )


def quiet_us_history(start: str, end: str) -> pd.DataFrame:
    inputs = GeneratorInputs(
        regions=(
            RegionDemand("us", "America/New_York", "US", (("en", 1.0),), (("chat", 20_000.0),)),
        ),
        queues=(QueueModel("chat", "en", 1, 600.0),),
        dispersion=1e9,
        day_noise_cv=0.0,
        spikes_per_year=0.0,
    )
    tickets = synthetic_tickets(inputs, ts(start), ts(end), np.random.default_rng(21))
    return interval_history(tickets, interval_grid(ts(start), ts(end), 15), by_region=True)


def test_fold_origins_end_at_history_end() -> None:
    origins = fold_origins(ts("2027-02-01"), 7, 3)
    assert origins == [ts("2027-01-11"), ts("2027-01-18"), ts("2027-01-25")]


def test_seasonal_naive_scores_match_a_hand_computation() -> None:
    # Three weeks of hourly volume: week w is constant w + 1, so the weekly naive's error
    # on week 3 is 1 per interval and its in-sample scale (weeks 1 -> 2) is also 1.
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-25"), 60)
    volume = np.repeat([1.0, 2.0, 3.0], 168)
    result = backtest(frame(grid, volume), [SeasonalNaive], horizon_days=7, folds=1)
    score = result.score("seasonal_naive")
    assert score.mase == pytest.approx(1.0)
    # WAPE = sum |2 - 3| / sum 3 over the week = 1 / 3.
    assert score.wape == pytest.approx(1 / 3)
    assert set(result.by_queue["horizon_day"]) == set(range(1, 8))
    assert result.by_queue["mase"].tolist() == pytest.approx([1.0] * 7)


def test_too_short_history_refused() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    with pytest.raises(InputError, match="too short for 2 folds of 7 days"):
        backtest(frame(grid, np.ones(len(grid))), [SeasonalNaive], horizon_days=7, folds=2)


def test_contact_centre_beats_naive_on_smooth_series() -> None:
    history = quiet_us_history("2026-06-01", "2026-09-28")
    regions = [RegionInfo("us", "America/New_York", "US")]
    result = backtest(
        history, [SeasonalNaive, lambda: ContactCentre(regions)], horizon_days=7, folds=2
    )
    assert result.score("contact_centre").mase < 0.85 * result.score("seasonal_naive").mase
    assert result.score("contact_centre").wape < result.score("seasonal_naive").wape


def test_forecast_accuracy_against_actuals_by_hand() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-04T04:00Z"), 60)
    forecast = frame(grid, np.array([2.0, 2.0, 2.0, 2.0])).drop(columns="aht_seconds")
    forecast["volume_p10"] = 1.0
    forecast["volume_p90"] = 3.0
    forecast["aht_seconds"] = 300.0
    actuals = frame(grid, np.array([1.0, 4.0, np.nan, 3.0]))
    # Two weeks of hourly history alternating 0, 2 by week: every seasonal difference is 2.
    past = interval_grid(ts("2026-12-21"), ts("2027-01-04"), 60)
    history = frame(past, np.where(np.arange(len(past)) < 168, 0.0, 2.0))
    report = forecast_accuracy(forecast, actuals, history=history)
    row = report.iloc[0]
    # MAE 4 / 3 over the seasonal naive's in-sample MAE 2 (Hyndman & Koehler 2006).
    assert row["mae"] == pytest.approx(4 / 3)
    assert row["mase"] == pytest.approx(2 / 3)
    # Scored: intervals 1, 2 and 4 (the third is a gap): |2-1| + |2-4| + |2-3| = 4 over 8.
    assert row["intervals"] == 3
    assert row["actual"] == 8.0 and row["forecast"] == 6.0
    assert row["wape"] == pytest.approx(0.5)
    assert row["bias"] == pytest.approx(-0.25)
    assert row["inside_band"] == pytest.approx(2 / 3)


def test_forecast_accuracy_mase_undefined_without_scale() -> None:
    # A history shorter than a week has no seasonal difference: MASE is NaN, WAPE still set.
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-04T02:00Z"), 60)
    forecast = frame(grid, np.array([1.0, 1.0])).drop(columns="aht_seconds")
    forecast["volume_p10"] = 0.0
    forecast["volume_p90"] = 2.0
    forecast["aht_seconds"] = 300.0
    past = interval_grid(ts("2027-01-01"), ts("2027-01-04"), 60)
    report = forecast_accuracy(
        forecast, frame(grid, np.array([2.0, 2.0])), history=frame(past, np.ones(len(past)))
    )
    assert np.isnan(report["mase"].iloc[0])
    assert report["wape"].iloc[0] == pytest.approx(0.5)
    assert report["inside_band"].iloc[0] == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 30), st.integers(1, 12))
def test_fold_layout_is_contiguous_and_ends_at_the_end(horizon_days: int, folds: int) -> None:
    end = ts("2027-06-01")
    origins = fold_origins(end, horizon_days, folds)
    step = pd.Timedelta(days=horizon_days)
    assert len(origins) == folds
    assert origins[-1] + step == end
    assert all(b - a == step for a, b in zip(origins, origins[1:], strict=False))
