"""The deferred queue's interval loop, compiled with numba (see `planner.staffing.deferred`).

Imported only when a deferred queue is staffed, so the CLI starts without numba. Plain
IEEE arithmetic in the order the model states it (no fastmath), so the paces are the
same numbers an interpreted loop gives.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.staffing.erlang_c import FloatArray

# Blocks of due points bounded together (a group) before its runs are bounded one by one.
SPAN = 32
# Blocks bounded together inside a group before its blocks are bounded one by one.
RUN = 4


@njit(cache=True, nogil=True)
def even_paces(
    due_curve: FloatArray,
    cum_work: FloatArray,
    is_open: np.ndarray,
    last_due: int,
    per_agent: float,
    block: int,
) -> tuple[FloatArray, FloatArray]:
    """Agents and work done per interval (`planner.staffing.deferred._even_paces`)."""
    count = due_curve.size
    agents = np.zeros(count)
    processed = np.zeros(count)
    open_cum = np.zeros(count)
    running = 0.0
    for t in range(count):
        if is_open[t]:
            running += 1.0
        open_cum[t] = running
    done = 0.0
    pace = 0.0
    binding = -1
    on_line = False
    for t in range(count):
        if not is_open[t]:
            continue
        if t <= last_due:
            if not (on_line and t <= binding):
                pace, binding = steepest(due_curve, open_cum, t, last_due, done, block)
                pace /= per_agent
            agents[t] = pace if pace > 0.0 else 0.0
        work = agents[t] * per_agent
        available = cum_work[t] - done
        did = work if work <= available else available
        processed[t] = did
        done += did
        on_line = pace >= 0.0 and did == work
    return agents, processed


@njit(cache=True, nogil=True)
def steepest(
    due_curve: FloatArray, open_cum: FloatArray, t: int, last_due: int, done: float, block: int
) -> tuple[float, int]:
    """The steepest (D(k) - done) / (open intervals from t to k) over k in [t, last_due], and k.

    The first k reaching the steepest slope. The rest of t's block of due points is
    scanned exactly; every later block, every run of RUN blocks and every group of SPAN
    blocks only when its bound beats the best found: the steepest slope in a range is
    at most its largest shortfall (D never falls: the one at its last index) over its
    shortest open time (its longest when every shortfall in it is negative). A skipped range cannot hold a
    steeper slope, so the answer is that of a scan of every k.
    """
    before = open_cum[t] - 1.0
    group = block * SPAN
    run = block * RUN
    best = -np.inf
    binding = t
    k = t
    while k <= last_due:
        if k > t and k % group == 0:
            last = min(k + group - 1, last_due)
            if not _bound(due_curve, open_cum, k, last, done, before) > best:
                k = last + 1
                continue
        if k > t and k % run == 0:
            last = min(k + run - 1, last_due)
            if not _bound(due_curve, open_cum, k, last, done, before) > best:
                k = last + 1
                continue
        last = min((k // block + 1) * block - 1, last_due)
        if k == t or _bound(due_curve, open_cum, k, last, done, before) > best:
            for j in range(k, last + 1):
                slope = (due_curve[j] - done) / (open_cum[j] - before)
                if slope > best:
                    best = slope
                    binding = j
        k = last + 1
    return best, binding


@njit(cache=True, nogil=True)
def _bound(
    due_curve: FloatArray, open_cum: FloatArray, first: int, last: int, done: float, before: float
) -> float:
    """An upper bound of the slopes to the due points first..last (see `steepest`)."""
    shortfall = due_curve[last] - done
    span = (open_cum[first] if shortfall > 0 else open_cum[last]) - before
    return shortfall / span
