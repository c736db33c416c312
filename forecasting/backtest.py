"""Rolling-origin backtests, and the error of a forecast once its actuals arrive.

`backtest` scores models by MASE and WAPE per queue and horizon day;
`forecast_accuracy` reports a forecast's error per queue against actuals.

Fold k (k = 1..folds, the last fold ending at the history's end) trains on everything
before its origin and forecasts the next `horizon_days` days. Errors are measured at the
interval grain on queue totals (regions summed), skipping missing actuals.

- WAPE = sum |forecast - actual| / sum actual.
- MASE = mean |forecast - actual| / mean |y_t - y_{t - week}| over the fold's training
  data (the in-sample error of the weekly seasonal naive; Hyndman & Koehler 2006).
  A queue whose scale is zero (an exactly weekly-periodic history) has no MASE and is
  left out of the model's mean MASE; its errors still count in WAPE.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.models import ForecastModel
from forecasting.panel import Panel, to_panel
from forecasting.schema import QUEUE_KEYS

ModelFactory = Callable[[], ForecastModel]


@dataclass(frozen=True)
class ModelScore:
    """A model's overall backtest score.

    Attributes:
        alias: the model's alias.
        mase: mean over queues of each queue's MASE (all folds and horizons pooled).
        wape: sum of absolute errors over the sum of actuals, every queue pooled.
        folds: number of folds scored.
    """

    alias: str
    mase: float
    wape: float
    folds: int


@dataclass(frozen=True)
class BacktestResult:
    """Scores of every model.

    Attributes:
        scores: one per model, in the order given.
        by_queue: frame with `model`, `channel`, `language`, `tier`, `horizon_day`
            (1 = the first day after the origin), `mase`, `wape`, `actual`, `abs_error`.
        queues: `channel`, `language`, `tier` of the rows of the arrays below.
        forecasts: per model alias, the (fold, queue, interval) forecast volume.
        actuals: (fold, queue, interval) actual volume (NaN: missing).
    """

    scores: tuple[ModelScore, ...]
    by_queue: pd.DataFrame
    queues: pd.DataFrame
    forecasts: dict[str, np.ndarray]
    actuals: np.ndarray

    def score(self, alias: str) -> ModelScore:
        """The score of the model with this alias."""
        for s in self.scores:
            if s.alias == alias:
                return s
        raise KeyError(alias)


def fold_origins(end: pd.Timestamp, horizon_days: int, folds: int) -> list[pd.Timestamp]:
    """Fold origins, oldest first: the last fold's horizon ends at `end`."""
    return [end - pd.Timedelta(days=horizon_days * k) for k in range(folds, 0, -1)]


def backtest(
    history: pd.DataFrame,
    models: Sequence[ModelFactory],
    *,
    horizon_days: int,
    folds: int,
    min_train_days: int = 14,
    train_days: int | None = None,
) -> BacktestResult:
    """Score models by rolling-origin backtest on `history`.

    Args:
        history: interval history (forecasting.schema.HISTORY columns, typed).
        models: factories making a fresh, unfitted model per fold.
        horizon_days: days forecast from each origin.
        folds: number of origins, each `horizon_days` after the previous.
        min_train_days: refuse folds whose training span is shorter.
        train_days: fit each fold on only the last `train_days` days before its origin
            (None: everything before it); bounds the cost of a fold on a long history.

    Raises:
        InputError: the history is too short for the folds asked for.
    """
    if horizon_days < 1 or folds < 1:
        raise InputError("horizon_days and folds must be at least 1")
    return backtest_panel(
        to_panel(history, by_region=True),
        models,
        horizon_days=horizon_days,
        folds=folds,
        min_train_days=min_train_days,
        train_days=train_days,
        history=history,
    )


def backtest_panel(
    source: Panel,
    models: Sequence[ModelFactory],
    *,
    horizon_days: int,
    folds: int,
    min_train_days: int = 14,
    train_days: int | None = None,
    history: pd.DataFrame | None = None,
) -> BacktestResult:
    """`backtest` on the history's panel (region series if it has regions), cut into folds.

    A model that fits only history frames (not `fits_panels`) is fitted on the rows of
    `history` instead, which must then be given.
    """
    if horizon_days < 1 or folds < 1:
        raise InputError("horizon_days and folds must be at least 1")
    if train_days is not None and train_days < min_train_days:
        raise InputError("train_days must be at least min_train_days")
    panel = source.queue_level()
    step = pd.Timedelta(minutes=panel.interval_min)
    end = panel.grid[-1] + step
    origins = fold_origins(end, horizon_days, folds)
    if origins[0] - panel.grid[0] < pd.Timedelta(days=min_train_days):
        raise InputError(
            f"history spans {(end - panel.grid[0]) / pd.Timedelta(days=1):.1f} days: too short for "
            f"{folds} folds of {horizon_days} days after {min_train_days} days of training"
        )
    queues = panel.keys
    per_day = 1440 // panel.interval_min
    season = 7 * per_day
    rows = []
    errors: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    forecasts: dict[str, list[np.ndarray]] = {}
    aliases: list[str] = []
    for factory in models:
        alias = factory().alias
        aliases.append(alias)
        errors[alias] = []
        forecasts[alias] = []
        for origin in origins:
            first = panel.grid[0] if train_days is None else origin - pd.Timedelta(days=train_days)
            grid = pd.date_range(
                origin, origin + pd.Timedelta(days=horizon_days), freq=step, inclusive="left"
            )
            lo = int((origin - panel.grid[0]) / step)
            model = factory()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if model.fits_panels():
                    train = source.window(max(0, int((first - panel.grid[0]) / step)), lo)
                    fold_queues = train.queue_level().keys
                    pred = _rows_of(model.fit_panel(train).predict_mean(grid), fold_queues, queues)
                else:
                    if history is None:
                        raise InputError(f"{alias} needs the history frame to be backtested")
                    starts = history["interval_start"]
                    train_rows = history[(starts >= first) & (starts < origin)]
                    pred = _aligned(model.fit(train_rows).predict(grid), queues, len(grid))
            actual = panel.volume[:, lo : lo + len(grid)]
            train_y = panel.volume[:, :lo]
            diff = np.abs(train_y[:, season:] - train_y[:, :-season])
            seen = np.isfinite(diff).sum(axis=1)
            scale = np.where(seen > 0, np.nansum(diff, axis=1) / np.maximum(seen, 1), np.nan)
            errors[alias].append((np.abs(pred - actual), actual, scale))
            forecasts[alias].append(pred)
    for alias in aliases:
        err = np.stack([e for e, _, _ in errors[alias]])  # fold, queue, interval
        act = np.stack([a for _, a, _ in errors[alias]])
        scale = np.stack([s for _, _, s in errors[alias]])  # fold, queue
        scaled = err / np.where(scale > 0, scale, np.nan)[:, :, None]
        day = np.arange(err.shape[2]) // per_day + 1
        queue_keys = queues[list(QUEUE_KEYS)].to_dict("records")
        for q in range(len(queues)):
            for h in range(1, horizon_days + 1):
                sel = day == h
                e, a, s = err[:, q, sel], act[:, q, sel], scaled[:, q, sel]
                ok = ~np.isnan(e)
                rows.append(
                    {
                        "model": alias,
                        **queue_keys[q],
                        "horizon_day": h,
                        "mase": float(np.nanmean(s)) if np.isfinite(s).any() else np.nan,
                        "wape": float(e[ok].sum() / a[ok].sum()) if a[ok].sum() > 0 else np.nan,
                        "actual": float(a[ok].sum()),
                        "abs_error": float(e[ok].sum()),
                    }
                )
    by_queue = pd.DataFrame(rows)
    scores = []
    for alias in aliases:
        err = np.stack([e for e, _, _ in errors[alias]])
        act = np.stack([a for _, a, _ in errors[alias]])
        scale = np.stack([s for _, _, s in errors[alias]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            per_queue = np.nanmean(
                err / np.where(scale > 0, scale, np.nan)[:, :, None], axis=(0, 2)
            )
            mase = float(np.nanmean(per_queue))
        ok = ~np.isnan(err)
        wape = float(err[ok].sum() / act[ok].sum()) if act[ok].sum() > 0 else float("nan")
        scores.append(ModelScore(alias, mase, wape, folds))
    return BacktestResult(
        tuple(scores),
        by_queue,
        queues[list(QUEUE_KEYS)].reset_index(drop=True),
        {alias: np.stack(f) for alias, f in forecasts.items()},
        np.stack([a for _, a, _ in errors[aliases[0]]]),
    )


def fold_error(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Per queue, the absolute error summed over (fold, queue, interval) arrays, gaps skipped."""
    return np.nansum(np.abs(forecast - actual), axis=(0, 2))


def _aligned(forecast: pd.DataFrame, queues: pd.DataFrame, n_t: int) -> np.ndarray:
    """The forecast volume as a (queue, interval) array in the order of `queues`."""
    values = forecast["volume"].to_numpy(dtype=float).reshape(-1, n_t)
    return _rows_of(values, forecast[list(QUEUE_KEYS)].iloc[::n_t], queues)


def _rows_of(values: np.ndarray, keys: pd.DataFrame, queues: pd.DataFrame) -> np.ndarray:
    """(queue, interval) `values` whose rows are `keys`, reordered as `queues` (NaN: absent)."""
    columns = list(QUEUE_KEYS)
    if keys is queues or keys[columns].reset_index(drop=True).equals(queues[columns]):
        return values
    order = pd.MultiIndex.from_frame(
        keys[columns].reset_index(drop=True).astype({"tier": "int64"})
    ).get_indexer(pd.MultiIndex.from_frame(queues[columns].astype({"tier": "int64"})))
    out = np.full((len(queues), values.shape[1]), np.nan)
    found = order >= 0
    out[found] = values[order[found]]
    return out


def seasonal_scale(history: pd.DataFrame, source: str = "history") -> pd.DataFrame:
    """Each queue's MASE scale: in-sample MAE of the weekly seasonal naive on `history`.

    Returns:
        One row per queue: `channel`, `language`, `tier`, `scale` (contacts per interval;
        NaN when the history has no two observed intervals a week apart).
    """
    panel = to_panel(history, by_region=False, source=source)
    season = 7 * 1440 // panel.interval_min
    y = panel.volume
    diff = np.abs(y[:, season:] - y[:, :-season]) if y.shape[1] > season else y[:, :0]
    seen = np.isfinite(diff).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = np.where(seen > 0, np.nanmean(diff, axis=1) if diff.shape[1] else 0.0, np.nan)
    out = panel.keys[list(QUEUE_KEYS)].reset_index(drop=True).astype({"tier": "int64"})
    out["scale"] = scale
    return out


def forecast_accuracy(
    forecast: pd.DataFrame, actuals: pd.DataFrame, *, history: pd.DataFrame
) -> pd.DataFrame:
    """Error of a forecast per queue once its actuals have arrived.

    Only intervals present in both with an observed actual are scored (regions of the
    actuals are summed into queues; a region's gap leaves the interval out).

    Args:
        forecast: forecast frame (forecasting.schema.FORECAST columns).
        actuals: interval history (forecasting.schema.HISTORY columns) over the forecast span.
        history: the interval history the forecast was fitted on (before the horizon): it
            gives each queue's MASE scale, the weekly seasonal naive's in-sample MAE.

    Returns:
        One row per queue of the forecast with actuals: `channel`, `language`, `tier`,
        `intervals` scored, `actual` and `forecast` totals, `abs_error` (sum), `mae`
        (contacts per interval), `mase` (mae / scale; NaN for a queue absent from
        `history` or with a zero scale), `wape` (abs_error / actual; NaN when no contact
        arrived), `bias` ((forecast - actual) / actual; NaN likewise) and `inside_band`
        (share of intervals whose actual lies in [p10, p90]; 0.80 nominal).
    """
    panel = to_panel(actuals, by_region=False, source="actuals")
    keys = list(QUEUE_KEYS)
    observed = pd.DataFrame(
        {
            "interval_start": np.tile(panel.grid, len(panel.keys)),
            "actual": panel.volume.ravel(),
        }
    )
    for key in keys:
        observed[key] = np.repeat(panel.keys[key].to_numpy(), len(panel.grid))
    observed = observed[observed["actual"].notna()]
    observed["interval_start"] = pd.DatetimeIndex(observed["interval_start"]).tz_convert("UTC")
    fc = forecast.astype({"tier": "int64"})
    joined = fc.merge(observed.astype({"tier": "int64"}), on=["interval_start", *keys], how="inner")
    if joined.empty:
        raise InputError("the actuals share no observed interval with the forecast")
    joined["abs_error"] = (joined["volume"] - joined["actual"]).abs()
    joined["inside"] = (joined["actual"] >= joined["volume_p10"]) & (
        joined["actual"] <= joined["volume_p90"]
    )
    out = joined.groupby(keys, as_index=False).agg(
        intervals=("actual", "size"),
        actual=("actual", "sum"),
        forecast=("volume", "sum"),
        abs_error=("abs_error", "sum"),
        inside_band=("inside", "mean"),
    )
    out["mae"] = out["abs_error"] / out["intervals"]
    scale = out[keys].merge(seasonal_scale(history), on=keys, how="left")["scale"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mase"] = np.where(
            scale > 0, out["mae"].to_numpy() / np.where(scale > 0, scale, 1), np.nan
        )
    total = out["actual"].where(out["actual"] > 0)
    out["wape"] = out["abs_error"] / total
    out["bias"] = (out["forecast"] - out["actual"]) / total
    return out[
        [
            *keys,
            "intervals",
            "actual",
            "forecast",
            "abs_error",
            "mae",
            "mase",
            "wape",
            "bias",
            "inside_band",
        ]
    ]
