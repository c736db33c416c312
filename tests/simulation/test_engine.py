"""Hand-built cases whose outcome follows from the routing rules alone."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.errors import InputError
from simulation import Agents, Contacts, Mode, Queues, ShrinkageMode, Status, simulate

INF = np.inf


def _agents(skills: list[list[bool]], end: float = 1e6, **kw: object) -> Agents:
    n = len(skills)
    return Agents(
        skills=np.array(skills),
        period_agent=np.arange(n),
        period_start_s=np.zeros(n),
        period_end_s=np.full(n, end),
        **kw,  # type: ignore[arg-type]
    )


def _contacts(
    arrival: list[float], queue: list[int], handle: list[float], **kw: object
) -> Contacts:
    return Contacts(
        arrival_s=np.array(arrival, float),
        queue=np.array(queue),
        handle_s=np.array(handle, float),
        **kw,  # type: ignore[arg-type]
    )


def test_one_agent_serves_in_arrival_order() -> None:
    out = simulate(
        Queues(mode=[Mode.REALTIME], target_s=[20.0]),
        _contacts([0, 1, 2], [0, 0, 0], [10, 10, 10]),
        _agents([[True]]),
        100.0,
        seed=1,
    )
    assert out.start_s.tolist() == [0, 10, 20]
    assert out.end_s.tolist() == [10, 20, 30]
    assert out.agent.tolist() == [0, 0, 0]
    assert out.busy_s.tolist() == [30.0]
    assert out.available_s.tolist() == [100.0]


def test_caller_abandons_when_patience_runs_out() -> None:
    out = simulate(
        Queues(mode=["realtime"], target_s=[20.0]),
        _contacts([0, 1, 2], [0, 0, 0], [10, 10, 10], patience_s=[INF, 5.0, 30.0]),
        _agents([[True]]),
        100.0,
        seed=1,
    )
    assert out.status.tolist() == [Status.HANDLED, Status.ABANDONED, Status.HANDLED]
    assert out.end_s[1] == 6.0
    assert out.start_s[2] == 10.0


def test_deferred_work_never_abandons() -> None:
    out = simulate(
        Queues(mode=["deferred"], target_s=[3600.0]),
        _contacts([0, 1], [0, 0], [10, 10], patience_s=[1.0, 1.0]),
        _agents([[True]]),
        100.0,
        seed=1,
    )
    assert out.status.tolist() == [Status.HANDLED, Status.HANDLED]


def test_freed_agent_takes_highest_priority_then_oldest() -> None:
    queues = Queues(mode=["realtime", "realtime"], target_s=[20, 20], priority=[0, 1])
    out = simulate(
        queues,
        _contacts([0, 1, 2, 3], [0, 0, 1, 1], [10, 5, 5, 5]),
        _agents([[True, True]]),
        100.0,
        seed=1,
    )
    # queue 1 outranks the older queue-0 contact; within queue 1 the oldest first
    assert out.start_s.tolist() == [0, 20, 10, 15]


def test_arrival_goes_to_longest_idle_agent() -> None:
    out = simulate(
        Queues(mode=["realtime"], target_s=[20]),
        _contacts([0, 1, 20, 21], [0, 0, 0, 0], [10, 5, 1, 1]),
        _agents([[True], [True]]),
        100.0,
        seed=1,
    )
    # agent 1 is free since 6, agent 0 since 10: agent 1 takes the call at 20
    assert out.agent.tolist() == [0, 1, 1, 0]


def test_reservation_keeps_an_agent_free_for_phone() -> None:
    queues = Queues(mode=["realtime", "deferred"], target_s=[20, 3600], reservation=[1, 0])
    out = simulate(
        queues,
        _contacts([0, 1, 2], [1, 1, 0], [50, 50, 10]),
        _agents([[True, True], [True, True]]),
        100.0,
        seed=1,
    )
    # one email is taken; the second waits so one agent stays free for the call
    assert out.start_s[0] == 0 and out.start_s[2] == 2
    assert out.start_s[1] == 50


def test_chat_slots_serve_concurrently_but_not_phone() -> None:
    queues = Queues(mode=["chat", "realtime"], target_s=[60, 20])
    out = simulate(
        queues,
        _contacts([0, 1, 2, 3], [0, 0, 0, 1], [10, 10, 10, 5]),
        _agents([[True, True]], chat_slots=[2]),
        100.0,
        seed=1,
    )
    # the call waits until the agent has no chat in hand
    assert out.start_s.tolist() == [0, 1, 10, 20]
    assert out.busy_s[0] == pytest.approx(30 / 2 + 5)


def test_agent_finishes_contact_at_period_end_and_takes_no_new_one() -> None:
    agents = Agents(
        skills=np.array([[True]]),
        period_agent=np.array([0, 0]),
        period_start_s=np.array([0.0, 50.0]),
        period_end_s=np.array([15.0, 100.0]),
    )
    out = simulate(
        Queues(mode=["realtime"], target_s=[20]),
        _contacts([10, 11], [0, 0], [10, 10]),
        agents,
        100.0,
        seed=1,
    )
    assert out.end_s[0] == 20
    assert out.start_s[1] == 50
    assert out.available_s[0] == 65


def test_escalation_creates_a_follow_up_on_the_tier2_queue() -> None:
    queues = Queues(mode=["deferred", "deferred"], target_s=[60, 60], escalation=[1, -1])
    contacts = _contacts(
        [0, 1], [0, 0], [10, 10], escalation_prob=[1.0, 0.0], escalation_handle_s=[30.0, np.nan]
    )
    out = simulate(
        queues, contacts, _agents([[True, False], [False, True]], handle_factor=[1, 2]), 200.0, 3
    )
    assert out.queue.tolist() == [0, 0, 1]
    assert out.parent.tolist() == [-1, -1, 0]
    assert out.arrival_s[2] == 10 and out.start_s[2] == 10 and out.end_s[2] == 70
    assert out.agent[2] == 1


def test_vendor_one_touch_rate_replaces_the_contacts_own() -> None:
    queues = Queues(mode=["deferred", "deferred"], target_s=[60, 60], escalation=[1, -1])
    n = 2000
    contacts = _contacts(
        list(np.arange(n) * 100.0), [0] * n, [1.0] * n, escalation_handle_s=np.full(n, 1.0)
    )
    out = simulate(
        queues, contacts, _agents([[True, False], [False, True]], one_touch=[0.8, np.nan]), 1e6, 5
    )
    escalated = (out.parent >= 0).sum() / n
    assert abs(escalated - 0.2) < 4 * np.sqrt(0.2 * 0.8 / n)


def test_same_seed_same_answer_and_seeds_differ() -> None:
    rng = np.random.default_rng(0)
    arrival = np.sort(rng.uniform(0, 10_000, 500))
    contacts = Contacts(
        arrival_s=arrival, queue=np.zeros(500, dtype=np.int64), handle_s=rng.exponential(60, 500)
    )
    agents = _agents([[True]] * 3, end=10_000, shrinkage_frac=[0.3] * 3)
    queues = Queues(mode=["realtime"], target_s=[20])
    one, two = (
        simulate(queues, contacts, agents, 10_000, 7),
        simulate(queues, contacts, agents, 10_000, 7),
    )
    other = simulate(queues, contacts, agents, 10_000, 8)
    assert np.array_equal(one.start_s, two.start_s, equal_nan=True)
    assert not np.array_equal(one.start_s, other.start_s, equal_nan=True)


def test_spread_shrinkage_takes_its_share_off_queue() -> None:
    agents = _agents([[True]] * 4, end=36_000, shrinkage_frac=[0.25] * 4)
    contacts = _contacts([0.0], [0], [1.0])
    out = simulate(Queues(mode=["realtime"], target_s=[20]), contacts, agents, 36_000, 2)
    assert out.offqueue_s == pytest.approx(np.full(4, 9000.0))
    assert out.available_s == pytest.approx(np.full(4, 27_000.0))


def test_absence_mode_misses_whole_shifts() -> None:
    n = 400
    agents = Agents(
        skills=np.ones((1, 1), bool),
        period_agent=np.zeros(n, dtype=np.int64),
        period_start_s=np.arange(n) * 100.0,
        period_end_s=np.arange(n) * 100.0 + 50,
        shrinkage_frac=[0.3],
        shrinkage_mode=ShrinkageMode.ABSENCE,
    )
    out = simulate(
        Queues(mode=["realtime"], target_s=[20]), _contacts([0.0], [0], [1.0]), agents, n * 100.0, 4
    )
    missed = 1 - out.available_s[0] / (50.0 * n)
    assert abs(missed - 0.3) < 4 * np.sqrt(0.3 * 0.7 / n)


def test_contacts_beyond_horizon_are_rejected() -> None:
    with pytest.raises(InputError, match="arrival_s"):
        simulate(
            Queues(mode=["realtime"], target_s=[20]),
            _contacts([5.0], [0], [1.0]),
            _agents([[True]]),
            5.0,
            1,
        )


def test_unsorted_arrivals_are_rejected() -> None:
    with pytest.raises(InputError, match="sorted"):
        _contacts([5.0, 1.0], [0, 0], [1.0, 1.0])


def test_an_agent_held_by_a_reservation_is_released_when_another_becomes_idle() -> None:
    # agent 0 serves phone and email; agent 1 phone only. Phone keeps 1 agent free.
    queues = Queues(mode=["realtime", "deferred"], target_s=[20, 3600], reservation=[1, 0])
    agents = Agents(
        skills=np.array([[True, True], [True, False]]),
        period_agent=np.array([0, 1]),
        period_start_s=np.array([0.0, 30.0]),
        period_end_s=np.array([1000.0, 1000.0]),
    )
    out = simulate(queues, _contacts([10.0], [1], [50.0]), agents, 1000.0, seed=1)
    # alone, agent 0 is the one kept free for phone; at 30 agent 1 arrives and frees it
    assert out.start_s[0] == 30.0 and out.agent[0] == 0
