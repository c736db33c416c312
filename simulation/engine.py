"""`simulate`: one seeded run of the contact centre over a horizon.

Routing (skill-based): an arriving contact goes to the free skilled agent with the
fewest contacts in hand, then the longest idle; a freed agent takes, among the queues
it serves, the highest-priority then oldest waiting contact (oldest by arrival less head
start). A chat needs one free slot of an agent whose contacts in hand are all chats;
phone and deferred work need an agent with nothing in hand. An idle agent skilled for a
queue with a reservation of N takes other work only while more than N agents able to
serve that queue are idle. An agent finishes the contact in hand when a period ends
and takes no new one; an agent due off-queue time takes no new contact either.
Escalated contacts are handled once more on their queue's escalation queue (one level:
a follow-up does not escalate again).
"""

from __future__ import annotations

import numpy as np

from forecasting.errors import InputError
from simulation import core, shrinkage
from simulation.model import Agents, Contacts, IntArray, Outcome, Queues


def simulate(
    queues: Queues, contacts: Contacts, agents: Agents, horizon_s: float, seed: int
) -> Outcome:
    """Simulate `contacts` served by `agents` from time 0 to `horizon_s` seconds.

    The same inputs and seed give the same outcome. Every contact is checked to arrive
    once and end once (handled or abandoned) or still be waiting or in service at the
    horizon; a breach raises RuntimeError (an engine fault, never an input fault).
    """
    _check_consistent(queues, contacts, agents, horizon_s)
    rng = np.random.default_rng(seed)
    missed = shrinkage.missed_periods(agents, rng)
    blk_time, blk_agent, blk_len = shrinkage.offqueue_blocks(agents, ~missed, rng)
    n = contacts.count
    q_escalate = np.asarray(queues.escalation)
    offered_queue = np.asarray(contacts.queue)
    cap = n + int(np.count_nonzero(q_escalate[offered_queue] >= 0))
    arrival = _padded(contacts.arrival_s, cap, np.nan)
    queue = _padded(offered_queue, cap, -1)
    handle = _padded(contacts.handle_s, cap, np.nan)
    key = _padded(np.asarray(contacts.arrival_s) - np.asarray(contacts.head_start_s), cap, np.nan)
    uniform = rng.random(n)
    pe_time, pe_agent, pe_start = _period_events(agents, ~missed)
    aq_ptr, aq_idx = _adjacency(np.asarray(agents.skills))
    qa_ptr, qa_idx = _adjacency(np.asarray(agents.skills).T)
    c_state = np.zeros(cap, dtype=np.int8)
    c_start = np.full(cap, np.nan)
    c_end = np.full(cap, np.nan)
    c_agent = np.full(cap, -1, dtype=np.int64)
    c_parent = np.full(cap, -1, dtype=np.int64)
    af = np.zeros((agents.count, core.F_FIELDS))
    ai = np.zeros((agents.count, core.A_FIELDS), dtype=np.int64)
    q_count = np.zeros(queues.count, dtype=np.int64)
    counters = core.simulate_core(
        float(horizon_s),
        np.asarray(queues.mode),
        np.asarray(queues.priority),
        np.asarray(queues.reservation),
        q_escalate,
        arrival,
        queue,
        handle,
        _padded(contacts.patience_s, cap, np.inf),
        np.asarray(contacts.escalation_prob),
        np.asarray(contacts.escalation_handle_s),
        _padded(contacts.wrap_s, cap, 0.0),
        key,
        uniform,
        n,
        np.asarray(agents.chat_slots),
        np.asarray(agents.handle_factor),
        np.asarray(agents.one_touch),
        np.asarray(agents.skills),
        aq_ptr,
        aq_idx,
        qa_ptr,
        qa_idx,
        pe_time,
        pe_agent,
        pe_start,
        blk_time,
        blk_agent,
        blk_len,
        c_state,
        c_start,
        c_end,
        c_agent,
        c_parent,
        af,
        ai,
        q_count,
    )
    used = int(counters[core.N_CREATED])
    _check_conservation(
        counters, c_state[:used], c_start[:used], c_end[:used], arrival, ai, q_count
    )
    offqueue = af[:, core.F_OFFQ_S]
    return Outcome(
        arrival_s=arrival[:used],
        queue=queue[:used],
        start_s=c_start[:used],
        end_s=c_end[:used],
        agent=c_agent[:used],
        status=c_state[:used],
        parent=c_parent[:used],
        busy_s=af[:, core.F_BUSY].copy(),
        available_s=_scheduled_s(agents, ~missed, horizon_s) - offqueue,
        offqueue_s=offqueue.copy(),
        horizon_s=float(horizon_s),
        seed=int(seed),
    )


def _check_consistent(queues: Queues, contacts: Contacts, agents: Agents, horizon_s: float) -> None:
    if not (np.isfinite(horizon_s) and horizon_s > 0):
        raise InputError(f"horizon_s: expected a positive number of seconds, got {horizon_s!r}")
    q = np.asarray(contacts.queue)
    if q.size and (q.min() < 0 or q.max() >= queues.count):
        raise InputError(f"contacts.queue: expected queue indices 0..{queues.count - 1}")
    arrival = np.asarray(contacts.arrival_s)
    if arrival.size and (arrival[0] < 0 or arrival[-1] >= horizon_s):
        raise InputError(f"contacts.arrival_s: expected seconds in [0, {horizon_s})")
    skills = np.asarray(agents.skills)
    if skills.shape[1] != queues.count:
        raise InputError(f"agents.skills: expected {queues.count} columns, one per queue")
    escalating = np.asarray(queues.escalation)[q] >= 0
    touch = np.asarray(agents.one_touch)
    may_escalate = skills[~np.isnan(touch) & (np.nan_to_num(touch, nan=1.0) < 1)].any(axis=0)
    needs = escalating & (may_escalate[q] | (np.asarray(contacts.escalation_prob) > 0))
    if np.isnan(np.asarray(contacts.escalation_handle_s)[needs]).any():
        raise InputError(
            "contacts.escalation_handle_s: expected seconds for every contact that may "
            "escalate (its queue escalates and a skilled agent has a one-touch rate below 1)"
        )


def _padded(values: object, size: int, fill: float) -> np.ndarray:  # type: ignore[type-arg]
    head = np.asarray(values)
    out = np.full(size, fill, dtype=head.dtype if head.dtype.kind in "iu" else np.float64)
    out[: head.shape[0]] = head
    return out


def _period_events(agents: Agents, kept: np.ndarray) -> tuple[np.ndarray, IntArray, np.ndarray]:  # type: ignore[type-arg]
    """Starts and ends of the kept periods in time order, ends first at one instant."""
    agent = np.asarray(agents.period_agent)[kept]
    start = np.asarray(agents.period_start_s)[kept]
    end = np.asarray(agents.period_end_s)[kept]
    time = np.concatenate([end, start])
    is_start = np.concatenate([np.zeros(end.shape[0], bool), np.ones(start.shape[0], bool)])
    order = np.lexsort((is_start, time))
    return time[order], np.concatenate([agent, agent])[order], is_start[order]


def _adjacency(matrix: np.ndarray) -> tuple[IntArray, IntArray]:  # type: ignore[type-arg]
    """Row pointers and column indices (CSR) of a boolean matrix's True entries."""
    rows, cols = np.nonzero(matrix)
    ptr = np.zeros(matrix.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=matrix.shape[0]), out=ptr[1:])
    return ptr, cols.astype(np.int64)


def _scheduled_s(agents: Agents, kept: np.ndarray, horizon_s: float) -> np.ndarray:  # type: ignore[type-arg]
    """Seconds of kept availability periods within [0, horizon) per agent."""
    start = np.clip(np.asarray(agents.period_start_s)[kept], 0.0, horizon_s)
    end = np.clip(np.asarray(agents.period_end_s)[kept], 0.0, horizon_s)
    return np.bincount(
        np.asarray(agents.period_agent)[kept], weights=end - start, minlength=agents.count
    )


def _check_conservation(
    counters: IntArray,
    state: np.ndarray,  # type: ignore[type-arg]
    start: np.ndarray,  # type: ignore[type-arg]
    end: np.ndarray,  # type: ignore[type-arg]
    arrival: np.ndarray,  # type: ignore[type-arg]
    ai: IntArray,
    q_count: IntArray,
) -> None:
    """Every contact arrived once and is handled, abandoned, waiting or in service."""
    by_state = np.bincount(state, minlength=5)
    served = ~np.isnan(start)
    ended = ~np.isnan(end)
    problems = [
        name
        for name, ok in (
            ("arrivals", counters[core.N_ARRIVED] == state.shape[0] and by_state[0] == 0),
            ("handled", counters[core.N_HANDLED] == by_state[core.C_HANDLED]),
            ("abandoned", counters[core.N_ABANDONED] == by_state[core.C_ABANDONED]),
            ("waiting", q_count.sum() == by_state[core.C_WAITING]),
            ("in service", ai[:, core.A_SERVING].sum() == by_state[core.C_SERVICE]),
            ("ends", ended.sum() == by_state[core.C_HANDLED] + by_state[core.C_ABANDONED]),
            ("order", bool((start[served] >= arrival[: state.shape[0]][served]).all())),
            ("durations", bool((end[served & ended] >= start[served & ended]).all())),
        )
        if not ok
    ]
    if problems:
        raise RuntimeError(f"simulation: conservation violated ({', '.join(problems)})")
