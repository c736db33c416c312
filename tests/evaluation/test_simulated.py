"""The roster simulated end to end through the engine: routing, conservation, seeds, extremes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.contacts import contacts_from_tickets
from evaluation.simulated import (
    ContactSource,
    SimulationSettings,
    interval95,
    simulate_plan,
    simulate_roster,
)
from evaluation.workforce import ROSTER_COLUMNS, roster_workforce
from scenarios.loader import load_scenario
from scenarios.spec import Scenario
from tests.evaluation.sim_fixtures import day_roster, flat_forecast, two_queue_scenario

DAY = pd.date_range("2027-04-12", periods=96, freq="15min", tz="UTC", name="interval_start")


@pytest.fixture(scope="module")
def reference() -> Scenario:
    return load_scenario("scenarios/examples/reference.yaml")


def test_contacts_only_reach_agents_holding_their_skill_and_tier(reference: Scenario) -> None:
    grid = pd.date_range("2027-04-12", "2027-04-15", freq="15min", tz="UTC", inclusive="left")
    roster = day_roster(reference, ["2027-04-12", "2027-04-13"], template=1)
    workforce = roster_workforce(reference, roster, grid)
    forecast = flat_forecast(reference, grid, 0.8, tiers=(1,))
    settings = SimulationSettings(replications=2, seed=5)
    captured = []

    def mapper(run, seeds):  # type: ignore[no-untyped-def]
        for r in seeds:
            captured.append(run(r))
            yield captured[-1]

    simulate_roster(
        reference, grid, workforce, ContactSource(forecast=forecast), settings, mapper=mapper
    )
    for run in captured:
        s = run.served
        by_agent = s.agent >= 0
        assert by_agent.sum() > 300
        assert workforce.skills[s.agent[by_agent], s.queue[by_agent]].all()
        # Tier 2 receives the escalations the forecast does not list.
        tier2 = np.array([q.tier == 2 for q in reference.queues])
        assert tier2[s.queue].sum() > 0


def test_conservation_per_queue_and_identical_answers_for_one_seed(reference: Scenario) -> None:
    grid = pd.date_range("2027-04-12", "2027-04-14", freq="15min", tz="UTC", inclusive="left")
    roster = day_roster(reference, ["2027-04-12", "2027-04-13"])
    workforce = roster_workforce(reference, roster, grid)
    source = ContactSource(forecast=flat_forecast(reference, grid, 1.0))
    first = simulate_roster(reference, grid, workforce, source, SimulationSettings(3, seed=11))
    again = simulate_roster(reference, grid, workforce, source, SimulationSettings(3, seed=11))
    other = simulate_roster(reference, grid, workforce, source, SimulationSettings(3, seed=12))
    pd.testing.assert_frame_equal(first.outcomes, again.outcomes)
    pd.testing.assert_frame_equal(first.sla_by_queue, again.sla_by_queue)
    assert not first.outcomes["offered"].equals(other.outcomes["offered"])
    for _, part in first.outcomes.groupby(["channel", "language", "tier"]):
        total = part[["offered", "handled", "abandoned"]].sum()
        end = part["backlog"].iloc[-1]
        assert total["offered"] == pytest.approx(total["handled"] + total["abandoned"] + end)
    # Two days make one week; its contacts are the queues' contacts.
    assert first.sla_by_week["week_start"].nunique() == 1
    np.testing.assert_allclose(first.sla_by_week["contacts"], first.sla_by_queue["contacts"])
    inside = first.sla_by_queue.dropna()
    assert (
        (inside["low"] <= inside["service_level"]) & (inside["service_level"] <= inside["high"])
    ).all()


def test_no_agents_means_no_service_and_every_ticket_waiting() -> None:
    scenario = two_queue_scenario()
    contacts = pd.DataFrame(
        {
            "created_at": DAY[::4] + pd.Timedelta(minutes=1),
            "channel": ["phone", "web"] * 12,
            "language": "en",
            "tier": 1,
            "handle_seconds": 300.0,
        }
    )
    workforce = roster_workforce(scenario, pd.DataFrame(columns=list(ROSTER_COLUMNS)), DAY)
    replay = ContactSource(replay=contacts_from_tickets(scenario, contacts, DAY))
    result = simulate_roster(scenario, DAY, workforce, replay, SimulationSettings(2))
    assert (result.sla_by_queue["service_level"] == 0.0).all()
    out = result.outcomes
    assert out["handled"].sum() == 0 and out["abandoned"].sum() == 0
    for channel in ("phone", "web"):
        mine = out[out["channel"] == channel]
        assert mine["backlog"].iloc[-1] == 12 == mine["offered"].sum()


def test_more_agents_never_lower_the_service_level_of_replayed_phone_calls() -> None:
    scenario = two_queue_scenario(patience_seconds=120)
    rng = np.random.default_rng(2)
    arrivals = np.sort(rng.uniform(8 * 3600, 16 * 3600, 400))
    contacts = pd.DataFrame(
        {
            "created_at": DAY[0] + pd.to_timedelta(arrivals, unit="s"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "handle_seconds": rng.exponential(300.0, arrivals.size),
        }
    )
    replay = ContactSource(replay=contacts_from_tickets(scenario, contacts, DAY))
    levels = []
    for heads in (2, 4, 8):
        roster = day_roster(scenario, ["2027-04-12"]).iloc[[0]]
        roster = pd.concat(
            [roster.assign(agent_id=f"hq-{k}") for k in range(heads)], ignore_index=True
        )
        workforce = roster_workforce(scenario, roster, DAY)
        result = simulate_roster(scenario, DAY, workforce, replay, SimulationSettings(4, seed=1))
        levels.append(float(result.sla_by_queue.loc[0, "service_level"]))
    assert levels[0] < levels[1] <= levels[2]
    assert levels[2] > 0.9


def test_one_phone_queue_through_the_adapter_matches_erlang_a() -> None:
    from planner.staffing import erlang_a

    # 60 calls per 15 minutes, exponential handle (mean 240 s) and patience (mean 120 s),
    # 14 agents on the floor all day: M/M/14+M, whose figures Erlang A gives exactly.
    scenario = two_queue_scenario(patience_seconds=120, aht_seconds=240)
    grid = pd.date_range("2027-04-12", periods=4 * 96, freq="15min", tz="UTC")
    rng = np.random.default_rng(8)
    horizon_s = len(grid) * 900.0
    arrivals = np.cumsum(rng.exponential(15.0, int(horizon_s / 15.0 * 1.1)))
    arrivals = arrivals[arrivals < horizon_s]
    tickets = pd.DataFrame(
        {
            "created_at": grid[0] + pd.to_timedelta(arrivals, unit="s"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "handle_seconds": rng.exponential(240.0, arrivals.size),
        }
    )
    shift = {
        "site": "hq",
        "timezone": "UTC",
        "date_local": "2027-04-12",
        "start_utc": grid[0].isoformat(),
        "end_utc": (grid[-1] + pd.Timedelta(minutes=15)).isoformat(),
        "tier": 1,
        "skills": "phone/en",
    }
    roster = pd.DataFrame([{"agent_id": f"hq-{k}", **shift} for k in range(14)])
    result = simulate_plan(scenario, grid, roster, SimulationSettings(4, seed=3), tickets=tickets)
    exact = erlang_a.figures(14, 60, 240, 900, 120, 20)
    sla = float(result.sla_by_queue.loc[0, "service_level"])
    out = result.outcomes[result.outcomes["channel"] == "phone"]
    abandon = float(out["abandoned"].sum() / out["offered"].sum())
    # About 23,000 calls a replication; the waits of neighbours are correlated, so allow
    # a few times the binomial standard error (about 0.3 points).
    assert sla == pytest.approx(float(exact.service_level), abs=0.02)
    assert abandon == pytest.approx(float(exact.abandon_rate), abs=0.01)


@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=6))
def test_a_share_s_interval_stays_within_zero_and_one_around_its_mean(shares: list[float]) -> None:
    mean, low, high = interval95(np.array(shares))
    assert 0.0 <= low <= mean + 1e-12 and mean - 1e-12 <= high <= 1.0
    one = interval95(np.array(shares[:1]))
    assert one[0] == shares[0] and np.isnan(one[1]) and np.isnan(one[2])
