"""Evening out nights and weekend days by swapping stretches of days: coverage, rules kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import time

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planner.roster import ContractRules, build_index, validate_roster
from planner.roster.even import MEASURES, even_out, replan_together
from planner.roster.hint import greedy_roster
from planner.roster.inputs import RosterInputs, shift_key
from planner.roster.solve import roster_frame
from tests.planner.roster.helpers import LOOSE, agent, daily_options, demand, grid_for, inputs
from tests.planner.roster.test_properties import TEMPLATES


@st.composite
def identical_agents(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    days = draw(st.integers(7, 21))
    rules = replace(
        LOOSE,
        max_consecutive_days=draw(st.integers(2, 6)),
        min_consecutive_days_off=draw(st.integers(1, 2)),
        min_rest_min=draw(st.sampled_from([8 * 60, 11 * 60])),
        max_shifts_week=draw(st.integers(3, 6)),
        max_minutes_week=40 * 60,
        max_nights_per_4_weeks=draw(st.integers(2, 8)),
        max_weekends_per_4_weeks=draw(st.integers(1, 4)),
    )
    agents = [agent(f"a{i}", rules=rules) for i in range(draw(st.integers(2, 5)))]
    grid = grid_for(days)
    opts = [
        replace(o, night=o.template == "night")
        for o in daily_options(agents, days, grid, TEMPLATES)
    ]
    heads = draw(st.integers(1, 2))
    spans = [(24 * d + 22, 24 * d + 30, heads) for d in range(days)]
    spans += [(24 * d + 9, 24 * d + 17, draw(st.integers(0, 2))) for d in range(days)]
    return inputs(agents, opts, grid, days, {"chat-en-t1": demand(grid, spans)})


def spreads(inp: RosterInputs, chosen: tuple[int, ...]) -> dict[str, int]:
    """Most minus fewest nights and weekend days among the agents, counted from the options."""
    out = {}
    for name, flag in (("nights", "night"), ("weekends", "weekend")):
        count = Counter(inp.options[o].agent_id for o in chosen if getattr(inp.options[o], flag))
        per_agent = [count[a.agent_id] for a in inp.agents]
        out[name] = max(per_agent) - min(per_agent)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identical_agents())
def test_evening_keeps_coverage_and_rules_and_never_widens_a_spread_past_its_allowance(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    start = greedy_roster(inp, index)
    evened = even_out(inp, index, start, seconds=30)

    # The same shifts are worked (by other agents): coverage and premiums are unchanged.
    keys = Counter(shift_key(inp, o) for o in start)
    assert Counter(shift_key(inp, o) for o in evened) == keys
    before = validate_roster(roster_frame(inp, list(start)), inp)
    after = validate_roster(roster_frame(inp, list(evened)), inp)
    assert len(after) <= len(before)
    allowed = inp.fair_spread.over(inp.days)
    was, now = spreads(inp, start), spreads(inp, evened)
    for measure in ("nights", "weekends"):
        assert now[measure] <= max(was[measure], allowed[measure])


def greedy_and_evened(
    rules: ContractRules,
    count: int,
    days: int,
    templates: tuple[tuple[str, time, float], ...],
    spans: list[tuple[int, int, int]],
) -> tuple[RosterInputs, tuple[int, ...], tuple[int, ...]]:
    """`count` identical agents on one queue: the inputs, the greedy start and it evened out."""
    agents = [agent(f"a{i}", rules=rules) for i in range(count)]
    grid = grid_for(days)
    opts = [
        replace(o, night=o.template == "night")
        for o in daily_options(agents, days, grid, templates)
    ]
    inp = inputs(agents, opts, grid, days, {"chat-en-t1": demand(grid, spans)})
    index = build_index(inp)
    start = greedy_roster(inp, index)
    return inp, start, even_out(inp, index, start, seconds=30)


def test_the_nights_greedy_gives_the_first_agents_are_shared_by_swapping_weeks() -> None:
    days = 14
    rules = replace(LOOSE, max_consecutive_days=5, min_rest_min=11 * 60, max_shifts_week=5)
    rules = replace(rules, max_minutes_week=40 * 60, max_nights_per_4_weeks=8)
    spans = [(24 * d + h, 24 * d + h + 8, 1) for d in range(days) for h in (9, 22)]
    inp, start, evened = greedy_and_evened(rules, 4, days, TEMPLATES, spans)
    assert spreads(inp, evened)["nights"] < spreads(inp, start)["nights"]


def test_the_weekend_days_greedy_gives_some_agents_are_shared_by_swapping_days() -> None:
    days = 28
    # Up to 7 days in a row: the greedy's Monday-Friday and weekend patterns can then trade
    # a weekend (with 5, every stretch moving one breaks a run at its edge).
    rules = replace(LOOSE, max_consecutive_days=7, min_rest_min=11 * 60, max_shifts_week=5)
    rules = replace(rules, max_minutes_week=45 * 60, max_weekends_per_4_weeks=4)
    spans = [(24 * d + 9, 24 * d + 18, 3) for d in range(days)]
    inp, start, evened = greedy_and_evened(rules, 6, days, (("day", time(9), 9),), spans)
    assert spreads(inp, start)["weekends"] > inp.fair_spread.over(days)["weekends"]
    assert spreads(inp, evened)["weekends"] < spreads(inp, start)["weekends"]
    assert Counter(shift_key(inp, o) for o in evened) == Counter(shift_key(inp, o) for o in start)


def test_a_weekend_no_stretch_swap_can_move_is_shared_by_planning_agents_again_together() -> None:
    days = 28
    # Runs of at most 5 days, 2 off, at least 4 shifts a week: every stretch swap between a
    # Monday-Friday agent and a weekend agent breaks a rule at its edge (the swaps alone
    # leave weekend days 0 to 4 here); planned again together, the agents even them out.
    rules = replace(LOOSE, max_consecutive_days=5, min_consecutive_days_off=2, max_shifts_week=5)
    rules = replace(rules, min_rest_min=11 * 60, max_minutes_week=45 * 60, min_minutes_week=32 * 60)
    rules = replace(rules, max_weekends_per_4_weeks=2)
    spans = [(24 * d + 9, 24 * d + 18, 2) for d in range(days)]
    inp, start, evened = greedy_and_evened(rules, 6, days, (("day", time(9), 9),), spans)
    assert spreads(inp, start)["weekends"] == 4
    assert spreads(inp, evened)["weekends"] <= inp.fair_spread.over(days)["weekends"]
    assert Counter(shift_key(inp, o) for o in evened) == Counter(shift_key(inp, o) for o in start)
    before = validate_roster(roster_frame(inp, list(start)), inp)
    assert len(validate_roster(roster_frame(inp, list(evened)), inp)) <= len(before)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identical_agents(), st.sampled_from(sorted(MEASURES)))
def test_agents_planned_again_together_keep_their_shifts_and_rules_and_come_closer(  # type: ignore[no-untyped-def]
    inp, measure
) -> None:
    index = build_index(inp)
    start = greedy_roster(inp, index)
    plans: dict[int, set[int]] = {a: set() for a in range(len(inp.agents))}
    for o in start:
        plans[index.agent_pos[inp.options[o].agent_id]].add(o)
    together = list(plans)
    other = next(m for m in MEASURES if m != measure)
    was = spreads(inp, start)
    widest = max(was[other], inp.fair_spread.over(inp.days)[other])
    replanned = replan_together(inp, index, together, plans, measure, {other: ([], widest)}, 30)
    event("planned again" if replanned is not None else "nothing more even found")
    if replanned is None:
        return
    after = tuple(sorted(o for plan in replanned.values() for o in plan))
    # The same shifts are worked, by the same agents' options only.
    assert Counter(shift_key(inp, o) for o in after) == Counter(shift_key(inp, o) for o in start)
    assert all(
        index.agent_pos[inp.options[o].agent_id] == a for a, p in replanned.items() for o in p
    )
    # No new rule broken (validate_roster, an independent check of the model's rules).
    before = validate_roster(roster_frame(inp, list(start)), inp)
    assert len(validate_roster(roster_frame(inp, list(after)), inp)) <= len(before)
    now = spreads(inp, after)
    assert now[measure] < was[measure]
    assert now[other] <= widest
