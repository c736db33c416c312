"""The capacity MIP against small cases solved by hand."""

from __future__ import annotations

import pytest

from forecasting.errors import InputError
from planner.capacity import CapacityGroup, CapacityInputs, CapacitySite, SkillNeed, plan_capacity

MONTHLY = 1000.0


def site(
    id: str = "a", heads: int = 8, reach: tuple[int, ...] = (0,), **kw: object
) -> CapacitySite:
    return CapacitySite(
        id=id,
        monthly_cost=MONTHLY,
        productive_hours=40.0,
        heads_now=heads,
        open_now=heads > 0 or bool(kw.pop("open_now", False)),
        reach=reach,
        **kw,  # type: ignore[arg-type]
    )


def test_hires_join_after_the_lead_time_and_fill_the_gap_once() -> None:
    # 400 h a week need 10 heads of 40 h; 8 now; a hire decided in month 0 joins in month 1.
    inputs = CapacityInputs(
        need=((400.0,),) * 6, sites=(site(),), lead_months=1, ramp=(), attrition=0.0
    )
    plan = plan_capacity(inputs)
    assert plan.hires == ((2, 0, 0, 0, 0, 0),)
    assert plan.short == pytest.approx((80.0, 0, 0, 0, 0, 0))
    # 8 heads in month 0, 10 in the five after; 80 h short in month 0 at the penalty.
    assert plan.cost == pytest.approx(8 * MONTHLY + 50 * MONTHLY + 80 * inputs.short_penalty)


def test_a_hire_at_half_speed_in_its_first_month_needs_twice_the_hires() -> None:
    inputs = CapacityInputs(
        need=((400.0,),) * 3, sites=(site(),), lead_months=0, ramp=(0.5,), attrition=0.0
    )
    plan = plan_capacity(inputs)
    # 8 + 0.5 h >= 10 in month 0: h = 4; afterwards 12 heads cover it.
    assert plan.hires == ((4, 0, 0),)
    assert plan.short == pytest.approx((0.0, 0.0, 0.0))


def test_leavers_are_replaced_the_month_they_go() -> None:
    inputs = CapacityInputs(
        need=((400.0,),) * 3, sites=(site(heads=10),), lead_months=0, ramp=(), attrition=0.5
    )
    plan = plan_capacity(inputs)
    # Half of 10 leave: 5 hires in month 1; half of 10 again: 5 in month 2.
    assert plan.hires == ((0, 5, 5),)


def test_a_second_site_opens_when_its_band_is_first_needed_less_the_lead_time() -> None:
    # Band 1 (say weekends) is reached only by the closed site b, and needed from month 3.
    need = tuple((400.0, 0.0 if m < 3 else 160.0) for m in range(6))
    b = site("b", heads=0, reach=(0, 1), opening_cost=50_000.0)
    inputs = CapacityInputs(
        need=need, sites=(site(heads=10), b), lead_months=1, ramp=(), attrition=0.0
    )
    plan = plan_capacity(inputs)
    assert plan.opens == (0, 3)
    assert plan.hires[1] == (0, 0, 4, 0, 0, 0)
    assert max(plan.short) == pytest.approx(0.0)


def test_a_site_with_heads_must_be_open() -> None:
    with pytest.raises(InputError, match="has heads but is not open"):
        CapacitySite(
            id="x", monthly_cost=1, productive_hours=40, heads_now=3, open_now=False, reach=(0,)
        )


def _two_sites(b_heads: int) -> tuple[CapacitySite, CapacitySite]:
    # Site a: cheap, 10 heads of 40 h, no Japanese. Site b: three times the cost, the only
    # Japanese speakers.
    a = site("a", heads=10, groups=(CapacityGroup("en", 10),))
    b = CapacitySite(
        id="b",
        monthly_cost=3 * MONTHLY,
        productive_hours=40.0,
        heads_now=b_heads,
        open_now=b_heads > 0,
        reach=(0,),
        groups=(CapacityGroup("ja", b_heads, frozenset({"ja"})),),
    )
    return a, b


def test_a_language_only_one_site_speaks_forces_that_sites_hiring() -> None:
    # 200 h of English (anyone) and 160 h of Japanese (b only) a week. Pooled, a's 400 h
    # cover all 360 and b hires nobody; kept apart, b's 2 heads give 80 h of Japanese and
    # b must hire 2 more (lead 0), though a has 200 h to spare.
    a, b = _two_sites(2)
    pooled = CapacityInputs(need=((360.0,),) * 2, sites=(a, b), lead_months=0, ramp=(), attrition=0)
    assert plan_capacity(pooled).hires == ((0, 0), (0, 0))
    apart = CapacityInputs(
        need=((200.0,),) * 2,
        skills=(SkillNeed("ja", ((160.0,),) * 2),),
        sites=(a, b),
        lead_months=0,
        ramp=(),
        attrition=0,
    )
    plan = plan_capacity(apart)
    assert plan.hires == ((0, 0), (2, 0))
    assert plan.group_hires == ((0, 0), (2, 0))
    assert plan.groups == (("a", "en"), ("b", "ja"))
    assert max(plan.short) == pytest.approx(0.0)


def test_a_closed_site_holding_the_only_skill_opens_for_it() -> None:
    # Japanese is needed from month 2 and only closed site b may speak it: b opens in month
    # 2 with 4 hires decided in month 1 (lead 1); pooled, it would never open.
    a, b = _two_sites(0)
    ja = tuple((0.0,) if m < 2 else (160.0,) for m in range(4))
    inputs = CapacityInputs(
        need=((200.0,),) * 4,
        skills=(SkillNeed("ja", ja),),
        sites=(a, b),
        lead_months=1,
        ramp=(),
        attrition=0,
    )
    plan = plan_capacity(inputs)
    assert plan.opens == (0, 2)
    assert plan.hires[1] == (0, 4, 0, 0)
    assert dict(plan.short_by_class)["ja"] == pytest.approx((0.0,) * 4)


def test_groups_must_add_up_to_the_sites_heads() -> None:
    with pytest.raises(InputError, match="add up"):
        site("x", heads=3, groups=(CapacityGroup("g", 2),))


def _night_sites(kind: str, cap: float | None) -> tuple[CapacitySite, CapacitySite]:
    """Four one-hour bands; band 0 is night (or weekend) at a, daytime at closed site b.

    a: 3 heads of 4 h, one hour a band each, `cap` hours a week in band 0 per head.
    b: three times a's cost and 50,000 to open.
    """
    limits = {f"{kind}_bands": frozenset({0}), f"{kind}_hours": cap}
    a = CapacitySite(
        id="a",
        monthly_cost=MONTHLY,
        productive_hours=4.0,
        heads_now=3,
        open_now=True,
        reach=(0, 1, 2, 3),
        band_hours=1.0,
        **limits,  # type: ignore[arg-type]
    )
    b = CapacitySite(
        id="b",
        monthly_cost=3 * MONTHLY,
        productive_hours=4.0,
        heads_now=0,
        open_now=False,
        reach=(0, 1, 2, 3),
        opening_cost=50_000.0,
        band_hours=1.0,
    )
    return a, b


NIGHT_NEED = ((2.0, 3.0, 3.0, 3.0),) * 2
"""2 agent-hours a week in band 0, 3 in each of the others: 11 of a's 12."""


@pytest.mark.parametrize("kind", ["night", "weekend"])
def test_heads_a_site_may_not_put_on_nights_make_another_site_open(kind: str) -> None:
    a, b = _night_sites(kind, None)
    inputs = CapacityInputs(need=NIGHT_NEED, sites=(a, b), lead_months=0, ramp=(), attrition=0)
    free = plan_capacity(inputs)
    # Uncapped, a's 3 heads (one hour a band each) cover every band: b stays closed.
    assert free.opens == (0, None)
    assert free.hires == ((0, 0), (0, 0))
    assert max(free.short) == pytest.approx(0.0)
    a, b = _night_sites(kind, 0.0)
    capped = plan_capacity(
        CapacityInputs(need=NIGHT_NEED, sites=(a, b), lead_months=0, ramp=(), attrition=0)
    )
    # No nights at a: its heads cannot take band 0 however many it hires, so b opens at
    # once and hires the 2 heads band 0's 2 hours need (one hour a band each).
    assert capped.opens == (0, 0)
    assert capped.hires == ((0, 0), (2, 0))
    assert max(capped.short) == pytest.approx(0.0)


def test_a_night_cap_is_met_by_hiring_at_the_site_when_that_is_cheaper_than_opening() -> None:
    # Half an hour of nights a week per head: a's 3 heads give 1.5 of band 0's 2 hours, so
    # a hires a fourth (1,000 a month) rather than open b (50,000 and 3,000 a head).
    a, b = _night_sites("night", 0.5)
    plan = plan_capacity(
        CapacityInputs(need=NIGHT_NEED, sites=(a, b), lead_months=0, ramp=(), attrition=0)
    )
    assert plan.opens == (0, None)
    assert plan.hires == ((1, 0), (0, 0))
    assert plan.cost == pytest.approx(2 * 4 * MONTHLY, rel=1e-6)
    assert plan.status == "optimal" and plan.bound == plan.cost and plan.gap == 0.0


def test_a_contract_limit_beyond_a_head_s_hours_is_refused() -> None:
    with pytest.raises(InputError, match="night_hours 50 must be between 0 and its"):
        site(night_hours=50.0)
