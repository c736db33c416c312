"""A daily level that adapts to recent days, times robust weekday shapes ('daily_level').

The day totals are exponentially smoothed after dividing out a weekday effect; the
weekday effect is the ratio of a day to its week's mean open day, taken robustly over
recent weeks and shrunk toward no effect. How fast the level moves (alpha), how the
weekday effect is taken (a median over 4 or 8 weeks, or a weighted mean with a half-life
of 1 or 2 weeks) and how far it is shrunk are chosen per queue by a rolling-origin
backtest of the day totals on the history itself: a queue whose weekday pattern moves
(or whose dates are off by a day after a dropped holiday) gets a fast, shrunk weekday
effect, a stable queue a long, unshrunk one. The intraday shape is the robust profile's,
and past weeks are first aligned to the last one as it aligns them.
"""

from __future__ import annotations

import itertools
from typing import ClassVar, NamedTuple

import numpy as np

from forecasting.errors import InputError
from forecasting.models import WEEK_DAYS
from forecasting.profiles import ProfileKind, nan_median, weekday_ratios
from forecasting.weekly import CALIBRATION_WEEKS, RobustProfile


class LevelSetting(NamedTuple):
    """One way of forecasting day totals.

    Attributes:
        effect: "median" or "ewm": how a weekday's ratios over past weeks are reduced.
        weeks: the median's window, or the weighted mean's half-life, in weeks.
        shrink: share in [0, 1] by which each weekday effect is pulled toward 1.
        alpha: smoothing constant of the deseasonalised daily level, in (0, 1].
    """

    effect: str
    weeks: float
    shrink: float
    alpha: float


DEFAULT_SETTING = LevelSetting("median", 8, 0.0, 0.1)  # the choice of a short history
SETTINGS: tuple[LevelSetting, ...] = (
    DEFAULT_SETTING,
    *(
        setting
        for (effect, weeks), shrink, alpha in itertools.product(
            (("median", 4), ("median", 8), ("ewm", 1), ("ewm", 2)), (0.0, 0.3, 0.6), (0.1, 0.2)
        )
        if (setting := LevelSetting(effect, weeks, shrink, alpha)) != DEFAULT_SETTING
    ),
)
SELECTION_ORIGINS = 8  # weekly origins of the in-sample backtest
SELECTION_AHEAD_WEEKS = 2  # each forecasts the two weeks after it


def weekday_effects(
    ratios: np.ndarray, open_: np.ndarray, stop: int, setting: LevelSetting
) -> np.ndarray:
    """(series, 7) weekday effects from the weeks before `stop`, shrunk, mean 1 over open days.

    Closed weekdays get 0; an open weekday without an observed ratio gets 1.
    """
    return shrunk_effects(raw_effects(ratios, stop, setting.effect, setting.weeks), open_, setting)


def raw_effects(ratios: np.ndarray, stop: int, effect: str, weeks: float) -> np.ndarray:
    """(series, 7) each weekday's ratios before week `stop`, reduced (median or weighted mean)."""
    past = ratios[:, :stop]
    if effect == "median":
        raw = nan_median(past[:, -int(weeks) :])
    else:
        n = past.shape[1]
        weight = 0.5 ** (np.arange(n)[::-1] / weeks)
        seen = np.isfinite(past)
        w = np.where(seen, weight[None, :, None], 0.0)
        mass = w.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(mass > 0, (w * np.nan_to_num(past)).sum(axis=1) / mass, np.nan)
    return np.where(np.isfinite(raw), raw, 1.0)


def shrunk_effects(raw: np.ndarray, open_: np.ndarray, setting: LevelSetting) -> np.ndarray:
    """Raw effects pulled toward 1 by the setting's share, 0 when closed, mean 1 when open.

    A sparse series whose every weekday has a median ratio of 0 gets no weekday effect.
    """
    effect = np.where(open_, (1 - setting.shrink) * raw + setting.shrink, 0.0)
    mean = np.where(open_, effect, 0.0).sum(axis=1) / np.maximum(open_.sum(axis=1), 1)
    flat = np.where(open_, 1.0, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean[:, None] > 0, effect / np.where(mean > 0, mean, 1)[:, None], flat)


def smoothed_levels(days: np.ndarray, effects: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Exponentially smoothed deseasonalised level after every day, for many runs at once.

    Args:
        days: (series, days) day totals, oldest first (NaN: missing).
        effects: (series, runs, days) the weekday effect each run divides each day by
            (0: the day is not used, a closed weekday).
        alpha: (runs,) smoothing constants.

    Returns:
        (series, runs, days + 1): the level before the first day, after the first, ...;
        NaN until a run has seen a day.
    """
    n_s, n_r, n_d = effects.shape
    level = np.full((n_s, n_r), np.nan)
    out = np.full((n_s, n_r, n_d + 1), np.nan)
    for d in range(n_d):
        e = effects[:, :, d]
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(e > 0, days[:, d, None] / np.where(e > 0, e, 1.0), np.nan)
        seen = np.isfinite(x)
        level = np.where(seen, np.where(np.isnan(level), x, alpha * x + (1 - alpha) * level), level)
        out[:, :, d + 1] = level
    return out


def level_forecasts(
    totals: np.ndarray,
    settings: tuple[LevelSetting, ...],
    origins: list[int],
) -> np.ndarray:
    """Day-total forecasts of every setting from weekly origins, over the weeks after each.

    Args:
        totals: (series, weeks, 7) day totals, NaN where missing.
        settings: the settings to run.
        origins: week indices; origin w forecasts weeks w, w+1, ... from weeks before w.

    Returns:
        (series, settings, origins, 7): the forecast total of each weekday after each
        origin (level at the origin x weekday effect); NaN before any observed day.
    """
    n_s, n_w, _ = totals.shape
    ratios, open_ = weekday_ratios(totals)
    days = totals.reshape(n_s, n_w * WEEK_DAYS)
    runs = [(s, o) for s in settings for o in origins]
    raw: dict[tuple[str, float, int], np.ndarray] = {}
    for s, o in runs:  # settings differing only in shrink or alpha share their raw effects
        if (s.effect, s.weeks, o) not in raw:
            raw[s.effect, s.weeks, o] = raw_effects(ratios, o, s.effect, s.weeks)
    effects = np.stack(
        [shrunk_effects(raw[s.effect, s.weeks, o], open_, s) for s, o in runs], axis=1
    )  # (series, runs, 7)
    # Each run's level uses the effect estimated at its origin on every day before it.
    per_day = np.tile(effects, (1, 1, n_w))
    alpha = np.array([s.alpha for s, _ in runs])
    levels = smoothed_levels(days, per_day, alpha)
    at_origin = levels[:, np.arange(len(runs)), [WEEK_DAYS * o for _, o in runs]]
    fc = at_origin[:, :, None] * effects
    return fc.reshape(n_s, len(settings), len(origins), WEEK_DAYS)


def chosen_settings(
    totals: np.ndarray,
    settings: tuple[LevelSetting, ...] = SETTINGS,
    origins: int = SELECTION_ORIGINS,
    ahead_weeks: int = SELECTION_AHEAD_WEEKS,
) -> np.ndarray:
    """Per series, the index of the setting with the least absolute day-total error.

    The error is summed over `origins` weekly origins, each forecasting the
    `ahead_weeks` weeks after it, all inside `totals`; ties go to the earlier setting.
    With no room for an origin every series gets setting 0.
    """
    n_s, n_w, _ = totals.shape
    first = max(n_w - ahead_weeks - origins + 1, 2)
    starts = list(range(first, n_w - ahead_weeks + 1))
    if not starts:
        return np.zeros(n_s, dtype=int)
    fc = level_forecasts(totals, settings, starts)  # (series, settings, origins, 7)
    error = np.zeros((n_s, len(settings)))
    for k, w in enumerate(starts):
        actual = totals[:, w : w + ahead_weeks]  # (series, ahead, 7)
        diff = np.abs(fc[:, :, k, None, :] - actual[:, None])
        error += np.where(np.isfinite(diff), diff, 0.0).sum(axis=(2, 3))
        # A setting without a forecast where there is an actual loses.
        error += np.where(
            np.isnan(fc[:, :, k, None, :]) & np.isfinite(actual[:, None]), np.inf, 0.0
        ).sum(axis=(2, 3))
    return np.argmin(error, axis=1)


class DailyLevel(RobustProfile):
    """Adaptive daily level x weekday effect (chosen per queue on its own folds) x robust shape.

    Args:
        level_weeks: weeks of day totals the level, the weekday effects and the choice of
            setting read.
        settings: the candidate settings (`SETTINGS`: 24 of them); the first is the
            choice of a history too short to choose on.
        shape: estimator of the intraday shares over the weeks (see RobustProfile).
        shape_weeks: weeks the intraday shapes are drawn from (see RobustProfile).
        aligned: rotate past weeks to the last week's weekday pattern (see RobustProfile).
    """

    alias: ClassVar[str] = "daily_level"

    def __init__(
        self,
        *,
        level_weeks: int = 26,
        settings: tuple[LevelSetting, ...] = SETTINGS,
        shape: ProfileKind = "trimmed",
        shape_weeks: int = 8,
        aligned: bool = True,
        calibration_weeks: int = CALIBRATION_WEEKS,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(
            shape=shape,
            shape_weeks=shape_weeks,
            level_weeks=level_weeks,
            aligned=aligned,
            calibration_weeks=calibration_weeks,
            aht_weeks=aht_weeks,
            default_aht_s=default_aht_s,
        )
        if not settings:
            raise InputError("daily_level needs at least one level setting")
        for s in settings:
            if s.effect not in ("median", "ewm") or s.weeks <= 0:
                raise InputError(f"unknown weekday effect {s.effect!r} over {s.weeks} weeks")
            if not (0.0 <= s.shrink <= 1.0 and 0.0 < s.alpha <= 1.0):
                raise InputError("shrink must be in [0, 1] and alpha in (0, 1]")
        self.settings = tuple(settings)

    def _level(self, totals: np.ndarray) -> np.ndarray:
        """(series, 7) next week's day totals: each series' chosen setting, from its last day."""
        recent = totals[:, -self.level_weeks :]
        n_w = recent.shape[1]
        choice = chosen_settings(recent, self.settings)
        self.chosen_ = [self.settings[int(i)] for i in choice]
        fc = level_forecasts(recent, self.settings, [n_w])[:, :, 0]  # (series, settings, 7)
        return fc[np.arange(len(recent)), choice]
