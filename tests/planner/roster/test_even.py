"""Evening out nights by swapping weeks: coverage unchanged, rules kept, nights closer."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.roster import build_index, validate_roster
from planner.roster.even import even_nights
from planner.roster.hint import greedy_roster
from planner.roster.inputs import shift_key
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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identical_agents())
def test_evening_nights_keeps_coverage_and_rules_and_never_widens_the_spread(inp) -> None:  # type: ignore[no-untyped-def]
    index = build_index(inp)
    start = greedy_roster(inp, index)
    evened = even_nights(inp, index, start, seconds=30)

    def nights(chosen: tuple[int, ...]) -> list[int]:
        count = Counter(inp.options[o].agent_id for o in chosen if inp.options[o].night)
        return [count[a.agent_id] for a in inp.agents]

    # The same shifts are worked (by other agents): coverage and premiums are unchanged.
    keys = Counter(shift_key(inp, o) for o in start)
    assert Counter(shift_key(inp, o) for o in evened) == keys
    before = validate_roster(roster_frame(inp, list(start)), inp)
    after = validate_roster(roster_frame(inp, list(evened)), inp)
    assert len(after) <= len(before)
    assert max(nights(evened)) - min(nights(evened)) <= max(nights(start)) - min(nights(start))


def test_the_nights_greedy_gives_the_first_agents_are_shared_by_swapping_weeks() -> None:
    days = 14
    rules = replace(LOOSE, max_consecutive_days=5, min_rest_min=11 * 60, max_shifts_week=5)
    rules = replace(rules, max_minutes_week=40 * 60, max_nights_per_4_weeks=8)
    agents = [agent(f"a{i}", rules=rules) for i in range(4)]
    grid = grid_for(days)
    opts = [
        replace(o, night=o.template == "night")
        for o in daily_options(agents, days, grid, TEMPLATES)
    ]
    need = demand(grid, [(24 * d + h, 24 * d + h + 8, 1) for d in range(days) for h in (9, 22)])
    inp = inputs(agents, opts, grid, days, {"chat-en-t1": need})
    index = build_index(inp)
    start = greedy_roster(inp, index)
    evened = even_nights(inp, index, start, seconds=30)
    spread = {
        name: max(n) - min(n)
        for name, chosen in (("start", start), ("evened", evened))
        for n in [
            [
                sum(inp.options[o].night for o in chosen if inp.options[o].agent_id == a.agent_id)
                for a in agents
            ]
        ]
    }
    assert spread["evened"] < spread["start"]
