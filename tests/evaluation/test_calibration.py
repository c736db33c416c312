"""Calibration from actuals: Kaplan-Meier patience, handle times, escalation, concurrency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.calibration import (
    calibrate,
    concurrency_levels,
    escalation_rates,
    handle_times,
    kaplan_meier,
    patience_curves,
)
from forecasting.queues import QueueKey


def test_kaplan_meier_matches_a_hand_computed_curve() -> None:
    # Events at 1, 2, 3, 5; censored at 2 and 4. At t=2 the censored subject is still at
    # risk: S = 5/6, 5/6 * 4/5, then * 2/3 (3 at risk), then * 0 (1 at risk).
    curve = kaplan_meier(np.array([1, 2, 2, 3, 4, 5.0]), np.array([1, 1, 0, 1, 0, 1], bool))
    np.testing.assert_allclose(curve.times, [1, 2, 3, 5])
    np.testing.assert_allclose(curve.survival, [5 / 6, 2 / 3, 4 / 9, 0.0])
    # Area under the steps: 1 + 5/6 + 2/3 + 2 * 4/9.
    assert curve.restricted_mean() == pytest.approx(1 + 5 / 6 + 2 / 3 + 8 / 9)
    assert curve.tail_rate() == pytest.approx(4 / 17)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.1, 1e4, allow_nan=False), min_size=1, max_size=60))
def test_without_censoring_the_curve_gives_the_exponential_mle(waits: list[float]) -> None:
    durations = np.array(waits)
    curve = kaplan_meier(durations, np.ones(durations.size, bool))
    # Uncensored: the curve is the empirical survival, its area the sample mean, which is
    # the exponential MLE of the mean; its hazard is the MLE rate n / sum(t).
    assert curve.restricted_mean() == pytest.approx(durations.mean(), rel=1e-9)
    assert curve.tail_rate() == pytest.approx(durations.size / durations.sum(), rel=1e-9)
    assert curve.survival[-1] == pytest.approx(0.0, abs=1e-12)


def test_censoring_removes_the_bias_of_the_abandoners_mean_wait() -> None:
    rng = np.random.default_rng(3)
    patience = rng.exponential(120.0, 40_000)
    wait = rng.exponential(60.0, 40_000)  # time until an agent would answer
    abandoned = patience < wait
    observed = np.minimum(patience, wait)
    curve = kaplan_meier(observed, abandoned)
    naive = observed[abandoned].mean()
    # Exponential patience: the censored MLE of the mean is exposure / events.
    assert 1 / curve.tail_rate() == pytest.approx(120.0, rel=0.03)
    assert naive < 60.0  # those who gave up are the impatient ones
    draws = curve.sample(rng, 200_000)
    assert np.median(draws) == pytest.approx(120.0 * np.log(2), rel=0.05)


def _tickets() -> pd.DataFrame:
    created = pd.date_range("2027-03-08 09:00", periods=6, freq="10min", tz="UTC")
    return pd.DataFrame(
        {
            "created_at": created,
            "updated_at": created + pd.to_timedelta([30, 50, 70, 90, 110, 130], unit="s"),
            "first_reply_at": (created + pd.to_timedelta([20, 40, 60, 80, 100, 120], unit="s"))
            .to_series()
            .reset_index(drop=True),
            "status": ["solved", "abandoned", "solved", "abandoned", "solved", "solved"],
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "handle_seconds": [100.0, np.nan, 300.0, np.nan, 200.0, 400.0],
            "escalated": [True, False, False, False, True, False],
        }
    )


def test_patience_from_ticket_status_uses_answered_calls_as_censored() -> None:
    tickets = _tickets()
    curve = patience_curves(tickets)[QueueKey("phone", "en", 1)]
    # Waits: answered 20, 60, 100, 120 (censored); abandoned 50, 90 (events).
    expected = kaplan_meier(
        np.array([20, 50, 60, 90, 100, 120.0]), np.array([0, 1, 0, 1, 0, 0], bool)
    )
    np.testing.assert_allclose(curve.survival, expected.survival)
    np.testing.assert_allclose(curve.times, [50, 90])
    assert curve.survival[0] == pytest.approx(4 / 5)


def test_handle_times_escalation_and_concurrency_from_tickets() -> None:
    tickets = _tickets()
    handle = handle_times(tickets)[QueueKey("phone", "en", 1)]
    np.testing.assert_allclose(np.sort(handle.overall), [100, 200, 300, 400])
    assert escalation_rates(tickets)[QueueKey("phone", "en", 1)] == pytest.approx(2 / 6)
    assert concurrency_levels(tickets) == {}
    chats = tickets.assign(
        channel="chat",
        agent_id="a",
        first_reply_at=pd.to_datetime(
            ["2027-03-08 09:00:00"] * 2 + ["2027-03-08 10:00:00"] * 4, utc=True
        ),
        handle_seconds=[100.0, 100.0, 50.0, 50.0, 50.0, 50.0],
    )
    # Two chats side by side for 100 s, then four side by side for 50 s: 2 and 4 at once,
    # weighted by time: (2 * 100 + 4 * 50) / 150.
    assert concurrency_levels(chats)[QueueKey("chat", "en", 1)] == pytest.approx(400 / 150)
    assert set(calibrate(tickets).handle) == {QueueKey("phone", "en", 1)}
