"""Calibration from a contact log, checked against logs whose truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.call_log import calibrate_log, calls, log_presence, unavailability_gaps
from evaluation.presence import infer_presence
from forecasting.errors import InputError
from tests.evaluation.log_fixtures import Truth, engine_log

HOUR = 3600.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.floats(0, 20 * HOUR), st.floats(1, 2 * HOUR)),
        min_size=1,
        max_size=40,
    )
)
def test_every_call_is_inside_one_period_of_its_agent_and_periods_do_not_overlap(
    spans: list[tuple[int, float, float]],
) -> None:
    agent = np.array([f"a{a}" for a, _, _ in spans], dtype=object)
    start = np.array([s for _, s, _ in spans])
    end = start + np.array([d for _, _, d in spans])
    presence = infer_presence(agent, start, end)
    for name, s, e in zip(agent, start, end, strict=True):
        i = presence.agents.index(name)
        mine = presence.period_agent == i
        holds = (presence.start_s[mine] <= s) & (presence.end_s[mine] >= e)
        assert holds.sum() == 1
    for i in range(len(presence.agents)):
        mine = presence.period_agent == i
        s, e = presence.start_s[mine], presence.end_s[mine]
        assert np.all(s[1:] >= e[:-1])
        # Each period lies within whole clock hours in which the agent served.
        for lo, hi in zip(s, e, strict=True):
            assert np.floor(lo / HOUR) * HOUR <= lo < hi <= np.ceil(hi / HOUR) * HOUR


def test_presence_is_the_hours_served_in_not_first_to_last_call() -> None:
    # One agent: 10:50-10:55, then 12:10-12:20 (nothing in the 11 o'clock hour).
    start = np.array([10 * HOUR + 3000, 12 * HOUR + 600])
    presence = infer_presence(np.array(["x", "x"], dtype=object), start, start + [300, 600])
    assert list(zip(presence.start_s, presence.end_s, strict=True)) == [
        (10 * HOUR + 3000, 10 * HOUR + 3300),
        (12 * HOUR + 600, 12 * HOUR + 1200),
    ]
    # A call running on into the next hour joins the hours into one period.
    joined = infer_presence(
        np.array(["x", "x"], dtype=object),
        np.array([10 * HOUR + 3000, 11 * HOUR + 900]),
        np.array([11 * HOUR + 300, 11 * HOUR + 1000]),
    )
    assert list(zip(joined.start_s, joined.end_s, strict=True)) == [
        (10 * HOUR + 3000, 11 * HOUR + 1000)
    ]


def test_gaps_count_only_while_a_caller_waited() -> None:
    base = pd.Timestamp("2027-03-01T09:00:00Z")
    rows = [  # (created s, wait, handle or None=abandoned, agent)
        (0, 0, 100, "A"),  # A busy 0-100
        (50, 80, 60, "A"),  # queued 50-130: waiting when A finished at 100; A took it at 130
        (400, 0, 50, "A"),  # nobody waiting at 190: that gap is not counted
    ]
    frame = pd.DataFrame(
        {
            "created_at": [base + pd.Timedelta(seconds=c) for c, _, _, _ in rows],
            "status": "solved",
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "handle_seconds": [h for _, _, h, _ in rows],
            "agent_id": [a for _, _, _, a in rows],
            "wait_seconds": [w for _, w, _, _ in rows],
            "abandoned": False,
        }
    )
    log = calls(frame)
    assert unavailability_gaps(log, log_presence(log)).tolist() == [30.0]


def test_calibration_recovers_the_after_call_unavailability_and_patience_of_a_known_log() -> None:
    truth = Truth(wrap_s=45.0, patience_mean_s=150.0, head_start_s=120.0)
    calibration = calibrate_log(engine_log(days=3, seed=1, truth=truth))
    gaps = calibration.unavailability_s
    # While callers wait, an agent takes the next one the moment its wrap-up ends.
    assert gaps.size > 500
    assert np.median(gaps) == pytest.approx(truth.wrap_s, abs=1e-6)
    [curve] = calibration.patience.values()
    [exponential] = calibration.exponential_patience_s.values()
    # Exponential patience: the censored MLE and the Kaplan-Meier median agree with the truth.
    assert exponential == pytest.approx(truth.patience_mean_s, rel=0.15)
    median = curve.times[np.searchsorted(-curve.survival, -0.5)]
    assert median == pytest.approx(truth.patience_mean_s * np.log(2), rel=0.2)


def test_head_start_of_priority_callers_is_recovered_from_who_was_answered() -> None:
    truth = Truth(wrap_s=30.0, patience_mean_s=600.0, head_start_s=120.0)
    calibration = calibrate_log(engine_log(days=3, seed=2, truth=truth, calls_per_hour=95.0))
    assert calibration.head_start_s[2] == pytest.approx(truth.head_start_s, abs=10.0)
    none = calibrate_log(
        engine_log(days=3, seed=2, truth=Truth(30.0, 600.0, 0.0), calls_per_hour=95.0)
    )
    assert none.head_start_s.get(2, 0.0) <= 10.0


def test_a_log_without_the_real_time_fields_is_refused_by_name() -> None:
    frame = engine_log(days=1).drop(columns=["wait_seconds"])
    with pytest.raises(InputError, match="missing wait_seconds"):
        calibrate_log(frame)
