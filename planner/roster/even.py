"""Even out nights and weekend days within groups of identical agents by swapping days.

Agents of one class with the same rules, time off and options (wishes included) are
interchangeable: swapping their shifts of some days changes no coverage, premium or wish
point, only who works the nights and the weekends. The greedy start gives the first
agents planned nights up to the contract's limit and the last none (0 to 8 among San
Jose's tier-1 agents on the 24/7 variants, weekend days 0 to 4), and a search moving one
shift at a time rarely undoes that, so the starting roster is evened out here, one
measure after the other (`MEASURES`), each swap kept only when both agents' new
schedules keep the rules `hint.plan_agent` keeps (the stricter for nights and weekends
over horizons longer than 4 weeks) and no other measure's spread within the group
grows beyond what `inputs.fair_spread` allows; the evened roster is kept only when
`validate_roster` finds no more violations in it than in the start.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from planner import cancellation
from planner.roster.inputs import DAYS_PER_WEEK, RosterIndex, RosterInputs, ShiftKey, shift_key
from planner.roster.validate import validate_roster

# What is evened, in order, by its `FairSpread.over` name: the `ShiftOption` flag it counts.
MEASURES = {"nights": "night", "weekends": "weekend"}


def even_out(
    inputs: RosterInputs, index: RosterIndex, chosen: tuple[int, ...], seconds: float
) -> tuple[int, ...]:
    """`chosen` (option positions) with nights, then weekend days, evened out per group.

    Within each group of identical agents and for each of `MEASURES`, while the most and
    fewest are further apart than `inputs.fair_spread` allows, the agent with the most
    swaps a stretch of days of work with the agent with the fewest, the one that brings
    them closest; a swap breaking a hard rule of either, or widening another measure's spread
    in the group past both its current spread and its allowed one, is not made. Stops
    after `seconds`. A re-plan (a previous roster) is left alone: its changes are priced
    per agent.
    """
    if inputs.previous is not None or not chosen:
        return chosen
    deadline = cancellation.clock() + seconds
    allowed = inputs.fair_spread.over(inputs.days)
    plans: dict[int, set[int]] = defaultdict(set)
    for o in chosen:
        plans[index.agent_pos[inputs.options[o].agent_id]].add(o)
    own: dict[tuple[int, ShiftKey], int] = {}
    signature: dict[int, tuple[object, ...]] = {}
    for a, agent in enumerate(inputs.agents):
        keys = []
        for d in range(inputs.days):
            for o in index.by_agent_day.get((a, d), ()):
                key = shift_key(inputs, o)
                own[(a, key)] = o
                keys.append((key, inputs.options[o].unmet_wishes))
        signature[a] = (index.class_of_agent[a], agent.rules, agent.time_off, tuple(keys))
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for a in range(len(inputs.agents)):
        groups[signature[a]].append(a)

    def day(o: int) -> int:
        return inputs.day_of(inputs.options[o].date_local)

    def count(measure: str, plan: Iterable[int], span: range | None = None) -> int:
        flag = MEASURES[measure]
        return sum(
            bool(getattr(inputs.options[o], flag)) for o in plan if span is None or day(o) in span
        )

    def spread(measure: str, members: list[int], swap: dict[int, set[int]]) -> int:
        counts = [count(measure, swap.get(a, plans[a])) for a in members]
        return max(counts) - min(counts)

    def moved(a: int, b: int, span: range) -> set[int]:
        """Agent a's schedule with b's shifts of the days in `span` instead of its own."""
        kept = {o for o in plans[a] if day(o) not in span}
        return kept | {own[(a, shift_key(inputs, o))] for o in plans[b] if day(o) in span}

    def acceptable(measure: str, members: list[int], swap: dict[int, set[int]]) -> bool:
        """Both agents keep the rules and no other measure widens past what it may."""
        return all(_keeps_rules(inputs, index, a, plan) for a, plan in swap.items()) and all(
            spread(other, members, swap) <= max(spread(other, members, {}), allowed[other])
            for other in MEASURES
            if other != measure
        )

    # Stretches of whole days, not only calendar weeks: a worked weekend often runs into
    # the next week, where a week swap breaks a run at its edge and an offset one may not.
    spans = [
        range(first, last + 1) for first in range(inputs.days) for last in range(first, inputs.days)
    ]
    for members, measure in itertools.product(groups.values(), MEASURES):
        stuck: set[tuple[int, int]] = set()
        while len(members) > 1 and cancellation.clock() < deadline:
            total = {a: count(measure, plans[a]) for a in members}
            pairs = [
                (hi, lo)
                for hi in sorted(members, key=lambda a: -total[a])
                for lo in sorted(members, key=lambda a: total[a])
                if total[hi] - total[lo] > allowed[measure] and (hi, lo) not in stuck
            ]
            if not pairs:
                break
            hi, lo = pairs[0]
            apart = total[hi] - total[lo]
            ahead = [count(measure, plans[hi], s) - count(measure, plans[lo], s) for s in spans]
            # Stretches where hi has more than lo (both end strictly between their totals,
            # so the group's spread never grows), the ones bringing them closest first,
            # then the shortest.
            tries = sorted(
                (i for i, n in enumerate(ahead) if 0 < n < apart),
                key=lambda i: (abs(apart - 2 * ahead[i]), len(spans[i])),
            )
            for i in tries:
                if cancellation.clock() >= deadline:
                    break
                swap = {hi: moved(hi, lo, spans[i]), lo: moved(lo, hi, spans[i])}
                if acceptable(measure, members, swap):
                    plans.update(swap)
                    break
            else:
                stuck.add((hi, lo))
    evened = tuple(sorted(o for plan in plans.values() for o in plan))
    if evened != chosen and len(_violations(inputs, evened)) > len(_violations(inputs, chosen)):
        return chosen
    return evened


def _violations(inputs: RosterInputs, chosen: tuple[int, ...]) -> tuple[object, ...]:
    from planner.roster.solve import roster_frame  # solve imports this module

    return validate_roster(roster_frame(inputs, list(chosen)), inputs)


def _keeps_rules(inputs: RosterInputs, index: RosterIndex, a: int, plan: set[int]) -> bool:
    """Whether agent `a` working `plan` keeps the rules the greedy start keeps.

    Rest between shifts, runs of working days and of days off between them, shifts and
    paid minutes per week, and nights and weekends over the horizon (as `plan_agent`
    counts them: a weekend once per week).
    """
    rules = inputs.agents[a].rules
    shifts = sorted(plan, key=lambda o: index.start_minute[o])
    days = [inputs.day_of(inputs.options[o].date_local) for o in shifts]
    for prev, nxt in itertools.pairwise(shifts):
        if index.start_minute[nxt] - index.end_minute[prev] < rules.min_rest_min:
            return False
    run = 1
    for prev_day, day in itertools.pairwise(days):
        if day == prev_day + 1:
            run += 1
        elif day - prev_day - 1 < rules.min_consecutive_days_off:
            return False
        else:
            run = 1
        if run > rules.max_consecutive_days:
            return False
    per_week: dict[int, list[int]] = defaultdict(list)
    for o, day in zip(shifts, days, strict=True):
        per_week[day // DAYS_PER_WEEK].append(o)
    weekends = 0
    for week_shifts in per_week.values():
        if len(week_shifts) > rules.max_shifts_week:
            return False
        if sum(inputs.options[o].paid_min for o in week_shifts) > rules.max_minutes_week:
            return False
        weekends += any(inputs.options[o].weekend for o in week_shifts)
    return (
        sum(inputs.options[o].night for o in shifts) <= rules.max_nights_per_4_weeks
        and weekends <= rules.max_weekends_per_4_weeks
    )
