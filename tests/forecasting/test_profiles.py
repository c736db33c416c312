"""Robust estimators over past weeks: scaling, outliers, weights, alignment."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecasting.profiles import (
    combined_level,
    day_shares,
    estimator,
    ew_mean,
    nan_median,
    normalise,
    trimmed_mean,
    week_stack,
)

KINDS = ("median", "trimmed", "ewm", "mean")
counts = arrays(
    float,
    st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 6)),
    elements=st.floats(0, 1e4, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(counts, st.floats(0, 100), st.sampled_from(KINDS))
def test_every_estimator_is_equivariant_to_scaling(stack: np.ndarray, c: float, kind: str) -> None:
    f = estimator(kind, halflife_weeks=1.5)  # type: ignore[arg-type]
    np.testing.assert_allclose(f(c * stack), c * f(stack), rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        float,
        st.tuples(st.just(1), st.integers(3, 9), st.integers(1, 6)),
        elements=st.floats(0, 100),
    ),
    st.floats(1e3, 1e6),
    st.data(),
)
def test_median_ignores_one_outlier_week(
    stack: np.ndarray, spike: float, data: st.DataObject
) -> None:
    """An odd count of identical weeks plus one outlier week (any size): the median is the week."""
    n = stack.shape[1] | 1  # odd
    same = np.repeat(stack[:, :1], n, axis=1)
    week = data.draw(st.integers(0, n - 1))
    spoiled = same.copy()
    spoiled[:, week] = spike
    np.testing.assert_allclose(nan_median(spoiled), stack[:, 0])


def test_trimmed_mean_drops_the_extremes_and_skips_missing() -> None:
    stack = np.array([[[1.0], [2.0], [3.0], [4.0], [1000.0], [np.nan]]])
    # 5 observed, 20% trim: one dropped at each end -> mean of 2, 3, 4.
    assert trimmed_mean(stack, 0.2)[0, 0] == 3.0
    assert trimmed_mean(stack, 0.0)[0, 0] == np.mean([1, 2, 3, 4, 1000])


def test_ew_mean_weights_halve_per_half_life() -> None:
    stack = np.array([[[0.0], [1.0]]])  # older week 0, last week 1
    # weights 1/2 and 1: (0 * 0.5 + 1 * 1) / 1.5
    assert ew_mean(stack, 1.0)[0, 0] == 1 / 1.5
    assert np.isnan(ew_mean(np.full((1, 2, 1), np.nan), 1.0)[0, 0])


def test_week_stack_ends_at_the_history_end() -> None:
    y = np.arange(25, dtype=float)[None, :]
    stack = week_stack(y, 7, 5)
    assert stack.shape == (1, 3, 7)
    np.testing.assert_array_equal(stack[0, -1], np.arange(18, 25))
    np.testing.assert_array_equal(stack[0, 0], np.arange(4, 11))


def test_day_shares_and_normalise() -> None:
    days = np.array([[1.0, 3.0], [0.0, 0.0], [np.nan, 1.0]])
    total, shares = day_shares(days)
    np.testing.assert_array_equal(total[:2], [4.0, 0.0])
    np.testing.assert_array_equal(shares[0], [0.25, 0.75])
    assert np.isnan(shares[1]).all() and np.isnan(shares[2]).all()
    np.testing.assert_array_equal(normalise(shares)[1], [0.5, 0.5])


@settings(max_examples=60, deadline=None)
@given(counts, st.floats(0, 100), st.floats(0.2, 10))
def test_combined_level_is_equivariant_to_scaling(stack: np.ndarray, c: float, hl: float) -> None:
    np.testing.assert_allclose(
        combined_level(c * stack, hl), c * combined_level(stack, hl), rtol=1e-9, atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, st.tuples(st.just(2), st.just(1), st.integers(1, 7)), elements=st.floats(0, 1e4)),
    st.integers(2, 12),
    st.floats(0.2, 10),
)
def test_combined_level_reconstructs_a_constant_level(
    week: np.ndarray, weeks: int, hl: float
) -> None:
    """Noise-free: every week the same day totals, some weeks missing -> those totals."""
    stack = np.repeat(week, weeks, axis=1)
    stack[:, 0] = np.nan
    np.testing.assert_allclose(combined_level(stack, hl), week[:, 0], rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(1.0, 1e3), st.floats(1e3, 1e6), st.integers(0, 6), st.floats(0.2, 10))
def test_combined_level_halves_what_one_odd_week_does_to_the_weighted_mean(
    level: float, spike: float, week: int, hl: float
) -> None:
    """Seven equal weeks and one outlier: the median ignores it, so the combined level
    moves by exactly half the weighted mean's move, whatever the outlier's size."""
    stack = np.full((1, 8, 1), level)
    stack[0, week] = spike
    moved = combined_level(stack, hl) - level
    np.testing.assert_allclose(
        moved, (ew_mean(stack, hl) - level) / 2, rtol=1e-9, atol=1e-9 * spike
    )


@settings(max_examples=80, deadline=None)
@given(
    arrays(
        float,
        st.tuples(st.integers(1, 3), st.integers(0, 9), st.integers(1, 6)),
        elements=st.one_of(st.just(np.nan), st.floats(-1e4, 1e4, allow_nan=False)),
    )
)
def test_nan_median_is_numpys_nanmedian(stack: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = (
            np.nanmedian(stack, axis=1)
            if stack.shape[1]
            else np.full((stack.shape[0], stack.shape[2]), np.nan)
        )
    np.testing.assert_allclose(nan_median(stack), expected, rtol=1e-12, equal_nan=True)
