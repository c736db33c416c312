"""Each constraint family on tiny hand-made cases, with the exact penalty worked out by hand.

Expected values are derived in the comments from the case itself (counting intervals and
shifts), never from the solver; every solved roster must also pass `validate_roster`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from forecasting.errors import InputError
from planner.roster import ContractRules, PreviousShift, Weights, solve_roster
from tests.planner.roster.helpers import (
    FAST,
    LOOSE,
    START,
    agent,
    daily_options,
    demand,
    grid_for,
    inputs,
    option,
    penalty,
)

W = Weights()


def solve(inp):  # type: ignore[no-untyped-def]
    result = solve_roster(inp, FAST)
    assert result.status == "optimal", result.binding_rules
    assert result.violations == ()
    return result


def test_one_shift_per_day_and_exact_understaffing() -> None:
    # One agent, two templates on one day (09-17 and 13-21), 1 required 09-21 (12 h).
    # One shift per day: at best 8 of 12 hours covered, 4 agent-intervals short.
    grid = grid_for(1)
    a = agent("a")
    opts = daily_options([a], 1, grid, (("early", time(9), 8), ("late", time(13), 8)))
    inp = inputs([a], opts, grid, 1, {"chat-en-t1": demand(grid, [(9, 21, 1)])}, {"chat-en-t1": 3})
    result = solve(inp)
    assert len(result.roster) == 1
    assert penalty(result, "understaffing") == pytest.approx(4 * W.understaffing * 3)
    assert result.coverage["shortfall"].sum() == 4
    assert (
        result.coverage["shortfall"].sum()
        == (result.coverage["required"] - result.coverage["scheduled"]).clip(lower=0).sum()
    )


def test_overstaffing_counts_idle_agent_intervals() -> None:
    # 8 h shift, 1 required for 4 h only; working pays (4 * 100 covered) against 4 idle
    # intervals at 5 each: the shift is worked and 4 intervals are overstaffed.
    grid = grid_for(1)
    a = agent("a")
    opts = daily_options([a], 1, grid)
    inp = inputs([a], opts, grid, 1, {"chat-en-t1": demand(grid, [(9, 13, 1)])})
    result = solve(inp)
    assert penalty(result, "overstaffing") == pytest.approx(4 * W.overstaffing)
    assert penalty(result, "understaffing") == 0


def test_breaks_do_not_cover() -> None:
    # 09-17 with a 1 h break at 13:00: 7 worked hours against 8 required, 1 short.
    grid = grid_for(1)
    a = agent("a")
    opts = daily_options([a], 1, grid, break_at_h=4)
    inp = inputs([a], opts, grid, 1, {"chat-en-t1": demand(grid, [(9, 17, 1)])})
    result = solve(inp)
    assert result.coverage.set_index("interval_start")["shortfall"].iloc[13] == 1
    assert result.coverage["shortfall"].sum() == 1
    assert result.roster["breaks"].iloc[0] == "13:00-14:00"


def test_multi_skilled_agent_is_shared_not_double_counted() -> None:
    # One agent with chat and web, both queues need 1 for 8 h: only one can be served.
    # Chat has priority 3, web 1: the web queue is left short, 8 x 100 x 1 points.
    grid = grid_for(1)
    a = agent("a", skills=("chat/en", "web/en"))
    opts = daily_options([a], 1, grid)
    need = demand(grid, [(9, 17, 1)])
    inp = inputs([a], opts, grid, 1, {"chat-en-t1": need, "web-en-t1": need}, {"chat-en-t1": 3})
    result = solve(inp)
    short = result.coverage.groupby("group")["shortfall"].sum()
    assert short["chat-en-t1"] == 0
    assert short["web-en-t1"] == 8
    assert penalty(result, "understaffing") == pytest.approx(8 * W.understaffing)


def test_sharing_uses_the_specialist_for_its_queue() -> None:
    # A chat-only agent and a chat+web agent, chat and web need 1 each: all covered.
    grid = grid_for(1)
    a = agent("a", skills=("chat/en",))
    b = agent("b", skills=("chat/en", "web/en"))
    opts = daily_options([a, b], 1, grid)
    need = demand(grid, [(9, 17, 1)])
    result = solve(inputs([a, b], opts, grid, 1, {"chat-en-t1": need, "web-en-t1": need}))
    assert result.coverage["shortfall"].sum() == 0


def test_quarter_heads_let_one_agent_cover_two_half_head_queues() -> None:
    # Chat and web each need half a head for 8 h (2 quarter-head units each). In whole
    # heads each would round up to 1, leaving one queue 8 agent-hours short; in quarter
    # heads the shared agent covers both: no shortfall, no idle time.
    grid = grid_for(1)
    a = agent("a", skills=("chat/en", "web/en"))
    opts = daily_options([a], 1, grid)
    half = demand(grid, [(9, 17, 2)])
    inp = replace(
        inputs([a], opts, grid, 1, {"chat-en-t1": half, "web-en-t1": half}), units_per_head=4
    )
    result = solve(inp)
    assert result.coverage["shortfall"].sum() == 0
    assert result.coverage["required"].max() == 0.5
    assert penalty(result, "understaffing") == 0
    assert penalty(result, "overstaffing") == 0


def test_quarter_head_shortfall_is_priced_per_agent_interval() -> None:
    # One queue needs 1.25 heads (5 units) for 8 h and there is one agent: a quarter head
    # short for 8 intervals is 8 x 0.25 agent-intervals of understaffing.
    grid = grid_for(1)
    a = agent("a")
    opts = daily_options([a], 1, grid)
    inp = replace(
        inputs([a], opts, grid, 1, {"chat-en-t1": demand(grid, [(9, 17, 5)])}), units_per_head=4
    )
    result = solve(inp)
    assert result.coverage["shortfall"].sum() == pytest.approx(8 * 0.25)
    assert penalty(result, "understaffing") == pytest.approx(8 * 0.25 * W.understaffing)


def test_min_rest_across_midnight() -> None:
    # Late 16:00-24:00 on day 0, early 06:00-14:00 on day 1: 6 h apart, rest is 11 h.
    # Demand asks for both: one is dropped, 8 agent-intervals short.
    grid = grid_for(2)
    rules = replace(LOOSE, min_rest_min=11 * 60)
    a = agent("a", rules=rules)
    opts = [
        option("a", START, "late", time(16), 8, grid),
        option("a", START + timedelta(days=1), "early", time(6), 8, grid),
    ]
    need = demand(grid, [(16, 24, 1), (30, 38, 1)])
    result = solve(inputs([a], opts, grid, 2, {"chat-en-t1": need}))
    assert len(result.roster) == 1
    assert result.coverage["shortfall"].sum() == 8


def test_min_rest_uses_utc_across_dst() -> None:
    # Amsterdam springs forward on Sunday 2027-03-28 at 02:00. A Saturday 20:00 shift of
    # 8 h ends 05:00 CEST (03:00 UTC); Sunday 16:00 CEST is 14:00 UTC: 11 h of rest,
    # although the wall clock (20:00 + 8 h = 04:00 to 16:00) suggests 12 h. Rule: 12 h.
    sat = date(2027, 3, 27)
    first = date(2027, 3, 22)
    days = 7
    grid = grid_for(days, start=first)
    rules = replace(LOOSE, min_rest_min=12 * 60)
    a = agent("a", rules=rules, tz="Europe/Amsterdam")
    opts = [
        option("a", sat, "eve", time(20), 8, grid, tz="Europe/Amsterdam"),
        option("a", sat + timedelta(days=1), "late", time(16), 8, grid, tz="Europe/Amsterdam"),
    ]
    assert (opts[1].start_utc - opts[0].end_utc) == timedelta(hours=11)
    inp = inputs(
        [a], opts, grid, days, {"chat-en-t1": demand(grid, [(0, len(grid), 1)])}, start=first
    )
    result = solve(inp)
    assert len(result.roster) == 1


@pytest.mark.parametrize(("days", "most", "expected_shifts"), [(7, 3, 6), (4, 3, 3), (3, 3, 3)])
def test_max_consecutive_days_including_runs_at_the_horizon(
    days: int, most: int, expected_shifts: int
) -> None:
    # Demand every day: 7 days with at most 3 in a row -> WWWOWWW = 6; 4 days -> 3;
    # 3 days -> 3 (a run touching the horizon end is checked only inside it).
    grid = grid_for(days)
    a = agent("a", rules=replace(LOOSE, max_consecutive_days=most))
    opts = daily_options([a], days, grid)
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in range(days)])
    result = solve(inputs([a], opts, grid, days, {"chat-en-t1": need}))
    assert len(result.roster) == expected_shifts
    assert result.coverage["shortfall"].sum() == 8 * (days - expected_shifts)


def test_min_consecutive_days_off() -> None:
    # 7 days, runs of at most 2, rests of at least 2: WWOOWWO is best, 4 shifts.
    grid = grid_for(7)
    rules = replace(LOOSE, max_consecutive_days=2, min_consecutive_days_off=2)
    a = agent("a", rules=rules)
    opts = daily_options([a], 7, grid)
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in range(7)])
    result = solve(inputs([a], opts, grid, 7, {"chat-en-t1": need}))
    assert len(result.roster) == 4


def test_weekly_hours_and_shifts() -> None:
    # Max 20 h a week with 8 h shifts: 2 shifts; max 1 shift a week: 1 shift.
    grid = grid_for(7)
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in range(7)])
    for rules, expected in (
        (replace(LOOSE, max_minutes_week=20 * 60), 2),
        (replace(LOOSE, max_shifts_week=1), 1),
    ):
        a = agent("a", rules=rules)
        result = solve(inputs([a], daily_options([a], 7, grid), grid, 7, {"chat-en-t1": need}))
        assert len(result.roster) == expected


def test_min_hours_forces_work_without_demand() -> None:
    # No demand, min 16 h a week, 8 h shifts: 2 shifts, each 8 idle intervals at 5 points.
    grid = grid_for(7)
    a = agent("a", rules=replace(LOOSE, min_minutes_week=16 * 60))
    need = demand(grid, [(0, 1, 0)])
    result = solve(inputs([a], daily_options([a], 7, grid), grid, 7, {"chat-en-t1": need}))
    assert len(result.roster) == 2


def test_min_hours_is_pro_rated_for_time_off() -> None:
    # 40 h minimum, five days of time off: 2/7 of 40 h = 11.43 h -> 685 min -> 2 shifts of 8 h.
    grid = grid_for(7)
    off = frozenset(START + timedelta(days=i) for i in range(5))
    a = agent("a", rules=replace(LOOSE, min_minutes_week=40 * 60), time_off=off)
    need = demand(grid, [(0, 1, 0)])
    result = solve(inputs([a], daily_options([a], 7, grid), grid, 7, {"chat-en-t1": need}))
    assert len(result.roster) == 2
    assert set(result.roster["date_local"]).isdisjoint(off)


def test_time_off_is_hard() -> None:
    grid = grid_for(3)
    off = frozenset({START + timedelta(days=1)})
    a = agent("a", time_off=off)
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in range(3)])
    result = solve(inputs([a], daily_options([a], 3, grid), grid, 3, {"chat-en-t1": need}))
    assert sorted(result.roster["date_local"]) == [START, START + timedelta(days=2)]


def test_unreachable_minimum_is_reported_as_infeasible_with_the_roster() -> None:
    # Min 40 h a week but at most 2 shifts of 8 h: 24 h cannot be reached. The slack names it.
    grid = grid_for(7)
    rules = replace(LOOSE, min_minutes_week=40 * 60, max_shifts_week=2)
    a = agent("a", rules=rules)
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in range(7)])
    result = solve_roster(
        inputs([a], daily_options([a], 7, grid), grid, 7, {"chat-en-t1": need}), FAST
    )
    assert result.status == "infeasible"
    assert len(result.roster) == 2
    assert any("a (s)" in line and "16 h of the 40 h" in line for line in result.binding_rules)
    assert [v.rule for v in result.violations] == ["min_hours_week"]


def test_night_limit() -> None:
    # Night shifts demanded on 5 nights, at most 2 nights per 4 weeks.
    grid = grid_for(5)
    a = agent("a", rules=replace(LOOSE, max_nights_per_4_weeks=2))
    opts = daily_options([a], 5, grid, (("night", time(22), 8),), night=True)
    need = demand(grid, [(24 * d + 22, 24 * d + 30, 1) for d in range(5)])
    result = solve(inputs([a], opts, grid, 5, {"chat-en-t1": need}))
    assert len(result.roster) == 2
    assert penalty(result, "nights") == pytest.approx(2 * W.night_shift)


def test_weekend_limit() -> None:
    # Two weeks, demand on both weekends only, at most 1 weekend per 4 weeks: one weekend
    # (both days) is worked, the other is short 16 agent-intervals.
    grid = grid_for(14)
    a = agent("a", rules=replace(LOOSE, max_weekends_per_4_weeks=1))
    need = demand(grid, [(24 * d + 9, 24 * d + 17, 1) for d in (5, 6, 12, 13)])
    result = solve(inputs([a], daily_options([a], 14, grid), grid, 14, {"chat-en-t1": need}))
    assert len(result.roster) == 2
    weeks = {(d - START).days // 7 for d in result.roster["date_local"]}
    assert len(weeks) == 1
    assert result.coverage["shortfall"].sum() == 16


def test_holiday_premium_cost() -> None:
    # One holiday shift of 8 paid hours at +100%: 8 premium hours at 10 points = 80.
    grid = grid_for(1)
    a = agent("a")
    opts = daily_options([a], 1, grid, holiday=True, premium_hours=8.0)
    result = solve(inputs([a], opts, grid, 1, {"chat-en-t1": demand(grid, [(9, 17, 1)])}))
    assert penalty(result, "premium") == pytest.approx(8 * W.premium_hour)


def test_fairness_spreads_nights_within_a_site() -> None:
    # Two identical agents, one night shift needed on each of 2 nights, rest forbids a
    # night then a day... both could take both nights; fairness gives one each.
    grid = grid_for(2)
    a, b = agent("a"), agent("b")
    opts = daily_options([a, b], 2, grid, (("night", time(22), 8),), night=True)
    need = demand(grid, [(22, 30, 1), (46, 54, 1)])
    result = solve(inputs([a, b], opts, grid, 2, {"chat-en-t1": need}))
    assert sorted(result.roster.groupby("agent_id").size()) == [1, 1]
    assert penalty(result, "fairness_nights") == 0


def test_stability_keeps_the_published_roster() -> None:
    # Either agent can cover day 0; the published roster had b: keep b, no change.
    grid = grid_for(1)
    a, b = agent("a"), agent("b")
    opts = daily_options([a, b], 1, grid)
    need = demand(grid, [(9, 17, 1)])
    prev = [PreviousShift("b", START, "day")]
    result = solve(inputs([a, b], opts, grid, 1, {"chat-en-t1": need}, previous=prev))
    assert list(result.roster["agent_id"]) == ["b"]
    assert penalty(result, "stability") == 0


def test_stability_counts_forced_changes() -> None:
    # b was published on day 0 but is now off sick: b's day changes (forced) and a, who was
    # published off, takes the shift: one published shift dropped, one added (an agent's
    # own published shift weighs more than a shift added on a day off).
    grid = grid_for(1)
    a = agent("a")
    b = agent("b", time_off=frozenset({START}))
    opts = daily_options([a, b], 1, grid)
    prev = [PreviousShift("b", START, "day")]
    need = demand(grid, [(9, 17, 1)])
    result = solve(inputs([a, b], opts, grid, 1, {"chat-en-t1": need}, previous=prev))
    assert list(result.roster["agent_id"]) == ["a"]
    assert penalty(result, "stability") == pytest.approx(W.change + W.change_added)
    assert W.change_added < W.change


def test_a_frozen_shift_is_kept_even_when_dropping_it_would_cost_less() -> None:
    # b's frozen day shift is not needed (no demand): keeping it costs overstaffing, yet
    # the freeze holds; a's unfrozen published shift is dropped (a priced change).
    grid = grid_for(1)
    a = agent("a")
    b = replace(agent("b"), frozen=frozenset({START}))
    opts = daily_options([a, b], 1, grid)
    prev = [PreviousShift("a", START, "day"), PreviousShift("b", START, "day")]
    need = demand(grid, [])
    result = solve(inputs([a, b], opts, grid, 1, {"chat-en-t1": need}, previous=prev))
    assert "b" in set(result.roster["agent_id"])
    assert penalty(result, "frozen") == 0
    assert result.status != "infeasible"


def test_unservable_queue_is_an_input_error() -> None:
    grid = grid_for(1)
    a = agent("a", skills=("chat/en",))
    need = demand(grid, [(9, 17, 1)])
    inp = inputs(
        [a], daily_options([a], 1, grid), grid, 1, {"chat-en-t1": need, "phone-ja-t1": need}
    )
    with pytest.raises(InputError, match="phone-ja-t1"):
        solve_roster(inp, FAST)


def test_agent_without_any_option_is_diagnosed() -> None:
    grid = grid_for(2)
    off = frozenset({START, START + timedelta(days=1)})
    a, b = agent("a"), agent("b", time_off=off)
    need = demand(grid, [(9, 17, 1)])
    result = solve(inputs([a, b], daily_options([a, b], 2, grid), grid, 2, {"chat-en-t1": need}))
    assert any("agent b" in note and "time off" in note for note in result.diagnoses)


def test_contract_rules_refuse_incoherent_bounds() -> None:
    with pytest.raises(InputError, match="exceeds"):
        ContractRules(min_minutes_week=50 * 60, max_minutes_week=40 * 60)


def test_demand_beyond_every_serving_shift_is_diagnosed_not_unmet() -> None:
    # Shifts 09-17 with a 13:00 break on days 0 and 1; demand at 02:00-04:00 on day 0 and
    # 02:00-03:00 on day 2 lies beyond every shift (a zone edge): a diagnosis of 3
    # agent-intervals. The 13:00 break inside the span is the only unmet coverage (1 h).
    grid = grid_for(2)
    a = agent("a")
    need = demand(grid, [(2, 4, 1), (9, 17, 1), (50, 51, 1)])
    opts = daily_options([a], 2, grid, break_at_h=4)
    result = solve(inputs([a], opts, grid, 2, {"chat-en-t1": need}))
    assert any("3 required agent-intervals" in note for note in result.diagnoses)
    assert len(result.unmet_coverage) == 1
    assert "1 agent-hours short" in result.unmet_coverage[0]


def test_vendor_heads_fill_the_gap_at_their_price() -> None:
    # One agent works 09-17; 2 are required 09-17. A vendor with 1 head available 09-13 at
    # 20 points an interval (cheaper than 100 short) covers 4 intervals: 80 points, and the
    # 4 intervals 13-17 stay short.
    from planner.roster import VendorCapacity

    grid = grid_for(1)
    a = agent("a")
    need = demand(grid, [(9, 17, 2)])
    inp = inputs([a], daily_options([a], 1, grid), grid, 1, {"chat-en-t1": need})
    inp = replace(
        inp, vendors=(VendorCapacity("bpo", 1, ("chat/en",), 1, tuple(range(9, 13)), 20.0),)
    )
    result = solve(inp)
    assert penalty(result, "vendor") == pytest.approx(4 * 20.0)
    assert result.coverage["vendor"].sum() == 4
    assert result.coverage["shortfall"].sum() == 4
    assert penalty(result, "overstaffing") == 0


def test_a_bound_of_zero_reports_an_unknown_gap_not_a_full_one() -> None:
    from planner.roster.solve import reported_gap

    assert reported_gap(500.0, 0.0, proven=False) is None
    assert reported_gap(500.0, 400.0, proven=False) == pytest.approx(0.2)
    assert reported_gap(500.0, 0.0, proven=True) == 0.0
    assert reported_gap(0.0, 0.0, proven=False) == 0.0


def test_prepaid_vendor_hours_are_used_before_premium_in_house_hours() -> None:
    # One agent may work 09-17 on a Saturday at 8 premium hours; 1 is required 09-17. A
    # vendor head 09-17 costs 200 points an interval, far above the premium (8 h x 10
    # points = 80): without prepaid hours the agent works. With 8 agent-intervals already
    # paid for under the vendor's minimum they cost nothing: the vendor covers the day and
    # the agent stays home (no premium, no overstaffing). With 5 prepaid, the 3 intervals
    # beyond them (3 x 200 = 600) cost more than the agent's premium (80), so the agent
    # works, and free vendor heads beside the agent would only add overstaffing.
    from planner.roster import VendorCapacity

    saturday = START + timedelta(days=5)
    grid = grid_for(6)
    a = agent("a")
    need = demand(grid, [(5 * 24 + 9, 5 * 24 + 17, 1)])
    opts = [option("a", saturday, "day", time(9), 8, grid, premium_hours=8.0)]
    base = inputs([a], opts, grid, 6, {"chat-en-t1": need})
    hours = tuple(range(5 * 24 + 9, 5 * 24 + 17))

    def with_prepaid(prepaid: float):  # type: ignore[no-untyped-def]
        vendor = VendorCapacity("bpo", 1, ("chat/en",), 1, hours, 200.0, prepaid)
        return solve(replace(base, vendors=(vendor,)))

    unpaid = with_prepaid(0.0)
    assert len(unpaid.roster) == 1
    assert unpaid.coverage["vendor"].sum() == 0
    assert penalty(unpaid, "premium") == pytest.approx(8 * W.premium_hour)

    paid = with_prepaid(8.0)
    assert len(paid.roster) == 0
    assert paid.coverage["vendor"].sum() == 8
    assert penalty(paid, "vendor") == 0
    assert penalty(paid, "premium") == 0
    assert paid.objective < unpaid.objective

    partly = with_prepaid(5.0)
    assert len(partly.roster) == 1
    assert partly.coverage["vendor"].sum() == 0


def test_the_greedy_start_leaves_prepaid_vendor_hours_to_the_vendor() -> None:
    # Saturday 09-17 needs 1 head and Monday 09-17 1 head; the agent may work one of them
    # (one shift a week). 8 prepaid vendor intervals on Saturday: the greedy start puts
    # the agent on Monday; with the prepaid hours on Monday instead, on Saturday.
    from planner.roster import VendorCapacity
    from planner.roster.hint import greedy_roster
    from planner.roster.inputs import build_index

    saturday, monday = START + timedelta(days=5), START
    grid = grid_for(6)
    rules = replace(LOOSE, max_shifts_week=1)
    a = agent("a", rules=rules)
    need = demand(grid, [(9, 17, 1), (5 * 24 + 9, 5 * 24 + 17, 1)])
    opts = [
        option("a", monday, "day", time(9), 8, grid),
        option("a", saturday, "day", time(9), 8, grid, premium_hours=8.0),
    ]
    base = inputs([a], opts, grid, 6, {"chat-en-t1": need})

    def first_day(hours: range) -> date:
        vendor = VendorCapacity("bpo", 1, ("chat/en",), 1, tuple(hours), 200.0, 8.0)
        inp = replace(base, vendors=(vendor,))
        (chosen,) = greedy_roster(inp, build_index(inp))
        return inp.options[chosen].date_local

    assert first_day(range(5 * 24 + 9, 5 * 24 + 17)) == monday
    assert first_day(range(9, 17)) == saturday


def fairness_points(inp, worked: set[tuple[str, int]]) -> float:  # type: ignore[no-untyped-def]
    """The nights' fairness points of the roster working `worked` (agent, day) nights."""
    from ortools.sat.python import cp_model

    from planner.roster import build_index
    from planner.roster.model import build_model

    index = build_index(inp)
    v, terms = build_model(inp, index)
    for o, var in v.shift.items():
        opt = inp.options[o]
        v.model.add(var == ((opt.agent_id, inp.day_of(opt.date_local)) in worked))
    solver = cp_model.CpSolver()
    assert solver.solve(v.model) == cp_model.OPTIMAL
    return sum(
        t.weight * (solver.value(t.expr) + t.constant)
        for t in terms
        if t.family == "fairness_nights"
    )


def test_each_night_moved_from_an_agent_with_too_many_lowers_the_fairness_points() -> None:
    # Nights [2, 2, 0, 0] and [1, 2, 1, 0] have the same spread (2), so the spread alone
    # cannot tell them apart: a search moving one night at a time would see no gain.
    days = 4
    grid = grid_for(days)
    agents = [agent(x) for x in "abcd"]
    opts = daily_options(agents, days, grid, (("night", time(22), 8),), night=True)
    need = demand(grid, [(24 * (d + 1) - 2, 24 * (d + 1) + 6, 1) for d in range(days)])
    inp = inputs(agents, opts, grid, days, {"chat-en-t1": need})
    uneven = fairness_points(inp, {("a", 0), ("a", 2), ("b", 1), ("b", 3)})
    better = fairness_points(inp, {("a", 0), ("c", 2), ("b", 1), ("b", 3)})
    even = fairness_points(inp, {("a", 0), ("c", 2), ("b", 1), ("d", 3)})
    assert uneven > better > even
    assert better == pytest.approx(uneven - W.fairness_agent)
