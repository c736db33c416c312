"""The capacity service's mapping of a scenario onto the MIP's hours of the week."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from followsun.services.capacity import (
    HOURS_A_WEEK,
    CapacityOptions,
    capacity_inputs,
    contract_limits,
    site_reach,
    skill_classes,
)
from followsun.services.compare import DecisionSettings
from followsun.services.plan import reference_scenario_path
from forecasting.queues import QueueKey
from planner.capacity import plan_capacity
from scenarios.loader import load_scenario
from scenarios.spec import Scenario


def test_a_site_reaches_the_utc_hours_its_local_shifts_span_with_their_premiums() -> None:
    sjc = load_scenario(reference_scenario_path()).sites[0]
    reach, premium = site_reach(sjc, date(2027, 3, 8))
    by_band = dict(zip(reach, premium, strict=True))
    # Monday 06:00-15:00 PST (early) to 13:00-22:00 (late) is 14:00 Monday to 06:00 Tuesday UTC.
    assert {14, 20, 29} <= set(reach) and 13 not in reach and 30 not in reach
    assert by_band[14] == 0.0  # 06:00 local, a weekday morning: no premium
    assert by_band[29] == 0.0  # 21:00 local Monday: before the 22:00 night window
    saturday_noon_pst = 5 * 24 + 20
    assert by_band[saturday_noon_pst] == pytest.approx(78.0 * 0.15)


def test_a_skill_only_one_site_holds_is_hired_there_though_another_is_cheaper(
    tmp_path: Path,
) -> None:
    # Only San Jose's Tier 1 group speaks phone/en; Taipei is cheaper (32 against 78 an
    # hour) and reaches the same UTC hours (14:00-22:00 UTC on weekdays: 06:00-14:00 in San
    # Jose, 22:00-06:00 in Taipei). 20 calls' heads in each of those 40 hours, 800 h a week,
    # against San Jose's 10 heads x 40 h (a head one hour a week in each hour of the week):
    # 10 hires in San Jose's phone group, none in Taipei (pooled would have hired Taipei).
    path = reference_scenario_path()
    scenario = load_scenario(path)
    need = {key: np.zeros(HOURS_A_WEEK) for key in _queue_ids(scenario)}
    for day in range(5):
        need["phone-en-t1"][24 * day + 14 : 24 * day + 22] = 20.0
    options = CapacityOptions(
        scenario=path,
        out=tmp_path / "out",
        months=2,
        settings=DecisionSettings(start=date(2027, 3, 8)),
        lead_months=0,
        ramp=(),
        attrition=0.0,
    )
    inputs = capacity_inputs(scenario, need, options)
    plan = plan_capacity(inputs)
    hired = {group: sum(h) for group, h in zip(plan.groups, plan.group_hires, strict=True)}
    assert hired[("sjc", "t1 chat/en+phone/en+web/en")] == 10
    assert sum(hired.values()) == 10
    assert max(plan.short) == pytest.approx(0.0)
    # The classes: phone alone (San Jose), English chat and web (both sites) together.
    classes = skill_classes(scenario)
    assert classes["phone-en-t1"] == ("phone-en-t1",)
    assert classes["chat-en-t1+web-en-t1"] == ("chat-en-t1", "web-en-t1")


def _queue_ids(scenario: Scenario) -> list[str]:
    return [QueueKey.of(q.channel, q.language, q.tier).format() for q in scenario.queues]


def test_heads_now_are_todays_organisations_group_by_group(tmp_path: Path) -> None:
    # The planned organisation carries 5 more San Jose Tier 1 heads and a new Tier 1
    # chat-only group; today's heads are the reference's, and the new group starts empty.
    path = reference_scenario_path()
    today = load_scenario(path)
    sjc = today.sites[0]
    more = sjc.headcount[0].model_copy(update={"count": sjc.headcount[0].count + 5})
    chat_only = sjc.headcount[0].model_copy(update={"count": 4, "skills": ("chat/en",)})
    planned = today.model_copy(
        update={
            "sites": (
                sjc.model_copy(update={"headcount": (more, chat_only, *sjc.headcount[1:])}),
                *today.sites[1:],
            )
        }
    )
    need = {key: np.zeros(HOURS_A_WEEK) for key in _queue_ids(today)}
    options = CapacityOptions(
        scenario=path, out=tmp_path / "o", months=1, settings=DecisionSettings(date(2027, 3, 8))
    )
    inputs = capacity_inputs(planned, need, options, today=today)
    heads = {g.id: g.heads_now for g in inputs.sites[0].groups}
    assert heads["t1 chat/en+phone/en+web/en"] == sjc.headcount[0].count
    assert heads["t1 chat/en"] == 0
    assert inputs.sites[0].heads_now == sum(g.count for g in sjc.headcount)


def test_a_site_s_nights_and_weekends_are_its_local_ones_capped_by_its_contract() -> None:
    tpe = load_scenario(reference_scenario_path()).sites[1]
    limits = contract_limits(tpe, date(2027, 3, 8))
    # Taipei (UTC+8): its late shift 14:00-23:00 reaches 22:00 local, 14:00 UTC; its night
    # is 22:00-06:00 local. 8 nights in 4 weeks of one night hour each: 2 h a week.
    assert 14 in limits.night_bands and 13 not in limits.night_bands
    assert limits.night_hours == pytest.approx(8 / 4 * 1)
    # Its first weekend hour is Saturday 07:00 Taipei, Friday 23:00 UTC (band 119); Friday
    # 22:00 Taipei (14:00 UTC, band 110) is a weekday night. 2 weekends in 4, of 2 x 9 h.
    assert min(limits.weekend_bands) == 4 * 24 + 23
    assert 4 * 24 + 14 in limits.night_bands and 4 * 24 + 14 not in limits.weekend_bands
    assert limits.weekend_hours == pytest.approx(2 / 4 * 2 * 9)
