"""Contacts drawn from a forecast: Poisson arrivals per interval and handle times.

For replications of a plan rather than a replay of recorded tickets: each seed draws
its own arrivals, so the intervals carry the forecast's randomness as well as the queue's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from forecasting.errors import InputError
from simulation.model import FloatArray, IntArray


def poisson_arrivals(
    interval_start_s: ArrayLike,
    interval_s: float,
    expected: ArrayLike,
    rng: np.random.Generator,
    dispersion: float = 0.0,
) -> tuple[FloatArray, IntArray]:
    """Arrival instants, uniform within each interval, and the interval each came in.

    Args:
        interval_start_s: start of each interval in seconds.
        interval_s: interval length in seconds.
        expected: expected contacts per interval (the forecast).
        rng: the random generator of the replication.
        dispersion: over-dispersion; 0 gives Poisson counts, d > 0 gives counts whose
            variance is ``mean + d x mean^2`` (a gamma-mixed Poisson, mean kept).

    Returns:
        Sorted arrival seconds and the index of each one's interval.
    """
    starts = np.asarray(interval_start_s, dtype=float)
    mean = np.asarray(expected, dtype=float)
    if starts.shape != mean.shape or starts.ndim != 1:
        raise InputError("expected: one value per interval start")
    if not (np.isfinite(mean).all() and (mean >= 0).all()):
        raise InputError("expected: contacts per interval must be finite and >= 0")
    if not (interval_s > 0 and dispersion >= 0):
        raise InputError("interval_s must be > 0 and dispersion >= 0")
    if dispersion > 0:
        mean = mean * rng.gamma(1.0 / dispersion, dispersion, mean.shape)
    counts = rng.poisson(mean)
    interval = np.repeat(np.arange(starts.shape[0]), counts)
    arrival = starts[interval] + rng.random(interval.shape[0]) * interval_s
    order = np.argsort(arrival, kind="stable")
    return arrival[order], interval[order].astype(np.int64)


def lognormal_handle_s(mean_s: ArrayLike, cv: float, rng: np.random.Generator) -> FloatArray:
    """Lognormal handle times with the given means (one per contact) and coefficient of variation."""
    mean = np.asarray(mean_s, dtype=float)
    if not ((mean > 0).all() and cv >= 0):
        raise InputError("handle means must be > 0 and cv >= 0")
    sigma2 = np.log1p(cv**2)
    return np.asarray(mean * rng.lognormal(-sigma2 / 2, np.sqrt(sigma2), mean.shape))


def empirical_handle_s(observed_s: ArrayLike, size: int, rng: np.random.Generator) -> FloatArray:
    """Handle times resampled from observed ones (e.g. a queue's imported tickets)."""
    pool = np.asarray(observed_s, dtype=float)
    pool = pool[np.isfinite(pool) & (pool > 0)]
    if pool.size == 0:
        raise InputError("observed handle times: expected at least one positive value")
    return np.asarray(rng.choice(pool, size=size))
