"""Even out nights within groups of identical agents by swapping whole weeks of work.

Agents of one class with the same rules, time off and options (wishes included) are
interchangeable: swapping their shifts of one week changes no coverage, premium or wish
point, only who works the nights. The greedy start gives the first agents planned
nights up to the contract's limit and the last none (0 to 8 among San Jose's tier-1
agents on the 24/7 variants), and a search moving one shift at a time rarely undoes
that, so the starting roster is evened out here, each swap kept only when both agents'
new schedules keep the rules `hint.plan_agent` keeps (the stricter for nights and
weekends over horizons longer than 4 weeks), and the evened roster is kept only when
`validate_roster` finds no more violations in it than in the start.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from planner import cancellation
from planner.roster.inputs import DAYS_PER_WEEK, RosterIndex, RosterInputs, ShiftKey, shift_key
from planner.roster.validate import validate_roster


def even_nights(
    inputs: RosterInputs, index: RosterIndex, chosen: tuple[int, ...], seconds: float
) -> tuple[int, ...]:
    """`chosen` (option positions) with nights evened out within each group of identical agents.

    Within each group, while the most and fewest nights are further apart than
    `inputs.fair_spread` allows, the agent with the most swaps one week of work with the
    agent with the fewest, the week that brings them closest; a swap breaking a hard
    rule of either is not made. Stops after `seconds`. A re-plan (a previous roster) is
    left alone: its changes are priced per agent.
    """
    if inputs.previous is not None or not chosen:
        return chosen
    deadline = cancellation.clock() + seconds
    allowed = inputs.fair_spread.over(inputs.days)["nights"]
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

    def week(o: int) -> int:
        return inputs.day_of(inputs.options[o].date_local) // DAYS_PER_WEEK

    def nights(a: int, w: int | None = None) -> int:
        return sum(inputs.options[o].night for o in plans[a] if w is None or week(o) == w)

    def moved(a: int, b: int, w: int) -> set[int]:
        """Agent a's schedule with b's shifts of week w instead of its own."""
        kept = {o for o in plans[a] if week(o) != w}
        return kept | {own[(a, shift_key(inputs, o))] for o in plans[b] if week(o) == w}

    def keeps_rules(a: int, plan: set[int]) -> bool:
        return _keeps_rules(inputs, index, a, plan)

    weeks = range(-(-inputs.days // DAYS_PER_WEEK))
    for members in groups.values():
        stuck: set[tuple[int, int]] = set()
        while len(members) > 1 and cancellation.clock() < deadline:
            count = {a: nights(a) for a in members}
            pairs = [
                (hi, lo)
                for hi in sorted(members, key=lambda a: -count[a])
                for lo in sorted(members, key=lambda a: count[a])
                if count[hi] - count[lo] > allowed and (hi, lo) not in stuck
            ]
            if not pairs:
                break
            hi, lo = pairs[0]
            apart = count[hi] - count[lo]
            # Weeks where hi works more nights than lo, the ones bringing them closest first.
            tries = sorted(
                (w for w in weeks if 0 < nights(hi, w) - nights(lo, w) < apart),
                key=lambda w: abs(apart - 2 * (nights(hi, w) - nights(lo, w))),
            )
            for w in tries:
                if cancellation.clock() >= deadline:
                    break
                new_hi, new_lo = moved(hi, lo, w), moved(lo, hi, w)
                if keeps_rules(hi, new_hi) and keeps_rules(lo, new_lo):
                    plans[hi], plans[lo] = new_hi, new_lo
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
