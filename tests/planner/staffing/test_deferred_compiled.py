"""The compiled deferred pace loop gives the very numbers of the interpreted loop it replaced.

`reference_even_paces` is the numpy implementation `planner.staffing.deferred` used before
the loop was compiled (issue 30), kept here verbatim as the reference: every field of the
plan must be equal, not close.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.staffing import deferred
from planner.staffing.deferred import plan_deferred
from planner.staffing.deferred_kernel import SPAN
from planner.staffing.erlang_c import FloatArray, IntArray

INTERVAL_S = 900.0
# The block size of the numpy search (any size gives the same paces).
PACE_BLOCK = 256


def reference_even_paces(
    due_curve: FloatArray,
    cum_work: FloatArray,
    is_open: np.ndarray,
    due_idx: IntArray,
    per_agent: float,
) -> tuple[FloatArray, FloatArray]:
    """Agents and work done per interval: each open interval's lowest pace meeting every due point.

    The pace at t is the steepest slope from (open intervals before t, work done) to any
    later due point (open intervals up to k, D(k)). Working at that pace moves along the
    line to the binding point k*, so the next interval's pace is the same until t passes
    k* or less work was available than the pace would do: only then is it searched again.
    A search scans PACE_BLOCK points exactly and skips every later block whose bound
    (its last due amount over its first open time) cannot beat the best found.
    """
    count = due_curve.size
    agents = np.zeros(count)
    processed = np.zeros(count)
    last_due = int(due_idx.max()) if (due_idx >= 0).any() else -1
    open_cum = np.cumsum(is_open).astype(float)
    block_first = np.arange(0, last_due + 1, PACE_BLOCK)
    block_last = np.minimum(block_first + PACE_BLOCK - 1, last_due)
    blocks = (block_first, open_cum[block_first], open_cum[block_last], due_curve[block_last])
    open_list = is_open.tolist()
    cum_list = cum_work.tolist()
    done = 0.0
    pace = 0.0
    binding = -1
    on_line = False
    for t in range(count):
        if not open_list[t]:
            continue
        if t <= last_due:
            if not (on_line and t <= binding):
                pace, binding = reference_steepest(due_curve, open_cum, t, last_due, done, blocks)
                pace /= per_agent
            agents[t] = max(0.0, pace)
        work = agents[t] * per_agent
        available = cum_list[t] - done
        did = work if work <= available else available
        processed[t] = did
        done += did
        on_line = pace >= 0.0 and did == work
    return agents, processed


def reference_steepest(
    due_curve: FloatArray,
    open_cum: FloatArray,
    t: int,
    last_due: int,
    done: float,
    blocks: tuple[IntArray, FloatArray, FloatArray, FloatArray],
) -> tuple[float, int]:
    """The steepest (D(k) - done) / (open intervals from t to k) over k in [t, last_due], and k.

    `blocks`: each block's first index, open count at its first and last index, and due
    amount at its last (the largest in it: D never falls).
    """
    block_first, open_first, open_last, due_last = blocks
    before = open_cum[t] - 1.0
    end = min(last_due + 1, (t // PACE_BLOCK + 2) * PACE_BLOCK)
    slopes = (due_curve[t:end] - done) / (open_cum[t:end] - before)
    at = int(np.argmax(slopes))
    best, binding = float(slopes[at]), t + at
    later = np.arange(-(-end // PACE_BLOCK), block_first.size)
    if later.size:
        # A block's steepest slope is at most its largest shortfall over its shortest
        # open time (its longest when every shortfall in it is negative).
        shortfall = due_last[later] - done
        spans = np.where(shortfall > 0, open_first[later], open_last[later]) - before
        bounds = shortfall / spans
        for j in later[bounds > best]:
            first = int(block_first[j])
            last = min(first + PACE_BLOCK, last_due + 1)
            slopes = (due_curve[first:last] - done) / (open_cum[first:last] - before)
            at = int(np.argmax(slopes))
            if slopes[at] > best:
                best, binding = float(slopes[at]), first + at
    return best, binding


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    count=st.integers(1, 3 * SPAN * deferred.PACE_BLOCK),
    open_share=st.floats(0.05, 1.0),
    window_intervals=st.sampled_from([1, 3, 16, 96, 300, 700]),
    fraction=st.floats(0.0, 1.0),
    max_occupancy=st.floats(0.3, 1.0),
    initial_backlog_s=st.sampled_from([0.0, 1_000.0, 250_000.0]),
    sparse=st.booleans(),
)
def test_compiled_paces_equal_the_reference_loop(
    seed: int,
    count: int,
    open_share: float,
    window_intervals: int,
    fraction: float,
    max_occupancy: float,
    initial_backlog_s: float,
    sparse: bool,
) -> None:
    rng = np.random.default_rng(seed)
    volume = rng.gamma(0.5, 6.0, count) * (rng.random(count) < (0.1 if sparse else 0.8))
    aht = rng.uniform(60.0, 900.0, count)
    # Opening hours in runs (a business day) or scattered intervals.
    runs = np.repeat(rng.random(count // 8 + 1) < open_share, 8)[:count]
    is_open = runs if seed % 2 else rng.random(count) < open_share
    args = (volume, aht, is_open, INTERVAL_S, window_intervals * INTERVAL_S)
    options = {
        "fraction": fraction,
        "max_occupancy": max_occupancy,
        "initial_backlog_s": initial_backlog_s,
    }
    fast = plan_deferred(*args, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deferred, "_even_paces", reference_even_paces)
        slow = plan_deferred(*args, **options)
    for field in dataclasses.fields(fast):
        np.testing.assert_array_equal(
            getattr(fast, field.name), getattr(slow, field.name), err_msg=field.name
        )
