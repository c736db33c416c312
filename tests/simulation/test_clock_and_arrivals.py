from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulation.arrivals import empirical_handle_s, lognormal_handle_s, poisson_arrivals
from simulation.clock import open_seconds

WINDOWS = np.array([[10.0, 20.0], [30.0, 50.0], [100.0, 110.0]])


def test_open_seconds_counts_only_open_time() -> None:
    got = open_seconds(WINDOWS, [0, 15, 15, 60, 0, 25], [5, 18, 35, 70, 200, np.nan])
    assert got[:5].tolist() == [0, 3, 10, 0, 40]
    assert np.isnan(got[5])
    assert open_seconds(None, [1.0], [4.0]).tolist() == [3.0]


@given(st.lists(st.floats(-50, 200), min_size=3, max_size=3))
def test_open_seconds_adds_up_and_never_exceeds_the_span(points: list[float]) -> None:
    a, b, c = sorted(points)
    ab, bc, ac = (open_seconds(WINDOWS, [x], [y])[0] for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == pytest.approx(ac)
    assert 0 <= ac <= c - a + 1e-9
    # brute force on a fine grid
    grid = np.arange(a, c, 0.01)
    inside = ((grid[:, None] >= WINDOWS[:, 0]) & (grid[:, None] < WINDOWS[:, 1])).any(axis=1)
    assert ac == pytest.approx(inside.sum() * 0.01, abs=0.05)


def test_poisson_counts_have_the_forecast_mean_and_variance() -> None:
    rng = np.random.default_rng(3)
    starts = np.arange(20_000) * 900.0
    arrival, interval = poisson_arrivals(starts, 900.0, np.full(20_000, 12.0), rng)
    counts = np.bincount(interval, minlength=20_000)
    assert (np.diff(arrival) >= 0).all()
    assert ((arrival >= starts[interval]) & (arrival < starts[interval] + 900)).all()
    se = np.sqrt(12.0 / 20_000)
    assert abs(counts.mean() - 12.0) < 4 * se
    assert counts.var() == pytest.approx(12.0, rel=0.05)


def test_over_dispersion_raises_the_variance_as_stated() -> None:
    rng = np.random.default_rng(4)
    _, interval = poisson_arrivals(
        np.arange(40_000) * 900.0, 900.0, np.full(40_000, 10.0), rng, 0.1
    )
    counts = np.bincount(interval, minlength=40_000)
    assert counts.mean() == pytest.approx(10.0, rel=0.02)
    assert counts.var() == pytest.approx(10.0 + 0.1 * 100.0, rel=0.06)


def test_lognormal_handle_times_have_the_mean_and_cv() -> None:
    rng = np.random.default_rng(5)
    h = lognormal_handle_s(np.full(400_000, 300.0), 0.8, rng)
    assert h.mean() == pytest.approx(300.0, rel=0.01)
    assert h.std() / h.mean() == pytest.approx(0.8, rel=0.03)


def test_empirical_handle_times_come_from_the_sample() -> None:
    got = empirical_handle_s([10.0, 20.0, np.nan, -1.0], 100, np.random.default_rng(6))
    assert set(got.tolist()) <= {10.0, 20.0}
