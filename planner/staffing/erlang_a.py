"""Erlang A (M/M/n+M): queues where waiting customers abandon after exponential patience.

Model: Poisson arrivals at rate lambda, exponential handle times (mean AHT, rate mu),
``n`` agents, and each waiting customer leaves after an exponential patience (mean P,
rate theta). The birth-death chain has the closed forms of Palm (1946), as collected
by Garnett, Mandelbaum and Reiman (2002) and Mandelbaum and Zeltyn (2007), with
``x = lambda / theta`` and ``y = n mu / theta``:

* ``S = sum_j x^j / ((y+1)...(y+j)) = e^x x^-y Gamma(y+1) P(y, x)`` (P the regularised
  lower incomplete gamma), the tail of the chain relative to state n;
* ``P(wait) = S / (1/B - 1 + S)``, B the Erlang B blocking of n agents;
* ``P(abandon | wait) = 1 - 1/rho + 1/(rho S)`` with ``rho = lambda / (n mu)``;
* the virtual wait V given V > 0 has density ``(n mu / S) exp(x (1 - e^-theta v) - n mu v)``,
  so the share served within T among those who wait is
  ``y/(y+1) [S(y+1, x) - e^{-(y+1) theta T + x (1 - e^-theta T)} S(y+1, x e^-theta T)] / S(y, x)``
  (derived by integrating that density against the survival ``e^-theta v`` of patience);
* the mean wait of served contacts sums, over the queue length j met on arrival, the
  chance ``y / (y+j+1)`` of being served and the stage means ``1 / (theta (y+i))``.

``S`` is kept in log space (it overflows for overloaded queues with long patience); where
the incomplete gamma underflows, its series is summed directly. Service level here is the
share of *all* offered contacts answered within T: abandoned contacts count as missed.
As patience grows, every figure tends to Erlang C (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from forecasting.errors import InputError
from planner.staffing.erlang_c import (
    _SPAN_ABS,
    _SPAN_SQRT,
    FloatArray,
    IntArray,
    Requirement,
    check_finite_nonnegative,
    check_positive,
    min_agents_for_occupancy,
    occupancy,
)
from planner.staffing.erlang_c import least_agents as erlang_c_least_agents
from planner.staffing.status import Binding, Status

_SERIES_MAX_TERMS = 1_000_000


@dataclass(frozen=True)
class ErlangAFigures:
    """Erlang A predictions for given agents (arrays of one shape).

    Attributes:
        agents: agents handling contacts.
        p_wait: probability that an arriving contact waits.
        abandon_rate: share of offered contacts that abandon.
        service_level: share of offered contacts answered within the target seconds.
        asa_seconds: mean wait of the contacts that are answered (NaN when none are).
        occupancy: share of agent time busy: served load / agents.
    """

    agents: FloatArray
    p_wait: FloatArray
    abandon_rate: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


def log_tail_sum(b: ArrayLike, z: ArrayLike) -> FloatArray:
    """``log sum_{j>=0} z^j / ((b+1)(b+2)...(b+j))`` (the confluent 1F1(1; b+1; z)).

    Uses ``e^z z^-b Gamma(b+1) P(b, z)`` where the incomplete gamma is representable and
    the series (whose ratio ``z / (b+j)`` falls below 1 there) elsewhere.
    """
    bb, zz = (
        np.asarray(v, dtype=float)
        for v in np.broadcast_arrays(np.asarray(b, float), np.asarray(z, float))
    )
    out = np.zeros(bb.shape, dtype=float)
    zero_b = (bb == 0) & (zz > 0)
    out[zero_b] = zz[zero_b]
    both = (bb > 0) & (zz > 0)
    if not np.any(both):
        return out
    b_, z_ = bb[both], zz[both]
    p = special.gammainc(b_, z_)
    with np.errstate(divide="ignore"):
        closed = z_ - b_ * np.log(z_) + special.gammaln(b_ + 1.0) + np.log(p)
    series = ~(p > 1e-250)
    if np.any(series):
        closed[series] = _log_series(b_[series], z_[series])
    out[both] = closed
    return out


def _log_series(b: FloatArray, z: FloatArray) -> FloatArray:
    """Direct summation where ``z < b`` (terms fall geometrically); bounded iterations."""
    total = np.ones_like(b)
    term = np.ones_like(b)
    live = np.arange(b.size)
    for j in range(1, _SERIES_MAX_TERMS):
        term[live] *= z[live] / (b[live] + j)
        total[live] += term[live]
        live = live[term[live] > 1e-17 * total[live]]
        if live.size == 0:
            break
    else:
        raise ArithmeticError("Erlang A tail series did not converge")
    return np.log(total)


def _log_one_over_b_minus_one(n: FloatArray, a: FloatArray) -> FloatArray:
    """``log(1/B(n, a) - 1) = log(cdf(n-1; a) / pmf(n; a))``; -inf for n = 0."""
    out = np.full(n.shape, -np.inf)
    pos = n > 0
    if np.any(pos):
        nn, aa = n[pos], a[pos]
        log_pmf = nn * np.log(aa) - aa - special.gammaln(nn + 1.0)
        with np.errstate(divide="ignore"):
            out[pos] = np.log(special.pdtr(nn - 1.0, aa)) - log_pmf
    return out


def figures(
    agents: ArrayLike,
    volume: ArrayLike,
    aht_s: ArrayLike,
    interval_s: ArrayLike,
    patience_s: ArrayLike,
    target_s: ArrayLike,
    *,
    with_asa: bool = True,
) -> ErlangAFigures:
    """Erlang A predictions for `agents` facing `volume` contacts per `interval_s` seconds.

    Args:
        agents: agents handling contacts (>= 0).
        volume: contacts offered in the interval (>= 0).
        aht_s: average handle time in seconds (> 0).
        interval_s: interval length in seconds (> 0).
        patience_s: mean patience of waiting customers in seconds (> 0).
        target_s: the service-level threshold in seconds (>= 0).
        with_asa: also compute the mean wait of answered contacts (a series sum).
    """
    n, vol, h, span, pat, t = (
        np.asarray(v, dtype=float).copy()
        for v in np.broadcast_arrays(
            *(
                np.asarray(v, dtype=float)
                for v in (agents, volume, aht_s, interval_s, patience_s, target_s)
            )
        )
    )
    check_finite_nonnegative(n, "agents")
    check_finite_nonnegative(vol, "volume")
    check_positive(h, "aht_s")
    check_positive(span, "interval_s")
    check_positive(pat, "patience_s")
    check_finite_nonnegative(t, "target_s")
    shape = n.shape
    n, vol, h, span, pat, t = (v.ravel() for v in (n, vol, h, span, pat, t))
    p_wait = np.zeros(n.shape)
    abandon = np.zeros(n.shape)
    sl = np.ones(n.shape)
    asa = np.zeros(n.shape)
    busy = vol > 0
    if np.any(busy):
        res = _busy_figures(n[busy], vol[busy] / span[busy], h[busy], pat[busy], t[busy], with_asa)
        p_wait[busy], abandon[busy], sl[busy], asa[busy] = res
    served_load = vol * (1.0 - abandon) * h / span
    return ErlangAFigures(
        agents=n.reshape(shape),
        p_wait=p_wait.reshape(shape),
        abandon_rate=abandon.reshape(shape),
        service_level=sl.reshape(shape),
        asa_seconds=(asa if with_asa else np.full(n.shape, np.nan)).reshape(shape),
        occupancy=occupancy(n, served_load).reshape(shape),
    )


def _busy_figures(
    n: FloatArray, lam: FloatArray, h: FloatArray, pat: FloatArray, t: FloatArray, with_asa: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    theta = 1.0 / pat
    a = lam * h
    x = lam / theta
    y = n / h / theta
    log_s = log_tail_sum(y, x)
    log_r = _log_one_over_b_minus_one(n, a)
    p_wait = special.expit(log_s - log_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_rho = np.where(n > 0, n / a, 0.0)
        ab_wait = np.where(n > 0, 1.0 - inv_rho + inv_rho * np.exp(-log_s), 1.0)
    ab_wait = np.clip(ab_wait, 0.0, 1.0)
    decay = np.exp(-theta * t)
    log_s1 = log_tail_sum(y + 1.0, x)
    log_s1z = log_tail_sum(y + 1.0, x * decay)
    shift = -(y + 1.0) * theta * t + x * (1.0 - decay)
    frac = y / (y + 1.0)
    with np.errstate(over="ignore"):
        within_wait = frac * (np.exp(log_s1 - log_s) - np.exp(shift + log_s1z - log_s))
    within_wait = np.clip(within_wait, 0.0, 1.0 - ab_wait)
    sl = np.clip((1.0 - p_wait) + p_wait * within_wait, 0.0, 1.0)
    abandon = p_wait * ab_wait
    asa = np.full(n.shape, np.nan)
    if with_asa:
        served = n > 0
        wait_served = _mean_wait_served_given_wait(
            x[served], y[served], log_s[served], theta[served]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            asa[served] = p_wait[served] * wait_served / (1.0 - abandon[served])
    return p_wait, abandon, sl, asa


def _mean_wait_served_given_wait(
    x: FloatArray, y: FloatArray, log_s: FloatArray, theta: FloatArray
) -> FloatArray:
    """``E[V 1{served} | wait]`` by the series over the queue length met on arrival.

    A contact meeting j others in queue moves up at rate ``theta (y + i)`` with i ahead
    (agents finish at n mu, those ahead abandon at theta each) and abandons at theta, so
    it is served with chance ``y / (y + j + 1)`` after a mean
    ``sum_{i=1..j+1} 1 / (theta (y + i))``. Weights ``t_j / S`` are the queue lengths
    met. The sum runs over a window holding all but ~1e-30 of the weight, outward from
    the largest weight (compiled: `planner.staffing.erlang_a_kernel`).
    """
    from planner.staffing.erlang_a_kernel import served_wait_series

    peak = np.maximum(np.floor(x - y), 0.0)
    width = np.ceil(12.0 * np.sqrt(np.maximum(x, y) + 1.0) + 40.0)
    first = np.maximum(peak - width, 0.0)
    log_weight = (
        peak * np.log(x) - (special.gammaln(y + peak + 1.0) - special.gammaln(y + 1.0)) - log_s
    )
    stage = (special.digamma(y + peak + 2.0) - special.digamma(y + 1.0)) / theta
    return np.asarray(
        served_wait_series(
            *(
                np.ascontiguousarray(v, dtype=np.float64)
                for v in (x, y, theta, peak, np.exp(log_weight), stage, first, peak + width)
            )
        )
    )


def required_agents(
    volume: ArrayLike,
    aht_s: ArrayLike,
    interval_s: ArrayLike,
    patience_s: ArrayLike,
    *,
    sl_target: ArrayLike | None = None,
    target_s: ArrayLike = 20.0,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike = 1.0,
    max_agents: ArrayLike | None = None,
) -> Requirement:
    """Smallest agent counts meeting SL, abandonment and occupancy targets (Erlang A).

    A search over integer counts in [0, cap] from a guess (`_search`): service level
    rises and abandonment falls with agents, so the smallest passing count is unique.

    Args:
        volume: contacts offered per interval (>= 0).
        aht_s: average handle time in seconds (> 0).
        interval_s: interval length in seconds (> 0).
        patience_s: mean patience in seconds (> 0).
        sl_target: share of offered contacts to answer within `target_s`, or None.
        target_s: service-level threshold in seconds.
        max_abandon: largest acceptable abandonment share, or None.
        max_occupancy: cap on occupancy (served load / agents), in (0, 1].
        max_agents: cap on the answer (None: traffic + 40 sqrt(traffic) + 60).

    Returns:
        The `Requirement`; a target of 100% service or 0% abandonment is UNREACHABLE.
    """
    arrays = np.broadcast_arrays(
        *(
            np.asarray(v, dtype=float)
            for v in (volume, aht_s, interval_s, patience_s, target_s, max_occupancy)
        )
    )
    shape = arrays[0].shape
    vol, h, span, pat, t, occ = (np.asarray(v, dtype=float).ravel() for v in arrays)
    check_finite_nonnegative(vol, "volume")
    check_positive(h, "aht_s")
    check_positive(span, "interval_s")
    check_positive(pat, "patience_s")
    check_finite_nonnegative(t, "target_s")
    if np.any(~(occ > 0) | (occ > 1)):
        raise InputError("max_occupancy: expected values in (0, 1]")
    a = vol * h / span
    cap = np.ceil(a + _SPAN_SQRT * np.sqrt(a) + _SPAN_ABS).astype(np.int64)
    if max_agents is not None:
        cap = np.minimum(
            cap,
            np.floor(np.broadcast_to(np.asarray(max_agents, float), shape).ravel()).astype(
                np.int64
            ),
        )
    # Occupancy counts served load, which is below offered load; the offered-load bound
    # is a safe (slightly high) requirement and needs no search. A cap of 1 is no cap:
    # abandonment keeps the queue stable at any staffing.
    capped_occ = occ < 1.0
    agents = np.where(capped_occ, min_agents_for_occupancy(a, occ), 0).astype(np.int64)
    binding = np.where((a > 0) & capped_occ, Binding.OCCUPANCY, Binding.NONE).astype(np.int8)
    status = np.full(a.shape, Status.OK, dtype=np.int8)
    targets: list[tuple[str, FloatArray, Binding]] = []
    if sl_target is not None:
        sl = np.broadcast_to(np.asarray(sl_target, float), shape).ravel()
        if np.any(~np.isfinite(sl) | (sl < 0) | (sl > 1)):
            raise InputError("sl_target: expected a share in [0, 1]")
        targets.append(("sl", sl, Binding.SERVICE_LEVEL))
    if max_abandon is not None:
        ab = np.broadcast_to(np.asarray(max_abandon, float), shape).ravel()
        if np.any(~np.isfinite(ab) | (ab < 0) | (ab > 1)):
            raise InputError("max_abandon: expected a share in [0, 1]")
        targets.append(("abandon", ab, Binding.ABANDONMENT))
    for kind, goal, why in targets:
        unreachable = (a > 0) & ((goal >= 1.0) if kind == "sl" else (goal <= 0.0))
        found = _search(vol, h, span, pat, t, goal, cap, (a > 0) & ~unreachable, kind)
        higher = found > agents
        agents[higher] = found[higher]
        binding[higher] = why
        agents[unreachable] = cap[unreachable]
        status[unreachable] = Status.UNREACHABLE
        binding[unreachable] = why
    over = (agents > cap) & (status == Status.OK)
    status[over] = Status.CAPPED
    agents = np.minimum(agents, cap)
    return Requirement(
        agents=agents.reshape(shape), status=status.reshape(shape), binding=binding.reshape(shape)
    )


def _search(
    vol: FloatArray,
    h: FloatArray,
    span: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    goal: FloatArray,
    cap: IntArray,
    live: NDArray[np.bool_],
    kind: str,
) -> IntArray:
    """Smallest n in [0, cap] meeting the goal (cap + 1 when even the cap fails).

    A galloping search (`_gallop`) from a guess. With many elements, a sample spread over
    the offered loads is searched first and every guess moved by the sample's offset
    from its own guesses at the nearest loads: intervals of one queue differ mostly in
    load, so most guesses become exact.
    """
    out = np.zeros(vol.shape, dtype=np.int64)
    idx = np.flatnonzero(live)
    if idx.size == 0:
        return out
    guess = _guess(vol[idx], h[idx], span[idx], t[idx], goal[idx], kind)
    if idx.size > 8 * _SAMPLE:
        a = vol[idx] * h[idx] / span[idx]
        by_load = np.argsort(a, kind="stable")
        picks = by_load[np.linspace(0, idx.size - 1, _SAMPLE).astype(np.int64)]
        found = _gallop(vol, h, span, pat, t, goal, cap, idx[picks], guess[picks], kind)
        offset = np.interp(a, a[picks], (found - guess[picks]).astype(float))
        guess = guess + np.rint(offset).astype(np.int64)
    out[idx] = _gallop(vol, h, span, pat, t, goal, cap, idx, guess, kind)
    return out


# Elements searched first to correct the guesses of a large search.
_SAMPLE = 256


def _gallop(
    vol: FloatArray,
    h: FloatArray,
    span: FloatArray,
    pat: FloatArray,
    t: FloatArray,
    goal: FloatArray,
    cap: IntArray,
    idx: IntArray,
    guess: IntArray,
    kind: str,
) -> IntArray:
    """Smallest n in [0, cap] meeting the goal for elements `idx` (cap + 1 if none does).

    Probe the guess, then step away from it by 1, 2, 4, ... until the answer is
    bracketed, then bisect. Every probe lies strictly inside the bracket (-1 fails,
    cap + 1 passes), so the search ends, and as the figures are monotone in agents it
    finds the same count as bisecting [0, cap] would, in a few rounds when the guess is
    close. The elements must have volume > 0 (figures of validated inputs, unchecked).
    """
    lo = np.full(idx.size, -1, dtype=np.int64)  # known to fail (or -1)
    hi = cap[idx] + 1  # known to pass (cap + 1 stands for "beyond the cap")
    at = np.arange(idx.size)
    probe = np.clip(guess, 0, cap[idx])
    step = np.ones(idx.size, dtype=np.int64)
    # 1: galloping down from a pass, 2: galloping up from a fail, 0: bisecting.
    phase = np.zeros(idx.size, dtype=np.int8)
    first = True
    while at.size:
        rows = idx[at]
        _, abandon, sl, _ = _busy_figures(
            probe.astype(float), vol[rows] / span[rows], h[rows], pat[rows], t[rows], False
        )
        ok = sl >= goal[rows] if kind == "sl" else abandon <= goal[rows]
        hi[at[ok]] = probe[ok]
        lo[at[~ok]] = probe[~ok]
        if first:
            phase = np.where(ok, 1, 2).astype(np.int8)
            first = False
        else:
            step = step * 2
            phase[(phase == 1) & ~ok] = 0
            phase[(phase == 2) & ok] = 0
        keep = hi[at] - lo[at] > 1
        at, step, phase = at[keep], step[keep], phase[keep]
        lo_, hi_ = lo[at], hi[at]
        probe = np.where(
            phase == 1,
            np.maximum(hi_ - step, lo_ + 1),
            np.where(phase == 2, np.minimum(lo_ + step, hi_ - 1), (lo_ + hi_) // 2),
        )
    return hi


def _guess(
    vol: FloatArray, h: FloatArray, span: FloatArray, t: FloatArray, goal: FloatArray, kind: str
) -> IntArray:
    """A starting count for the search: Erlang C's answer for a service-level goal.

    Abandonment relieves the queue, so Erlang A's answer is at or a little below Erlang
    C's; for an abandonment goal, the offered load rounded up. Only a starting point.
    """
    a = vol * h / span
    if kind != "sl":
        return np.ceil(a).astype(np.int64)
    cap = np.ceil(a + _SPAN_SQRT * np.sqrt(a) + _SPAN_ABS).astype(np.int64)
    return erlang_c_least_agents(a, h, t, goal, cap, goal >= 1.0, "sl")
