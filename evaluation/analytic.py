"""Outcomes of a staffed plan: what the roster delivers against the contacts that arrive.

An **analytic per-interval evaluation**, not a discrete-event simulation (see `METHOD`):
the plan's outcomes come from `evaluation.simulated`; this is the fast estimate kept
beside them (the report shows it where the two differ by more than 2 points).

The model follows the channel, as in `planner.staffing` (a Tier 2 web queue is deferred
work, a Tier 2 phone queue is realtime).

Realtime queues (phone, chat), one interval at a time, in steady state:

* agents available = scheduled heads x (1 - queue shrinkage) [x vendor quality_factor].
  The roster's coverage already has breaks cut out; shrinkage covers the rest (leave,
  sickness, meetings, training);
* chat uses the staffing module's slot model (`planner.staffing.chat`): k agents offer
  ``floor(k x concurrency)`` slots, each slot one chat at a time;
* with a patience (`Queue.patience_seconds`) the slots form an Erlang A queue
  (`planner.staffing.erlang_a`): abandoned = offered x abandonment share; else Erlang C
  (`planner.staffing.erlang_c`). Erlang C has no steady state when slots <= load: such
  an interval answers what the slots can handle (slots x interval / AHT contacts) and
  counts the rest as abandoned (not answered in the interval), with service level 0;
* non-integer agents (shrinkage makes 10 heads 6.8 agents): every figure is the mixture
  of the figures at floor and ceil agents with weights (1 - frac, frac), as if the
  fractional agent were present that share of the time. At whole agents the figures
  are exactly those `planner.staffing` predicts, so staffing an interval at its
  requirement meets its target here (tested);
* ASA is the mean wait of answered contacts, capped at the interval length (Erlang C's
  steady-state wait grows without bound near saturation; one interval cannot show it);
  0 where nothing is answered (handled is then 0, so it weighs nothing);
* closed intervals (the queue's coverage policy): every contact offered is abandoned
  (for chat: a missed chat), service level 0; heads the roster has there still show in
  `agents_available` but serve nothing.

Deferred queues (email, web, social) form one FIFO fluid queue across the whole grid:

* work arrives at the start of its interval (volume x AHT agent-seconds); an open
  interval processes up to ``agents x interval seconds x max_occupancy`` of it, at an
  even pace from the interval start; a closed interval processes nothing, so the
  night's tickets are the backlog at opening;
* backlog (tickets waiting at the interval end) and handled (tickets finished in the
  interval) come from the cumulative work curves (Lindley's recursion in closed form);
* service level of interval t = share of its arrivals finished within
  `target.within_seconds` of open time (the business-hours clock of helpdesk SLAs, the
  same clock `planner.staffing.deferred` staffs to: `due_intervals`), rounded up to whole
  intervals. Where that deadline lies past the last interval only work done inside the
  horizon counts: a lower bound, flagged by `sl_censored`;
* ASA = mean wait of the tickets finished in the interval, from their arrival
  interval's start (ticket-weighted arrivals; completion at the middle of the busy part
  of the interval).

The occupancy cap is a staffing rule for realtime queues (it does not slow agents down),
so it does not enter their outcomes; for deferred work it is the share of the agents'
time that goes into the backlog.

Tier 2 (and 3) queues that `arrivals` does not list receive, in each interval,
``escalation_rate x handled`` of every queue that names them in `escalates_to`: a
contact escalates when Tier 1 finishes it (abandoned contacts do not escalate).

Conservation (tested): per queue, sum of offered = sum of handled + sum of abandoned +
backlog after the last interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from evaluation.schema import OUTCOMES, STAFFED
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.schema import HISTORY, QUEUE_INTERVAL_KEY
from forecasting.timegrid import ALLOWED_INTERVAL_MIN, interval_grid
from planner.staffing import chat, deferred, erlang_c, realtime
from scenarios.coverage import coverage_mask
from scenarios.spec import DEFERRED_CHANNELS, Queue, Scenario

FloatArray = NDArray[np.float64]

METHOD = (
    "analytic per-interval evaluation: Erlang A (Erlang C without patience) for phone and "
    "chat at the scheduled staffing after shrinkage (chat on concurrency slots), FIFO fluid "
    "backlog across intervals and closed hours for email, web and social; each agent split "
    "into per-queue fractions, not a discrete-event simulation"
)
"""The method written beside the analytic estimate (the simulation's fast counterpart)."""

_ARRIVAL_COLUMNS = (*QUEUE_INTERVAL_KEY, "volume", "aht_seconds")

_WHOLE_TOL = 1e-9  # 20.999999999999996 agents after shrinkage are 21 agents


@dataclass(frozen=True)
class RealtimeOutcome:
    """Per-interval outcomes of one realtime queue (arrays of the grid's length).

    Attributes:
        handled: contacts answered.
        abandoned: contacts not answered (gave up, or offered while closed).
        service_level: share of offered contacts answered within the target (1 when
            nothing is offered).
        asa_seconds: mean wait of the answered contacts (0 when none are answered).
        occupancy: busy share of the available agents (of chat slots for chat).
    """

    handled: FloatArray
    abandoned: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


@dataclass(frozen=True)
class DeferredOutcome:
    """Per-interval outcomes of one deferred queue (arrays of the grid's length).

    Attributes:
        handled: tickets finished in the interval.
        backlog: tickets waiting at the interval end.
        service_level: share of the interval's arrivals finished within the window (1
            when nothing arrived).
        asa_seconds: mean wait of the tickets finished in the interval (0 when none).
        occupancy: share of the available agents' time spent on the work.
        sl_censored: True where the window ends after the grid: the service level
            counts only work done inside it (a lower bound).
    """

    handled: FloatArray
    backlog: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    sl_censored: NDArray[np.bool_]


def _split_agents(agents: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
    """Floor of the agents (with a tolerance for float noise) and the fractional weight."""
    lo = np.floor(agents + _WHOLE_TOL)
    frac = np.clip(agents - lo, 0.0, 1.0)
    frac = np.where(frac < _WHOLE_TOL, 0.0, frac)
    return lo.astype(np.int64), frac


def _realtime_at(
    agents: NDArray[np.int64],
    volume: FloatArray,
    aht_s: FloatArray,
    interval_s: float,
    target_s: float,
    patience_s: float | None,
    concurrency: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Slots, handled, service level, ASA and busy load (Erlangs) at whole agent counts."""
    slots = chat.slots_of_agents(agents, concurrency).astype(float)
    fig = realtime.figures(slots, volume, aht_s, interval_s, target_s, patience_s)
    if fig.abandon_rate is None:
        # Nobody abandons: an overloaded queue answers what its capacity allows.
        traffic = erlang_c.traffic_erlangs(volume, aht_s, interval_s)
        capacity = slots * interval_s / aht_s
        handled = np.where(slots > traffic, volume, np.minimum(volume, capacity))
    else:
        handled = volume * (1.0 - fig.abandon_rate)
    service, asa = fig.service_level, np.minimum(fig.asa_seconds, interval_s)
    answered = handled > 0
    asa = np.where(answered, np.nan_to_num(asa, nan=0.0), 0.0)
    busy = handled * aht_s / interval_s
    return slots, handled, service, asa, busy


def realtime_outcomes(
    volume: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    open_mask: ArrayLike,
    *,
    interval_s: float,
    target_s: float,
    patience_s: float | None = None,
    concurrency: float = 1.0,
) -> RealtimeOutcome:
    """Outcomes of a phone or chat queue per interval (see the module docstring).

    Args:
        volume: contacts offered per interval (>= 0).
        aht_s: handle seconds per contact per interval (> 0; chat: elapsed chat time).
        agents: agents available per interval after shrinkage (>= 0, float allowed).
        open_mask: True where the queue's coverage policy has it open.
        interval_s: interval length in seconds.
        target_s: service-level threshold in seconds.
        patience_s: mean patience of waiting customers (Erlang A), or None (Erlang C).
        concurrency: chats per agent at once (1 for phone).
    """
    vol = np.asarray(volume, dtype=float)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), vol.shape)
    n = np.broadcast_to(np.asarray(agents, dtype=float), vol.shape)
    is_open = np.broadcast_to(np.asarray(open_mask, dtype=bool), vol.shape)
    erlang_c.check_finite_nonnegative(n, "agents")
    lo, frac = _split_agents(n)
    s0, h0, sl0, w0, b0 = _realtime_at(lo, vol, aht, interval_s, target_s, patience_s, concurrency)
    s1, h1, sl1, w1, b1 = _realtime_at(
        lo + 1, vol, aht, interval_s, target_s, patience_s, concurrency
    )
    keep = 1.0 - frac
    slots = keep * s0 + frac * s1
    handled = keep * h0 + frac * h1
    service = keep * sl0 + frac * sl1
    busy = keep * b0 + frac * b1
    # The mixture's ASA weighs each count's ASA by the contacts it answers.
    answered_wait = keep * h0 * w0 + frac * h1 * w1
    handled = np.minimum(handled, vol)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        asa = np.where(handled > 0, answered_wait / handled, 0.0)
        occ = np.where(slots > 0, np.clip(busy / slots, 0.0, 1.0), 0.0)
    closed = ~is_open
    handled = np.where(closed, 0.0, handled)
    service = np.where(closed, np.where(vol > 0, 0.0, 1.0), np.clip(service, 0.0, 1.0))
    return RealtimeOutcome(
        handled=handled,
        abandoned=vol - handled,
        service_level=service,
        asa_seconds=np.where(closed, 0.0, np.clip(asa, 0.0, interval_s)),
        occupancy=np.where(closed, 0.0, occ),
    )


def deferred_outcomes(
    volume: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    open_mask: ArrayLike,
    *,
    interval_s: float,
    window_s: float,
    max_occupancy: float = 1.0,
) -> DeferredOutcome:
    """Outcomes of a deferred queue over consecutive intervals (FIFO fluid backlog).

    Args:
        volume: tickets arriving per interval (>= 0), in time order, no gaps.
        aht_s: handle seconds per ticket per interval (> 0).
        agents: agents available per interval after shrinkage (>= 0, float allowed).
        open_mask: True where the queue is worked (its coverage policy).
        interval_s: interval length in seconds.
        window_s: response window in seconds (the queue's target.within_seconds).
        max_occupancy: share of the agents' time that goes into the work, in (0, 1].
    """
    vol = np.asarray(volume, dtype=float)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=float), vol.shape)
    n = np.broadcast_to(np.asarray(agents, dtype=float), vol.shape)
    is_open = np.broadcast_to(np.asarray(open_mask, dtype=bool), vol.shape)
    erlang_c.check_finite_nonnegative(vol, "volume")
    erlang_c.check_positive(aht, "aht_s")
    erlang_c.check_finite_nonnegative(n, "agents")
    count = vol.size
    work = vol * aht
    capacity = np.where(is_open, n * interval_s * max_occupancy, 0.0)
    # Lindley: Q_t = max(0, Q_{t-1} + w_t - c_t) = S_t - min(0, min_{k<=t} S_k).
    net = np.cumsum(work - capacity)
    queue_s = net - np.minimum(np.minimum.accumulate(net), 0.0)
    cum_work = np.cumsum(work)
    done_cum = np.maximum.accumulate(np.clip(cum_work - queue_s, 0.0, cum_work))
    done_ext = np.concatenate(([0.0], done_cum))
    done = np.diff(done_ext)
    work_ext = np.concatenate(([0.0], cum_work))
    cum_vol_ext = np.concatenate(([0.0], np.cumsum(vol)))
    # FIFO in tickets: work coordinate -> ticket coordinate (AHT is constant in an interval).
    tickets_done = np.interp(done_ext, work_ext, cum_vol_ext)
    handled = np.diff(tickets_done)
    backlog = np.maximum(cum_vol_ext[1:] - tickets_done[1:], 0.0)

    # The response window runs on the same open-hours clock as staffing (a helpdesk's
    # business-hours SLA): arrivals in interval t are due by the end of interval due[t].
    due = deferred.due_intervals(is_open, math.ceil(window_s / interval_s - 1e-9))
    inside = due >= 0
    reach = np.where(inside, done_ext[np.where(inside, due, 0) + 1], done_ext[count])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = (reach - work_ext[:-1]) / work
    service = np.where(work > 0, np.clip(share, 0.0, 1.0), 1.0)
    censored = ~inside

    starts = np.arange(count) * interval_s
    arrival_integral = np.concatenate(([0.0], np.cumsum(vol * starts)))
    arrived = np.interp(tickets_done, cum_vol_ext, arrival_integral)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        busy_frac = np.where(capacity > 0, done / capacity, 0.0)
        finish = starts + 0.5 * busy_frac * interval_s
        asa = np.where(handled > 1e-9, finish - np.diff(arrived) / handled, 0.0)
        occ = np.where(is_open & (n > 0), done / (n * interval_s), 0.0)
    return DeferredOutcome(
        handled=handled,
        backlog=backlog,
        service_level=service,
        asa_seconds=np.maximum(asa, 0.0),
        occupancy=np.clip(occ, 0.0, 1.0),
        sl_censored=censored & (work > 0),
    )


def simulate_outcomes(
    scenario: Scenario,
    arrivals: pd.DataFrame,
    staffed: pd.DataFrame,
    *,
    interval_min: int,
) -> pd.DataFrame:
    """Outcomes per queue per interval of a staffed plan facing actual arrivals.

    Args:
        scenario: queues (targets, patience, concurrency, shrinkage, occupancy cap,
            coverage, escalation) and vendors (quality factors).
        arrivals: contacts per queue per interval: interval_start (UTC), channel,
            language, tier, volume, aht_seconds (NaN: the queue's aht_seconds), and
            optionally region (rows of one queue and interval for several regions add
            up, AHT weighted by volume). The grid runs from its first to its last
            interval; missing rows are 0 volume.
        staffed: heads on the roster serving each queue per interval, breaks already
            removed: interval_start (UTC), channel, language, tier, agents (float), and
            optionally source (a vendor id scales by that vendor's quality_factor;
            anything else by 1). Rows of one queue and interval add up; rows outside
            the grid are ignored.
        interval_min: interval length in minutes.

    Returns:
        The outcomes frame (`schema.OUTCOMES`), one row per scenario queue per interval,
        sorted by queue then time, without NaN. `service_level` is 1 where nothing is
        offered: aggregate it weighted by `sla_weights`.

    Raises:
        InputError: on missing columns, non-UTC or misaligned times, bad numbers,
            duplicate arrival rows, or queues that are not in the scenario.
    """
    HISTORY.require(arrivals, "arrivals", _ARRIVAL_COLUMNS)
    STAFFED.require(staffed, "staffed")
    if len(arrivals) == 0:
        raise InputError("arrivals: no rows; the outcomes grid comes from the arrivals")
    if interval_min not in ALLOWED_INTERVAL_MIN:
        raise InputError(
            f"interval_min: expected one of {ALLOWED_INTERVAL_MIN}, got {interval_min}"
        )
    step = pd.Timedelta(minutes=interval_min)
    times = _utc(arrivals["interval_start"], "arrivals")
    freq = f"{interval_min}min"
    grid = interval_grid(times.min().floor(freq), times.max().floor(freq) + step, interval_min)
    interval_s = float(interval_min) * 60.0
    queues = {q.id: q for q in scenario.queues}
    order = {qid: i for i, qid in enumerate(queues)}

    arr_q = _queue_codes(arrivals, order, "arrivals")
    arr_t = _positions(times, grid, step, "arrivals")
    if np.any(arr_t < 0):
        raise InputError("arrivals: interval_start off the interval grid")
    volume = pd.to_numeric(arrivals["volume"], errors="coerce").to_numpy(dtype=float)
    aht_in = pd.to_numeric(arrivals["aht_seconds"], errors="coerce").to_numpy(dtype=float)
    problems = []
    bad_vol = ~np.isfinite(volume) | (volume < 0)
    if bad_vol.any():
        row = int(np.flatnonzero(bad_vol)[0])
        problems.append(f"row {row}: volume {arrivals['volume'].iloc[row]!r} is not a number >= 0")
    bad_aht = ~np.isnan(aht_in) & ~(np.isfinite(aht_in) & (aht_in > 0))
    if bad_aht.any():
        row = int(np.flatnonzero(bad_aht)[0])
        problems.append(
            f"row {row}: aht_seconds {arrivals['aht_seconds'].iloc[row]!r} is not > 0 (or empty)"
        )
    cells = pd.DataFrame({"cell": arr_q * len(grid) + arr_t})
    if "region" in arrivals.columns:
        cells["region"] = arrivals["region"].astype(str).to_numpy()
    seen = cells.duplicated().to_numpy()
    if seen.any():
        problems.append(
            f"row {int(np.flatnonzero(seen)[0])}: a second row for the same interval and queue"
            + (" and region" if "region" in cells.columns else "")
        )
    if problems:
        raise InputError(f"arrivals: {len(problems)} problem(s)", problems)

    # Rows of one queue and interval (one per customer region) add up; AHT by volume.
    shape = (len(queues), len(grid))
    default_aht = np.array([q.aht_seconds for q in queues.values()], dtype=float)
    aht_rows = np.where(np.isnan(aht_in), default_aht[arr_q], aht_in)
    vol_m = np.zeros(shape)
    work_m = np.zeros(shape)
    np.add.at(vol_m, (arr_q, arr_t), volume)
    np.add.at(work_m, (arr_q, arr_t), volume * aht_rows)
    aht_m = np.repeat(default_aht[:, None], len(grid), axis=1)
    np.divide(work_m, vol_m, out=aht_m, where=vol_m > 0)
    listed = np.zeros(len(queues), dtype=bool)
    listed[arr_q] = True

    heads_m = _staffed_matrix(staffed, scenario, order, grid, step)
    shrink = np.array([q.shrinkage for q in queues.values()])
    avail_m = heads_m * (1.0 - shrink)[:, None]

    parts = []
    handled_by: dict[str, FloatArray] = {}
    for qid in sorted(queues, key=lambda k: (queues[k].tier, order[k])):
        q, i = queues[qid], order[qid]
        if not listed[i]:
            for src in scenario.queues:
                if src.escalates_to == qid and src.escalation_rate > 0 and src.id in handled_by:
                    vol_m[i] += src.escalation_rate * handled_by[src.id]
        is_open = coverage_mask(q.coverage, grid)
        frame, handled_by[qid] = _queue_frame(
            q, grid, vol_m[i], aht_m[i], avail_m[i], is_open, interval_s
        )
        parts.append((order[qid], frame))
    out = pd.concat([f for _, f in sorted(parts, key=lambda p: p[0])], ignore_index=True)
    return out.loc[:, list(OUTCOMES.names)]


def _queue_frame(
    q: Queue,
    grid: pd.DatetimeIndex,
    volume: FloatArray,
    aht_s: FloatArray,
    agents: FloatArray,
    is_open: NDArray[np.bool_],
    interval_s: float,
) -> tuple[pd.DataFrame, FloatArray]:
    zeros = np.zeros(volume.size)
    if q.channel in DEFERRED_CHANNELS:
        d = deferred_outcomes(
            volume,
            aht_s,
            agents,
            is_open,
            interval_s=interval_s,
            window_s=q.target.within_seconds,
            max_occupancy=q.max_occupancy,
        )
        handled, abandoned, backlog = d.handled, zeros, d.backlog
        service, asa, occ, censored = d.service_level, d.asa_seconds, d.occupancy, d.sl_censored
    else:
        r = realtime_outcomes(
            volume,
            aht_s,
            agents,
            is_open,
            interval_s=interval_s,
            target_s=q.target.within_seconds,
            patience_s=q.patience_seconds,
            concurrency=q.concurrency,
        )
        handled, abandoned, backlog = r.handled, r.abandoned, zeros
        service, asa, occ = r.service_level, r.asa_seconds, r.occupancy
        censored = np.zeros(volume.size, dtype=bool)
    frame = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": q.channel,
            "language": q.language,
            "tier": np.full(volume.size, q.tier, dtype=np.int64),
            "offered": volume,
            "handled": handled,
            "abandoned": abandoned,
            "service_level": service,
            "asa_seconds": asa,
            "backlog": backlog,
            "occupancy": occ,
            "agents_available": agents,
            "open": is_open,
            "sl_censored": censored,
        }
    )
    return frame, handled


def _utc(times: pd.Series, name: str) -> pd.Series:
    if not isinstance(times.dtype, pd.DatetimeTZDtype) or str(times.dt.tz) != "UTC":
        raise InputError(f"{name}: interval_start must be UTC timestamps, got dtype {times.dtype}")
    return times


def _positions(
    times: pd.Series, grid: pd.DatetimeIndex, step: pd.Timedelta, name: str
) -> NDArray[np.int64]:
    """Grid index of each time; -1 outside the grid. Misaligned times are an error."""
    offset = (times - grid[0]).to_numpy()
    step_ns = np.timedelta64(step)
    pos = offset // step_ns
    misaligned = (offset % step_ns) != np.timedelta64(0, "ns")
    if misaligned.any():
        row = int(np.flatnonzero(misaligned)[0])
        raise InputError(
            f"{name}: row {row}: interval_start {times.iloc[row].isoformat()} is not on the "
            f"{step.total_seconds() / 60:g}-minute grid starting {grid[0].isoformat()}"
        )
    pos = pos.astype(np.int64)
    return np.asarray(np.where((pos >= 0) & (pos < len(grid)), pos, -1), dtype=np.int64)


def _queue_codes(frame: pd.DataFrame, order: dict[str, int], name: str) -> NDArray[np.int64]:
    tiers = pd.to_numeric(frame["tier"], errors="coerce")
    if tiers.isna().any():
        row = int(np.flatnonzero(tiers.isna().to_numpy())[0])
        raise InputError(f"{name}: row {row}: tier {frame['tier'].iloc[row]!r} is not a number")
    ids = queue_keys(frame, name)
    codes = ids.map(order)
    if codes.isna().any():
        unknown = sorted(set(ids[codes.isna()]))
        raise InputError(
            f"{name}: queues {unknown} are not in the scenario (known: {sorted(order)})"
        )
    return np.asarray(codes.to_numpy(dtype=np.int64), dtype=np.int64)


def _staffed_matrix(
    staffed: pd.DataFrame,
    scenario: Scenario,
    order: dict[str, int],
    grid: pd.DatetimeIndex,
    step: pd.Timedelta,
) -> FloatArray:
    """Heads per queue (rows) per interval (columns), vendor rows scaled by quality."""
    out = np.zeros((len(order), len(grid)))
    if len(staffed) == 0:
        return out
    times = _utc(staffed["interval_start"], "staffed")
    codes = _queue_codes(staffed, order, "staffed")
    pos = _positions(times, grid, step, "staffed")
    heads = pd.to_numeric(staffed["agents"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(heads) | (heads < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"staffed: row {row}: agents {staffed['agents'].iloc[row]!r} is not a number >= 0"
        )
    if "source" in staffed.columns:
        quality = {v.id: v.quality_factor for v in scenario.vendors}
        heads = heads * staffed["source"].astype(str).map(quality).fillna(1.0).to_numpy(dtype=float)
    keep = pos >= 0
    np.add.at(out, (codes[keep], pos[keep]), heads[keep])
    return out


def sla_weights(outcomes: pd.DataFrame) -> np.ndarray:
    """Each interval's weight in SLA attainment: its offered contacts, where it counts.

    Service level is measured during opening hours, as contact centres report it:
    contacts offered while a queue is closed (column `open` False) are reported apart,
    not as misses; intervals flagged `sl_censored` (their window ends after the horizon)
    are left out. Frames without those columns count every interval.
    """
    weight = pd.to_numeric(outcomes["offered"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if "open" in outcomes:
        weight = np.where(outcomes["open"].to_numpy(dtype=bool), weight, 0.0)
    if "sl_censored" in outcomes:
        weight = np.where(outcomes["sl_censored"].to_numpy(dtype=bool), 0.0, weight)
    return weight


def rates_from_actuals(forecast: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Arrival rates for the analytic evaluation: the forecast's shape at the actual level.

    Erlang formulas take a *rate*; a 15-minute interval's realised count is one draw
    from it, and feeding the draw back as a rate counts the randomness twice. So each
    queue's forecast is scaled, UTC day by day, to that day's actual volume: errors in
    the daily level count in full, randomness within the day is left to the queueing
    model. A day the forecast left empty gets its actual volume spread evenly.

    Args:
        forecast: interval_start, channel, language, tier, volume, aht_seconds.
        actuals: interval_start, channel, language, tier, volume (optionally region,
            summed), aht_seconds.

    Returns:
        The arrivals frame (interval_start, channel, language, tier, volume,
        aht_seconds) over the forecast's intervals, with daily totals equal to the
        actuals' per queue.
    """
    keys = ["interval_start", "channel", "language", "tier"]
    queue = ["channel", "language", "tier"]
    fc = forecast.loc[:, [*keys, "volume", "aht_seconds"]].copy()
    act = actuals.assign(volume=pd.to_numeric(actuals["volume"]).fillna(0.0))
    act = act.groupby(keys)["volume"].sum().reset_index()
    fc["day"] = pd.to_datetime(fc["interval_start"], utc=True).dt.floor("D")
    act["day"] = pd.to_datetime(act["interval_start"], utc=True).dt.floor("D")
    fc_day = fc.groupby([*queue, "day"])["volume"].transform("sum")
    count_day = fc.groupby([*queue, "day"])["volume"].transform("size")
    actual_day = act.groupby([*queue, "day"])["volume"].sum().rename("actual_day")
    fc = fc.join(actual_day, on=[*queue, "day"])
    fc["actual_day"] = fc["actual_day"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(
            fc_day > 0, fc["volume"] * fc["actual_day"] / fc_day, fc["actual_day"] / count_day
        )
    fc["volume"] = scaled
    return fc.loc[:, [*keys, "volume", "aht_seconds"]].reset_index(drop=True)
