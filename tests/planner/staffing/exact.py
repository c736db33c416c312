"""Second implementations for the staffing tests, written from the textbook definitions.

* Erlang B / C in exact rational arithmetic from the sums ``sum a^k / k!`` (no recursion,
  no logs), for rational traffic;
* Erlang A by brute force on the truncated birth-death chain: stationary law by the
  detailed-balance products, service within T and the mean wait of served contacts by a
  matrix exponential and the fundamental matrix of the absorbing chain a tagged
  customer follows. None of the closed forms of `planner.staffing.erlang_a` is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from math import exp, factorial

import numpy as np
from scipy.linalg import expm


def erlang_b(n: int, a: Fraction) -> Fraction:
    terms = [a**k / factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def erlang_c(n: int, a: Fraction) -> Fraction:
    """Probability of waiting: ``(a^n/n! n/(n-a)) / (sum_{k<n} a^k/k! + a^n/n! n/(n-a))``."""
    if n <= a:
        return Fraction(1)
    top = a**n / factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / factorial(k) for k in range(n)) + top)


def erlang_c_decimal(n: int, a: int, digits: int = 60) -> float:
    """Erlang C from the same sums in 60-digit decimal arithmetic (huge exponents allowed)."""
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.Emax = 10**9
        aa = Decimal(a)
        term = Decimal(1)
        below = Decimal(0)
        for k in range(n):
            below += term
            term = term * aa / (k + 1)
        top = term * n / (n - aa)
        return float(top / (below + top))


def service_level(n: int, a: Fraction, aht_s: float, target_s: float) -> float:
    if n <= a:
        return 0.0
    return 1.0 - float(erlang_c(n, a)) * exp(-float(n - a) * target_s / aht_s)


def asa(n: int, a: Fraction, aht_s: float) -> float:
    return float(erlang_c(n, a)) * aht_s / float(n - a)


@dataclass(frozen=True)
class BruteA:
    p_wait: float
    abandon_rate: float
    service_level: float
    asa_served: float


def erlang_a(
    n: int,
    lam: float,
    aht_s: float,
    patience_s: float,
    target_s: float,
    queue_max: int = 250,
    tagged: bool = True,
) -> BruteA:
    """M/M/n+M by brute force on states 0..n+queue_max (rates per second)."""
    mu, theta = 1.0 / aht_s, 1.0 / patience_s
    size = n + queue_max + 1
    log_pi = np.zeros(size)
    for k in range(1, size):
        down = min(k, n) * mu + max(k - n, 0) * theta
        log_pi[k] = log_pi[k - 1] + np.log(lam) - np.log(down)
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    assert pi[-1] < 1e-14, "truncate later: the chain has mass at its end"
    p_wait = float(pi[n:].sum())
    queue = np.arange(size) - n
    abandon = float(theta * (queue[n:] @ pi[n:]) / lam)
    if not tagged:
        return BruteA(
            p_wait=p_wait, abandon_rate=abandon, service_level=float("nan"), asa_served=float("nan")
        )
    # Tagged customer with i others ahead (state i = 0..queue_max-1): it moves up at
    # rate n mu + i theta, abandons at theta. Absorbing states: served, abandoned.
    m = queue_max
    gen = np.zeros((m + 2, m + 2))
    served, gone = m, m + 1
    for i in range(m):
        up = n * mu + i * theta
        gen[i, i - 1 if i > 0 else served] += up
        gen[i, gone] += theta
        gen[i, i] = -(up + theta)
    within = expm(gen * target_s)[:m, served] if n > 0 else np.zeros(m)
    transient = -gen[:m, :m]
    to_served = np.zeros(m)
    to_served[0] = n * mu
    fundamental = np.linalg.inv(transient)
    p_served = fundamental @ to_served
    wait_served = fundamental @ p_served  # E[T 1{served}] = sum_s E[time in s] P(served | s)
    weights = pi[n : n + m]
    sl = float(pi[:n].sum() + weights @ within)
    served_share = 1.0 - abandon
    asa_served = float(weights @ wait_served) / served_share if served_share > 0 else float("nan")
    return BruteA(p_wait=p_wait, abandon_rate=abandon, service_level=sl, asa_served=asa_served)
