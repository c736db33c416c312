"""The adaptive daily level: against pandas, on known series, and its choice of setting."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecasting.daily import (
    SETTINGS,
    DailyLevel,
    LevelSetting,
    chosen_settings,
    level_forecasts,
    weekday_effects,
    weekday_ratios,
)
from forecasting.errors import InputError
from forecasting.models import MissingAhtWarning
from forecasting.schema import FORECAST, validate_frame
from forecasting.timegrid import interval_grid

START = pd.Timestamp("2027-01-04", tz="UTC")  # a Monday
PER_DAY = 24
SHAPE = np.sin(np.linspace(0, np.pi, PER_DAY)) + 0.1
SHAPE /= SHAPE.sum()
WEEKDAYS = np.array([700.0, 600, 600, 650, 500, 0, 0])  # closed at weekends


def frame(y: np.ndarray, *, aht: bool = True) -> pd.DataFrame:
    """Hourly history of one queue from START."""
    grid = interval_grid(START, START + pd.Timedelta(hours=len(y)), 60)
    out = pd.DataFrame(
        {"interval_start": grid, "channel": "phone", "language": "en", "tier": 1, "volume": y}
    )
    if aht:
        out["aht_seconds"] = 300.0
    return out


def horizon(weeks_back: int, days: int) -> pd.DatetimeIndex:
    first = START + pd.Timedelta(weeks=weeks_back)
    return interval_grid(first, first + pd.Timedelta(days=days), 60)


def pandas_level(totals: np.ndarray, setting: LevelSetting) -> np.ndarray:
    """The next week's day totals computed directly with pandas (one series, median effect)."""
    weeks = pd.DataFrame(totals)  # row = week, column = weekday
    open_ = weeks.mean() > 0
    ratio = weeks.div(weeks.loc[:, open_].mean(axis=1), axis=0)
    effect = ratio.iloc[-int(setting.weeks) :].median().where(open_, 0.0)
    effect[open_] = (1 - setting.shrink) * effect[open_] + setting.shrink
    effect = effect / effect[open_].mean()
    days = pd.Series(totals.ravel())
    weekday = np.tile(np.arange(7), len(weeks))
    deseasonalised = (days / effect.to_numpy()[weekday]).where(open_.to_numpy()[weekday])
    level = deseasonalised.ewm(alpha=setting.alpha, adjust=False, ignore_na=True).mean()
    return float(level.iloc[-1]) * effect.to_numpy()


def test_level_matches_pandas_exponential_smoothing() -> None:
    rng = np.random.default_rng(5)
    totals = (
        WEEKDAYS[None, :]
        * rng.gamma(20.0, 0.05, size=(12, 1))
        * rng.gamma(50.0, 0.02, size=(12, 7))
    )
    totals[3, 2] = np.nan  # a missing day is skipped
    for setting in (LevelSetting("median", 8, 0.0, 0.1), LevelSetting("median", 4, 0.3, 0.4)):
        ours = level_forecasts(totals[None], (setting,), [12])[0, 0, 0]
        np.testing.assert_allclose(ours, pandas_level(totals, setting), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    arrays(float, (2, 6, 7), elements=st.floats(0.0, 1e4)),
    st.sampled_from(SETTINGS),
    st.floats(0.01, 100.0),
)
def test_weekday_effects_average_one_and_forecasts_scale(
    totals: np.ndarray, setting: LevelSetting, c: float
) -> None:
    """Effects are 0 on closed weekdays and average 1 over open ones; forecasts scale with c."""
    ratios, open_ = weekday_ratios(totals)
    effect = weekday_effects(ratios, open_, totals.shape[1], setting)
    assert np.all(effect[~open_] == 0)
    for s in range(len(totals)):
        if open_[s].any():
            assert effect[s, open_[s]].mean() == pytest.approx(1.0)
    base = level_forecasts(totals, (setting,), [6])
    scaled = level_forecasts(c * totals, (setting,), [6])
    np.testing.assert_allclose(scaled, c * base, rtol=1e-9, atol=1e-9)


def test_full_shrink_gives_no_weekday_effect() -> None:
    totals = np.tile(WEEKDAYS, (6, 1))[None]
    ratios, open_ = weekday_ratios(totals)
    effect = weekday_effects(ratios, open_, 6, LevelSetting("median", 4, 1.0, 0.1))
    np.testing.assert_allclose(effect[0], np.where(WEEKDAYS > 0, 1.0, 0.0))


def test_noise_free_level_times_weekday_times_shape_is_reproduced() -> None:
    week = (WEEKDAYS[:, None] * SHAPE[None, :]).ravel()
    forecast = DailyLevel().fit(frame(np.tile(week, 12))).predict(horizon(12, 14))
    np.testing.assert_allclose(forecast["volume"].to_numpy(), np.tile(week, 2), atol=1e-9)
    validate_frame(forecast, FORECAST)


def test_a_moving_weekday_pattern_chooses_a_shrunk_or_fast_effect() -> None:
    """When the busiest weekday moves every few weeks, the chosen setting is not the slow,
    unshrunk default; on a stable pattern with noisy levels the choice errs least on the
    folds it saw (by construction) and keeps the long median."""
    rng = np.random.default_rng(1)
    weeks = []
    pattern = np.array([1.3, 1.0, 0.9, 0.9, 0.9, 0.0, 0.0])
    for w in range(26):
        if w % 4 == 0:
            pattern[:5] = np.roll(pattern[:5], 1)
        weeks.append(1000 * pattern * rng.gamma(400.0, 1 / 400.0, size=7))
    moving = np.array(weeks)[None]
    choice = SETTINGS[int(chosen_settings(moving)[0])]
    assert choice.shrink > 0 or choice.effect == "ewm"
    stable = (
        1000 * np.array([1.3, 1.0, 0.9, 0.9, 0.9, 0, 0]) * rng.gamma(400.0, 1 / 400.0, size=(26, 7))
    )[None]
    assert SETTINGS[int(chosen_settings(stable)[0])].shrink < 0.6


def test_volume_only_history_forecasts_with_empty_aht_and_a_warning() -> None:
    rng = np.random.default_rng(2)
    week = (WEEKDAYS[:, None] * SHAPE[None, :]).ravel()
    y = rng.poisson(np.tile(week, 10)).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecast = DailyLevel().fit(frame(y, aht=False)).predict(horizon(10, 7))
    assert any(issubclass(w.category, MissingAhtWarning) for w in caught)
    assert forecast["aht_seconds"].isna().all()
    assert (forecast["volume_p10"] <= forecast["volume"]).all()
    assert (forecast["volume"] <= forecast["volume_p90"]).all()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InputError, match="at least one"):
        DailyLevel(settings=())
    with pytest.raises(InputError, match="shrink"):
        DailyLevel(settings=(LevelSetting("median", 4, 1.5, 0.1),))
    with pytest.raises(InputError, match="weekday effect"):
        DailyLevel(settings=(LevelSetting("mode", 4, 0.0, 0.1),))
