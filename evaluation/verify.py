"""Checks of the simulation engine against independent results: `followsun verify`.

Each check runs the engine on a system whose answer is known without it (Erlang C,
Erlang A and the chat slot model from `planner.staffing`, an exact Markov chain solved
here, conservation and Little's law) and compares one figure.

Sampling error: a figure estimated from one run of n contacts has a standard error,
estimated here by batch means (the run cut into `BATCHES` consecutive batches). A check
passes when the observed value is within ``max(1% of expected, 3 standard errors)`` of
the expected one: at 10^6 contacts and 85% load the standard error of the mean wait is
about 1-2% (waits are strongly correlated in time), so a 1% bound alone would fail a
correct engine on most seeds. The first `WARMUP_SHARE` of each run (started empty) and
the last (still in the system at its end) are left out of every figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from scipy.sparse import linalg

from planner import cancellation
from planner.staffing import chat, erlang_a, erlang_c
from simulation import Agents, Contacts, Mode, Outcome, Queues, ShrinkageMode, simulate
from simulation.model import FloatArray
from simulation.replications import estimate, t975

CONTACTS = 1_000_000
BATCHES = 40
WARMUP_SHARE = 0.01
RELATIVE_TOLERANCE = 0.01
STANDARD_ERRORS = 3.0
SEED = 20261207


@dataclass(frozen=True)
class Check:
    """One verified figure: what theory expects, what the engine gave, and the bound."""

    name: str
    expected: float
    observed: float
    tolerance: float
    passed: bool


def run_checks(contacts: int = CONTACTS, seed: int = SEED) -> list[Check]:
    """Every check, each on runs of `contacts` contacts drawn with `seed`; cancellable between runs."""
    stages = (
        (erlang_c_checks, contacts),
        (erlang_a_checks, contacts),
        (chat_checks, contacts),
        (pooled_two_queue_checks, contacts),
        (conservation_checks, max(contacts // 10, 1000)),
    )
    checks: list[Check] = []
    for offset, (stage, count) in enumerate(stages):
        cancellation.current().check()
        checks += stage(count, seed + offset)
    return checks


def _check(
    name: str,
    expected: float,
    observed: float,
    std_error: float,
    relative: float = RELATIVE_TOLERANCE,
) -> Check:
    tolerance = max(relative * abs(expected), STANDARD_ERRORS * std_error)
    passed = bool(math.isfinite(observed) and abs(observed - expected) <= tolerance)
    return Check(name, float(expected), float(observed), float(tolerance), passed)


def batch_means(values: FloatArray, weights: FloatArray | None = None) -> tuple[float, float]:
    """Ratio estimate over a run (values in time order) and its batch-means standard error."""
    w = np.ones_like(values) if weights is None else weights
    size = len(values) // BATCHES
    v = (values * w)[: size * BATCHES].reshape(BATCHES, size).sum(axis=1)
    d = w[: size * BATCHES].reshape(BATCHES, size).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_batch = v / d
    est = estimate(per_batch)
    return float((values * w).sum() / w.sum()), est.half_width / t975(BATCHES - 1)


def _poisson_queue(
    queue_rates: list[float],
    handle_means: list[float],
    patience_means: list[float],
    count: int,
    rng: np.random.Generator,
) -> Contacts:
    """`count` Poisson arrivals over queues with the given rates, exponential times."""
    rates = np.asarray(queue_rates)
    arrival = np.cumsum(rng.exponential(1.0 / rates.sum(), count))
    queue = rng.choice(len(rates), size=count, p=rates / rates.sum())
    handle = rng.exponential(1.0, count) * np.asarray(handle_means)[queue]
    patience = rng.exponential(1.0, count) * np.asarray(patience_means)[queue]
    return Contacts(arrival_s=arrival, queue=queue, handle_s=handle, patience_s=patience)


def _one_group(agents: int, queues: int, horizon_s: float, slots: int = 1) -> Agents:
    return Agents(
        skills=np.ones((agents, queues), dtype=bool),
        period_agent=np.arange(agents),
        period_start_s=np.zeros(agents),
        period_end_s=np.full(agents, horizon_s),
        chat_slots=np.full(agents, slots),
    )


def _run(
    queues: Queues, contacts: Contacts, agents: Agents, seed: int
) -> tuple[Outcome, np.ndarray]:  # type: ignore[type-arg]
    """The run to one second past the last arrival; the contacts past warm-up and before cool-down.

    The last `WARMUP_SHARE` of arrivals are left out too: some of them are still waiting
    or in service when the run ends.
    """
    horizon = float(np.asarray(contacts.arrival_s)[-1]) + 1.0
    out = simulate(queues, contacts, agents, horizon, seed)
    first = int(contacts.count * WARMUP_SHARE)
    kept = np.zeros(out.status.shape[0], dtype=bool)
    kept[first : contacts.count - first] = True
    return out, kept


def _waited(out: Outcome) -> FloatArray:
    """Time in queue: to service start, or to abandonment; NaN if still waiting."""
    leave = np.where(out.abandoned, out.end_s, out.start_s)
    return np.asarray(leave - out.arrival_s)


def erlang_c_checks(count: int, seed: int) -> list[Check]:
    """M/M/50 at 85% load against Erlang C: P(wait), service level, ASA; Little's law."""
    n, aht, target = 50, 180.0, 20.0
    rate = 0.85 * n / aht
    rng = np.random.default_rng(seed)
    contacts = _poisson_queue([rate], [aht], [np.inf], count, rng)
    out, kept = _run(
        Queues(mode=[Mode.REALTIME], target_s=[target]), contacts, _one_group(n, 1, 1e12), seed
    )
    wait = out.wait_s[kept]
    served = ~np.isnan(wait)
    wait, served_wait = np.nan_to_num(wait, nan=np.inf), wait[served]
    figs = erlang_c.figures(n, rate * aht, aht, target)
    checks = [
        _check("erlang_c.p_wait", float(figs.p_wait), *batch_means((wait > 0).astype(float))),
        _check(
            "erlang_c.service_level",
            float(figs.service_level),
            *batch_means((wait <= target).astype(float)),
        ),
        _check("erlang_c.asa_seconds", float(figs.asa_seconds), *batch_means(served_wait)),
    ]
    return checks + little_checks("erlang_c", out, contacts, kept, rng)


def little_checks(
    label: str, out: Outcome, contacts: Contacts, kept: np.ndarray, rng: np.random.Generator
) -> list[Check]:  # type: ignore[type-arg]
    """Little's law twice: on the queue (L = lambda W) and on the agents (busy = lambda S).

    The queue length is sampled at uniform random instants (an estimator independent of
    the waits' sum); the agents' busy seconds come from the engine's own accounting.
    """
    arrival = out.arrival_s
    start, end = arrival[kept][0], arrival[kept][-1]
    queued = _waited(out)
    leave = np.sort(np.where(np.isnan(queued), np.inf, arrival + queued))
    instants = rng.uniform(start, end, 200_000)
    length = (
        np.searchsorted(arrival, instants, side="right")
        - np.searchsorted(leave, instants, side="right")
    ).astype(float)
    inside = kept & (arrival + np.nan_to_num(queued, nan=np.inf) <= end)
    lam = inside.sum() / (end - start)
    expected_queue = lam * float(np.mean(queued[inside]))
    observed_queue, queue_se = batch_means(length)
    busy = out.busy_s.sum() / out.horizon_s
    handled = np.asarray(contacts.handle_s)[~np.isnan(out.start_s[: contacts.count])]
    offered_work = float(handled.sum()) / out.horizon_s
    return [
        _check(f"{label}.little_queue_length", expected_queue, observed_queue, queue_se),
        _check(f"{label}.little_busy_agents", offered_work, busy, 0.0),
    ]


def erlang_a_checks(count: int, seed: int) -> list[Check]:
    """M/M/14+M, 60 calls / 15 min, AHT 240 s, patience 120 s, against Erlang A."""
    n, aht, patience, target, interval = 14, 240.0, 120.0, 20.0, 900.0
    rate = 60.0 / interval
    rng = np.random.default_rng(seed)
    contacts = _poisson_queue([rate], [aht], [patience], count, rng)
    out, kept = _run(
        Queues(mode=[Mode.REALTIME], target_s=[target]), contacts, _one_group(n, 1, 1e12), seed
    )
    queued = _waited(out)[kept]
    abandoned = out.abandoned[kept].astype(float)
    answered = out.start_s[kept] - out.arrival_s[kept]
    served = ~np.isnan(answered)
    figs = erlang_a.figures(n, 60.0, aht, interval, patience, target)
    checks = [
        _check("erlang_a.p_wait", float(figs.p_wait), *batch_means((queued > 0).astype(float))),
        _check("erlang_a.abandon_rate", float(figs.abandon_rate), *batch_means(abandoned)),
        _check(
            "erlang_a.service_level",
            float(figs.service_level),
            *batch_means((served & (np.nan_to_num(answered, nan=np.inf) <= target)).astype(float)),
        ),
        _check("erlang_a.asa_seconds", float(figs.asa_seconds), *batch_means(answered[served])),
    ]
    return checks + little_checks("erlang_a", out, contacts, kept, rng)


def chat_checks(count: int, seed: int) -> list[Check]:
    """10 agents x 3 chat slots at 85% of the slots against the concurrency model."""
    n, slots, aht, target = 10, 3, 600.0, 60.0
    rate = 0.85 * n * slots / aht
    rng = np.random.default_rng(seed)
    contacts = _poisson_queue([rate], [aht], [np.inf], count, rng)
    agents = _one_group(n, 1, 1e12, slots=slots)
    out, kept = _run(Queues(mode=[Mode.CHAT], target_s=[target]), contacts, agents, seed)
    wait = np.nan_to_num(out.wait_s[kept], nan=np.inf)
    figs = chat.figures(n, rate * aht, aht, float(slots), target)
    return [
        _check("chat.p_wait", float(figs.p_wait), *batch_means((wait > 0).astype(float))),
        _check(
            "chat.service_level",
            float(figs.service_level),
            *batch_means((wait <= target).astype(float)),
        ),
        _check("chat.asa_seconds", float(figs.asa_seconds), *batch_means(wait[np.isfinite(wait)])),
        _check(
            "chat.slot_occupancy",
            float(figs.occupancy),
            float(out.busy_s.sum() / out.available_s.sum()),
            # the offered work is compound Poisson: relative error sqrt(2 / contacts)
            float(figs.occupancy) * math.sqrt(2.0 / contacts.count),
        ),
    ]


# The pooled case: 4 agents, each serving both queues; queue A first when an agent frees.
POOLED_AGENTS = 4
POOLED_RATE = (1 / 80.0, 1 / 250.0)  # arrivals a second
POOLED_HANDLE_S = (180.0, 300.0)
POOLED_PATIENCE_S = (120.0, 600.0)
POOLED_QUEUE_CAP = 40  # the chain's truncation; its mass there is checked negligible


def pooled_chain_figures(
    agents: int,
    rate: tuple[float, float],
    handle_s: tuple[float, float],
    patience_s: tuple[float, float],
    queue_cap: int = POOLED_QUEUE_CAP,
) -> dict[str, float]:
    """Exact per-queue P(wait), abandonment share and mean time in queue of a pooled pair.

    Two queues A and B served by `agents` agents who each serve both, A first when an
    agent frees. A continuous-time Markov chain on (busy with A, busy with B, waiting
    A, waiting B), exponential times, truncated at `queue_cap` waiting per queue and
    solved for its stationary law with a sparse direct solver. Arrivals see time
    averages (PASTA); mean time in queue by Little's law. Keys: "A.p_wait" and so on.
    """
    n, k = agents, queue_cap
    lam, mu, theta = np.asarray(rate), 1 / np.asarray(handle_s), 1 / np.asarray(patience_s)
    states = [
        (ba, bb, qa, qb)
        for ba in range(n + 1)
        for bb in range(n + 1 - ba)
        for qa in (range(k + 1) if ba + bb == n else (0,))
        for qb in (range(k + 1) if ba + bb == n else (0,))
    ]
    index = {s: i for i, s in enumerate(states)}
    rows: list[int] = []
    cols: list[int] = []
    rates: list[float] = []

    def add(src: tuple[int, int, int, int], dst: tuple[int, int, int, int], rate: float) -> None:
        if rate > 0 and dst in index:
            rows.append(index[src])
            cols.append(index[dst])
            rates.append(rate)

    for s in states:
        ba, bb, qa, qb = s
        full = ba + bb == n
        add(s, (ba, bb, qa + 1, qb) if full else (ba + 1, bb, 0, 0), lam[0])
        add(s, (ba, bb, qa, qb + 1) if full else (ba, bb + 1, 0, 0), lam[1])
        for done, speed in ((0, ba * mu[0]), (1, bb * mu[1])):
            busy = [ba, bb]
            busy[done] -= 1
            if qa > 0:
                add(s, (busy[0] + 1, busy[1], qa - 1, qb), speed)
            elif qb > 0:
                add(s, (busy[0], busy[1] + 1, qa, qb - 1), speed)
            else:
                add(s, (busy[0], busy[1], 0, 0), speed)
        add(s, (ba, bb, qa - 1, qb), qa * theta[0])
        add(s, (ba, bb, qa, qb - 1), qb * theta[1])
    size = len(states)
    q = sparse.csr_matrix((rates, (rows, cols)), shape=(size, size))
    generator = (q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())).T.tolil()
    generator[size - 1, :] = np.ones(size)
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    pi = linalg.spsolve(generator.tocsc(), rhs)
    arr = np.asarray(states)
    if pi[(arr[:, 2] == k) | (arr[:, 3] == k)].sum() > 1e-9:
        raise RuntimeError("verify: the pooled chain's truncation holds noticeable mass")
    full = arr[:, 0] + arr[:, 1] == n
    out: dict[str, float] = {}
    for j, name in enumerate("AB"):
        mean_queue = float(pi @ arr[:, 2 + j])
        out[f"{name}.p_wait"] = float(pi[full].sum())
        out[f"{name}.abandon_rate"] = float(theta[j] * mean_queue / lam[j])
        out[f"{name}.mean_queue_s"] = float(mean_queue / lam[j])
    return out


def pooled_two_queue_checks(count: int, seed: int) -> list[Check]:
    """Two queues pooled on one cross-skilled group with priority, against the exact chain."""
    rng = np.random.default_rng(seed)
    contacts = _poisson_queue(
        list(POOLED_RATE), list(POOLED_HANDLE_S), list(POOLED_PATIENCE_S), count, rng
    )
    queues = Queues(mode=[Mode.REALTIME, Mode.REALTIME], target_s=[20.0, 20.0], priority=[1, 0])
    out, kept = _run(queues, contacts, _one_group(POOLED_AGENTS, 2, 1e12), seed)
    exact = pooled_chain_figures(POOLED_AGENTS, POOLED_RATE, POOLED_HANDLE_S, POOLED_PATIENCE_S)
    queued = _waited(out)
    checks = []
    for j, name in enumerate("AB"):
        mine = kept & (out.queue == j)
        observed = {
            "p_wait": batch_means((queued[mine] > 0).astype(float)),
            "abandon_rate": batch_means(out.abandoned[mine].astype(float)),
            "mean_queue_s": batch_means(queued[mine]),
        }
        for fig, (value, se) in observed.items():
            checks.append(
                _check(f"pooled_two_queue.{name}.{fig}", exact[f"{name}.{fig}"], value, se)
            )
    return checks


def conservation_checks(count: int, seed: int) -> list[Check]:
    """Every contact arrives once and ends once, on a mixed organisation, both shrinkage modes.

    The engine asserts it on every run (a breach raises); here it is also counted from
    the outcome: handled + abandoned + waiting + in service = offered + follow-ups, and
    every follow-up's parent was handled on a queue that escalates.
    """
    checks = []
    for mode_name, make in (("spread", _mixed_case), ("absence", _mixed_case_absent)):
        queues, contacts, agents, horizon = make(count, np.random.default_rng(seed))
        try:
            out = simulate(queues, contacts, agents, horizon, seed)
        except RuntimeError:
            checks.append(Check(f"conservation.{mode_name}.engine_assertion", 1.0, 0.0, 0.0, False))
            continue
        status = np.bincount(out.status, minlength=5)
        follow = out.parent >= 0
        parents = out.parent[follow]
        total = contacts.count + int(follow.sum())
        parents_ok = bool(
            out.handled[parents].all()
            and (np.asarray(queues.escalation)[out.queue[parents]] == out.queue[follow]).all()
        )
        checks.append(
            _check(
                f"conservation.{mode_name}.contacts_accounted",
                total,
                float(status[1:].sum()),
                0.0,
                0.0,
            )
        )
        checks.append(
            _check(
                f"conservation.{mode_name}.follow_ups_from_handled",
                1.0,
                float(parents_ok),
                0.0,
                0.0,
            )
        )
    return checks


def _mixed_case(count: int, rng: np.random.Generator) -> tuple[Queues, Contacts, Agents, float]:
    """Phone (patience, reserved), chat, email escalating to a Tier 2 email queue."""
    day = 86_400.0
    days = 7
    horizon = days * day
    queues = Queues(
        mode=[Mode.REALTIME, Mode.CHAT, Mode.DEFERRED, Mode.DEFERRED],
        target_s=[20.0, 60.0, 3600.0, 86_400.0],
        priority=[3, 2, 1, 1],
        reservation=[1, 0, 0, 0],
        escalation=[-1, -1, 3, -1],
    )
    arrival = np.sort(rng.uniform(0, horizon - 1, count))
    queue = rng.choice(3, size=count, p=[0.5, 0.3, 0.2])
    contacts = Contacts(
        arrival_s=arrival,
        queue=queue,
        handle_s=rng.lognormal(np.log(300.0), 0.5, count),
        patience_s=rng.exponential(180.0, count),
        escalation_prob=np.where(queue == 2, 0.2, 0.0),
        escalation_handle_s=rng.lognormal(np.log(900.0), 0.5, count),
        wrap_s=rng.exponential(20.0, count),
    )
    agents_n = 12
    skills = np.zeros((agents_n, 4), dtype=bool)
    skills[:8, :3] = True
    skills[8:, 2:] = True
    shift_agent, shift_start, shift_end = [], [], []
    for a in range(agents_n):
        for d in range(days):
            begin = d * day + (a % 3) * 8 * 3600.0
            # an 8-hour shift with a 30-minute break in the middle: two periods
            shift_agent += [a, a]
            shift_start += [begin, begin + 4.5 * 3600]
            shift_end += [begin + 4 * 3600, begin + 8 * 3600]
    agents = Agents(
        skills=skills,
        period_agent=np.asarray(shift_agent),
        period_start_s=np.asarray(shift_start),
        period_end_s=np.asarray(shift_end),
        chat_slots=np.full(agents_n, 2),
        shrinkage_frac=np.full(agents_n, 0.2),
        handle_factor=np.where(np.arange(agents_n) < 2, 1.3, 1.0),
        one_touch=np.where(np.arange(agents_n) < 2, 0.7, np.nan),
        period_shift=np.repeat(np.arange(agents_n * days), 2),
    )
    return queues, contacts, agents, horizon


def _mixed_case_absent(
    count: int, rng: np.random.Generator
) -> tuple[Queues, Contacts, Agents, float]:
    queues, contacts, agents, horizon = _mixed_case(count, rng)
    return queues, contacts, replace(agents, shrinkage_mode=ShrinkageMode.ABSENCE), horizon
