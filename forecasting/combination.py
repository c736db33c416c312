"""Forecast combination: the mean of several models' forecasts.

Averaging forecasts of different kinds is among the most reliable gains in forecasting
(the M3 and M4 competitions); each member's errors partly cancel. Per queue, only the
members whose rolling-origin error is within `trim` of the best member's are averaged
(a trimmed combination: a member clearly worse on that queue's recent folds is left
out, the rest weigh equally, which is steadier than weights fitted to the folds). The
band averages the kept members' quantiles (Vincentisation), so p10 <= volume <= p90.
Where the history shows weekday labels shifting by a dropped day, the combined forecast
is hedged against a drop in the horizon (`forecasting.labels`), its band as the
mixture of the two labellings (`mixture_band`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from forecasting.backtest import backtest_panel, fold_error
from forecasting.daily import DailyLevel
from forecasting.errors import InputError
from forecasting.labels import hedge_grid, hedged, shift_rates
from forecasting.models import ContactCentre, ForecastModel, count_quantiles
from forecasting.panel import Panel
from forecasting.schema import FORECAST, QUEUE_KEYS
from forecasting.weekly import MedianOfWeeks, RobustProfile

ModelFactory = Callable[[], ForecastModel]
DEFAULT_MEMBERS: tuple[ModelFactory, ...] = (
    RobustProfile,
    MedianOfWeeks,
    ContactCentre,
    DailyLevel,
)
AVERAGED = ("volume", "volume_p10", "volume_p90")
TRIM = 0.1  # a member is kept when its fold error is at most 10% above the best member's
FOLDS = 8  # weekly origins of the members' backtest
FOLD_DAYS = 7
FOLD_TRAIN_WEEKS = 26  # each fold is fitted on this many weeks before its origin
MIN_TRAIN_DAYS = 14
Z90 = 1.2815515655446004  # the standard normal 90% quantile


def mixture_band(
    mean: np.ndarray,
    p10: np.ndarray,
    p90: np.ndarray,
    mix: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, p10 and p90 of a mixture whose weights the linear map `mix` applies.

    A hedge against a dropped day mixes two labellings of the days. Mixing their
    quantiles (as for the mean) would give a band as wide as the components', while the
    mixture also spreads between them: its variance is the mixed E[X^2] minus its mean
    squared, each component's variance read off its band as normal
    ((p90 - p10) / (2 z90))^2, at least the mixed mean (Poisson). The band is the
    negative binomial's 10% and 90% quantiles with those moments (`count_quantiles`),
    kept around the mean.
    """
    sd = (p90 - p10) / (2 * Z90)
    mixed = mix(mean)
    var = np.maximum(mix(sd * sd + mean * mean) - mixed * mixed, mixed)
    low = np.minimum(count_quantiles(mixed, var, 0.1), mixed)
    high = np.maximum(count_quantiles(mixed, var, 0.9), mixed)
    return mixed, low, high


class Combination(ForecastModel):
    """Per queue, the mean of its members' forecasts (volume and quantiles), trimmed.

    The members clearly worse than the best on that queue's recent folds are left out.

    Args:
        members: factories of fresh unfitted models (default: robust profile, median of
            8 weeks, contact-centre model, daily level).
        trim: a member is kept for a queue when its absolute error summed over `FOLDS`
            weekly rolling-origin folds is at most (1 + trim) x the best member's; None
            keeps every member (the plain mean, with no backtest). A history too short
            for a fold keeps every member; `notes_` says so.
        hedge_shifts: hedge against a dropped day shifting the weekday labels inside the
            horizon, at the rate such drops are seen in the history (`forecasting.labels`;
            no drop seen, no change).
    """

    alias: ClassVar[str] = "combination"
    by_region: ClassVar[bool] = True  # the contact-centre member reads region series

    def __init__(
        self,
        members: Sequence[ModelFactory] = DEFAULT_MEMBERS,
        trim: float | None = TRIM,
        *,
        hedge_shifts: bool = True,
    ) -> None:
        super().__init__()
        if not members:
            raise InputError("a combination needs at least one member model")
        if trim is not None and trim < 0:
            raise InputError(f"trim must be >= 0 or None, got {trim}")
        self.members = tuple(members)
        self.trim = trim
        self.hedge_shifts = hedge_shifts

    def fit_panel(self, panel: Panel) -> Self:
        """Choose each queue's members on folds, then fit every member on the whole history."""
        self.notes_: list[str] = []
        queues = panel.queue_level().keys[list(QUEUE_KEYS)]
        self.queues_ = queues.astype({"tier": "int64"}).reset_index(drop=True)
        self.weights_ = self._weights(panel)
        self.fitted_ = [factory().fit_panel(panel) for factory in self.members]
        queue_panel = panel.queue_level()
        rows = pd.MultiIndex.from_frame(
            queue_panel.keys[list(QUEUE_KEYS)].astype({"tier": "int64"})
        ).get_indexer(pd.MultiIndex.from_frame(self.queues_))
        rate, self.open_weekdays_ = shift_rates(
            queue_panel.volume[rows], queue_panel.grid[0], panel.interval_min
        )
        self.shift_rate_ = rate if self.hedge_shifts else np.zeros_like(rate)
        self.end_ = panel.grid[-1] + pd.Timedelta(minutes=panel.interval_min)
        if np.any(self.shift_rate_ > 0):
            self.notes_.append(
                f"weekday labels shifted by a dropped day in {int(np.sum(rate > 0))} queue(s): "
                "the forecast is hedged against another drop"
            )
        self.notes_ += [n for m in self.fitted_ for n in getattr(m, "notes_", [])]
        return self

    def _weights(self, panel: Panel) -> np.ndarray:
        """(queues, members): equal weights over the members kept per queue (`trim`)."""
        n_m = len(self.members)
        equal = np.full((len(self.queues_), n_m), 1.0 / n_m)
        aliases = [factory().alias for factory in self.members]
        if self.trim is None or n_m == 1 or len(set(aliases)) < n_m:
            return equal
        step = pd.Timedelta(minutes=panel.interval_min)
        span_days = (panel.grid[-1] + step - panel.grid[0]) / pd.Timedelta(days=1)
        folds = min(FOLDS, int((span_days - MIN_TRAIN_DAYS) // FOLD_DAYS))
        if folds < 1:
            self.notes_.append(
                f"history of {span_days:.1f} days is too short for a fold: every member kept"
            )
            return equal
        read = pd.Timedelta(days=folds * FOLD_DAYS + 7 * FOLD_TRAIN_WEEKS)
        n_t = len(panel.grid)
        recent = panel.window(max(0, n_t - 1 - int(read / step)), n_t)
        result = backtest_panel(
            recent,
            self.members,
            horizon_days=FOLD_DAYS,
            folds=folds,
            min_train_days=MIN_TRAIN_DAYS,
            train_days=7 * FOLD_TRAIN_WEEKS,
        )
        errors = np.stack([fold_error(result.forecasts[a], result.actuals) for a in aliases])
        kept = errors <= (1 + self.trim) * errors.min(axis=0)  # (members, fold queues)
        kept |= ~np.isfinite(errors).all(axis=0)  # no comparable errors: keep all
        weights = (kept / kept.sum(axis=0)).T
        fold_rows = pd.MultiIndex.from_frame(result.queues.astype({"tier": "int64"}))
        rows = fold_rows.get_indexer(pd.MultiIndex.from_frame(self.queues_))
        return np.where(rows[:, None] >= 0, weights[rows], equal)

    def _combined_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        means = np.stack([m.predict_mean(grid) for m in self.fitted_])  # (members, queues, t)
        return np.einsum("qm,mqt->qt", self.weights_, means)

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """The members' expected volumes, weighted per queue (and hedged, see the class)."""
        if not np.any(self.shift_rate_ > 0):
            return self._combined_mean(grid)
        ext = hedge_grid(grid, self.open_weekdays_)
        return hedged(
            self._combined_mean(ext), ext, grid, self.end_, self.shift_rate_, self.open_weekdays_
        )

    def _combined(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        keys = ["interval_start", *QUEUE_KEYS]
        parts = [m.predict(grid).set_index(keys) for m in self.fitted_]
        out = parts[0].copy()
        queue_rows = out.reset_index()[list(QUEUE_KEYS)].astype({"tier": "int64"})
        row = pd.MultiIndex.from_frame(self.queues_).get_indexer(
            pd.MultiIndex.from_frame(queue_rows)
        )
        weight = self.weights_[row]  # (rows, members)
        for column in AVERAGED:
            out[column] = sum(
                weight[:, k] * p[column].reindex(out.index).to_numpy() for k, p in enumerate(parts)
            )
        return out.reset_index()[list(FORECAST.names)]

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Every member's forecast, weighted per queue and interval (and hedged)."""
        if not np.any(self.shift_rate_ > 0):
            return self._combined(grid)
        ext = hedge_grid(grid, self.open_weekdays_)
        full = self._combined(ext)
        queue = pd.MultiIndex.from_frame(self.queues_).get_indexer(
            pd.MultiIndex.from_frame(full[list(QUEUE_KEYS)].astype({"tier": "int64"}))
        )
        at = ext.get_indexer(pd.DatetimeIndex(full["interval_start"]))
        out = full[full["interval_start"].isin(grid)].reset_index(drop=True)
        out_queue = pd.MultiIndex.from_frame(self.queues_).get_indexer(
            pd.MultiIndex.from_frame(out[list(QUEUE_KEYS)].astype({"tier": "int64"}))
        )
        out_at = grid.get_indexer(pd.DatetimeIndex(out["interval_start"]))

        def mix(column: np.ndarray) -> np.ndarray:
            values = np.zeros((len(self.queues_), len(ext)))
            values[queue, at] = column
            mixed = hedged(values, ext, grid, self.end_, self.shift_rate_, self.open_weekdays_)
            return np.asarray(mixed[out_queue, out_at])

        mean, p10, p90 = (full[c].to_numpy() for c in AVERAGED)
        band = mixture_band(mean, p10, p90, mix)
        shifting = self.shift_rate_[out_queue] > 0  # other queues keep their band as it is
        for column, values in zip(AVERAGED, band, strict=True):
            out[column] = np.where(shifting, values, mix(full[column].to_numpy()))
        return out
