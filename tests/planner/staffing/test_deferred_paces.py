"""The deferred queue's pace search against a brute-force scan of every later due point."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.staffing.deferred import PACE_BLOCK, due_intervals, plan_deferred

INTERVAL_S = 900.0


def brute_force_agents(
    volume: np.ndarray, aht: np.ndarray, is_open: np.ndarray, window_s: float, fraction: float
) -> np.ndarray:
    """The definition, interval by interval: max over every later due point of shortfall / time."""
    count = volume.size
    work = volume * aht
    cum_work = np.cumsum(work)
    before = cum_work - work
    due_idx = due_intervals(is_open, math.ceil(window_s / INTERVAL_S - 1e-9))
    due_curve = np.zeros(count)
    for t in range(count):
        if due_idx[t] >= 0:
            due_curve[due_idx[t]] = max(due_curve[due_idx[t]], before[t] + fraction * work[t])
    due_curve = np.maximum.accumulate(due_curve)
    open_cum = np.cumsum(is_open)
    last_due = int(due_idx.max()) if (due_idx >= 0).any() else -1
    agents = np.zeros(count)
    done = 0.0
    for t in range(count):
        if not is_open[t]:
            continue
        if t <= last_due:
            paces = [
                (due_curve[k] - done) / ((open_cum[k] - open_cum[t] + 1) * INTERVAL_S)
                for k in range(t, last_due + 1)
            ]
            agents[t] = max(0.0, max(paces))
        done += min(agents[t] * INTERVAL_S, cum_work[t] - done)
    return agents


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 3 * PACE_BLOCK),
    open_share=st.floats(0.1, 1.0),
    window_intervals=st.sampled_from([1, 4, 16, 96, 300]),
    fraction=st.floats(0.0, 1.0),
)
def test_paces_equal_the_brute_force_scan(
    seed: int, count: int, open_share: float, window_intervals: int, fraction: float
) -> None:
    rng = np.random.default_rng(seed)
    volume = rng.gamma(0.5, 6.0, count) * (rng.random(count) < 0.7)
    aht = rng.uniform(60.0, 900.0, count)
    is_open = rng.random(count) < open_share
    window_s = window_intervals * INTERVAL_S
    plan = plan_deferred(volume, aht, is_open, INTERVAL_S, window_s, fraction=fraction)
    expected = brute_force_agents(volume, aht, is_open, window_s, fraction)
    np.testing.assert_allclose(plan.agents, expected, rtol=1e-9, atol=1e-9)
