"""Use case: forecast an interval history CSV, and backtest models on it.

`forecast_history` reads and validates the history, fits one model, forecasts the days
after it and fills the handle time of volume-only queues: `--aht-seconds` first, then
the scenario's queue `aht_seconds`, else the column is left empty with a warning
(`followsun staff` then takes each queue's `aht_seconds` from its scenario).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from followsun.services.progress import Progress, no_progress
from forecasting.aliases import DEFAULT_MODEL, SCENARIO_DEFAULT_MODEL
from forecasting.backtest import BacktestResult, backtest
from forecasting.errors import InputError
from forecasting.models import ForecastModel, MissingAhtWarning, queue_name
from forecasting.panel import infer_interval_min
from forecasting.registry import model_named
from forecasting.schema import FORECAST, HISTORY, validate_frame

# Days a forecast may reach ahead (two years).
MAX_HORIZON_DAYS = 731


@dataclass(frozen=True)
class ForecastResult:
    """A forecast and what the run had to say about it.

    Attributes:
        forecast: forecast frame (forecasting.schema.FORECAST columns).
        model: alias of the model fitted.
        start: first forecast interval (UTC).
        messages: warnings and notes, in words, for the user.
        fit_seconds: wall time of fit + predict.
    """

    forecast: pd.DataFrame
    model: str
    start: pd.Timestamp
    messages: tuple[str, ...]
    fit_seconds: float


def read_history(path: str) -> pd.DataFrame:
    """Read and validate an interval history CSV (CONTRACTS.md 'history')."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    return validate_frame(raw, HISTORY, source=path)


def horizon_grid(history: pd.DataFrame, horizon_days: int) -> pd.DatetimeIndex:
    """The UTC intervals of the `horizon_days` days following the history's last interval."""
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise InputError(
            f"--horizon-days {horizon_days}: expected 1 to {MAX_HORIZON_DAYS} (two years: "
            "further ahead a forecast is not a plan, and its grid grows with the value)"
        )
    starts = pd.DatetimeIndex(history["interval_start"])
    step = pd.Timedelta(minutes=infer_interval_min(starts))
    first = starts.max() + step
    return pd.date_range(
        first,
        first + pd.Timedelta(days=horizon_days),
        freq=step,
        inclusive="left",
        name="interval_start",
    )


def build_model(alias: str, scenario_path: str | None) -> ForecastModel:
    """The model by alias; with a scenario, the contact-centre model gets its regions and levers."""
    if scenario_path is None:
        return model_named(alias)
    from scenarios.demand import forecast_model
    from scenarios.loader import load_scenario

    return forecast_model(load_scenario(scenario_path), alias)


def scenario_aht(scenario_path: str) -> dict[tuple[str, str, int], float]:
    """Each scenario queue's `aht_seconds`, keyed by (channel, language, tier)."""
    from scenarios.loader import load_scenario

    scenario = load_scenario(scenario_path)
    return {(q.channel, q.language, q.tier): q.aht_seconds for q in scenario.queues}


def fill_aht(
    forecast: pd.DataFrame, aht_s: float | None, by_queue: dict[tuple[str, str, int], float]
) -> tuple[pd.DataFrame, list[str]]:
    """Fill empty `aht_seconds`: `aht_s` if given, else the queue's in `by_queue`.

    Returns the forecast and one message per way queues were filled or left empty.
    """
    empty = forecast["aht_seconds"].isna()
    if not empty.any():
        return forecast, []
    out = forecast.copy()
    if aht_s is not None:
        queues = out.loc[empty, ["channel", "language", "tier"]].drop_duplicates()
        names = ", ".join(queue_name(row) for _, row in queues.iterrows())
        out.loc[empty, "aht_seconds"] = aht_s
        return out, [f"aht_seconds of {names} set to --aht-seconds {aht_s:g}"]
    keys = zip(out["channel"], out["language"], out["tier"].astype(int), strict=True)
    known = np.array([by_queue.get(k, np.nan) for k in keys])
    out["aht_seconds"] = out["aht_seconds"].fillna(pd.Series(known, index=out.index))
    left = out["aht_seconds"].isna()
    filled = out.loc[empty & ~left, ["channel", "language", "tier"]].drop_duplicates()
    messages = []
    if len(filled):
        messages.append(
            "aht_seconds of "
            + ", ".join(queue_name(row) for _, row in filled.iterrows())
            + " taken from the scenario's queues"
        )
    if left.any():
        rest = out.loc[left, ["channel", "language", "tier"]].drop_duplicates()
        messages.append(
            "warning: history has no aht_seconds for "
            + ", ".join(queue_name(row) for _, row in rest.iterrows())
            + ": their aht_seconds is left empty (followsun staff takes the scenario queue's "
            "aht_seconds); pass --aht-seconds S or --scenario S.yaml to set it"
        )
    return out, messages


def forecast_history(
    history_path: str,
    horizon_days: int,
    *,
    model: str | None = None,
    scenario_path: str | None = None,
    aht_s: float | None = None,
    progress: Progress = no_progress,
) -> ForecastResult:
    """Fit `model` on the history CSV and forecast the `horizon_days` days after it.

    Without `model`: the combination, or with a scenario the contact-centre model (the
    only one that applies its regions, events and deflection).

    Raises:
        InputError: an unreadable or invalid history, an unknown model, `aht_s` <= 0.
    """
    if aht_s is not None and not aht_s > 0:
        raise InputError(f"--aht-seconds must be > 0, got {aht_s}")
    progress(0.0, f"reading {history_path}")
    history = read_history(history_path)
    grid = horizon_grid(history, horizon_days)
    if model is None:
        model = DEFAULT_MODEL if scenario_path is None else SCENARIO_DEFAULT_MODEL
    fitted = build_model(model, scenario_path)
    progress(0.2, f"fitting {fitted.alias}")
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast = fitted.fit(history).predict(grid)
    seconds = time.perf_counter() - started
    messages = [
        f"warning: {w.message}" for w in caught if not issubclass(w.category, MissingAhtWarning)
    ]
    messages += [f"note: {note}" for note in getattr(fitted, "notes_", [])]
    by_queue = scenario_aht(scenario_path) if scenario_path is not None else {}
    forecast, aht_messages = fill_aht(forecast, aht_s, by_queue)
    messages += aht_messages
    validate_frame(forecast, FORECAST, source="forecast")
    progress(1.0, "forecast done")
    return ForecastResult(forecast, fitted.alias, grid[0], tuple(messages), seconds)


def backtest_history(
    history_path: str,
    aliases: list[str],
    *,
    horizon_days: int,
    folds: int,
    scenario_path: str | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of the models named on the history CSV."""
    history = read_history(history_path)
    factories = [lambda alias=alias: build_model(alias, scenario_path) for alias in aliases]
    return backtest(history, factories, horizon_days=horizon_days, folds=folds)
