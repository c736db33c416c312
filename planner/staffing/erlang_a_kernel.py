"""Erlang A's mean-wait series, compiled with numba (see `planner.staffing.erlang_a`).

Imported only when an ASA is computed, so the CLI starts without numba. Each element's
series is summed outward from its largest term by the term ratios, so a cell costs a few
multiplications instead of two log-gamma and two digamma evaluations.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.staffing.erlang_c import FloatArray

# A term below this share of the running sum ends a side of the series: past the mode
# the terms fall at least geometrically, so the rest adds less than the rounding.
_NEGLIGIBLE = 1e-20


@njit(cache=True, nogil=True)
def served_wait_series(
    x: FloatArray,
    y: FloatArray,
    theta: FloatArray,
    peak: FloatArray,
    weight: FloatArray,
    stage: FloatArray,
    first: FloatArray,
    last: FloatArray,
) -> FloatArray:
    """``sum_j w_j y / (y + j + 1) stage_j`` over j in [first, last] per element.

    `weight` and `stage` are ``w_j`` and ``stage_j`` at ``j = peak`` (the mode of the
    weights); ``w_{j+1} = w_j x / (y + j + 1)`` and
    ``stage_{j+1} = stage_j + 1 / (theta (y + j + 2))``.
    """
    out = np.zeros(x.size)
    for e in range(x.size):
        xe, ye, th = x[e], y[e], theta[e]
        p = peak[e]
        total = weight[e] * ye / (ye + p + 1.0) * stage[e]
        w, s, j = weight[e], stage[e], p
        while j < last[e]:
            w *= xe / (ye + j + 1.0)
            s += 1.0 / (th * (ye + j + 2.0))
            j += 1.0
            term = w * ye / (ye + j + 1.0) * s
            total += term
            if term <= _NEGLIGIBLE * total:
                break
        w, s, j = weight[e], stage[e], p
        while j > first[e]:
            w *= (ye + j) / xe
            s -= 1.0 / (th * (ye + j + 1.0))
            j -= 1.0
            term = w * ye / (ye + j + 1.0) * s
            total += term
            if term <= _NEGLIGIBLE * total:
                break
        out[e] = total
    return out
