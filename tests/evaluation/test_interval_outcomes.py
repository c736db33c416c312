"""Per-contact results tallied per interval: conservation, service level clocks, censoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.interval_outcomes import Served, interval_frame
from evaluation.schema import OUTCOMES
from tests.evaluation.sim_fixtures import GRID, STEP_S, one_agent, two_queue_scenario

NAN = np.nan


def _served(rows: list[tuple[float, int, float, float, int, float]]) -> Served:
    a = np.array(rows, dtype=float).reshape(-1, 6)
    return Served(
        arrival_s=a[:, 0],
        queue=a[:, 1].astype(np.int64),
        start_s=a[:, 2],
        end_s=a[:, 3],
        agent=a[:, 4].astype(np.int64),
        abandoned_s=a[:, 5],
    )


def test_a_hand_made_phone_day_is_tallied_interval_by_interval() -> None:
    served = _served(
        [
            (100, 0, 110, 400, 0, NAN),  # answered in 10 s: met
            (200, 0, NAN, NAN, -1, 1000),  # gave up in interval 1: a miss of interval 0
            (950, 0, 2000, 2300, 0, NAN),  # answered after 1050 s in interval 2: a miss
            (3000, 0, NAN, NAN, -1, NAN),  # still waiting at the end, due long before
            (3590, 0, NAN, NAN, -1, NAN),  # still waiting, due after the horizon: censored
        ]
    )
    frame = interval_frame(two_queue_scenario(), GRID, served, one_agent())
    assert tuple(frame.columns) == OUTCOMES.names
    phone = frame[frame["channel"] == "phone"]
    np.testing.assert_array_equal(phone["offered"], [2, 1, 0, 2])
    np.testing.assert_array_equal(phone["handled"], [1, 0, 1, 0])
    np.testing.assert_array_equal(phone["abandoned"], [0, 1, 0, 0])
    np.testing.assert_array_equal(phone["backlog"], [1, 1, 0, 2])
    np.testing.assert_allclose(phone["service_level"], [0.5, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(phone["sl_censored"], [False, False, False, True])
    np.testing.assert_allclose(phone["asa_seconds"], [10, 0, 1050, 0])
    # The agent is busy 290 s in interval 0, 300 s in interval 2, on the floor throughout.
    np.testing.assert_allclose(phone["occupancy"], [290 / 900, 0, 300 / 900, 0])
    web = frame[frame["channel"] == "web"]
    assert web["offered"].sum() == 0 and (web["service_level"] == 1.0).all()


def test_tickets_count_open_time_only_and_closed_arrivals_are_reported_apart() -> None:
    # Web is open in interval 0 only (Monday 00:00-00:15 UTC); its window is 600 open s.
    open_hours = {
        "kind": "hours",
        "timezone": "UTC",
        "days": ["mon"],
        "open": "00:00",
        "close": "00:15",
    }
    scenario = two_queue_scenario(web_open=open_hours)
    served = _served(
        [
            (800, 1, 2000, 2100, 0, NAN),  # 1200 s on the wall, 100 s of open time: met
            (850, 1, NAN, NAN, -1, NAN),  # due after 550 more open s, which never come
            (1000, 1, 1200, 1300, 0, NAN),  # arrived while closed: not counted
        ]
    )
    frame = interval_frame(scenario, GRID, served, one_agent())
    web = frame[frame["channel"] == "web"]
    np.testing.assert_array_equal(web["open"], [True, False, False, False])
    np.testing.assert_allclose(web["service_level"], [1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(web["sl_censored"], [True, False, False, False])
    np.testing.assert_allclose(web["asa_seconds"], [0, 200, 1200, 0])
    np.testing.assert_array_equal(web["backlog"], [2, 2, 1, 1])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_offered_is_handled_plus_abandoned_plus_waiting_in_every_interval(
    data: st.DataObject,
) -> None:
    n = data.draw(st.integers(0, 30))
    horizon = len(GRID) * STEP_S
    rows = []
    for _ in range(n):
        arrival = data.draw(st.floats(0, horizon - 1))
        fate = data.draw(st.sampled_from(["served", "abandoned", "waiting"]))
        later = data.draw(st.floats(0, horizon - 1 - arrival))
        queue = data.draw(st.integers(0, 1))
        if fate == "served":
            rows.append((arrival, queue, arrival + later, NAN, 0, NAN))
        elif fate == "abandoned":
            rows.append((arrival, queue, NAN, NAN, -1, arrival + later))
        else:
            rows.append((arrival, queue, NAN, NAN, -1, NAN))
    served = _served(rows)
    frame = interval_frame(two_queue_scenario(), GRID, served, one_agent())
    ends = (np.arange(len(GRID)) + 1) * STEP_S
    for q, (_, part) in enumerate(frame.groupby(["channel"], sort=False)):
        mine = served.queue == q
        # Waiting at each interval's end, counted contact by contact.
        arrived = served.arrival_s[mine][:, None] < ends
        left = (np.nan_to_num(served.start_s[mine], nan=np.inf)[:, None] < ends) | (
            np.nan_to_num(served.abandoned_s[mine], nan=np.inf)[:, None] < ends
        )
        np.testing.assert_allclose(part["backlog"], (arrived & ~left).sum(axis=0))
        total = part[["offered", "handled", "abandoned"]].sum()
        assert total["offered"] == total["handled"] + total["abandoned"] + part["backlog"].iloc[-1]
        assert part["backlog"].iloc[-1] == int((served.waiting & mine).sum())
    assert isinstance(frame, pd.DataFrame)
