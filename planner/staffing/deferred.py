"""Deferred work (email, web tickets): answered within a response window, backlog carried.

Model (a fluid first-in-first-out queue over the interval grid):

* work arriving in interval t is ``volume x AHT`` agent-seconds, available from the
  start of t; agents work at most `max_occupancy` of their time;
* the share `fraction` of each interval's arrivals is due when the response window
  has elapsed in *open* time (the business-hours clock helpdesk SLAs use): a ticket
  sent at night with a 4-hour window waits at opening and is due 4 open hours later;
  in a 24/7 queue open time is calendar time;
* in FIFO order, meeting that share for interval t means the work done by its due
  point covers all work before t plus ``fraction x`` the work of t, so the due
  amounts form a non-decreasing curve D(k);
* each open interval staffs the lowest even pace that still meets every later due
  point (``max_k (D(k) - done) / open time until k``), as a fractional number of
  agents: ticket work is shared with an agent's other queues within an interval, so
  whole heads are formed only where the roster pools the queues. This spreads the
  backlog over the hours available instead of cramming it in.

Closed intervals staff nobody and carry the backlog. Work still waiting at the end of
the horizon is reported as backlog, not forced into the last intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from forecasting.errors import InputError
from planner.staffing.erlang_c import FloatArray, IntArray, check_finite_nonnegative, check_positive
from planner.staffing.status import Status


@dataclass(frozen=True)
class DeferredPlan:
    """Agents per interval for one deferred queue and the predicted backlog.

    Attributes:
        agents: agents required per interval (0 when closed).
        processed_s: agent-seconds of work done per interval.
        backlog: contacts waiting at the end of each interval.
        backlog_s: agent-seconds of work waiting at the end of each interval.
        service_level: share of the interval's arrivals answered within the window,
            counted in open time (1 when nothing arrived; when the due point lies past
            the horizon only the work done inside it counts: a lower bound).
        occupancy: share of staffed time spent working (0 when nobody is staffed).
        status: `Status` codes: OK, or CLOSED outside the opening hours.
    """

    agents: FloatArray
    processed_s: FloatArray
    backlog: FloatArray
    backlog_s: FloatArray
    service_level: FloatArray
    occupancy: FloatArray
    status: NDArray[np.int8]


def due_intervals(open_mask: NDArray[np.bool_], window_intervals: int) -> IntArray:
    """Interval index by whose end each interval's arrivals are due (-1: beyond the horizon).

    The window runs in open time only (a business-hours clock, as helpdesk SLAs count
    it): arrivals in interval t are due at the end of the interval in which the
    ``window_intervals``-th open interval from t (t included when open) ends.
    """
    count = open_mask.size
    window = max(int(window_intervals), 1)
    open_cum = np.cumsum(open_mask.astype(np.int64))
    open_before = open_cum - open_mask.astype(np.int64)
    due = np.searchsorted(open_cum, open_before + window, side="left")
    return np.where(due < count, due, -1).astype(np.int64)


# Due points a pace search bounds together (see `planner.staffing.deferred_kernel.steepest`).
PACE_BLOCK = 32


def _even_paces(
    due_curve: FloatArray,
    cum_work: FloatArray,
    is_open: NDArray[np.bool_],
    due_idx: IntArray,
    per_agent: float,
) -> tuple[FloatArray, FloatArray]:
    """Agents and work done per interval: each open interval's lowest pace meeting every due point.

    The pace at t is the steepest slope from (open intervals before t, work done) to any
    later due point (open intervals up to k, D(k)). Working at that pace moves along the
    line to the binding point k*, so the next interval's pace is the same until t passes
    k* or less work was available than the pace would do: only then is it searched again.
    The loop runs compiled (`planner.staffing.deferred_kernel`): a year of 15-minute
    intervals is 35,040 steps per queue.
    """
    from planner.staffing.deferred_kernel import even_paces

    last_due = int(due_idx.max()) if (due_idx >= 0).any() else -1
    agents, processed = even_paces(
        np.ascontiguousarray(due_curve, dtype=np.float64),
        np.ascontiguousarray(cum_work, dtype=np.float64),
        np.ascontiguousarray(is_open, dtype=np.bool_),
        last_due,
        float(per_agent),
        PACE_BLOCK,
    )
    return agents, processed


def plan_deferred(
    volume: ArrayLike,
    aht_s: ArrayLike,
    open_mask: ArrayLike,
    interval_s: float,
    window_s: float,
    *,
    fraction: float = 1.0,
    max_occupancy: float = 1.0,
    initial_backlog_s: float = 0.0,
) -> DeferredPlan:
    """Agents per open interval so that `fraction` of work is answered within `window_s`.

    Args:
        volume: contacts arriving per interval (>= 0), in time order.
        aht_s: handle seconds per contact per interval (> 0).
        open_mask: True where the queue is staffed (coverage policy).
        interval_s: interval length in seconds.
        window_s: response window in seconds (e.g. 86_400 for "within a day").
        fraction: share of each interval's contacts to answer within the window.
        max_occupancy: share of staffed time that can be spent on the work.
        initial_backlog_s: agent-seconds waiting before the first interval (due at once).
    """
    vol = np.asarray(volume, dtype=float)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), vol.shape)
    is_open = np.broadcast_to(np.asarray(open_mask, dtype=bool), vol.shape)
    check_finite_nonnegative(vol, "volume")
    check_positive(aht, "aht_s")
    if not (interval_s > 0 and window_s > 0 and 0 <= fraction <= 1 and 0 < max_occupancy <= 1):
        raise InputError(
            "deferred work: expected interval_s > 0, window_s > 0, fraction in [0, 1] and "
            f"max_occupancy in (0, 1], got {interval_s}, {window_s}, {fraction}, {max_occupancy}"
        )
    count = vol.size
    work = vol * aht
    cum_work = initial_backlog_s + np.cumsum(work)
    before = cum_work - work
    due_idx = due_intervals(is_open, math.ceil(window_s / interval_s - 1e-9))
    due_curve = np.zeros(count)
    has_due = due_idx >= 0
    np.maximum.at(due_curve, due_idx[has_due], (before + fraction * work)[has_due])
    if initial_backlog_s > 0 and is_open.any():
        first = int(np.flatnonzero(is_open)[0])
        due_curve[first] = max(due_curve[first], initial_backlog_s)
    due_curve = np.maximum.accumulate(due_curve)
    per_agent = interval_s * max_occupancy
    agents, processed = _even_paces(due_curve, cum_work, is_open, due_idx, per_agent)
    done_cum = np.cumsum(processed)
    backlog_s = cum_work - done_cum
    cum_vol = np.cumsum(vol)
    # FIFO: the contacts done are those whose cumulative work lies below the work done.
    contacts_done = np.interp(
        done_cum, np.concatenate(([initial_backlog_s], cum_work)), np.concatenate(([0.0], cum_vol))
    )
    backlog = cum_vol - contacts_done
    deadline = np.where(due_idx >= 0, due_idx, count - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (done_cum[deadline] - before) / work
    service_level = np.where(work > 0, np.clip(share, 0.0, 1.0), 1.0)
    staffed = agents * interval_s
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(staffed > 0, processed / staffed, 0.0)
    status = np.where(is_open, Status.OK, Status.CLOSED).astype(np.int8)
    return DeferredPlan(
        agents=agents,
        processed_s=processed,
        backlog=np.maximum(backlog, 0.0),
        backlog_s=np.maximum(backlog_s, 0.0),
        service_level=service_level,
        occupancy=occ,
        status=status,
    )
