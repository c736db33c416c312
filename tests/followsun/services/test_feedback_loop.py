"""The feedback loop's core on a one-queue organisation with known answers."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from followsun.services.feedback_loop import (
    FeedbackSettings,
    coming_grid,
    feedback_report,
)
from forecasting.errors import InputError
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, roster_of, tiny_scenario

SETTINGS = FeedbackSettings(as_of=AS_OF, days=2, model="seasonal_naive", min_samples=5)


def test_a_thin_day_is_flagged_and_a_well_staffed_day_is_not() -> None:
    scenario = tiny_scenario()
    tickets = hourly_tickets(weeks=3)
    roster = roster_of({AS_OF: 5, AS_OF + timedelta(days=1): 1})
    report = feedback_report(scenario, tickets, None, roster, SETTINGS)

    risk = report.risk.set_index("date_local")
    assert list(risk.index) == [AS_OF, AS_OF + timedelta(days=1)]
    good, thin = risk.loc[AS_OF], risk.loc[AS_OF + timedelta(days=1)]
    assert not good["at_risk"] and good["predicted_sl"] >= 0.8 and good["margin"] > 0
    assert thin["at_risk"] and thin["predicted_sl"] < 0.8 and thin["margin"] < 0
    # 10 calls an hour at 360 s is one Erlang: one agent cannot hold the target.
    assert thin["offered"] == pytest.approx(80.0)
    required = report.requirements
    day2 = required[required["interval_start"] >= pd.Timestamp(AS_OF + timedelta(days=1), tz="UTC")]
    peak = float(day2["scheduled_required"].max())
    assert thin["shortfall_heads"] == pytest.approx(peak - 1.0)
    assert thin["short_head_hours"] == pytest.approx(8 * (peak - 1.0))
    assert str(thin["worst_intervals"]).count("SL") == 3
    assert good["shortfall_heads"] == 0.0 and good["worst_intervals"] == ""
    assert list(report.at_risk["date_local"]) == [AS_OF + timedelta(days=1)]
    # The re-forecast repeats the (exactly weekly) history: 10 an open hour.
    fc = report.forecast
    assert set(fc["volume"].round(9)) == {0.0, 10.0}
    assert list(fc.columns) == [
        "interval_start",
        "channel",
        "language",
        "tier",
        "volume",
        "volume_p10",
        "volume_p90",
        "aht_seconds",
    ]


def test_recalibrated_handle_time_is_the_mean_of_the_imported_handle_seconds() -> None:
    scenario = tiny_scenario(escalation_rate=0.5, escalates_to="web-en-t2", tier2=True)
    tickets = hourly_tickets(weeks=3)
    # Only the last 28 days count; make older tickets' handle time wildly different.
    tickets.loc[tickets.index[:8], "handle_seconds"] = 9999.0
    settings = FeedbackSettings(
        as_of=AS_OF, days=1, model="seasonal_naive", min_samples=5, calibration_days=14
    )
    report = feedback_report(scenario, tickets, None, roster_of({AS_OF: 3}), settings)

    window = tickets[tickets["created_at"] >= pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(days=14)]
    row = report.calibration.set_index("queue").loc["phone-en-t1"]
    assert row["aht_seconds_old"] == 300.0
    assert row["aht_seconds_new"] == pytest.approx(window["handle_seconds"].mean())
    assert row["aht_tickets"] == len(window)
    assert row["escalation_rate_old"] == 0.5
    assert row["escalation_rate_new"] == pytest.approx(window["escalated"].mean())
    assert report.scenario.queue("phone-en-t1").aht_seconds == pytest.approx(
        window["handle_seconds"].mean()
    )
    assert report.scenario.queue("phone-en-t1").escalation_rate == pytest.approx(
        window["escalated"].mean()
    )
    # The re-forecast carries the measured handle time; the unmeasured queue keeps its own.
    phone = report.forecast[report.forecast["channel"] == "phone"]
    assert np.allclose(phone["aht_seconds"], window["handle_seconds"].mean())
    t2 = report.calibration.set_index("queue").loc["web-en-t2"]
    assert t2["aht_seconds_new"] == 1200.0 and not t2["aht_measured"]


def test_accuracy_matches_an_independent_count() -> None:
    scenario = tiny_scenario()
    tickets = hourly_tickets(weeks=3)
    # Drop some tickets so the actuals vary from hour to hour.
    rng = np.random.default_rng(1)
    tickets = tickets[rng.random(len(tickets)) > 0.3].reset_index(drop=True)
    last_week = pd.date_range(
        pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(weeks=1),
        pd.Timestamp(AS_OF, tz="UTC"),
        freq="60min",
        inclusive="left",
    )
    volume = rng.uniform(0, 12, len(last_week))
    stored = pd.DataFrame(
        {
            "interval_start": last_week,
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "volume": volume,
            "volume_p10": volume * 0.7,
            "volume_p90": volume * 1.3,
            "aht_seconds": 300.0,
        }
    )
    report = feedback_report(scenario, tickets, stored, roster_of({AS_OF: 3}), SETTINGS)

    counts = tickets["created_at"].dt.floor("60min").value_counts()
    actual = counts.reindex(last_week, fill_value=0).to_numpy(dtype=float)
    row = report.accuracy.iloc[0]
    assert row["intervals"] == len(last_week)
    assert row["actual"] == pytest.approx(actual.sum())
    assert row["wape"] == pytest.approx(np.abs(volume - actual).sum() / actual.sum())
    assert row["bias"] == pytest.approx((volume.sum() - actual.sum()) / actual.sum())
    inside = (actual >= volume * 0.7) & (actual <= volume * 1.3)
    assert row["inside_band"] == pytest.approx(inside.mean())


def test_without_a_stored_forecast_the_rest_still_runs() -> None:
    report = feedback_report(
        tiny_scenario(), hourly_tickets(weeks=2), None, roster_of({AS_OF: 5}), SETTINGS
    )
    assert report.accuracy.empty
    assert any("no stored forecast" in note for note in report.notes)
    assert len(report.risk) == 2


def test_no_tickets_before_the_coming_days_is_an_input_error() -> None:
    tickets = hourly_tickets(weeks=1)
    later = tickets.assign(created_at=tickets["created_at"] + pd.Timedelta(weeks=2))
    with pytest.raises(InputError, match="import some"):
        feedback_report(tiny_scenario(), later, None, roster_of({AS_OF: 1}), SETTINGS)


def test_coming_grid_covers_each_queue_zone_local_days() -> None:
    scenario = tiny_scenario()
    grid = coming_grid(scenario, AS_OF, 3)
    assert grid[0] == pd.Timestamp(AS_OF, tz="UTC")
    assert len(grid) == 72


def test_a_contact_log_recalibrates_patience_and_after_contact_time_as_replay_does() -> None:
    # One agent answers in turn, always 30 s after the previous call; every fourth caller
    # gives up after 100 s in the queue (the agent never sees them).
    tickets = hourly_tickets(weeks=3, per_hour=12)
    arrival = (tickets["created_at"] - tickets["created_at"].min()).dt.total_seconds().to_numpy()
    handle = tickets["handle_seconds"].to_numpy()
    gave_up = np.arange(len(tickets)) % 4 == 3
    wait = np.where(gave_up, 100.0, 0.0)
    free_at = -np.inf
    for i in np.flatnonzero(~gave_up):
        start = max(arrival[i], free_at + 30.0)
        wait[i] = start - arrival[i]
        free_at = start + handle[i]
    tickets["status"] = np.where(gave_up, "abandoned", "solved")
    tickets["handle_seconds"] = np.where(gave_up, np.nan, handle)
    tickets["agent_id"] = np.where(gave_up, None, "a")
    tickets["wait_seconds"] = wait
    tickets["abandoned"] = gave_up
    settings = FeedbackSettings(
        as_of=AS_OF, days=1, model="seasonal_naive", min_samples=5, calibration_days=14
    )
    scenario = tiny_scenario(patience_seconds=90)
    report = feedback_report(scenario, tickets, None, roster_of({AS_OF: 3}), settings)

    window = tickets[tickets["created_at"] >= pd.Timestamp(AS_OF, tz="UTC") - pd.Timedelta(days=14)]
    row = report.calibration.set_index("queue").loc["phone-en-t1"]
    # Waiting callers met a gap of exactly 30 s after each call: that is the unavailability.
    assert row["after_contact_seconds"] == pytest.approx(30.0)
    served = window[~window["abandoned"]]
    assert row["aht_seconds_new"] == pytest.approx(served["handle_seconds"].mean() + 30.0)
    # Exponential patience from censored waits: time waited by everyone over abandonments.
    queued = window[~(window["abandoned"] & (window["wait_seconds"] <= 0))]
    expected = queued["wait_seconds"].sum() / queued["abandoned"].sum()
    assert row["patience_seconds"] == 90 and row["abandonments"] == queued["abandoned"].sum()
    assert row["patience_seconds_new"] == pytest.approx(expected)
    assert report.scenario.queue("phone-en-t1").patience_seconds == pytest.approx(expected)


def test_the_roster_is_simulated_with_calibrated_figures_beside_the_analytic_risk() -> None:
    scenario = tiny_scenario()
    tickets = hourly_tickets(weeks=3)
    roster = roster_of({AS_OF: 5, AS_OF + timedelta(days=1): 1})
    report = feedback_report(scenario, tickets, None, roster, SETTINGS)

    assert report.simulated is not None
    risk = report.risk.set_index("date_local")
    good, thin = risk.loc[AS_OF], risk.loc[AS_OF + timedelta(days=1)]
    # Five agents on one Erlang: Erlang C puts P(wait) near 0.4%, so SL(60 s) is near 1.
    n, a, aht = 5, 1.0, 360.0
    terms = sum(a**k / math.factorial(k) for k in range(n))
    top = a**n / math.factorial(n) * n / (n - a)
    reference = 1 - top / (terms + top) * math.exp(-(n - a) * 60 / aht)
    assert good["simulated_sl"] == pytest.approx(reference, abs=0.03)
    assert not good["simulated_at_risk"]
    # One agent on one Erlang cannot keep up: the queue grows through the day.
    assert thin["simulated_sl"] < 0.8 and thin["simulated_at_risk"]


def test_no_replications_leaves_the_simulated_columns_empty() -> None:
    settings = FeedbackSettings(
        as_of=AS_OF, days=1, model="seasonal_naive", min_samples=5, replications=0
    )
    roster = roster_of({AS_OF: 5})
    report = feedback_report(tiny_scenario(), hourly_tickets(weeks=3), None, roster, settings)
    assert report.simulated is None
    assert report.risk["simulated_sl"].isna().all()
