"""Invariants of the engine on random small organisations (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import Agents, Contacts, Mode, Outcome, Queues, ShrinkageMode, Status, simulate

HORIZON = 4000.0


@st.composite
def organisations(draw: st.DrawFn) -> tuple[Queues, Contacts, Agents, int]:
    n_q = draw(st.integers(1, 3))
    modes = draw(st.lists(st.sampled_from(list(Mode)), min_size=n_q, max_size=n_q))
    escalation = [-1] * n_q
    if n_q > 1 and draw(st.booleans()):
        escalation[0] = n_q - 1
    queues = Queues(
        mode=modes,
        target_s=[20.0] * n_q,
        priority=draw(st.lists(st.integers(0, 2), min_size=n_q, max_size=n_q)),
        reservation=draw(st.lists(st.integers(0, 1), min_size=n_q, max_size=n_q)),
        escalation=escalation,
    )
    n_a = draw(st.integers(1, 4))
    skills = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=n_q, max_size=n_q), min_size=n_a, max_size=n_a
            )
        )
    )
    periods: list[tuple[int, float, float]] = []
    for a in range(n_a):
        cuts = sorted(draw(st.lists(st.floats(0, HORIZON), min_size=2, max_size=6, unique=True)))
        periods += [(a, cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    agents = Agents(
        skills=skills,
        period_agent=np.array([p[0] for p in periods]),
        period_start_s=np.array([p[1] for p in periods]),
        period_end_s=np.array([p[2] for p in periods]),
        chat_slots=draw(st.lists(st.integers(1, 3), min_size=n_a, max_size=n_a)),
        shrinkage_frac=draw(st.lists(st.sampled_from([0.0, 0.3]), min_size=n_a, max_size=n_a)),
        shrinkage_mode=draw(st.sampled_from(list(ShrinkageMode))),
        shrinkage_block_s=300.0,
        handle_factor=draw(st.lists(st.sampled_from([1.0, 1.5]), min_size=n_a, max_size=n_a)),
    )
    n_c = draw(st.integers(0, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    contacts = Contacts(
        arrival_s=np.sort(rng.uniform(0, HORIZON - 1, n_c)),
        queue=rng.integers(0, n_q, n_c),
        handle_s=rng.exponential(100.0, n_c) + 1.0,
        patience_s=np.where(rng.random(n_c) < 0.5, np.inf, rng.exponential(60.0, n_c)),
        escalation_prob=np.full(n_c, 0.5),
        escalation_handle_s=np.full(n_c, 50.0),
        wrap_s=np.where(rng.random(n_c) < 0.5, 0.0, 10.0),
        head_start_s=np.where(rng.random(n_c) < 0.2, 30.0, 0.0),
    )
    return queues, contacts, agents, draw(st.integers(0, 1000))


def _run(case: tuple[Queues, Contacts, Agents, int]) -> Outcome:
    queues, contacts, agents, seed = case
    return simulate(queues, contacts, agents, HORIZON, seed)


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_service_respects_skills_capacity_and_time(
    case: tuple[Queues, Contacts, Agents, int],
) -> None:
    queues, contacts, agents, _ = case
    out = _run(case)
    served = ~np.isnan(out.start_s)
    assert (out.agent[served] >= 0).all()
    assert np.asarray(agents.skills)[out.agent[served], out.queue[served]].all()
    assert (out.start_s[served] >= out.arrival_s[served]).all()
    # deferred work never abandons
    assert not (out.abandoned & (np.asarray(queues.mode)[out.queue] == Mode.DEFERRED)).any()
    # abandonment happens at arrival + patience, and only to the unserved
    gone = np.flatnonzero(out.abandoned)
    assert np.isnan(out.start_s[gone]).all()
    np.testing.assert_allclose(
        out.end_s[gone], out.arrival_s[gone] + np.asarray(contacts.patience_s)[gone]
    )
    # contacts in hand never exceed capacity: chats up to the slots, anything else alone
    for a in range(agents.count):
        mine = np.flatnonzero(served & (out.agent == a))
        factor = float(np.asarray(agents.handle_factor)[a])
        finish = out.start_s[mine] + np.asarray(_handles(out, contacts))[mine] * factor
        for i in mine:
            t = out.start_s[i]
            overlapping = mine[(out.start_s[mine] <= t) & (finish > t)]
            chats = np.asarray(queues.mode)[out.queue[overlapping]] == Mode.CHAT
            if chats.all():
                assert len(overlapping) <= np.asarray(agents.chat_slots)[a]
            else:
                assert len(overlapping) == 1
        # service starts inside one of the agent's periods
        starts = out.start_s[mine]
        inside = (
            (np.asarray(agents.period_agent)[None, :] == a)
            & (np.asarray(agents.period_start_s)[None, :] <= starts[:, None])
            & (np.asarray(agents.period_end_s)[None, :] > starts[:, None])
        )
        assert inside.any(axis=1).all()
    # an agent is never more than fully busy (a chat counts 1 / slots)
    assert (out.busy_s <= HORIZON + 1e-6).all()


def _handles(out: Outcome, contacts: Contacts) -> np.ndarray:  # type: ignore[type-arg]
    handle = np.full(out.start_s.shape[0], np.nan)
    handle[: contacts.count] = np.asarray(contacts.handle_s)
    follow = out.parent >= 0
    handle[follow] = np.asarray(contacts.escalation_handle_s)[out.parent[follow]]
    return handle


@settings(max_examples=100, deadline=None)
@given(organisations())
def test_same_seed_same_outcome(case: tuple[Queues, Contacts, Agents, int]) -> None:
    one, two = _run(case), _run(case)
    for field in ("start_s", "end_s", "agent", "status", "parent", "busy_s", "available_s"):
        assert np.array_equal(getattr(one, field), getattr(two, field), equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(st.tuples(st.floats(0.0, 500.0), st.floats(1.0, 200.0)), min_size=1, max_size=80),
)
def test_a_call_waits_only_when_every_agent_is_busy(
    agents_n: int, raw: list[tuple[float, float]]
) -> None:
    """Work conservation for one queue and one always-present group (no reservation)."""
    raw.sort()
    contacts = Contacts(
        arrival_s=np.array([r[0] for r in raw]),
        queue=np.zeros(len(raw), np.int64),
        handle_s=np.array([r[1] for r in raw]),
    )
    agents = Agents(
        skills=np.ones((agents_n, 1), bool),
        period_agent=np.arange(agents_n),
        period_start_s=np.zeros(agents_n),
        period_end_s=np.full(agents_n, 1e6),
    )
    out = simulate(Queues(mode=["realtime"], target_s=[20]), contacts, agents, 1e6, 0)
    assert (out.status == Status.HANDLED).all()
    end = out.start_s + np.asarray(contacts.handle_s)
    for i in range(len(raw)):
        t = out.arrival_s[i]
        busy = ((out.start_s < t) & (end > t)).sum() + (
            (out.start_s == t) & (np.arange(len(raw)) < i)
        ).sum()
        if out.start_s[i] > t:
            assert busy >= agents_n
        else:
            assert busy < agents_n
    # one queue, one priority, no head start: served in arrival order
    assert (np.diff(out.start_s) >= 0).all()


def _fifo_reference(
    arrival: np.ndarray, handle: np.ndarray, patience: np.ndarray, agents: int
) -> np.ndarray:  # type: ignore[type-arg]
    """Start of service (NaN: abandoned) in a FIFO multi-server queue, by the recursion.

    A second implementation: each contact in arrival order takes the agent free first;
    it abandons if that agent frees later than its patience allows (an abandoning
    contact takes no agent time, so later contacts are unaffected by it).
    """
    free = np.zeros(agents)
    start = np.full(arrival.shape[0], np.nan)
    for i in range(arrival.shape[0]):
        a = int(np.argmin(free))
        begin = max(arrival[i], free[a])
        if begin - arrival[i] <= patience[i]:
            start[i] = begin
            free[a] = begin + handle[i]
    return start


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(0, 2**31), st.floats(0.5, 1.5))
def test_one_queue_matches_an_independent_fifo_recursion(
    agents_n: int, seed: int, load: float
) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    arrival = np.cumsum(rng.exponential(100.0 / (agents_n * load), n))
    handle = rng.exponential(100.0, n)
    patience = np.where(rng.random(n) < 0.3, np.inf, rng.exponential(80.0, n))
    contacts = Contacts(
        arrival_s=arrival, queue=np.zeros(n, np.int64), handle_s=handle, patience_s=patience
    )
    horizon = float(arrival[-1] + handle.sum() + 1)
    agents = Agents(
        skills=np.ones((agents_n, 1), bool),
        period_agent=np.arange(agents_n),
        period_start_s=np.zeros(agents_n),
        period_end_s=np.full(agents_n, horizon),
    )
    out = simulate(Queues(mode=["realtime"], target_s=[20]), contacts, agents, horizon, 0)
    expected = _fifo_reference(arrival, handle, patience, agents_n)
    np.testing.assert_allclose(out.start_s, expected, rtol=0, atol=1e-6)
    assert (out.abandoned == np.isnan(expected)).all()
