"""The open-hours clock: how many seconds of a span fall inside a queue's opening windows.

Deferred work waits through closed hours; its first-reply and resolution targets are
measured only while the queue is open.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from simulation.model import FloatArray


def open_seconds(windows: FloatArray | None, start_s: ArrayLike, end_s: ArrayLike) -> FloatArray:
    """Seconds of each span [start, end) inside the [start, end) rows of `windows`.

    Args:
        windows: (k, 2) sorted disjoint opening windows in seconds, or None (always open).
        start_s: span starts in seconds.
        end_s: span ends in seconds (NaN propagates: a contact never served).
    """
    start = np.asarray(start_s, dtype=float)
    end = np.asarray(end_s, dtype=float)
    if windows is None:
        return np.asarray(end - start)
    return np.asarray(_open_before(windows, end) - _open_before(windows, start))


def _open_before(windows: FloatArray, t: FloatArray) -> FloatArray:
    """Open seconds from the first window's start up to each instant `t`."""
    opens, closes = windows[:, 0], windows[:, 1]
    done = np.concatenate([[0.0], np.cumsum(closes - opens)])
    safe = np.nan_to_num(t, nan=0.0)
    i = np.searchsorted(opens, safe, side="right") - 1
    inside = np.clip(safe - opens[np.maximum(i, 0)], 0.0, (closes - opens)[np.maximum(i, 0)])
    out = np.where(i < 0, 0.0, done[np.maximum(i, 0)] + inside)
    return np.where(np.isnan(t), np.nan, out)
