"""Forecasting on two real call-centre series (issue 28): MASE against the simple baselines.

The series (five-minute calls of a US bank, 2003, weekdays 07:00-21:05; fpp2's `calls`)
is read from $FOLLOWSUN_FORECASTING_DIR, else $FOLLOWSUN_BENCHMARKS_DIR/forecasting, else
../shared/benchmarks/forecasting beside the repository; it is not ours to copy.
Five-minute counts are summed to 15 minutes from Monday 2003-03-03 (closed hours and
weekends are true zeros, a skipped holiday is missing).
The days are dated as weekdays without the US federal holidays (the source dropped
them), and for comparison as every weekday. Every model is fitted on all but the last two
weeks and scored on them (MASE scaled by the in-sample weekly seasonal naive, as a ratio
against the seasonal naive's MASE), and the same on 13 earlier two-week windows, each a
week before the next: one window can flatter a model.
The second series is an Israeli bank's call log of January and February 1999
(bench.contact_log): its two months leave four such windows.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.contact_log import FILES, log_dir, log_history, read_log
from bench.shared_data import shared_folder
from forecasting.backtest import forecast_accuracy
from forecasting.calendars import public_holidays
from forecasting.models import ForecastModel
from forecasting.registry import model_named
from forecasting.schema import HISTORY, validate_frame

FILE = "us_bank_calls_2003_5min.csv"
FIRST_DAY = "2003-03-03"
HELD_OUT_DAYS = 14
WINDOWS = 14  # two-week windows ending 0, 1, ..., 13 weeks before the end
LOG_WINDOWS = 4  # the call log's two months: windows ending 0-3 weeks before its end
SHIPPED = "combination"  # the CLI's default model
MODELS = (
    "seasonal_naive",
    "mean_4_weeks",
    "median_8_weeks",
    "statsforecast_mstl",
    "contact_centre",
    "robust_profile",
    "daily_level",
    "combination",
    "auto",
)
SLOW_PEERS = ("statsforecast_mstl",)  # scored on the last window only


def data_dir() -> Path:
    """The folder of the real series (see the module docstring for the search order)."""
    return shared_folder("forecasting", "FOLLOWSUN_FORECASTING_DIR")


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


@dataclass(frozen=True)
class RealScores:
    """A model's scores on one calendar of the series.

    Attributes:
        mase: MASE per window, the last two weeks first, then each a week earlier.
        band: p10-p90 coverage of open intervals on the last two weeks.
        seconds: fit + forecast seconds on the last two weeks.
    """

    mase: list[float]
    band: float
    seconds: float


def scores(history: pd.DataFrame, windows: int = WINDOWS) -> dict[str, RealScores]:
    """Every model of MODELS on `windows` two-week windows (peers: the last only)."""
    out = {}
    for alias in MODELS:
        mase, band, seconds = [], 0.0, 0.0
        for back in range(0, 7 * windows, 7):
            if back and alias in SLOW_PEERS:
                break
            m, cover, s = fit_score(model_named(alias), history, back)
            mase.append(m)
            if back == 0:
                band, seconds = cover, s
        out[alias] = RealScores(mase, band, seconds)
    return out


def ratios(model: RealScores, naive: RealScores) -> list[float]:
    """MASE over the seasonal naive's, window by window."""
    return [m / n for m, n in zip(model.mase, naive.mase, strict=False)]


def mean_of(values: list[float], n: int) -> str:
    """Mean of the first n values, or '-' when there are fewer."""
    return f"{np.mean(values[:n]):.3f}" if len(values) >= n else "-"


def verdict(table: dict[str, RealScores]) -> str:
    """Whether the shipped model meets the issue's target on the last window."""
    naive = table["seasonal_naive"]
    ours = ratios(table[SHIPPED], naive)[0]
    mstl = ratios(table["statsforecast_mstl"], naive)[0]
    median = ratios(table["median_8_weeks"], naive)[0]
    met = ours <= 0.80 and ours < mstl and ours < median
    return (
        f"{ours:.3f} against MSTL {mstl:.3f} and median_8_weeks {median:.3f}: "
        f"{'met' if met else 'NOT met'}"
    )


def run_real() -> list[str]:
    """The Markdown lines of the real-series section (a skip note when the data is absent)."""
    path = data_dir() / FILE
    heading = [
        "### Real series: US bank calls 2003 and an Israeli bank's calls 1999 (issue 28)",
        "",
    ]
    lines = [*heading]
    if not path.exists():
        lines += [f"Skipped the US series: {path} is absent (set FOLLOWSUN_FORECASTING_DIR).", ""]
    else:
        lines += us_table(path)
    logs = [log_dir() / name for name in FILES]
    if not all(p.exists() for p in logs):
        lines += [
            f"Skipped the call log: {log_dir()} lacks {', '.join(FILES)} "
            "(set FOLLOWSUN_CONTACT_LOGS).",
            "",
        ]
    else:
        lines += log_table(logs)
    return lines


def us_table(path: Path) -> list[str]:
    """The US series on both calendars."""
    history = bank_history(path)
    dated = scores(history)
    shifted = scores(bank_history(path, skip_holidays=False))
    lines = [
        f"**US bank.** `{FILE}` from {data_dir().name}/ (fpp2 `calls`, GPL-3, read in place): "
        f"{len(history):,} 15-minute intervals, {FIRST_DAY} onward, dated as weekdays without "
        "the US federal holidays (the source dropped them; `bank_days`). Last "
        f"{HELD_OUT_DAYS} days held out; MASE scaled by the in-sample weekly seasonal naive; "
        "`vs naive` is the ratio to the seasonal naive's MASE (target <= 0.80, and below MSTL "
        "and median_8_weeks); `mean of 4` and `mean of 14`: that ratio averaged over the "
        f"two-week windows ending 0, 1, 2, ... weeks before the end ({WINDOWS} in all; MSTL: "
        "last window only); band: share of held-out open intervals (actual > 0) inside "
        "p10-p90, nominal 0.80. The last four columns date the days as every weekday (the "
        "issue's calendar, on which the busiest weekday moves by a day after each dropped "
        "holiday, Columbus Day's inside the last window).",
        "",
        "| model | MASE | vs naive | mean of 4 | mean of 14 | band | fit + forecast (s) | "
        "weekdays calendar: vs naive | mean of 4 | mean of 14 | band |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for alias in MODELS:
        ours = ratios(dated[alias], dated["seasonal_naive"])
        theirs = ratios(shifted[alias], shifted["seasonal_naive"])
        lines.append(
            f"| {alias} | {dated[alias].mase[0]:.3f} | {ours[0]:.3f} | {mean_of(ours, 4)} | "
            f"{mean_of(ours, WINDOWS)} | {dated[alias].band:.2f} | {dated[alias].seconds:.2f} | "
            f"{theirs[0]:.3f} | {mean_of(theirs, 4)} | {mean_of(theirs, WINDOWS)} | "
            f"{shifted[alias].band:.2f} |"
        )
    lines += [
        "",
        f"Target on the last window ({SHIPPED}, the default): dated {verdict(dated)}; every "
        f"weekday {verdict(shifted)}.",
        "",
    ]
    return lines


def log_table(paths: list[Path]) -> list[str]:
    """The call log's arrivals per 15 minutes, on its own calendar."""
    counts = read_log(paths)
    history = log_history(counts)
    table = scores(history, LOG_WINDOWS)
    days = history["volume"].notna().sum() * 15 / 1440
    train_weeks = int((days - HELD_OUT_DAYS) // 7)
    lines = [
        f'**Israeli bank.** The call log of the Technion SEE Center\'s "Anonymous Bank" '
        "(Guedj and Mandelbaum; January and February 1999; data courtesy of Avi Mandelbaum, "
        f"Technion), read in place from {log_dir().name}/: {len(counts.arrivals):,} calls "
        f"that asked for an agent ({counts.skipped_phantom} PHANTOM rows and "
        f"{counts.skipped_malformed} malformed rows skipped), counted per 15 minutes at the "
        "moment they left the voice response unit, in UTC (Israel kept UTC+2 all through). "
        f"{days:.0f} days with data (two days, 11-12 January, are absent from the log and "
        "missing); the centre is open every day, with short Fridays and Saturday evenings. "
        f"Same scores; its two months leave {LOG_WINDOWS} two-week windows (`mean of 4`) and "
        f"{train_weeks} whole weeks before the last one, so `median_8_weeks` is the median "
        f"of the {train_weeks} weeks there are (3 in the earliest window) and MSTL is fitted "
        "on everything before the window.",
        "",
        "| model | MASE | vs naive | mean of 4 | band | fit + forecast (s) |",
        "|---|---|---|---|---|---|",
    ]
    for alias in MODELS:
        ours = ratios(table[alias], table["seasonal_naive"])
        lines.append(
            f"| {alias} | {table[alias].mase[0]:.3f} | {ours[0]:.3f} | "
            f"{mean_of(ours, LOG_WINDOWS)} | {table[alias].band:.2f} | "
            f"{table[alias].seconds:.2f} |"
        )
    lines += ["", f"Target on the last window ({SHIPPED}): {verdict(table)}.", ""]
    return lines


if __name__ == "__main__":
    print("\n".join(run_real()))
