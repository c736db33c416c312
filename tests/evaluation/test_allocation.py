"""Sharing rostered agents between queues: conservation, eligibility, specialists first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from evaluation.allocation import AgentClass, allocate, staffed_frame, working_by_class
from forecasting.timegrid import interval_grid
from scenarios.loader import load_scenario

REFERENCE = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"


def test_specialists_are_placed_before_generalists() -> None:
    # A serves q0 only, B serves q0 and q1. Placing B first (proportionally) would leave
    # q1 short; placing the specialist first covers both exactly.
    classes = (AgentClass(1, frozenset({"a"}), (0,)), AgentClass(1, frozenset({"a", "b"}), (0, 1)))
    working = np.array([[2.0], [2.0]])
    required = np.array([[2.0], [2.0]])
    alloc = allocate(classes, working, required, np.ones((2, 1), dtype=bool))
    assert alloc[:, 0].tolist() == [2.0, 2.0]


def test_surplus_follows_requirement_and_closed_queues_get_nobody() -> None:
    classes = (AgentClass(1, frozenset({"a", "b", "c"}), (0, 1, 2)),)
    alloc = allocate(
        classes,
        np.array([[10.0]]),
        np.array([[3.0], [1.0], [5.0]]),
        np.array([[True], [True], [False]]),
    )
    # 4 required on the open queues, 6 surplus split 3:1.
    assert alloc[:, 0].tolist() == [7.5, 2.5, 0.0]


@settings(max_examples=60, deadline=None)
@given(
    working=hnp.arrays(np.float64, (3, 5), elements=st.integers(0, 6).map(float)),
    required=hnp.arrays(np.float64, (3, 5), elements=st.integers(0, 8).map(float)),
    open_mask=hnp.arrays(np.bool_, (3, 5)),
)
def test_heads_are_conserved_and_go_only_where_eligible(
    working: np.ndarray, required: np.ndarray, open_mask: np.ndarray
) -> None:
    classes = (
        AgentClass(1, frozenset({"x"}), (0,)),
        AgentClass(1, frozenset({"x", "y"}), (0, 1)),
        AgentClass(2, frozenset({"z"}), ()),  # serves nothing: never allocated
    )
    alloc = allocate(classes, working, required, open_mask)
    assert (alloc >= -1e-9).all()
    assert np.allclose(alloc[2], 0.0)  # no class serves queue 2
    for t in range(5):
        can_serve = working[0, t] * open_mask[0, t] + working[1, t] * (open_mask[:2, t].any())
        assert np.isclose(alloc[:, t].sum(), can_serve)
        # Every requirement that the eligible heads could meet is met.
        assert alloc[0, t] >= min(required[0, t] if open_mask[0, t] else 0, working[0, t]) - 1e-9


def test_staffed_frame_from_a_hand_made_roster() -> None:
    scenario = load_scenario(REFERENCE)
    grid = interval_grid(pd.Timestamp("2027-01-11T00:00Z"), pd.Timestamp("2027-01-12T00:00Z"), 15)
    roster = pd.DataFrame(
        {
            "agent_id": ["sjc-t1-01", "tpe-t2-01"],
            "site": ["sjc", "tpe"],
            "date_local": ["2027-01-10", "2027-01-11"],
            "shift": ["late", "day"],
            "tier": [1, 2],
            "skills": ["chat/en;phone/en;web/en", "web/en;web/zh;web/ja"],
        }
    )
    classes, working = working_by_class(scenario, roster, grid)
    # San Jose late shift on Sunday 10 January: 13:00-22:00 PST = 21:00-06:00 UTC with
    # lunch 01:00-02:00 UTC, so 5 working hours on this grid = 20 intervals. Taipei day
    # shift 09:00-18:00 = 01:00-10:00 UTC with lunch 05:00-06:00 UTC: 32 intervals.
    assert working.sum(axis=1).tolist() == [20.0, 32.0]
    requirements = pd.DataFrame(
        {
            "interval_start": grid[:4],
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "scheduled_required": 1.0,
        }
    )
    staffed = staffed_frame(scenario, roster, requirements, grid)
    assert np.isclose(staffed["agents"].sum(), working.sum())
    chat = staffed[(staffed["channel"] == "chat") & (staffed["tier"] == 1)]
    assert np.allclose(chat["agents"].to_numpy()[:4], 1.0)
