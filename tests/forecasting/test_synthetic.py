"""The ticket generator: local-time profiles across DST, holidays, volume, escalation, timings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.schema import TICKETS, validate_frame
from forecasting.synthetic import (
    DEFAULT_PROFILES,
    ChannelProfile,
    GeneratorInputs,
    QueueModel,
    RegionDemand,
    intraday_shares,
    synthetic_tickets,
)

UTC = "UTC"
PEAK_AT_10 = tuple(100.0 if h == 10 else 1.0 for h in range(24))


def quiet(**changes: object) -> GeneratorInputs:
    """Inputs without day noise, spikes or overdispersion: Poisson arrivals only."""
    base: dict[str, object] = {
        "regions": (
            RegionDemand(
                "eu", "Europe/Amsterdam", "NL", (("en", 0.75), ("de", 0.25)), (("chat", 20_000.0),)
            ),
        ),
        "queues": (
            QueueModel("chat", "en", 1, 600.0, 0.2),
            QueueModel("chat", "de", 1, 600.0, 0.2),
            QueueModel("web", "en", 2, 1800.0),
        ),
        "dispersion": 1e9,
        "day_noise_cv": 0.0,
        "spikes_per_year": 0.0,
    }
    base.update(changes)
    return GeneratorInputs(**base)  # type: ignore[arg-type]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def test_same_seed_same_tickets_and_schema_valid() -> None:
    inputs = quiet()
    a = synthetic_tickets(inputs, ts("2027-01-04"), ts("2027-01-11"), np.random.default_rng(3))
    b = synthetic_tickets(inputs, ts("2027-01-04"), ts("2027-01-11"), np.random.default_rng(3))
    c = synthetic_tickets(inputs, ts("2027-01-04"), ts("2027-01-11"), np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) != len(c) or not a["created_at"].equals(c["created_at"])
    validate_frame(a, TICKETS)
    assert a["created_at"].is_monotonic_increasing
    assert a["ticket_id"].is_unique


def test_weekly_volume_matches_input() -> None:
    # Poisson total over 2 weeks: mean 2 x 20,000 Tier 1 tickets, sd = sqrt(40,000) = 200.
    tickets = synthetic_tickets(
        quiet(), ts("2027-01-11"), ts("2027-01-25"), np.random.default_rng(1)
    )
    tier1 = int((tickets["tier"] == 1).sum())
    assert abs(tier1 - 40_000) < 4 * 200
    # Language split 75/25 (binomial sd = sqrt(40000 * .75 * .25) ~ 87).
    english = int(((tickets["tier"] == 1) & (tickets["language"] == "en")).sum())
    assert abs(english - 0.75 * tier1) < 4 * 87


def test_intraday_profile_follows_customers_local_clock_across_dst() -> None:
    # EU clocks go forward on 2027-03-28: a 10:00 local peak is 09:00 UTC before, 08:00 after.
    profiles = (ChannelProfile("chat", PEAK_AT_10, 0.5, 30.0, 600.0),)
    tickets = synthetic_tickets(
        quiet(channel_profiles=profiles),
        ts("2027-03-22"),
        ts("2027-04-05"),
        np.random.default_rng(2),
    )
    hour = tickets["created_at"].dt.hour
    before = tickets["created_at"] < ts("2027-03-28")
    assert hour[before & (tickets["tier"] == 1)].mode().iloc[0] == 9
    assert (
        hour[~before & (tickets["created_at"] >= ts("2027-03-29")) & (tickets["tier"] == 1)]
        .mode()
        .iloc[0]
        == 8
    )


def test_public_holiday_lowers_volume() -> None:
    # Thanksgiving (4th Thursday of November, 5 U.S.C. 6103) is 2026-11-26.
    us = RegionDemand("us", "America/New_York", "US", (("en", 1.0),), (("chat", 20_000.0),))
    inputs = quiet(regions=(us,), holiday_factor=0.35)
    tickets = synthetic_tickets(
        inputs, ts("2026-11-16"), ts("2026-12-07"), np.random.default_rng(5)
    )
    local_day = (
        tickets.loc[tickets["tier"] == 1, "created_at"].dt.tz_convert("America/New_York").dt.date
    )
    counts = local_day.value_counts()
    thursdays = [pd.Timestamp(d).date() for d in ("2026-11-19", "2026-12-03")]
    normal = np.mean([counts[d] for d in thursdays])
    holiday = counts[pd.Timestamp("2026-11-26").date()]
    assert holiday / normal == pytest.approx(0.35, abs=0.04)


def test_escalations_create_tier2_tickets() -> None:
    tickets = synthetic_tickets(
        quiet(), ts("2027-01-04"), ts("2027-01-18"), np.random.default_rng(6)
    )
    tier1 = tickets[tickets["tier"] == 1]
    escalated = int(tier1["escalated"].sum())
    # Binomial: rate 0.2, n ~ 40,000, sd ~ 80 tickets.
    assert abs(escalated / len(tier1) - 0.2) < 4 * np.sqrt(0.2 * 0.8 / len(tier1))
    tier2 = tickets[tickets["tier"] == 2]
    # Every escalation makes one Tier 2 ticket, except those whose Tier 2 ticket would be
    # created after the export (only escalations of the last hours can be missing).
    late = int(tier1.loc[tier1["created_at"] >= ts("2027-01-17T12:00Z"), "escalated"].sum())
    assert escalated - late <= len(tier2) <= escalated
    assert set(tier2["channel"]) == {"web"} and set(tier2["language"]) == {"en"}
    assert not tier2["escalated"].any()


def test_handle_time_mean_is_queue_aht() -> None:
    tickets = synthetic_tickets(
        quiet(), ts("2027-01-04"), ts("2027-01-11"), np.random.default_rng(7)
    )
    chat = tickets.loc[tickets["tier"] == 1, "handle_seconds"]
    sigma = next(p.aht_sigma for p in DEFAULT_PROFILES if p.channel == "chat")
    # Lognormal mean 600 s, sd = 600 sqrt(exp(sigma^2) - 1).
    se = 600 * np.sqrt(np.exp(sigma**2) - 1) / np.sqrt(len(chat))
    assert abs(chat.mean() - 600) < 4 * se


def test_timings_are_ordered_and_open_tickets_unsolved() -> None:
    end = ts("2027-01-11")
    tickets = synthetic_tickets(quiet(), ts("2027-01-04"), end, np.random.default_rng(8))
    solved = tickets["status"] == "solved"
    assert (tickets.loc[solved, "solved_at"] >= tickets.loc[solved, "first_reply_at"]).all()
    assert (tickets.loc[solved, "solved_at"] < end).all()
    assert tickets.loc[~solved, "solved_at"].isna().all()
    assert tickets.loc[~solved, "csat"].isna().all()
    assert set(tickets["csat"].dropna().unique()) <= {0.0, 1.0}


def test_intraday_shares_sum_to_one_over_a_day() -> None:
    minutes = np.arange(0, 1440, 15)
    assert intraday_shares(PEAK_AT_10, minutes, 15).sum() == pytest.approx(1.0)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InputError, match="no Tier 1 queue for chat/fr"):
        quiet(
            regions=(RegionDemand("fr", "Europe/Paris", "FR", (("fr", 1.0),), (("chat", 10.0),)),)
        )
    with pytest.raises(InputError, match="IANA"):
        RegionDemand("x", "Europe/Amsterdm", "NL", (("en", 1.0),), (("chat", 10.0),))
    with pytest.raises(InputError, match="add up to 1"):
        RegionDemand("x", "Europe/Amsterdam", "NL", (("en", 0.5),), (("chat", 10.0),))
    with pytest.raises(InputError, match="aligned"):
        synthetic_tickets(
            quiet(), ts("2027-01-04T00:07"), ts("2027-01-05"), np.random.default_rng(0)
        )
