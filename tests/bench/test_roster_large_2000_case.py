"""The 2,000-agent organisation is the 500-agent one's next size up (issue 31), built by the
same rules: six sites in six zones, the same queues, requirements within the paid hours."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.roster_large import (
    LOAD,
    SITES,
    SITES_2000,
    START,
    WEEKS,
    large_requirements,
    large_scenario,
    paid_intervals,
    scaled,
)
from planner.roster import SolveSettings, solve_roster
from scenarios.rostering import roster_inputs, scenario_agents
from scenarios.spec import Scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return large_scenario(SITES_2000)


def _by_skills(site: dict) -> Counter:  # type: ignore[type-arg]
    return Counter({(g["tier"], tuple(g["skills"])): g["count"] for g in site["headcount"]})


def test_agents_per_site_and_zones(scenario: Scenario) -> None:
    agents = [a for site in scenario.sites for a in scenario_agents(site)]
    assert len(agents) == 2000
    assert len({a.id for a in agents}) == 2000
    per_site = {site.id: len(scenario_agents(site)) for site in scenario.sites}
    assert per_site == {"sjc": 400, "aus": 400, "ams": 280, "dub": 280, "tpe": 320, "mnl": 320}
    assert len({s.timezone for s in scenario.sites}) == 6
    assert [q.id for q in scenario.queues] == [q.id for q in large_scenario().queues]


def test_each_site_and_its_twin_keep_the_500_agent_sites_rules() -> None:
    by_id = {s["id"]: s for s in SITES_2000}
    for base, twin in (("sjc", "aus"), ("ams", "dub"), ("tpe", "mnl")):
        original = next(s for s in SITES if s["id"] == base)
        twice = Counter({k: 2 * n for k, n in _by_skills(original).items()})
        assert _by_skills(by_id[base]) == twice
        assert _by_skills(by_id[twin]) == twice
        assert by_id[twin]["contract"] == original["contract"]
        assert by_id[twin]["timezone"] != original["timezone"]
    # The 500-agent organisation is left as it was.
    assert sum(g["count"] for s in SITES for g in s["headcount"]) == 500


def test_requirements_are_within_each_queues_paid_hours(scenario: Scenario) -> None:
    requirements = large_requirements(scenario)
    supply = paid_intervals(scenario)
    assert sum(supply.values()) == pytest.approx(2000 * 40 * WEEKS * 4)
    for queue in scenario.queues:
        rows = requirements[
            requirements["channel"].eq(queue.channel)
            & requirements["language"].eq(queue.language)
            & requirements["tier"].eq(queue.tier)
        ]
        # Rounding to whole heads (at least one while open) moves a queue's load a little.
        assert rows["agents_required"].sum() / supply[queue.id] == pytest.approx(LOAD, abs=0.05)
    assert requirements["agents_required"].sum() / sum(supply.values()) < 0.9


def test_a_scaled_down_six_site_organisation_is_rostered_without_violations() -> None:
    small = large_scenario([scaled(s, 1 / 40) for s in SITES_2000])
    weeks = 1
    inputs = roster_inputs(small, large_requirements(small, START, weeks), START, weeks)
    assert len({a.site for a in inputs.agents}) == 6
    result = solve_roster(
        inputs, SolveSettings(time_limit_s=5, num_workers=1, seed=0, deterministic=True)
    )
    assert result.status in ("optimal", "feasible")
    assert not result.violations
    assert set(result.roster["site"]) == {s["id"] for s in SITES_2000}
    # Every agent works at least its contract's minimum hours in the week.
    paid = result.roster.groupby("agent_id")["paid_minutes"].sum()
    assert len(paid) == len(inputs.agents)
    assert (paid >= 32 * 60).all()
