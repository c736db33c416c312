"""Dropped days that shift the weekday labels: found in the history, hedged in the horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecasting.combination import Combination
from forecasting.labels import (
    NOISE_FACTOR,
    dropped_days,
    hedge_grid,
    hedged,
    next_open_offsets,
    shift_rates,
)
from forecasting.profiles import weekday_ratios
from forecasting.timegrid import interval_grid
from forecasting.weekly import MeanOfWeeks, RobustProfile

START = pd.Timestamp("2027-01-04", tz="UTC")  # a Monday
PER_DAY = 24
WEEKDAYS = np.array([True] * 5 + [False] * 2)  # Monday to Friday
PATTERNS = arrays(np.float64, 5, elements=st.floats(100.0, 1000.0))


def source_totals(pattern: np.ndarray, weeks: int, dropped: list[int]) -> np.ndarray:
    """(weeks, 7) day totals of a Monday-to-Friday source whose working days `dropped`
    (indices into the true sequence) were removed without a gap, every later day dated
    as the next weekday; weekends hold 0."""
    real = np.tile(pattern, weeks + len(dropped) + 1)
    kept = np.delete(real, dropped)[: 5 * weeks]
    return np.c_[kept.reshape(weeks, 5), np.zeros((weeks, 2))]


def distinct(pattern: np.ndarray, scale: float) -> bool:
    """A weekday pattern whose rotations differ clearly from it, and by far more than
    Poisson noise at these counts (the squared distance of ratios NOISE_FACTOR tells)."""
    ratio = pattern / pattern.mean()
    noise = 2.0 / (scale * pattern.mean())
    return all(
        np.abs(np.roll(pattern, k) - pattern).max() > 0.1 * pattern.mean()
        and np.mean((np.roll(ratio, k) - ratio) ** 2) > 2 * NOISE_FACTOR * noise
        for k in (1, -1)
    )


@settings(max_examples=40, deadline=None)
@given(PATTERNS, st.integers(2, 20), st.floats(0.01, 100.0))
def test_a_periodic_history_has_no_drop_at_any_scale(
    pattern: np.ndarray, weeks: int, scale: float
) -> None:
    totals = np.tile(np.r_[pattern, 0, 0], (weeks, 1))[None] * scale
    assert dropped_days(totals, weekday_ratios(totals)[1]).tolist() == [0]


@settings(max_examples=40, deadline=None)
@given(PATTERNS, st.lists(st.integers(1, 4), min_size=1, max_size=3), st.floats(1.0, 100.0))
def test_each_dropped_day_is_counted_once(
    pattern: np.ndarray, gaps_weeks: list[int], scale: float
) -> None:
    """Drops three to six weeks apart, on a Monday or mid-week, are each found once,
    at any scale of counts where the pattern stands out of Poisson noise."""
    assume(distinct(pattern, scale))
    dropped, at = [], 5 * 5  # five clean weeks after the last drop
    for k, gap in enumerate(gaps_weeks):
        dropped.append(at + 2 * k)  # Mondays and Wednesdays
        at += 5 * (gap + 2)
    weeks = at // 5 + 5
    totals = source_totals(pattern, weeks, sorted(5 * weeks - d for d in dropped))[None] * scale
    assert dropped_days(totals, weekday_ratios(totals)[1]).tolist() == [len(dropped)]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([0.5, 3.0, 30.0, 3000.0]))
def test_noise_is_not_a_drop(seed: int, mean: float) -> None:
    """Poisson days around a weekday pattern (sparse to busy queues) show no dropped day
    in 52 weeks: a shift must show in two of three weeks."""
    rng = np.random.default_rng(seed)
    pattern = np.r_[rng.uniform(0.5, 1.5, 5), 0, 0] * mean
    totals = rng.poisson(np.tile(pattern, (20, 52, 1))).astype(float)
    assert dropped_days(totals, weekday_ratios(totals)[1]).sum() == 0


def test_an_inserted_day_is_not_a_drop() -> None:
    """A source that repeats a day (the labels move forward) counts no dropped day."""
    pattern = np.array([900.0, 600, 500, 700, 300])
    real = np.tile(pattern, 12)
    repeated = np.insert(real, 30, real[30])[:55]
    totals = np.c_[repeated.reshape(11, 5), np.zeros((11, 2))][None]
    assert dropped_days(totals, weekday_ratios(totals)[1]).tolist() == [0]


def test_rates_are_drops_per_open_day_and_open_days_are_weekdays() -> None:
    pattern = np.array([900.0, 600, 500, 700, 300])
    totals = source_totals(pattern, 20, [40])  # one drop, 100 open days
    y = np.repeat(totals.ravel() / PER_DAY, PER_DAY)[None]
    start = START - pd.Timedelta(hours=19)  # the panel may start mid-day
    y = np.c_[np.full((1, 19), np.nan), y]
    rate, open_ = shift_rates(y, start, 60)
    np.testing.assert_allclose(rate, [1 / 100])
    assert open_.tolist() == [WEEKDAYS.tolist()]


def test_next_open_day_skips_the_weekend() -> None:
    days = pd.date_range(START, periods=7, freq="D")
    offsets = next_open_offsets(days, WEEKDAYS[None])
    assert offsets.tolist() == [[1, 1, 1, 1, 3, 2, 1]]


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.5), st.integers(0, 23))
def test_hedge_weight_is_the_chance_of_a_drop_before_the_day(rate: float, hour: int) -> None:
    """Day h (h-th open day after the history) mixes in the next open day's value with
    weight 1 - (1 - rate)^h; closed days are left alone; rate 0 changes nothing."""
    after = START
    grid = interval_grid(after, after + pd.Timedelta(days=14), 60)
    ext = hedge_grid(grid, WEEKDAYS[None])
    day_number = ((ext - after) // pd.Timedelta(days=1)).to_numpy().astype(float)
    values = np.where(ext.weekday < 5, 100.0 + day_number, 0.0)[None]
    out = hedged(values, ext, grid, after, np.array([rate]), WEEKDAYS[None])
    tuesday = 24 + hour  # the 2nd open day mixes in Wednesday
    w2 = 1 - (1 - rate) ** 2
    assert np.isclose(out[0, tuesday], (1 - w2) * 101.0 + w2 * 102.0)
    friday = 4 * 24 + hour  # the 5th open day mixes in Monday (three days on)
    w5 = 1 - (1 - rate) ** 5
    assert np.isclose(out[0, friday], (1 - w5) * 104.0 + w5 * 107.0)
    saturday = 5 * 24 + hour
    assert out[0, saturday] == 0.0
    if rate == 0:
        np.testing.assert_array_equal(out, values[:, ext.get_indexer(grid)])


def hourly(totals: np.ndarray) -> pd.DataFrame:
    """One queue's hourly history from START: each day's total over its 8 to 16 hours."""
    shape = np.zeros(PER_DAY)
    shape[8:16] = 1 / 8
    y = (totals.ravel()[:, None] * shape[None]).ravel()
    grid = interval_grid(START, START + pd.Timedelta(hours=len(y)), 60)
    return pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "volume": y,
            "aht_seconds": 300.0,
        }
    )


def test_combination_hedges_only_a_history_with_a_drop() -> None:
    """With a drop in its history, the combination mixes each horizon day with the next
    open day as `hedged` says; without one it is exactly the unhedged combination, and the
    band stays ordered either way."""
    pattern = np.array([900.0, 600, 500, 700, 300])
    members = (RobustProfile, MeanOfWeeks)
    for dropped, expect in (([], False), ([60], True)):
        frame = hourly(source_totals(pattern, 16, dropped))
        end = START + pd.Timedelta(weeks=16)
        grid = interval_grid(end, end + pd.Timedelta(days=14), 60)
        model = Combination(members).fit(frame)
        plain = Combination(members, hedge_shifts=False).fit(frame)
        out, base = model.predict(grid), plain.predict(grid)
        assert (out["volume_p10"] <= out["volume"] + 1e-9).all()
        assert (out["volume"] <= out["volume_p90"] + 1e-9).all()
        if not expect:
            np.testing.assert_array_equal(out["volume"], base["volume"])
            continue
        assert model.shift_rate_[0] > 0
        ext = hedge_grid(grid, model.open_weekdays_)
        want = hedged(plain.predict_mean(ext), ext, grid, end, model.shift_rate_, WEEKDAYS[None])
        np.testing.assert_allclose(out["volume"].to_numpy(), want[0], rtol=1e-9)
        np.testing.assert_allclose(model.predict_mean(grid), want, rtol=1e-9)
        assert not np.allclose(out["volume"], base["volume"])
