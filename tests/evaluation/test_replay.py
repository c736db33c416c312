"""Replaying a log: the figures it compares, and a known model reproduced."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.call_log import calibrate_log
from evaluation.presence import roster_presence, roster_skills
from evaluation.replay import compare, mean_absolute_errors, replay
from forecasting.queues import QueueKey
from tests.evaluation.log_fixtures import ORIGIN, Truth, engine_log


def test_actual_figures_are_the_shares_and_means_of_the_log() -> None:
    log = engine_log(days=2, seed=3)
    runs = replay(log, calibrate_log(log), replications=2, seed=0, target_s=60.0)
    daily = compare(runs, "UTC", by_hour=False)
    day = pd.to_datetime(log["created_at"], utc=True).dt.date.astype(str)
    queued = log[~(log["abandoned"] & (log["wait_seconds"] <= 0))]
    for row in daily.itertuples():
        mine = queued[(day[queued.index] == row.day).to_numpy()]
        answered = ~mine["abandoned"] & (mine["wait_seconds"] <= 60.0)
        assert row.calls == len(mine)
        assert np.isclose(row.actual_service_level, 100.0 * answered.mean())
        assert np.isclose(row.actual_abandonment, 100.0 * mine["abandoned"].mean())
        assert np.isclose(row.actual_mean_wait_seconds, mine["wait_seconds"].mean())
    hourly = compare(runs, "UTC", by_hour=True)
    assert hourly["calls"].sum() == daily["calls"].sum()
    # A day's figure is its hours' figures weighted by calls.
    for day_value, hours in hourly.groupby("day"):
        row = daily.set_index("day").loc[day_value]
        weighted = np.average(hours["simulated_service_level"], weights=hours["calls"])
        assert np.isclose(weighted, row["simulated_service_level"])
    errors = mean_absolute_errors(daily, "simulated")
    assert np.isclose(
        errors["mae_service_level_points"], daily["simulated_error_service_level"].abs().mean()
    )


def test_a_log_made_by_a_known_model_is_reproduced_and_the_textbook_one_is_optimistic() -> None:
    truth = Truth(wrap_s=60.0, patience_mean_s=180.0, head_start_s=90.0)
    log = engine_log(days=4, seed=4, truth=truth, calls_per_hour=80.0)
    other = engine_log(days=4, seed=5, truth=truth, calls_per_hour=80.0)
    runs = replay(log, calibrate_log(other), replications=4, seed=0, target_s=60.0)
    daily = compare(runs, "UTC", by_hour=False)
    calibrated = mean_absolute_errors(daily, "simulated")
    textbook = mean_absolute_errors(daily, "textbook")
    assert calibrated["mae_service_level_points"] < 5.0
    assert calibrated["mae_abandonment_points"] < 3.0
    # Without the after-call unavailability, agents look free more often than they were.
    assert daily["textbook_error_service_level"].mean() > 5.0
    assert textbook["mae_service_level_points"] > 2 * calibrated["mae_service_level_points"]


def test_same_seed_same_replay() -> None:
    log = engine_log(days=1, seed=6)
    calibration = calibrate_log(log)
    first = replay(log, calibration, replications=2, seed=11, target_s=60.0)
    second = replay(log, calibration, replications=2, seed=11, target_s=60.0)
    assert np.array_equal(first.wait_s["calibrated"], second.wait_s["calibrated"])
    assert np.array_equal(first.abandoned["textbook"], second.abandoned["textbook"])


def roster_of_engine_log(days: int, agents: int = 6) -> pd.DataFrame:
    """The shifts `engine_log` gave its agents, as roster rows (a 12:00-12:15 break on day 0)."""
    rows = []
    for d in range(days):
        day = ORIGIN + pd.Timedelta(days=d)
        for a in range(agents):
            start = day + pd.Timedelta(hours=8 if a % 2 == 0 else 12)
            rows.append(
                {
                    "agent_id": f"agent{a}",
                    "site": "x",
                    "timezone": "UTC",
                    "date_local": str(day.date()),
                    "start_local": f"{start.hour:02d}:00",
                    "end_local": f"{start.hour + 8:02d}:00",
                    "start_utc": start,
                    "end_utc": start + pd.Timedelta(hours=8),
                    "shift": "day",
                    "tier": 1,
                    "skills": "phone/en",
                    "breaks": "",
                }
            )
    return pd.DataFrame(rows)


def test_roster_presence_is_the_shifts_less_breaks_on_the_epoch_clock() -> None:
    roster = roster_of_engine_log(days=1, agents=1)
    roster.loc[0, "breaks"] = "12:00-12:15"
    presence = roster_presence(roster)
    day0 = ORIGIN.timestamp()
    assert presence.agents == ("agent0",)
    assert list(zip(presence.start_s - day0, presence.end_s - day0, strict=True)) == [
        (8 * 3600.0, 12 * 3600.0),
        (12.25 * 3600.0, 16 * 3600.0),
    ]
    skills = roster_skills(
        roster, presence.agents, [QueueKey("phone", "en", 1), QueueKey("phone", "en", 2)]
    )
    assert skills.tolist() == [[True, False]]


def test_replay_with_the_true_roster_reproduces_the_log() -> None:
    log = engine_log(days=3, seed=9)
    roster = roster_of_engine_log(days=3)
    # Night shifts before the log begins, one running into its first day, change nothing.
    night = roster.iloc[[0, 1]].assign(
        start_utc=[ORIGIN - pd.Timedelta(hours=30), ORIGIN - pd.Timedelta(hours=4)],
        end_utc=[ORIGIN - pd.Timedelta(hours=22), ORIGIN + pd.Timedelta(hours=4)],
        start_local=["18:00", "20:00"],
        date_local=["2027-02-27", "2027-02-28"],
    )
    roster = pd.concat([night, roster], ignore_index=True)
    runs = replay(log, calibrate_log(log), 4, 0, 60.0, roster=roster)
    errors = mean_absolute_errors(compare(runs, "UTC", by_hour=False), "simulated")
    assert errors["mae_service_level_points"] < 5.0
    assert errors["mae_abandonment_points"] < 3.0
