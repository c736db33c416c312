"""Forecasting on a real call-centre series (issue 28): MASE against the simple baselines.

The series (five-minute calls of a US bank, 2003, weekdays 07:00-21:05; fpp2's `calls`)
is read from $FOLLOWSUN_FORECASTING_DIR, else $FOLLOWSUN_BENCHMARKS_DIR/forecasting, else
../shared/benchmarks/forecasting beside the repository; it is not ours to copy. Five-minute counts are summed to 15 minutes on a
calendar of weekdays from Monday 2003-03-03 (closed hours and weekends are true zeros).
Every model is fitted on all but the last two weeks and scored on them (MASE scaled by
the in-sample weekly seasonal naive, as a ratio against the seasonal naive's MASE), and
the same on the three earlier two-week windows, each a week before the next, to show
how much one window can flatter a model.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.backtest import forecast_accuracy
from forecasting.calendars import public_holidays
from forecasting.models import ForecastModel
from forecasting.registry import model_named
from forecasting.schema import HISTORY, validate_frame

FILE = "us_bank_calls_2003_5min.csv"
FIRST_DAY = "2003-03-03"
HELD_OUT_DAYS = 14
EARLIER_WINDOWS = 3
MODELS = (
    "seasonal_naive",
    "mean_4_weeks",
    "median_8_weeks",
    "statsforecast_mstl",
    "contact_centre",
    "robust_profile",
    "combination",
    "auto",
)
SLOW_PEERS = ("statsforecast_mstl",)  # scored on the last window only


def data_dir() -> Path:
    """The folder of the real series (see the module docstring for the search order)."""
    env = os.environ.get("FOLLOWSUN_FORECASTING_DIR")
    if env:
        return Path(env)
    shared = os.environ.get("FOLLOWSUN_BENCHMARKS_DIR")
    if shared:
        return Path(shared) / "forecasting"
    return Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "forecasting"


def bank_days(n: int, *, skip_holidays: bool = True) -> pd.DatetimeIndex:
    """The calendar dates of the series' `n` days: weekdays from FIRST_DAY, skipping the US
    public holidays unless `skip_holidays` is False (the source dropped them: with them
    counted, the busiest weekday moves by one day after each)."""
    start = pd.Timestamp(FIRST_DAY)
    skipped: set[object] = set()
    if skip_holidays:
        skipped = set(public_holidays("US", range(start.year, start.year + 2)))
    days = [d for d in pd.bdate_range(start, periods=2 * n) if d.date() not in skipped]
    return pd.DatetimeIndex(days[:n])


def bank_history(path: Path, *, skip_holidays: bool = True) -> pd.DataFrame:
    """The five-minute calls as a 15-minute interval history (one queue, volume only).

    Weekends hold no calls (true zeros); a skipped holiday is missing (no data).
    """
    raw = pd.read_csv(path)
    days = bank_days(int(raw["day_index"].max()), skip_holidays=skip_holidays)
    stamps = days[raw["day_index"].to_numpy() - 1] + pd.to_timedelta(
        raw["interval_start"].to_numpy() + ":00"
    )
    calls = pd.Series(raw["calls"].to_numpy(dtype=float), index=stamps.floor("15min"))
    calls = calls.groupby(level=0).sum()
    grid = pd.date_range(days[0], days[-1] + pd.Timedelta(days=1), freq="15min", inclusive="left")
    volume = calls.reindex(grid, fill_value=0.0)
    open_days = pd.bdate_range(days[0], days[-1])
    volume[grid.normalize().isin(open_days.difference(days))] = np.nan
    frame = pd.DataFrame(
        {
            "interval_start": grid.tz_localize("UTC"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "volume": volume.to_numpy(),
        }
    )
    return validate_frame(frame, HISTORY, source=str(path))


def fit_score(
    model: ForecastModel, history: pd.DataFrame, back_days: int
) -> tuple[float, float, float]:
    """MASE, band coverage over open intervals, and fit + forecast seconds on one window."""
    end = history["interval_start"].max() + pd.Timedelta(minutes=15)
    cut = end - pd.Timedelta(days=HELD_OUT_DAYS + back_days)
    train = history[history["interval_start"] < cut]
    actual = history[
        (history["interval_start"] >= cut)
        & (history["interval_start"] < cut + pd.Timedelta(days=HELD_OUT_DAYS))
    ]
    grid = pd.DatetimeIndex(actual["interval_start"])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = model.fit(train).predict(grid)
    seconds = time.perf_counter() - start
    mase = float(forecast_accuracy(forecast, actual, history=train)["mase"].iloc[0])
    open_ = actual["volume"].to_numpy() > 0
    inside = (actual["volume"].to_numpy() >= forecast["volume_p10"].to_numpy()) & (
        actual["volume"].to_numpy() <= forecast["volume_p90"].to_numpy()
    )
    return mase, float(inside[open_].mean()), seconds


def run_real() -> list[str]:
    """The Markdown lines of the real-series section (a skip note when the data is absent)."""
    path = data_dir() / FILE
    heading = ["### Real series: US bank calls 2003 (issue 28)", ""]
    if not path.exists():
        return [*heading, f"Skipped: {path} is absent (set FOLLOWSUN_FORECASTING_DIR).", ""]
    history = bank_history(path)
    windows = range(0, 7 * (EARLIER_WINDOWS + 1), 7)
    mase: dict[str, list[float]] = {}
    band: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for alias in MODELS:
        for back in windows:
            if back and alias in SLOW_PEERS:
                continue
            m, cover, s = fit_score(model_named(alias), history, back)
            mase.setdefault(alias, []).append(m)
            if back == 0:
                band[alias], seconds[alias] = cover, s
    naive = mase["seasonal_naive"]
    lines = [
        *heading,
        f"`{FILE}` from {data_dir().name}/ (fpp2 `calls`, GPL-3, read in place): "
        f"{len(history):,} 15-minute intervals, {FIRST_DAY} onward. Last {HELD_OUT_DAYS} days "
        "held out; MASE scaled by the in-sample weekly seasonal naive; `vs naive` is the ratio "
        "to the seasonal naive's MASE (target <= 0.80, and below MSTL and median_8_weeks); "
        f"`earlier windows` the same ratio on the {EARLIER_WINDOWS} two-week windows ending "
        "1, 2 and 3 weeks before the end (MSTL: last window only); band: share of held-out "
        "open intervals (actual > 0) inside p10-p90, nominal 0.80.",
        "",
        "| model | MASE | vs naive | earlier windows vs naive | mean of the 4 windows | band | "
        "fit + forecast (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for alias in MODELS:
        ratios = [m / n for m, n in zip(mase[alias], naive, strict=False)]
        earlier = ", ".join(f"{r:.3f}" for r in ratios[1:]) or "-"
        mean = f"{np.mean(ratios):.3f}" if len(ratios) > 1 else "-"
        lines.append(
            f"| {alias} | {mase[alias][0]:.3f} | {ratios[0]:.3f} | {earlier} | {mean} | "
            f"{band[alias]:.2f} | {seconds[alias]:.2f} |"
        )
    lines.append("")
    return lines


if __name__ == "__main__":
    print("\n".join(run_real()))
