"""Models that forecast one typical week from the last weeks, robustly.

- `MeanOfWeeks` ('mean_4_weeks') and `MedianOfWeeks` ('median_8_weeks'): the value of
  each interval of the week averaged (or the median) over the last 4 (8) weeks; the
  baselines real contact centres use.
- `RobustProfile` ('robust_profile'): per queue, a daily level per weekday (the mean of
  an exponentially weighted mean and the median of the last weeks' day totals: the one
  follows a level that moved, the other ignores odd weeks) times a robust intraday shape
  per weekday (median, trimmed or weighted mean of the days' shares over the last weeks,
  so one odd week does not bend it). A sparse queue's shape is shrunk toward the pooled
  shape of its channel and language and its weekdays toward its all-days shape, by
  empirical Bayes, as far as the data shows no real difference.

The week is the 7 x 24 hours ending at the history's end, in UTC, and the forecast
repeats it over the horizon. Bands are calibrated out of sample: from each of
`calibration_weeks` origins in the last weeks the model forecasts the two weeks after
from the data before it, the overdispersion of those errors (var = mu + phi mu^2) is
measured, and p10/p90 are the negative-binomial quantiles with that variance.
"""

from __future__ import annotations

import warnings
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.models import (
    WEEK_DAYS,
    ForecastModel,
    check_horizon,
    check_observed,
    count_quantiles,
    dirichlet_concentration,
    forecast_frame,
    shrink,
)
from forecasting.panel import Panel
from forecasting.profiles import (
    LevelKind,
    ProfileKind,
    combined_level,
    day_shares,
    estimator,
    nan_mean,
    normalise,
    rotated_weeks,
    week_rotations,
    week_stack,
    weekday_ratios,
)

CALIBRATION_WEEKS = 4
CALIBRATION_AHEAD_WEEKS = 2  # errors measured one and two weeks ahead, as a plan is used


def overdispersion(actual: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Per row, phi >= 0 in var = mu + phi mu^2 from out-of-sample errors (moments).

    Missing actuals are skipped; a row without a positive forecast gets 0.
    """
    ok = np.isfinite(actual) & np.isfinite(forecast)
    err = np.where(ok, (np.nan_to_num(actual) - np.nan_to_num(forecast)) ** 2 - forecast, 0.0)
    den = np.where(ok, np.nan_to_num(forecast) ** 2, 0.0).sum(axis=1)
    num = err.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.maximum(num / np.where(den > 0, den, 1.0), 0.0), 0.0)


def pooled_shape(counts: np.ndarray, channel: np.ndarray, language: np.ndarray) -> np.ndarray:
    """Per queue, the shape its channel and its language give together (slots add to 1).

    The log-linear main-effects model of the (channel, language, slot) counts: share of
    slot t for channel c and language l is proportional to C_c(t) L_l(t) / A(t), the
    pooled shapes of the channel, of the language and of all queues. A thin Japanese
    chat queue thus takes the chat shape, moved to the hours Japanese contacts come in;
    with one language it is the channel's pooled shape.
    """
    overall = normalise(counts.sum(axis=0))
    by_channel = normalise(np.stack([counts[channel == c].sum(axis=0) for c in channel]))
    by_language = normalise(np.stack([counts[language == g].sum(axis=0) for g in language]))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(overall > 0, by_channel * by_language / overall, 0.0)
    # A channel and a language active at disjoint hours share no slot: the language's hours.
    disjoint = ratio.sum(axis=1, keepdims=True) <= 0
    return np.where(disjoint, by_language, normalise(ratio))


class _WeeklyModel(ForecastModel):
    """Fit/predict shared by the models that forecast one week and repeat it.

    Subclasses give `_week(y)`: the next week's (series, intervals of a week) forecast
    from the (series, intervals) history `y` of whole intervals ending at a week's end.
    """

    def __init__(
        self,
        *,
        calibration_weeks: int = CALIBRATION_WEEKS,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(aht_weeks=aht_weeks, default_aht_s=default_aht_s)
        if calibration_weeks < 1:
            raise InputError("calibration_weeks must be at least 1")
        self.calibration_weeks = calibration_weeks

    def _week(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fit_panel(self, panel: Panel) -> Self:
        """Forecast the week after the history (the band is calibrated when first asked for)."""
        panel = panel.queue_level()
        check_observed(panel)
        per_day = 1440 // panel.interval_min
        week = WEEK_DAYS * per_day
        n_t = panel.volume.shape[1]
        if n_t < week:
            raise InputError(
                f"history covers {n_t / per_day:.1f} days; {self.alias} needs at least one week"
            )
        self.panel_ = panel
        self.per_day_ = per_day
        self.queues_, self.aht_s_ = self._fit_aht(panel)
        self.groups_ = pd.factorize(panel.keys["channel"].astype(str))[0]
        self.languages_ = pd.factorize(panel.keys["language"].astype(str))[0]
        self.week_ = np.nan_to_num(self._week(panel.volume))
        self._phi: np.ndarray | None = None
        return self

    @property
    def phi_(self) -> np.ndarray:
        """Per queue, the overdispersion of the model's own errors one and two weeks ahead.

        Measured from `calibration_weeks` origins before the last two weeks; computed on
        first use, since a backtest scores only the mean.
        """
        if self._phi is None:
            y = self.panel_.volume
            n_t = y.shape[1]
            week = self.week_.shape[1]
            actual, forecast = [], []
            ahead = CALIBRATION_AHEAD_WEEKS * week
            for back in range(
                CALIBRATION_AHEAD_WEEKS, self.calibration_weeks + CALIBRATION_AHEAD_WEEKS
            ):
                end = n_t - back * week
                if end < week:
                    break
                actual.append(y[:, end : end + ahead])
                forecast.append(np.tile(self._week(y[:, :end]), CALIBRATION_AHEAD_WEEKS))
            if actual:
                self._phi = overdispersion(np.hstack(actual), np.hstack(forecast))
            else:
                self._phi = np.zeros(len(y))
        return self._phi

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """The forecast week repeated over `grid`, which must lie after the history."""
        panel = self.panel_
        pos = check_horizon(grid, panel)
        n_t = panel.volume.shape[1]
        if pos.min() < n_t:
            raise InputError(f"{self.alias} forecasts only after the history's last interval")
        week = self.week_.shape[1]
        return np.maximum(self.week_[:, (pos - n_t) % week], 0.0)

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """The forecast week repeated over `grid`, with its calibrated band."""
        mean = self.predict_mean(grid)
        week = np.maximum(self.week_, 0.0)  # quantiles of one week, repeated like the mean
        var = week + self.phi_[:, None] * week * week
        at = (check_horizon(grid, self.panel_) - self.panel_.volume.shape[1]) % week.shape[1]
        p10 = count_quantiles(week, var, 0.1)[:, at]
        p90 = count_quantiles(week, var, 0.9)[:, at]
        return forecast_frame(self.queues_, grid, mean, p10, p90, self.aht_s_)


class _PastWeeks(_WeeklyModel):
    """Each interval of the week: a statistic of the same interval over the last weeks.

    Args:
        weeks: past weeks the statistic is taken over (default: the alias's).
    """

    statistic: ClassVar[ProfileKind]
    default_weeks: ClassVar[int]

    def __init__(self, weeks: int | None = None, **kwargs: float | int | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.weeks = self.default_weeks if weeks is None else weeks
        if self.weeks < 1:
            raise InputError("weeks must be at least 1")

    def _week(self, y: np.ndarray) -> np.ndarray:
        week = WEEK_DAYS * 1440 // self.panel_.interval_min
        return estimator(self.statistic)(week_stack(y, week, self.weeks))


class MeanOfWeeks(_PastWeeks):
    """Each interval of the week: the mean of the same interval over the last 4 weeks."""

    alias: ClassVar[str] = "mean_4_weeks"
    statistic: ClassVar[ProfileKind] = "mean"
    default_weeks: ClassVar[int] = 4


class MedianOfWeeks(_PastWeeks):
    """Each interval of the week: the median of the same interval over the last 8 weeks."""

    alias: ClassVar[str] = "median_8_weeks"
    statistic: ClassVar[ProfileKind] = "median"
    default_weeks: ClassVar[int] = 8


class RobustProfile(_WeeklyModel):
    """Daily level per weekday (robust mean of recent weeks) x robust intraday shape.

    Args:
        shape: estimator of the intraday shares over the weeks: "trimmed" (a `trim`
            share dropped at each end; robust to an odd week and less noisy than the
            median), "median", "ewm" (half-life `shape_halflife_weeks`) or "mean".
        level: estimator of the day totals over the weeks: "combined" (the mean of "ewm"
            and "median", `profiles.combined_level`) or any kind `shape` takes.
        shape_weeks: weeks the shapes are drawn from.
        level_weeks: weeks the daily levels are drawn from.
        level_halflife_weeks: half-life of a past week's weight in the daily level.
        aligned: rotate each past week's days by one open day when that matches the last
            week's weekday pattern far better (`profiles.week_rotations`: a source that
            drops a holiday without a gap shifts every later weekday label by one).
        calibration_weeks: past weeks the band is calibrated on.
    """

    alias: ClassVar[str] = "robust_profile"

    def __init__(
        self,
        *,
        shape: ProfileKind = "trimmed",
        level: LevelKind = "combined",
        shape_weeks: int = 8,
        trim: float = 0.2,
        shape_halflife_weeks: float = 2.0,
        level_weeks: int = 8,
        level_halflife_weeks: float = 1.0,
        aligned: bool = True,
        calibration_weeks: int = CALIBRATION_WEEKS,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(
            calibration_weeks=calibration_weeks, aht_weeks=aht_weeks, default_aht_s=default_aht_s
        )
        if shape_weeks < 1 or level_weeks < 1:
            raise InputError("shape_weeks and level_weeks must be at least 1")
        if level_halflife_weeks <= 0 or shape_halflife_weeks <= 0:
            raise InputError("half-lives must be > 0")
        estimator(shape, trim=trim, halflife_weeks=shape_halflife_weeks)  # checks the kind
        if level != "combined":
            estimator(level, trim=trim, halflife_weeks=level_halflife_weeks)
        self.shape = shape
        self.level = level
        self.shape_weeks = shape_weeks
        self.trim = trim
        self.shape_halflife_weeks = shape_halflife_weeks
        self.level_weeks = level_weeks
        self.level_halflife_weeks = level_halflife_weeks
        self.aligned = aligned

    def _week(self, y: np.ndarray) -> np.ndarray:
        per_day = 1440 // self.panel_.interval_min
        week = WEEK_DAYS * per_day
        n_weeks = max(self.shape_weeks, self.level_weeks)
        stack = week_stack(y, week, n_weeks)
        days = stack.reshape(len(y), stack.shape[1], WEEK_DAYS, per_day)
        totals, shares = day_shares(days)  # (series, weeks, 7), (series, weeks, 7, slots)
        if self.aligned:
            ratios, open_ = weekday_ratios(totals)
            shifts = week_rotations(ratios, open_)
            days, totals, shares = (rotated_weeks(a, open_, shifts) for a in (days, totals, shares))
        level = self._level(totals)
        fallback = nan_mean(totals.reshape(len(y), -1, 1))  # any day of the window
        level = np.where(np.isfinite(level), level, np.nan_to_num(fallback))
        shape = self._shapes(days[:, -self.shape_weeks :], shares[:, -self.shape_weeks :])
        return (level[:, :, None] * shape).reshape(len(y), week)

    def _level(self, totals: np.ndarray) -> np.ndarray:
        """(series, 7) next week's day totals from the (series, weeks, 7) past totals."""
        recent = totals[:, -self.level_weeks :]
        if self.level == "combined":
            return combined_level(recent, self.level_halflife_weeks)
        kind = estimator(self.level, trim=self.trim, halflife_weeks=self.level_halflife_weeks)
        return kind(recent)

    def _shapes(self, days: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """(series, 7, slots) shares: robust per weekday, pooled toward parents when sparse."""
        n_s, _, _, per_day = days.shape
        robust = estimator(self.shape, trim=self.trim, halflife_weeks=self.shape_halflife_weeks)(
            shares.reshape(n_s, shares.shape[1], WEEK_DAYS * per_day)
        )
        robust = robust.reshape(n_s, WEEK_DAYS, per_day)
        counts = np.nansum(days, axis=1)  # (series, 7, slots)
        n = counts.sum(axis=-1)  # contacts per weekday in the window
        seen_days = np.isfinite(shares).all(axis=-1).sum(axis=1)  # (series, 7)
        # A median of counts far below one per interval is mostly zero: use the counts' ratio.
        sparse = n < per_day * np.maximum(seen_days, 1)
        own = np.where(
            sparse[..., None] | ~np.isfinite(robust).all(axis=-1, keepdims=True),
            normalise(counts),
            normalise(robust),
        )
        # Robust shares weighted by their contacts: one odd week bends no level of the pooling.
        pseudo = own * n[..., None]
        all_days = pseudo.sum(axis=1)  # (series, slots)
        base = pooled_shape(all_days, self.groups_, self.languages_)
        alpha = dirichlet_concentration(all_days, base, estimated_base=True)
        series_shape = shrink(all_days, base, alpha)
        out = np.empty_like(own)
        for i in range(n_s):
            alpha = dirichlet_concentration(pseudo[i], series_shape[i], estimated_base=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out[i] = shrink(pseudo[i], series_shape[i], alpha)
        return normalise(out)
