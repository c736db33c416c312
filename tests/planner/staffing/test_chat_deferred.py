"""Chat concurrency (slots) and deferred work (response window, backlog)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from planner.staffing import chat, erlang_c
from planner.staffing.deferred import due_intervals, plan_deferred
from planner.staffing.status import Status

# ---------------------------------------------------------------- chat


def test_slots_are_exact_for_fractional_concurrency() -> None:
    # 2.5 chats each: 4 agents offer 10 slots; 11 slots need 5 agents (4.4 rounded up).
    assert chat.slots_of_agents([0, 1, 2, 4], 2.5).tolist() == [0, 2, 5, 10]
    assert chat.agents_for_slots([0, 10, 11, 12], 2.5).tolist() == [0, 4, 5, 5]
    # 0.1 + 0.2 style float noise does not add an agent: 3 slots at concurrency 3 is 1 agent.
    assert chat.agents_for_slots([3, 9], 3.0).tolist() == [1, 3]


def test_concurrency_one_is_erlang_c() -> None:
    a = erlang_c.traffic_erlangs([10.0, 120.0], 600.0, 900.0)
    staffed = chat.required_agents(a, 600.0, 1.0, sl_target=0.8, target_s=30.0)
    plain = erlang_c.required_agents(a, 600.0, sl_target=0.8, target_s=30.0)
    assert staffed.requirement.agents.tolist() == plain.agents.tolist()


@settings(max_examples=40, deadline=None)
@given(volume=st.floats(1.0, 500.0), c=st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0]))
def test_chat_agents_are_the_fewest_whose_slots_meet_the_target(volume: float, c: float) -> None:
    a = float(chat.traffic(volume, 900.0, 900.0))
    staffed = chat.required_agents(a, 900.0, c, sl_target=0.8, target_s=30.0)
    n = int(staffed.requirement.agents)
    assert float(chat.figures(n, a, 900.0, c, 30.0).service_level) >= 0.8
    assert float(chat.figures(n - 1, a, 900.0, c, 30.0).service_level) < 0.8
    # More concurrency never needs more agents.
    more = chat.required_agents(a, 900.0, c + 1.0, sl_target=0.8, target_s=30.0)
    assert int(more.requirement.agents) <= n


def test_concurrency_below_one_is_refused() -> None:
    with pytest.raises(InputError, match="concurrency"):
        chat.agents_for_slots([3], 0.5)


# ---------------------------------------------------------------- deferred


def office_day() -> np.ndarray:
    is_open = np.zeros(24, dtype=bool)
    is_open[8:18] = True  # hourly grid, open 08:00-18:00
    return is_open


def test_the_window_runs_in_open_hours() -> None:
    due = due_intervals(office_day(), 4)
    # Night arrivals wait for 08:00; four open hours later (08-11h) they are due: 11.
    assert due[:9].tolist() == [11] * 9
    # 10:00 counts 10, 11, 12, 13.
    assert due[10] == 13
    # From 15:00 on the fourth open hour is tomorrow, past this one-day horizon.
    assert due[14] == 17
    assert (due[15:] == -1).all()
    # Open all day, the window is calendar time.
    assert due_intervals(np.ones(24, dtype=bool), 4)[:3].tolist() == [3, 4, 5]


def test_night_work_waits_at_opening_and_is_cleared_in_window() -> None:
    volume = np.full(24, 10.0)
    plan = plan_deferred(volume, 600.0, office_day(), 3600.0, 4 * 3600.0)
    # Nobody works at night; 80 tickets wait at 08:00.
    assert (plan.agents[~office_day()] == 0).all()
    assert plan.backlog[7] == pytest.approx(80.0)
    assert (plan.status[~office_day()] == Status.CLOSED).all()
    # 90 tickets (00:00-08:59, 54,000 s) are due by 11:00's end: 4 open hours need
    # 3.75 agents (a fractional pace: whole heads are formed where queues pool); no later
    # due point asks for a faster pace.
    assert plan.agents[8] == pytest.approx(3.75)
    # Every arrival whose due point lies inside the day meets its window.
    assert (plan.service_level[:15] == 1.0).all()


def test_conservation_of_work() -> None:
    rng = np.random.default_rng(11)
    volume = rng.uniform(0, 40, 24 * 7)
    aht = rng.uniform(300, 900, volume.size)
    is_open = np.tile(office_day(), 7)
    plan = plan_deferred(volume, aht, is_open, 3600.0, 8 * 3600.0, fraction=0.9, max_occupancy=0.85)
    arrived = np.cumsum(volume * aht)
    assert np.allclose(np.cumsum(plan.processed_s) + plan.backlog_s, arrived)
    assert (plan.processed_s <= plan.agents * 3600.0 * 0.85 + 1e-6).all()
    assert (plan.backlog >= 0).all()
    assert plan.backlog[-1] <= volume.sum()


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    window_h=st.integers(1, 30),
    fraction=st.floats(0.5, 1.0),
)
def test_every_due_share_is_met(seed: int, window_h: int, fraction: float) -> None:
    rng = np.random.default_rng(seed)
    volume = rng.uniform(0, 30, 24 * 5)
    is_open = np.tile(office_day(), 5)
    plan = plan_deferred(volume, 600.0, is_open, 3600.0, window_h * 3600.0, fraction=fraction)
    work = volume * 600.0
    before = np.cumsum(work) - work
    done = np.cumsum(plan.processed_s)
    due = due_intervals(is_open, window_h)
    for t in np.flatnonzero(due >= 0):
        assert done[due[t]] >= before[t] + fraction * work[t] - 1e-6


def test_deferred_rejects_a_zero_window() -> None:
    with pytest.raises(InputError, match="window_s"):
        plan_deferred([1.0], 300.0, [True], 900.0, 0.0)
