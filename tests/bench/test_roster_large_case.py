"""The large benchmark organisation is what issue 5 asks for, and its requirements are sane."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.roster_large import (
    LOAD,
    START,
    WEEKS,
    _gap_text,
    _thin,
    large_requirements,
    large_scenario,
    paid_intervals,
)
from scenarios.coverage import coverage_mask
from scenarios.rostering import horizon_grid, scenario_agents
from scenarios.spec import Scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return large_scenario()


@pytest.fixture(scope="module")
def requirements(scenario: Scenario) -> pd.DataFrame:
    return large_requirements(scenario)


def test_size_sites_and_skill_groups(scenario: Scenario) -> None:
    agents = [a for site in scenario.sites for a in scenario_agents(site)]
    assert len(agents) == 500
    assert len({a.id for a in agents}) == 500
    assert len(scenario.sites) == 3
    assert len({s.timezone for s in scenario.sites}) == 3
    assert len(scenario.queues) == 8
    assert scenario.planning.interval_minutes == 15
    assert WEEKS == 4
    assert START.weekday() == 0


def test_skill_groups_overlap_and_are_all_served(scenario: Scenario) -> None:
    holders: dict[str, set[str]] = defaultdict(set)
    sites_of: dict[str, set[str]] = defaultdict(set)
    multi = 0
    for site in scenario.sites:
        for agent in scenario_agents(site):
            mine = [
                q.id for q in scenario.queues if q.skill in agent.skills and q.tier == agent.tier
            ]
            multi += len(mine) > 1
            for q in mine:
                holders[q].add(agent.id)
                sites_of[q].add(site.id)
    assert set(holders) == {q.id for q in scenario.queues}
    # Every skill group shares agents with another one, and most agents are multi-skilled.
    for q, ids in holders.items():
        assert any(ids & other for p, other in holders.items() if p != q), q
    assert 0.5 < multi / 500 < 0.95
    # English is served from every site (follow the sun).
    assert sites_of["chat-en-t1"] == {"sjc", "ams", "tpe"}


def test_requirements_cover_4_weeks_24x7_at_85_percent(
    scenario: Scenario, requirements: pd.DataFrame
) -> None:
    grid = horizon_grid(scenario, START, WEEKS)
    assert (grid[1] - grid[0]) == pd.Timedelta(minutes=15)
    assert len(grid) >= 28 * 96
    assert set(requirements["interval_start"]) <= set(grid)
    paid = sum(paid_intervals(scenario).values())
    # 500 agents x 40 h x 4 weeks x 4 intervals an hour.
    assert paid == pytest.approx(500 * 40 * 4 * 4)
    assert requirements["agents_required"].sum() / paid == pytest.approx(LOAD, abs=0.03)
    assert (requirements["agents_required"] >= 1).all()
    en = requirements[requirements["channel"].eq("chat") & requirements["language"].eq("en")]
    # 24/7: every UTC hour of every day between the first and last shifts is required.
    hours = pd.DatetimeIndex(en["interval_start"]).floor("h").unique()
    assert len(hours) >= 28 * 24 - 1


def test_requirements_follow_the_coverage_policy_and_a_daily_shape(
    scenario: Scenario, requirements: pd.DataFrame
) -> None:
    grid = horizon_grid(scenario, START, WEEKS)
    for queue in scenario.queues:
        rows = requirements[
            requirements["channel"].eq(queue.channel)
            & requirements["language"].eq(queue.language)
            & requirements["tier"].eq(queue.tier)
        ]
        assert len(rows) > 0, queue.id
        open_at = set(grid[coverage_mask(queue.coverage, grid)])
        assert set(rows["interval_start"]) <= open_at, queue.id
        heads = rows["agents_required"].to_numpy()
        assert heads.max() > heads.min(), queue.id
    # Busier in the customers' business hours: German chat peaks in Berlin's day.
    de = requirements[requirements["language"].eq("de")]
    local = pd.DatetimeIndex(de["interval_start"]).tz_convert("Europe/Berlin")
    day = de["agents_required"].to_numpy()[(local.hour >= 10) & (local.hour < 16)].mean()
    evening = de["agents_required"].to_numpy()[(local.hour >= 18) & (local.hour < 20)].mean()
    assert day > evening


@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60),
    st.integers(2, 15),
)
def test_the_thinned_timeline_keeps_every_better_roster_and_ends(steps, keep) -> None:  # type: ignore[no-untyped-def]
    # Each step reports a better roster, a better bound, or both (as the solver does).
    timeline, objective, bound = [], 1000.0, 0.0
    for t, (better_roster, better_bound) in enumerate(steps):
        objective -= better_roster
        bound += better_bound or not better_roster
        timeline.append((float(t), objective, bound))
    thinned = _thin(timeline, keep)
    improvements = [p for p, q in zip(timeline[1:], timeline, strict=False) if p[1] < q[1]]
    assert thinned[0] == timeline[0] and thinned[-1] == timeline[-1]
    assert set(improvements) <= set(thinned)
    assert thinned == sorted(set(thinned))  # in order, no repeats
    kept = len({timeline[0], timeline[-1], *improvements})
    assert len(thinned) <= max(keep, kept + keep // 2)
    if len(timeline) > keep:  # some bound reports stay, to show the bound rising
        assert len(thinned) >= min(len(timeline), kept + keep // 2)


def test_a_gap_without_a_bound_above_zero_is_unknown_not_infinite() -> None:
    assert _gap_text((21.0, 2_932_212.0, float("-inf"))).startswith("unknown")
    assert _gap_text((21.0, 2_932_212.0, 0.0)).startswith("unknown")
    assert _gap_text((30.0, 103.0, 100.0)).startswith("2.91%")
