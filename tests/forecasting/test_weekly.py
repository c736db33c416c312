"""Models of past weeks: baselines against pandas, the robust profile on known series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecasting.errors import InputError
from forecasting.profiles import week_rotations, weekday_ratios
from forecasting.schema import FORECAST, validate_frame
from forecasting.timegrid import interval_grid
from forecasting.weekly import (
    MeanOfWeeks,
    MedianOfWeeks,
    RobustProfile,
    overdispersion,
    pooled_shape,
)

START = pd.Timestamp("2027-01-04", tz="UTC")  # a Monday
PER_DAY = 24
SHAPE = np.sin(np.linspace(0, np.pi, PER_DAY)) + 0.1
SHAPE /= SHAPE.sum()


def history(volume: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    """Hourly history of queues (channel, language) from START."""
    parts = []
    for (channel, language), y in volume.items():
        grid = interval_grid(START, START + pd.Timedelta(hours=len(y)), 60)
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": channel,
                    "language": language,
                    "tier": 1,
                    "volume": y,
                    "aht_seconds": 300.0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def horizon(weeks_back: int, days: int) -> pd.DatetimeIndex:
    first = START + pd.Timedelta(weeks=weeks_back)
    return interval_grid(first, first + pd.Timedelta(days=days), 60)


def test_baselines_match_pandas_over_the_same_interval_of_past_weeks() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(20, size=10 * 7 * PER_DAY).astype(float)
    y[5] = np.nan
    frame = history({("phone", "en"): y})
    weekly = pd.DataFrame(y.reshape(10, 7 * PER_DAY))  # row = week, column = hour of week
    for model, expected in (
        (MedianOfWeeks(), weekly.iloc[-8:].median()),
        (MeanOfWeeks(), weekly.iloc[-4:].mean()),
    ):
        forecast = model.fit(frame).predict(horizon(10, 14))
        np.testing.assert_allclose(
            forecast["volume"].to_numpy(), np.tile(expected.to_numpy(), 2), rtol=1e-12
        )
        assert (forecast["volume_p10"] <= forecast["volume"]).all()
        assert (forecast["volume"] <= forecast["volume_p90"]).all()


def test_robust_profile_reproduces_a_noise_free_level_times_shape() -> None:
    shape = np.sin(np.linspace(0, np.pi, PER_DAY)) + 0.1
    shape /= shape.sum()
    weekday_total = np.array([700.0, 600, 600, 650, 500, 100, 80])
    week = (weekday_total[:, None] * shape[None, :]).ravel()
    frame = history({("phone", "en"): np.tile(week, 9)})
    forecast = RobustProfile().fit(frame).predict(horizon(9, 7))
    np.testing.assert_allclose(forecast["volume"].to_numpy(), week, rtol=1e-9)
    validate_frame(forecast, FORECAST)


def test_robust_profile_ignores_one_outage_week_in_the_shape() -> None:
    shape = np.linspace(1, 2, PER_DAY)
    shape /= shape.sum()
    week = np.tile(500 * shape, 7)
    y = np.tile(week, 9)
    outage = 4 * 7 * PER_DAY  # week 5: the afternoon doubles, the morning is lost
    y[outage : outage + 7 * PER_DAY] = np.tile(np.r_[np.zeros(12), 2 * 500 * shape[12:]], 7)
    forecast = RobustProfile(level_halflife_weeks=0.01).fit(history({("phone", "en"): y}))
    shares = forecast.predict(horizon(9, 1))["volume"].to_numpy()
    np.testing.assert_allclose(shares / shares.sum(), shape, rtol=1e-9)


def test_sparse_queue_borrows_its_channels_shape() -> None:
    """A queue of a few contacts a week takes the shape of its busy sibling in the channel."""
    rng = np.random.default_rng(5)
    shape = np.r_[np.zeros(8), np.full(10, 1.0), np.zeros(6)]
    shape /= shape.sum()
    busy = rng.poisson(np.tile(300 * shape, 7 * 9)).astype(float)
    sparse = rng.poisson(np.tile(0.5 * shape, 7 * 9)).astype(float)
    frame = history({("chat", "en"): busy, ("chat", "ja"): sparse})
    forecast = RobustProfile().fit(frame).predict(horizon(9, 7))
    ja = forecast[forecast["language"] == "ja"]["volume"].to_numpy().reshape(7, PER_DAY)
    day = ja.sum(axis=0) / ja.sum()
    # Nothing at night (the sibling's shape), where the sparse queue alone says nothing.
    assert day[:8].sum() + day[18:].sum() < 0.02
    assert (ja >= 0).all()


def test_weekly_models_need_a_week_and_forecast_only_after_the_history() -> None:
    with pytest.raises(InputError, match="at least one week"):
        MedianOfWeeks().fit(history({("phone", "en"): np.ones(5 * PER_DAY)}))
    model = MedianOfWeeks().fit(history({("phone", "en"): np.ones(14 * PER_DAY)}))
    with pytest.raises(InputError, match="only after"):
        model.predict(horizon(1, 1))


def test_overdispersion_by_moments() -> None:
    forecast = np.full((1, 4), 10.0)
    actual = np.array([[10.0 - 5, 10 + 5, 10 - 5, 10 + 5]])
    # var 25 = mu + phi mu^2 = 10 + 100 phi -> phi = 0.15
    assert overdispersion(actual, forecast)[0] == pytest.approx(0.15)
    assert overdispersion(np.full((1, 4), 10.0), forecast)[0] == 0.0  # below Poisson: 0


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.int64, (6, 12), elements=st.integers(0, 50)),  # contacts
    st.floats(0.01, 100),
)
def test_pooled_shape_is_a_shape_and_scale_free(counts: np.ndarray, c: float) -> None:
    channel = np.array([0, 0, 0, 1, 1, 1])
    language = np.array([0, 1, 2, 0, 1, 2])
    counts = counts.astype(float)
    shape = pooled_shape(counts, channel, language)
    np.testing.assert_allclose(shape.sum(axis=1), 1.0)
    assert (shape >= 0).all()
    np.testing.assert_allclose(pooled_shape(c * counts, channel, language), shape, atol=1e-12)


def test_pooled_shape_of_one_language_is_the_channels_pool() -> None:
    rng = np.random.default_rng(2)
    counts = rng.poisson(5.0, size=(4, 24)).astype(float)
    channel = np.array([0, 0, 1, 1])
    shape = pooled_shape(counts, channel, np.zeros(4, dtype=int))
    for q, c in enumerate(channel):
        pool = counts[channel == c].sum(axis=0)
        np.testing.assert_allclose(shape[q], pool / pool.sum())


def test_pooled_shape_moves_the_channels_shape_to_the_languages_hours() -> None:
    """Noise-free counts of a main-effects model (share = C(t) L(t), renormalised) over a
    balanced design: the pooled shape of every queue is that model's shape."""
    t = np.arange(24)
    chat, phone = 1.0 + (t % 2), 1.0 + 0.0 * t  # chat alternates, phone is flat
    en, ja = np.exp(-((t - 14) ** 2) / 8), np.exp(-((t - 3) ** 2) / 8)
    truth = np.stack([c * g / (c * g).sum() for c in (chat, phone) for g in (en, ja)])
    channel, language = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    shape = pooled_shape(1000.0 * truth, channel, language)
    # Channel pools mix the languages' hours equally, so C_c L_l / A is exact up to how
    # far the languages overlap; with hours this far apart it is within 1e-3.
    np.testing.assert_allclose(shape, truth, atol=1e-3)


def dropped_day_totals(pattern: np.ndarray, weeks: int, dropped: int) -> np.ndarray:
    """(weeks + 1) x 7 day totals of a Monday-to-Friday source whose `dropped`-th working
    day was removed without a gap and every later day dated as the next weekday (the
    every-weekday dating of a source that skips holidays); weekends hold 0."""
    real = np.tile(pattern, weeks + 2)  # the true Monday-to-Friday sequence
    kept = np.delete(real, dropped)[: 5 * (weeks + 1)]
    return np.c_[kept.reshape(weeks + 1, 5), np.zeros((weeks + 1, 2))]


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, 5, elements=st.floats(100.0, 1000.0)),
    st.integers(1, 7),
)
def test_a_dropped_day_is_aligned_away(pattern: np.ndarray, week: int) -> None:
    """After a source drops a Monday (so no week mixes the two labellings), the weeks
    before it are rotated onto the labels of the weeks after it, and the robust profile
    forecasts next week's day totals as the source continues; unaligned, with most weeks
    before the drop, it does not."""
    assume(np.ptp(pattern) > 0.05 * pattern.mean())
    weeks = 8
    totals = dropped_day_totals(pattern, weeks, 5 * week)
    y = (totals[:weeks, :, None] * SHAPE[None, None, :]).ravel()
    frame = history({("phone", "en"): y})
    aligned = RobustProfile().fit(frame).predict(horizon(weeks, 7))["volume"].to_numpy()
    day_totals = aligned.reshape(7, PER_DAY).sum(axis=1)
    np.testing.assert_allclose(day_totals, totals[weeks], rtol=1e-9)
    unaligned = RobustProfile(aligned=False).fit(frame).predict(horizon(weeks, 7))
    plain = unaligned["volume"].to_numpy().reshape(7, PER_DAY).sum(axis=1)
    if week > weeks // 2:  # most weeks have the old labels
        assert not np.allclose(plain, totals[weeks], rtol=1e-3)


def test_a_steady_pattern_is_never_rotated() -> None:
    """Noisy weeks of one weekday pattern are left as they are."""
    rng = np.random.default_rng(3)
    base = np.array([700.0, 600, 600, 650, 500, 0, 0])
    totals = rng.poisson(np.tile(base, (26, 1))).astype(float)[None]
    ratios, open_ = weekday_ratios(totals)
    assert (week_rotations(ratios, open_) == 0).all()
