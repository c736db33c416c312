"""Per-contact simulation results tallied into the outcomes frame, per interval and queue.

The same columns as `evaluation.analytic` (`evaluation.schema.OUTCOMES`: the outcomes file's
columns plus `agents_available`, `open`, `sl_censored`), so the report and `sla_weights` read both alike. Definitions:

* offered: contacts arriving in the interval (escalated follow-ups when Tier 1 ends them);
* handled: contacts whose service starts in the interval (answered, first reply given);
* abandoned: contacts that gave up in the interval; a phone or chat contact arriving
  while its queue is closed is abandoned on arrival (as in the analytic evaluation);
* backlog: contacts waiting at the interval's end, so per queue
  ``backlog[t] = backlog[t-1] + offered[t] - handled[t] - abandoned[t]``;
* service_level: share of the interval's arrivals answered within the target (1 when none
  counts). Phone and chat count wall-clock seconds; email, web and social count the
  queue's open seconds only (the helpdesk's business-hours clock) and their window is
  `target.within_seconds` of open time. Abandoned contacts are misses. A contact whose
  deadline lies past the horizon while it still waits is censored: left out, and its
  interval flagged `sl_censored`;
* asa_seconds: mean wall-clock wait of the contacts handled in the interval;
* occupancy: busy share of the on-queue time (on-floor less shrinkage) of the agents able
  to serve the queue, all their work counted (a chat in one of k slots is 1/k busy);
* agents_available: those agents' on-queue heads in the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evaluation.schema import OUTCOMES
from evaluation.workforce import Workforce
from scenarios.coverage import coverage_mask
from scenarios.spec import DEFERRED_CHANNELS, Scenario
from simulation.clock import open_seconds

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_TOL_S = 1e-6


@dataclass(frozen=True)
class Served:
    """What happened to each contact in one replication (arrays of one length).

    Attributes:
        arrival_s: arrival, seconds from the horizon start.
        queue: position in `scenario.queues`.
        start_s: service start (NaN if never served).
        end_s: service end (NaN if never served or still in service at the horizon).
        agent: serving agent (-1 if none).
        abandoned_s: instant it gave up (NaN if it did not).
    """

    arrival_s: FloatArray
    queue: IntArray
    start_s: FloatArray
    end_s: FloatArray
    agent: IntArray
    abandoned_s: FloatArray

    @property
    def waiting(self) -> BoolArray:
        """Contacts neither served nor abandoned by the horizon."""
        return np.isnan(self.start_s) & np.isnan(self.abandoned_s)


def open_windows(open_mask: BoolArray, step_s: float) -> list[FloatArray]:
    """Per queue, the [start, end) seconds of each run of open intervals."""
    out = []
    for row in open_mask:
        edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        out.append(np.column_stack((starts * step_s, ends * step_s)).astype(float))
    return out


@dataclass(frozen=True)
class Verdicts:
    """Per contact: whether it counts in the service level, and whether it met the target."""

    counted: BoolArray
    met: BoolArray
    censored: BoolArray
    wait_s: FloatArray


def verdicts(scenario: Scenario, served: Served, open_mask: BoolArray, step_s: float) -> Verdicts:
    """Which contacts count in SLA attainment and which met their target (module docstring)."""
    deferred = np.array([q.channel in DEFERRED_CHANNELS for q in scenario.queues])
    target = np.array([q.target.within_seconds for q in scenario.queues])
    q = served.queue
    n = open_mask.shape[1]
    horizon_s = n * step_s
    k = np.clip((served.arrival_s // step_s).astype(np.int64), 0, n - 1)
    arrived_open = open_mask[q, k]
    start = served.start_s
    started = ~np.isnan(start)
    wall_wait = np.where(started, start - served.arrival_s, np.nan)
    wait = wall_wait.copy()
    # Open time left in the horizon: a waiting contact whose target lies beyond is censored.
    left = horizon_s - served.arrival_s
    windows = open_windows(open_mask, step_s)
    for i in np.flatnonzero(deferred):
        mine = q == i
        wait[mine] = open_seconds(windows[i], served.arrival_s[mine], start[mine])
        left[mine] = open_seconds(
            windows[i], served.arrival_s[mine], np.full(int(mine.sum()), horizon_s)
        )
    met = started & (wait <= target[q] + _TOL_S)
    censored = served.waiting & (left < target[q] - _TOL_S)
    counted = arrived_open & ~censored
    return Verdicts(
        counted=counted, met=met & counted, censored=censored & arrived_open, wait_s=wall_wait
    )


def busy_by_interval(
    served: Served, workforce: Workforce, weight: FloatArray, n: int, step_s: float
) -> FloatArray:
    """(agents x intervals) busy seconds; each contact weighs `weight` (1/slots for chat)."""
    has = (served.agent >= 0) & ~np.isnan(served.start_s)
    end = np.where(np.isnan(served.end_s), n * step_s, served.end_s)
    return _spread(
        served.agent[has], served.start_s[has], end[has], weight[has], workforce.size, n, step_s
    )


def available_by_interval(workforce: Workforce, n: int, step_s: float) -> FloatArray:
    """(agents x intervals) on-floor seconds."""
    ones = np.ones(workforce.period_agent.size)
    return _spread(
        workforce.period_agent,
        workforce.period_start_s,
        workforce.period_end_s,
        ones,
        workforce.size,
        n,
        step_s,
    )


def _spread(
    row: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    weight: FloatArray,
    rows: int,
    n: int,
    step_s: float,
) -> FloatArray:
    """Sum of weighted span lengths falling in each interval, per row.

    Uses the integral G(x) = sum_i w_i clip(x - lo_i, 0, hi_i - lo_i), evaluated at the
    interval edges: a span adds w (x - lo) from lo on and takes w (x - hi) off from hi on.
    """
    edges: FloatArray = np.arange(n + 1, dtype=float) * step_s
    out = np.zeros((rows, n))
    if row.size == 0:
        return out
    order = np.argsort(row, kind="stable")
    row, lo, hi, weight = row[order], lo[order], hi[order], weight[order]
    bounds = np.searchsorted(row, np.arange(rows + 1))
    for r in range(rows):
        a, b = bounds[r], bounds[r + 1]
        if a == b:
            continue
        g = _ramp(lo[a:b], weight[a:b], edges) - _ramp(hi[a:b], weight[a:b], edges)
        out[r] = np.diff(g)
    return out


def _ramp(points: FloatArray, weight: FloatArray, edges: FloatArray) -> FloatArray:
    """sum_i w_i max(x - p_i, 0) at each x of `edges`."""
    order = np.argsort(points)
    p, w = points[order], weight[order]
    cw = np.concatenate(([0.0], np.cumsum(w)))
    cwp = np.concatenate(([0.0], np.cumsum(w * p)))
    idx = np.searchsorted(p, edges, side="left")
    return np.asarray(edges * cw[idx] - cwp[idx], dtype=float)


def contact_weights(scenario: Scenario, served: Served, workforce: Workforce) -> FloatArray:
    """Share of its agent a contact occupies: 1/slots for chat, 1 otherwise."""
    chat = np.array([q.channel == "chat" for q in scenario.queues])
    slots = np.ones(served.agent.size)
    by_agent = served.agent >= 0
    slots[by_agent] = workforce.chat_slots[served.agent[by_agent]]
    return np.where(chat[served.queue], 1.0 / slots, 1.0)


@dataclass(frozen=True)
class Horizon:
    """The outcomes grid and what every replication shares on it.

    Attributes:
        grid: the UTC intervals.
        step_s: interval length.
        open_mask: (queues x intervals) coverage.
        pool_on_queue_s: (queues x intervals) on-queue seconds (on the floor less
            shrinkage) of the agents able to serve each queue.
    """

    grid: pd.DatetimeIndex
    step_s: float
    open_mask: BoolArray
    pool_on_queue_s: FloatArray


def horizon_of(scenario: Scenario, grid: pd.DatetimeIndex, workforce: Workforce) -> Horizon:
    """Coverage and the agents' on-queue time on the grid, computed once for every run."""
    n, nq = len(grid), len(scenario.queues)
    step_s = (grid[1] - grid[0]).total_seconds()
    open_mask = np.array([coverage_mask(q.coverage, grid) for q in scenario.queues]).reshape(nq, n)
    on_queue = available_by_interval(workforce, n, step_s) * (1.0 - workforce.shrinkage)[:, None]
    return Horizon(grid, step_s, open_mask, workforce.skills.T.astype(float) @ on_queue)


@dataclass(frozen=True)
class Tally:
    """One replication counted per queue (rows) and interval (columns); see the module docstring."""

    offered: FloatArray
    handled: FloatArray
    abandoned: FloatArray
    counted: FloatArray
    met: FloatArray
    censored: BoolArray
    wait_sum_s: FloatArray
    pool_busy_s: FloatArray


def tally(
    scenario: Scenario, horizon: Horizon, served: Served, v: Verdicts, workforce: Workforce
) -> Tally:
    """Count one replication's contacts into the cells of the horizon."""
    nq, n = horizon.open_mask.shape
    step_s = horizon.step_s
    q = served.queue

    def count(sel: BoolArray, t_s: FloatArray, values: FloatArray | None = None) -> FloatArray:
        k = np.clip((np.nan_to_num(t_s) // step_s).astype(np.int64), 0, n - 1)
        idx = (q * n + k)[sel]
        w = None if values is None else values[sel]
        return np.bincount(idx, weights=w, minlength=nq * n).reshape(nq, n).astype(float)

    started = ~np.isnan(served.start_s)
    busy = busy_by_interval(
        served, workforce, contact_weights(scenario, served, workforce), n, step_s
    )
    return Tally(
        offered=count(np.ones(q.size, dtype=bool), served.arrival_s),
        handled=count(started, served.start_s),
        abandoned=count(~np.isnan(served.abandoned_s), served.abandoned_s),
        counted=count(v.counted, served.arrival_s),
        met=count(v.met, served.arrival_s),
        censored=count(v.censored, served.arrival_s) > 0,
        wait_sum_s=count(started, served.start_s, np.nan_to_num(v.wait_s)),
        pool_busy_s=workforce.skills.T.astype(float) @ busy,
    )


def outcomes_frame(scenario: Scenario, horizon: Horizon, tallies: list[Tally]) -> pd.DataFrame:
    """The outcomes frame (`evaluation.schema.OUTCOMES`) of one or more replications, by queue then time.

    Counts are means over the replications; service level, ASA and occupancy pool the
    replications' contacts and time (met / counted, wait / handled, busy / on-queue);
    `sl_censored` is set where any replication has a censored contact.
    """
    k = len(tallies)

    def total(name: str) -> FloatArray:
        return np.asarray(sum(getattr(t, name) for t in tallies), dtype=float)

    offered, handled, abandoned = total("offered"), total("handled"), total("abandoned")
    counted, met, wait_sum, busy = (
        total("counted"),
        total("met"),
        total("wait_sum_s"),
        total("pool_busy_s"),
    )
    censored = np.any([t.censored for t in tallies], axis=0)
    pool_time = horizon.pool_on_queue_s * k
    with np.errstate(divide="ignore", invalid="ignore"):
        service = np.where(counted > 0, met / counted, 1.0)
        asa = np.where(handled > 0, wait_sum / handled, 0.0)
        occupancy = np.where(pool_time > 0, np.clip(busy / pool_time, 0.0, 1.0), 0.0)
    backlog = np.cumsum(offered - handled - abandoned, axis=1) / k
    grid = horizon.grid
    n = len(grid)
    parts = [
        pd.DataFrame(
            {
                "interval_start": grid,
                "channel": queue.channel,
                "language": queue.language,
                "tier": np.full(n, queue.tier, dtype=np.int64),
                "offered": offered[i] / k,
                "handled": handled[i] / k,
                "abandoned": abandoned[i] / k,
                "service_level": service[i],
                "asa_seconds": asa[i],
                "backlog": backlog[i],
                "occupancy": occupancy[i],
                "agents_available": horizon.pool_on_queue_s[i] / horizon.step_s,
                "open": horizon.open_mask[i],
                "sl_censored": censored[i],
            }
        )
        for i, queue in enumerate(scenario.queues)
    ]
    return pd.concat(parts, ignore_index=True).loc[:, list(OUTCOMES.names)]


def interval_frame(
    scenario: Scenario, grid: pd.DatetimeIndex, served: Served, workforce: Workforce
) -> pd.DataFrame:
    """The outcomes frame of one replication's contacts."""
    horizon = horizon_of(scenario, grid, workforce)
    v = verdicts(scenario, served, horizon.open_mask, horizon.step_s)
    return outcomes_frame(scenario, horizon, [tally(scenario, horizon, served, v, workforce)])
