"""Replications: one run per seed through any `map`, and figures with 95% intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from forecasting.errors import InputError
from simulation.engine import simulate
from simulation.model import Agents, Contacts, Outcome, Queues

MapFn = Callable[..., Iterable[Any]]
ContactsFor = Contacts | Callable[[int], Contacts]

# Student's t 0.975 quantiles for 1..30 degrees of freedom (any statistics table, e.g.
# NIST/SEMATECH e-Handbook 1.3.6.7.2); beyond 30 the Cornish-Fisher series below.
_T975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip
_Z975 = 1.959963984540054


def t975(dof: int) -> float:
    """Student's t quantile at 0.975 for `dof` degrees of freedom (>= 1)."""
    if dof < 1:
        raise InputError(f"dof: expected >= 1 degrees of freedom, got {dof}")
    if dof <= len(_T975):
        return _T975[dof - 1]
    z, v = _Z975, float(dof)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
    )


@dataclass(frozen=True)
class Estimate:
    """A figure's mean over replications and its 95% t interval.

    Attributes:
        mean: the mean of the per-replication values.
        half_width: half the 95% interval's width (NaN with one value).
        count: number of values (replications) it rests on.
    """

    mean: float
    half_width: float
    count: int

    @property
    def low(self) -> float:
        """Lower end of the 95% interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the 95% interval."""
        return self.mean + self.half_width


def estimate(values: ArrayLike) -> Estimate:
    """Mean and 95% t interval of independent per-replication values (NaN ones dropped)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Estimate(mean=math.nan, half_width=math.nan, count=0)
    if v.size == 1:
        return Estimate(mean=float(v[0]), half_width=math.nan, count=1)
    half = t975(v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return Estimate(mean=float(v.mean()), half_width=half, count=int(v.size))


def replicate(
    queues: Queues,
    contacts: ContactsFor,
    agents: Agents,
    horizon_s: float,
    seeds: Sequence[int],
    map_fn: MapFn = map,
) -> list[Outcome]:
    """One `simulate` run per seed, through `map_fn` (built-in `map`, or an executor's).

    Args:
        queues: the queues.
        contacts: the contacts, or a function of the seed drawing them (arrivals drawn
            from a forecast differ per replication); it must pickle for process pools.
        agents: the agents.
        horizon_s: the horizon in seconds.
        seeds: one seed per replication.
        map_fn: an `executor.map`-like callable ``map_fn(fn, seeds)``.
    """
    if len(seeds) == 0:
        raise InputError("seeds: expected at least one seed")
    run = partial(_run_one, queues, contacts, agents, float(horizon_s))
    results: Iterator[Outcome] = iter(map_fn(run, list(seeds)))
    return list(results)


def _run_one(
    queues: Queues, contacts: ContactsFor, agents: Agents, horizon_s: float, seed: int
) -> Outcome:
    drawn = contacts if isinstance(contacts, Contacts) else contacts(seed)
    return simulate(queues, drawn, agents, horizon_s, seed)
