"""Agents per skill group checked by simulation: the pool's heads, searched from the Erlang figure.

The Erlang pooled figure (`planner.staffing.skill_groups`) pools a group's realtime queues
into one queue with the strictest target; the per-queue requirements the roster covers
add the queues up. Here each group's realtime queues are simulated together on one
cross-skilled pool (stationary rates per block, common random numbers across head
counts) and the heads are searched: fewer while every queue's mean simulated service
level over the replications meets its target, more while one misses, never above the
separate sum. The searched heads are then shared out over the queues' rows
(`pooled_requirements`), so a roster covering those rows is sized for the pool.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from planner.staffing.requirements import QueuePolicy, heads_on_shift
from scenarios.spec import Scenario
from scenarios.staffing import queue_policy, skill_groups
from simulation import Agents, Contacts, Mode, Queues, simulate

REPLICATIONS = 5
"""Replications per head count (common random numbers: the same contacts at every count)."""
MEASURED_CONTACTS = 3000
"""Contacts per replication in the measured window (past the warm-up), at least an hour."""
WARMUP_S = 1800.0
"""The pool starts empty; contacts arriving in this first stretch are not measured."""


@dataclass(frozen=True)
class PoolQueue:
    """One realtime queue of a pool at stationary rates.

    Attributes:
        rate_per_s: arrivals per second.
        handle_s: mean handle time (exponential), seconds.
        target_s: answer threshold, seconds.
        sl_target: share to answer within `target_s` (abandoned contacts miss it).
        patience_s: mean patience (exponential), or None for callers who never abandon.
        concurrency: chats an agent holds at once (chat only; 1 is one contact per agent).
    """

    rate_per_s: float
    handle_s: float
    target_s: float
    sl_target: float
    patience_s: float | None = None
    concurrency: int = 1


@dataclass(frozen=True)
class PoolSearch:
    """The searched heads of one pool and each queue's simulated service level there.

    Attributes:
        agents: on-queue agents the pool needs (every queue's mean SL meets its target,
            or `cap` agents when even they do not).
        service_level: per queue, mean simulated SL at `agents`.
        evaluations: head counts simulated.
    """

    agents: int
    service_level: tuple[float, ...]
    evaluations: int


def pool_service_levels(
    queues: Sequence[PoolQueue],
    agents: int,
    *,
    replications: int = REPLICATIONS,
    seed: int = 0,
) -> tuple[float, ...]:
    """Per queue, the mean over replications of the simulated SL with `agents` pooled agents."""
    if agents <= 0:
        return tuple(0.0 if q.rate_per_s > 0 else math.nan for q in queues)
    totals = np.zeros(len(queues))
    for rep in range(replications):
        contacts, measured, horizon = _stationary_contacts(queues, seed + rep)
        out = simulate(_queues(queues), contacts, _pool(agents, queues, horizon), horizon, seed)
        waited = np.asarray(out.start_s - out.arrival_s)
        target = np.asarray([q.target_s for q in queues])[out.queue]
        met = (~np.asarray(out.abandoned)) & (waited <= target)
        for j in range(len(queues)):
            mine = measured & (out.queue == j)
            totals[j] += met[mine].mean() if mine.any() else math.nan
    return tuple(float(v) for v in totals / replications)


def search_pool(
    queues: Sequence[PoolQueue],
    start: int,
    cap: int,
    *,
    replications: int = REPLICATIONS,
    seed: int = 0,
) -> PoolSearch:
    """The fewest agents (at most `cap`) at which every queue's mean simulated SL meets target.

    Starts at `start` (the Erlang figure): steps down while the targets hold, or up while
    one misses. Common random numbers make the SL monotone in practice across counts.
    """
    if cap < 0 or start < 0:
        raise InputError(f"pool search: expected start and cap >= 0, got {start} and {cap}")
    if not any(q.rate_per_s > 0 for q in queues):
        return PoolSearch(0, tuple(math.nan for _ in queues), 0)
    seen: dict[int, tuple[float, ...]] = {}

    def meets(n: int) -> bool:
        if n not in seen:
            seen[n] = pool_service_levels(queues, n, replications=replications, seed=seed)
        return all(
            math.isnan(sl) or sl >= q.sl_target for sl, q in zip(seen[n], queues, strict=True)
        )

    n = min(max(start, 1), cap)
    if meets(n):
        while n > 1 and meets(n - 1):
            n -= 1
    else:
        while n < cap and not meets(n):
            n += 1
    meets(n)
    return PoolSearch(n, seen[n], len(seen))


def pooled_requirements(
    requirements: pd.DataFrame,
    policies: Sequence[QueuePolicy],
    groups: Mapping[str, Sequence[str]],
    interval_min: int,
    *,
    block: str = "1h",
    replications: int = REPLICATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """The requirements frame with each skill group's realtime rows cut to its searched heads.

    Per group and `block` of intervals, the group's realtime queues are simulated at their
    peak rate in the block and their mean handle time; the searched heads (capped per
    interval at the queues' separate sum) are shared out over the queues in proportion to
    their Erlang figures (largest remainder). A queue in several groups keeps the largest
    of its shares. Deferred queues, and queues in no group, keep their rows.

    Args:
        requirements: the requirements frame of `planner.staffing.requirements.staff_queues`.
        policies: the queues' policies.
        groups: skill group name -> the queue ids its agents serve.
        interval_min: interval length in minutes.
        block: pandas frequency of the blocks searched once (e.g. '1h', '15min').
        replications: replications per head count.
        seed: seed of the first replication.
    """
    by_queue = {p.queue: p for p in policies}
    interval_s = interval_min * 60.0
    reqs = requirements.reset_index(drop=True)
    agents = reqs["agents_required"].to_numpy(dtype=float, copy=True)
    shares: dict[int, int] = {}
    cache: dict[tuple[object, ...], PoolSearch] = {}
    for name, members in groups.items():
        unknown = [q for q in members if q not in by_queue]
        if unknown:
            raise InputError(f"skill group {name}: queues {unknown} have no policy")
        realtime = [by_queue[q] for q in members if by_queue[q].method != "deferred"]
        rows = reqs[reqs["queue"].isin([p.queue for p in realtime])]
        if rows.empty:
            continue
        for _, part in rows.groupby(rows["interval_start"].dt.floor(block)):
            pool = _block_queues(part, realtime, interval_s)
            start = _block_start(part)
            cap = int(part.groupby("interval_start")["agents_required"].sum().max())
            key = (tuple(pool), start, cap)
            if key not in cache:
                cache[key] = search_pool(pool, start, cap, replications=replications, seed=seed)
            for _, one in part.groupby("interval_start"):
                for idx, share in _apportion(one, cache[key].agents).items():
                    shares[idx] = max(shares.get(idx, 0), share)
    for idx, share in shares.items():
        agents[idx] = min(agents[idx], share)
    cut = np.flatnonzero(agents != reqs["agents_required"].to_numpy(dtype=float))
    scheduled = reqs["scheduled_required"].to_numpy(dtype=float).copy()
    for row in cut.tolist():
        shrink = by_queue[str(reqs.at[row, "queue"])].shrinkage_frac
        scheduled[row] = float(heads_on_shift(agents[row], shrink))
    out = reqs.copy()
    out["agents_required"] = agents
    out["scheduled_required"] = scheduled
    return out


def scenario_pooled_requirements(
    scenario: Scenario, requirements: pd.DataFrame, *, seed: int = 0
) -> pd.DataFrame:
    """`pooled_requirements` over the scenario's skill groups (`scenarios.staffing.skill_groups`)."""
    return pooled_requirements(
        requirements,
        tuple(queue_policy(q) for q in scenario.queues),
        skill_groups(scenario),
        scenario.planning.interval_minutes,
        seed=seed,
    )


def _block_queues(
    part: pd.DataFrame, realtime: Sequence[QueuePolicy], interval_s: float
) -> list[PoolQueue]:
    """The block's queues at each one's peak open rate and volume-weighted handle time."""
    pool = []
    for policy in realtime:
        rows = part[part["queue"] == policy.queue]
        volume = np.where(rows["open"].to_numpy(dtype=bool), rows["volume"].to_numpy(float), 0.0)
        aht = rows["aht_seconds"].to_numpy(dtype=float)
        peak = float(volume.max()) if len(volume) else 0.0
        handle = float((volume * aht).sum() / volume.sum()) if volume.sum() > 0 else 1.0
        pool.append(
            PoolQueue(
                rate_per_s=round(peak / interval_s, 6),
                handle_s=round(handle, 1),
                target_s=policy.target_s,
                sl_target=policy.sl_target,
                patience_s=policy.patience_s,
                concurrency=int(policy.concurrency),
            )
        )
    return pool


def _block_start(part: pd.DataFrame) -> int:
    """The Erlang start: the busiest interval's separate sum is an upper bound on it."""
    return int(part.groupby("interval_start")["agents_required"].sum().max())


def _apportion(one: pd.DataFrame, heads: int) -> dict[int, int]:
    """Share `heads` over one interval's queue rows in proportion to their Erlang figures."""
    need = one["agents_required"].to_numpy(dtype=float)
    total = need.sum()
    if total <= heads or total == 0:
        return {int(i): int(n) for i, n in zip(one.index, need, strict=True)}
    exact = need * heads / total
    base = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: heads - int(base.sum())]] += 1
    return {int(i): int(n) for i, n in zip(one.index, base, strict=True)}


def _stationary_contacts(
    queues: Sequence[PoolQueue], seed: int
) -> tuple[Contacts, np.ndarray, float]:  # type: ignore[type-arg]
    """Poisson arrivals at the queues' rates; which of them are measured; the horizon."""
    rng = np.random.default_rng(seed)
    rates = np.asarray([q.rate_per_s for q in queues])
    total = float(rates.sum())
    window = max(3600.0, MEASURED_CONTACTS / total)
    end = WARMUP_S + window
    count = int(rng.poisson(total * end))
    arrival = np.sort(rng.uniform(0.0, end, count))
    queue = rng.choice(len(queues), size=count, p=rates / total)
    handle = rng.exponential(1.0, count) * np.asarray([q.handle_s for q in queues])[queue]
    patience_means = np.asarray([q.patience_s or math.inf for q in queues])
    patience = np.where(
        np.isfinite(patience_means[queue]),
        rng.exponential(1.0, count)
        * np.where(np.isfinite(patience_means), patience_means, 1.0)[queue],
        math.inf,
    )
    contacts = Contacts(arrival_s=arrival, queue=queue, handle_s=handle, patience_s=patience)
    horizon = end + max(3600.0, 10 * max(q.target_s for q in queues))
    return contacts, arrival >= WARMUP_S, horizon


def _queues(queues: Sequence[PoolQueue]) -> Queues:
    modes = [Mode.CHAT if q.concurrency > 1 else Mode.REALTIME for q in queues]
    return Queues(mode=modes, target_s=[q.target_s for q in queues])


def _pool(agents: int, queues: Sequence[PoolQueue], horizon_s: float) -> Agents:
    return Agents(
        skills=np.ones((agents, len(queues)), dtype=bool),
        period_agent=np.arange(agents),
        period_start_s=np.zeros(agents),
        period_end_s=np.full(agents, horizon_s),
        chat_slots=np.full(agents, max(q.concurrency for q in queues)),
    )
