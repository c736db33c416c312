"""Erlang C (M/M/n): waiting probability, service level, ASA, occupancy, agents required.

Every function is vectorised over numpy arrays (broadcast together), so one call
staffs every interval of every queue. Erlang B is evaluated in log space as the ratio
of a Poisson probability to a Poisson distribution function,
``B(n, a) = pmf(n; a) / cdf(n; a)``, which never forms a factorial and stays exact to
double precision for thousands of agents. Neighbouring agent counts are reached with
the Erlang B recursion ``B(n+1) = a B(n) / (n + 1 + a B(n))`` (and its inverse),
whose relative error does not grow from step to step.

Conventions: ``traffic`` is the offered load in Erlangs (volume x AHT / interval
length); ``agents`` are agents handling contacts (before shrinkage). With ``agents <=
traffic`` the queue is unstable: every contact waits, service level is 0 and ASA
infinite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from forecasting.errors import InputError
from planner.staffing.status import Binding, Status

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Beyond traffic + _SPAN_SQRT * sqrt(traffic) + _SPAN_ABS agents the probability of
# waiting is below 1e-300 for any traffic, so no reachable target needs more.
_SPAN_SQRT = 40.0
_SPAN_ABS = 60.0


def traffic_erlangs(volume: ArrayLike, aht_s: ArrayLike, interval_s: ArrayLike) -> FloatArray:
    """Offered load in Erlangs: contacts per interval x handle seconds / interval seconds.

    Raises:
        InputError: on NaN or negative volume, or a handle time or interval that is not
            positive and finite.
    """
    vol = np.asarray(volume, dtype=float)
    aht = np.asarray(aht_s, dtype=float)
    span = np.asarray(interval_s, dtype=float)
    check_finite_nonnegative(vol, "volume")
    check_positive(aht, "aht_s")
    check_positive(span, "interval_s")
    return np.asarray(vol * aht / span, dtype=float)


def check_finite_nonnegative(values: FloatArray, name: str) -> None:
    """Raise InputError naming the first position where `values` is NaN, infinite or < 0."""
    bad = ~np.isfinite(values) | (values < 0)
    if np.any(bad):
        pos = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(
            f"{name}: expected finite values >= 0, got {values.ravel()[pos]!r} at position {pos}"
        )


def check_positive(values: FloatArray, name: str) -> None:
    """Raise InputError naming the first position where `values` is not finite and > 0."""
    bad = ~np.isfinite(values) | (values <= 0)
    if np.any(bad):
        pos = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(
            f"{name}: expected finite values > 0, got {values.ravel()[pos]!r} at position {pos}"
        )


def erlang_b(agents: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Blocking probability of M/M/n/n (Erlang B), in log space; 1 when there are no agents."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(traffic, dtype=float))
    out = np.ones(n.shape, dtype=float)
    pos = (n > 0) & (a > 0)
    out[(n > 0) & (a == 0)] = 0.0
    if np.any(pos):
        out[pos] = _erlang_b_positive(n[pos], a[pos])
    return out


def _erlang_b_positive(n: FloatArray, a: FloatArray) -> FloatArray:
    log_pmf = n * np.log(a) - a - special.gammaln(n + 1.0)
    cdf = special.pdtr(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.exp(log_pmf) / cdf
    # When traffic dwarfs the agents the Poisson cdf underflows; there B -> 1 - n/a.
    tiny = ~(cdf > 1e-280)
    if np.any(tiny):
        b[tiny] = _erlang_b_recursive(n[tiny], a[tiny])
    return np.clip(b, 0.0, 1.0)


def _erlang_b_recursive(n: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B by the forward recursion from B(0) = 1 (used only for a >> n, small n)."""
    b = np.ones(n.shape, dtype=float)
    for k in range(1, int(n.max()) + 1):
        step = k <= n
        b = np.where(step, a * b / (k + a * b), b)
    return b


def erlang_c_from_b(agents: FloatArray, traffic: FloatArray, b: FloatArray) -> FloatArray:
    """Probability of waiting from Erlang B: ``n B / (n - a (1 - B))``; 1 when unstable."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = agents * b / (agents - traffic * (1.0 - b))
    stable = agents > traffic
    return np.where(stable, np.clip(c, 0.0, 1.0), np.where(traffic > 0, 1.0, 0.0))


def erlang_c(agents: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Probability that a contact waits (Erlang C); 1 when agents <= traffic > 0."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(traffic, dtype=float))
    return erlang_c_from_b(n, a, erlang_b(n, a))


def _service_level(
    n: FloatArray, a: FloatArray, p_wait: FloatArray, aht_s: FloatArray, target_s: FloatArray
) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - p_wait * np.exp(-(n - a) * target_s / aht_s)
    return np.where(n > a, np.clip(sl, 0.0, 1.0), np.where(a > 0, 0.0, 1.0))


def _asa(n: FloatArray, a: FloatArray, p_wait: FloatArray, aht_s: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = p_wait * aht_s / (n - a)
    return np.where(n > a, asa, np.where(a > 0, np.inf, 0.0))


@dataclass(frozen=True)
class ErlangCFigures:
    """Erlang C predictions for given agents (arrays of one shape).

    Attributes:
        agents: agents handling contacts.
        p_wait: probability that a contact waits.
        service_level: share answered within the target seconds.
        asa_seconds: average speed of answer (inf when unstable).
        occupancy: share of agent time busy, ``min(traffic / agents, 1)``.
    """

    agents: FloatArray
    p_wait: FloatArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray


def occupancy(agents: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Share of agent time spent handling contacts: ``min(a / n, 1)``, 0 without traffic."""
    n, a = np.broadcast_arrays(np.asarray(agents, dtype=float), np.asarray(traffic, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.where(a > 0, 1.0, 0.0))
    return np.asarray(occ, dtype=float)


def figures(
    agents: ArrayLike, traffic: ArrayLike, aht_s: ArrayLike, target_s: ArrayLike
) -> ErlangCFigures:
    """Erlang C predictions for `agents` handling `traffic` Erlangs; SL within `target_s` seconds."""
    n, a, h, t = (
        np.asarray(x, dtype=float)
        for x in np.broadcast_arrays(
            np.asarray(agents, dtype=float),
            np.asarray(traffic, dtype=float),
            np.asarray(aht_s, dtype=float),
            np.asarray(target_s, dtype=float),
        )
    )
    check_finite_nonnegative(a, "traffic")
    check_positive(h, "aht_s")
    check_finite_nonnegative(t, "target_s")
    check_finite_nonnegative(n, "agents")
    p_wait = erlang_c(n, a)
    return ErlangCFigures(
        agents=n,
        p_wait=p_wait,
        service_level=_service_level(n, a, p_wait, h, t),
        asa_seconds=_asa(n, a, p_wait, h),
        occupancy=occupancy(n, a),
    )


def service_level(
    agents: ArrayLike, traffic: ArrayLike, aht_s: ArrayLike, target_s: ArrayLike
) -> FloatArray:
    """Share of contacts answered within `target_s` seconds (Erlang C)."""
    return figures(agents, traffic, aht_s, target_s).service_level


def asa_seconds(agents: ArrayLike, traffic: ArrayLike, aht_s: ArrayLike) -> FloatArray:
    """Average speed of answer in seconds (Erlang C); inf when agents <= traffic."""
    return figures(agents, traffic, aht_s, 0.0).asa_seconds


@dataclass(frozen=True)
class Requirement:
    """Agents required per element, with why and whether the answer is trustworthy.

    Attributes:
        agents: smallest agent count meeting every target (int64), or the cap.
        status: `Status` codes (int8): OK, UNREACHABLE (no staffing meets the target,
            e.g. 100% within 0 s), CAPPED (more than `max_agents` needed).
        binding: `Binding` codes (int8): the target that set the count.
    """

    agents: IntArray
    status: NDArray[np.int8]
    binding: NDArray[np.int8]


def min_agents_for_occupancy(traffic: FloatArray, max_occupancy: FloatArray) -> IntArray:
    """Smallest n with ``traffic / n <= max_occupancy`` (a relative 1e-12 tolerance).

    The tolerance keeps float quotients such as 17 / 0.85 = 20.000000000000004 at 20.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = traffic / max_occupancy
    n = np.ceil(raw * (1.0 - 1e-12) - 1e-12)
    return np.maximum(n, 0.0).astype(np.int64)


def required_agents(
    traffic: ArrayLike,
    aht_s: ArrayLike,
    *,
    sl_target: ArrayLike | None = None,
    target_s: ArrayLike = 20.0,
    asa_target_s: ArrayLike | None = None,
    max_occupancy: ArrayLike = 1.0,
    max_agents: ArrayLike | None = None,
) -> Requirement:
    """Smallest agent counts meeting an SL target, an ASA target and an occupancy cap (Erlang C).

    Args:
        traffic: offered load in Erlangs (>= 0).
        aht_s: average handle time in seconds (> 0).
        sl_target: share to answer within `target_s` (0..1), or None for no SL target.
        target_s: the service-level threshold in seconds (>= 0).
        asa_target_s: largest acceptable ASA in seconds, or None.
        max_occupancy: occupancy cap in (0, 1]; 1 means only stability is required.
        max_agents: cap on the answer; None means the count past which the probability
            of waiting underflows (no reachable target needs more).

    Returns:
        The `Requirement` (zero agents where traffic is zero). A target of 100% within
        any time, or an ASA of 0 s, is UNREACHABLE with traffic: the answer is then the
        cap, flagged.
    """
    a, h, t, occ = (
        np.asarray(x, dtype=float).ravel()
        for x in np.broadcast_arrays(
            np.asarray(traffic, dtype=float),
            np.asarray(aht_s, dtype=float),
            np.asarray(target_s, dtype=float),
            np.asarray(max_occupancy, dtype=float),
        )
    )
    shape = np.broadcast_shapes(
        np.shape(traffic), np.shape(aht_s), np.shape(target_s), np.shape(max_occupancy)
    )
    check_finite_nonnegative(a, "traffic")
    check_positive(h, "aht_s")
    check_finite_nonnegative(t, "target_s")
    if np.any(~(occ > 0) | (occ > 1)):
        raise InputError("max_occupancy: expected values in (0, 1]")
    cap = _cap(a, max_agents)
    n_occ = np.maximum(min_agents_for_occupancy(a, occ), np.where(a > 0, np.floor(a) + 1, 0))
    n_occ = n_occ.astype(np.int64)
    agents = n_occ.copy()
    binding = np.where(a > 0, Binding.OCCUPANCY, Binding.NONE).astype(np.int8)
    status = np.full(a.shape, Status.OK, dtype=np.int8)
    if sl_target is not None:
        sl = np.broadcast_to(np.asarray(sl_target, dtype=float), shape).ravel()
        if np.any(~np.isfinite(sl) | (sl < 0) | (sl > 1)):
            raise InputError("sl_target: expected a share in [0, 1]")
        unreachable = (a > 0) & (sl >= 1.0)
        n_sl = least_agents(a, h, t, sl, cap, unreachable, kind="sl")
        _merge(agents, binding, status, n_sl, Binding.SERVICE_LEVEL, unreachable)
    if asa_target_s is not None:
        asa = np.broadcast_to(np.asarray(asa_target_s, dtype=float), shape).ravel()
        check_finite_nonnegative(asa, "asa_target_s")
        unreachable = (a > 0) & (asa <= 0)
        n_asa = least_agents(a, h, asa, np.zeros_like(a), cap, unreachable, kind="asa")
        _merge(agents, binding, status, n_asa, Binding.ASA, unreachable)
    over = agents > cap
    agents = np.where(over, cap, agents)
    status = np.where(over & (status == Status.OK), Status.CAPPED, status).astype(np.int8)
    return Requirement(
        agents=agents.reshape(shape),
        status=status.reshape(shape),
        binding=binding.reshape(shape),
    )


def _cap(a: FloatArray, max_agents: ArrayLike | None) -> IntArray:
    natural = np.ceil(a + _SPAN_SQRT * np.sqrt(a) + _SPAN_ABS).astype(np.int64)
    if max_agents is None:
        return natural
    given = np.broadcast_to(np.asarray(max_agents, dtype=float), a.shape)
    if np.any(~np.isfinite(given) | (given < 0)):
        raise InputError("max_agents: expected finite counts >= 0")
    return np.minimum(natural, np.floor(given).astype(np.int64))


def _merge(
    agents: IntArray,
    binding: NDArray[np.int8],
    status: NDArray[np.int8],
    candidate: IntArray,
    why: Binding,
    unreachable: NDArray[np.bool_],
) -> None:
    higher = candidate > agents
    agents[higher] = candidate[higher]
    binding[higher] = why
    status[unreachable] = Status.UNREACHABLE
    binding[unreachable] = why


def least_agents(
    a: FloatArray,
    h: FloatArray,
    t: FloatArray,
    sl: FloatArray,
    cap: IntArray,
    skip: NDArray[np.bool_],
    kind: str,
) -> IntArray:
    """Smallest n meeting the target per element: a guess, then unit steps by recursion.

    The guess comes from the Halfin-Whitt approximation; Erlang B is evaluated exactly
    once at the guess, then stepped up or down with the recursion until the target is
    just met. Each element moves at most from the guess to its cap, so the loop ends.
    """
    out = np.zeros(a.shape, dtype=np.int64)
    live = (a > 0) & ~skip
    out[skip] = cap[skip]
    idx = np.flatnonzero(live)
    if idx.size == 0:
        return out
    a_, h_, t_, sl_, cap_ = a[idx], h[idx], t[idx], sl[idx], cap[idx]
    floor_n = np.floor(a_) + 1.0
    guess = np.clip(_halfin_whitt_guess(a_, h_, t_, sl_, kind), floor_n, cap_.astype(float))
    n = guess
    b = _erlang_b_positive(n, a_)
    ok = _meets(n, a_, b, h_, t_, sl_, kind)
    # Step down while the next lower count still meets the target.
    down = np.flatnonzero(ok & (n > floor_n))
    while down.size:
        nd, ad = n[down], a_[down]
        bd = b[down]
        b_prev = np.minimum(nd * bd / (ad * (1.0 - bd)), 1.0)
        n_prev = nd - 1.0
        still = _meets(n_prev, ad, b_prev, h_[down], t_[down], sl_[down], kind)
        move = down[still]
        n[move] = n_prev[still]
        b[move] = b_prev[still]
        down = move[n[move] > floor_n[move]]
    # Step up until the target is met or the cap is reached.
    up = np.flatnonzero(~ok)
    while up.size:
        nu, au, bu = n[up], a_[up], b[up]
        b_next = au * bu / (nu + 1.0 + au * bu)
        n_next = nu + 1.0
        n[up] = n_next
        b[up] = b_next
        met = _meets(n_next, au, b_next, h_[up], t_[up], sl_[up], kind)
        up = up[~met & (n_next <= cap_[up])]
    out[idx] = n.astype(np.int64)
    return out


def _meets(
    n: FloatArray,
    a: FloatArray,
    b: FloatArray,
    h: FloatArray,
    t: FloatArray,
    sl: FloatArray,
    kind: str,
) -> NDArray[np.bool_]:
    c = erlang_c_from_b(n, a, b)
    if kind == "sl":
        return np.asarray(_service_level(n, a, c, h, t) >= sl)
    return np.asarray(_asa(n, a, c, h) <= t)


def _halfin_whitt_guess(
    a: FloatArray, h: FloatArray, t: FloatArray, sl: FloatArray, kind: str
) -> FloatArray:
    """Agents from the square-root rule n = a + beta sqrt(a), beta from a table.

    Halfin and Whitt (1981): P(wait) ~ 1 / (1 + beta Phi(beta) / phi(beta)). The log of
    that is tabulated once per call on a grid of beta, and each element's beta found by
    bisection over the grid indices (cheap gathers, no special functions per element).
    Only a starting point; the exact search corrects it.
    """
    beta = np.linspace(0.0, 8.0, 513)
    log_pw = -np.log1p(beta * special.ndtr(beta) * np.exp(0.5 * beta * beta) * np.sqrt(2 * np.pi))
    root = np.sqrt(a)
    if kind == "sl":
        # 1 - Pw exp(-beta sqrt(a) T / h) >= sl  <=>  log Pw - beta k <= log(1 - sl)
        k = root * t / h
        with np.errstate(divide="ignore"):
            bound = np.log1p(-sl)
    else:
        # Pw h / (beta sqrt(a)) <= T  <=>  log Pw - log beta <= log(T sqrt(a) / h)
        with np.errstate(divide="ignore"):
            bound = np.log(t * root / h)
        log_pw = log_pw - np.log(np.maximum(beta, 1e-300))
        k = np.zeros_like(a)
    lo = np.zeros(a.shape, dtype=np.int64)
    hi = np.full(a.shape, beta.size - 1, dtype=np.int64)
    for _ in range(10):
        mid = (lo + hi) >> 1
        ok = log_pw[mid] - beta[mid] * k <= bound
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return np.ceil(a + beta[hi] * root)
