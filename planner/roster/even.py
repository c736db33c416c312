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
grows beyond what `inputs.fair_spread` allows. Where no stretch of days can be swapped
(a Monday-Friday agent and a weekend agent under runs of at most 5 days and 2 off, at
least 4 shifts a week), the two and the group's others at either end are planned again
together, a small CP-SAT model sharing out the same shifts (`replan_together`). The
evened roster is kept only when `validate_roster` finds no more violations in it than in
the start.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from planner import cancellation
from planner.roster.columns import minutes_below_minimum
from planner.roster.inputs import (
    DAYS_PER_WEEK,
    RosterIndex,
    RosterInputs,
    ShiftKey,
    build_index,
    shift_key,
)
from planner.roster.model import FAMILIES, create_vars
from planner.roster.split import class_inputs
from planner.roster.validate import validate_roster

# The model's rule families agents planned again together keep (`replan_together`), and
# how many are planned again at most (the most and fewest of a group first).
PAIR_RULES = frozenset(
    {"one_shift_per_day", "min_rest", "consecutive_days", "weekly_limits", "night_weekend_limits"}
)
MAX_TOGETHER = 12
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
    in the group past both its current spread and its allowed one, is not made; when no
    swap is made, the two and up to MAX_TOGETHER of the group's most and fewest are
    planned again together (`replan_together`), else the pair is left. Stops
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
    tasks = [
        (members, measure)
        for members, measure in itertools.product(groups.values(), MEASURES)
        if len(members) > 1
    ]
    for i, (members, measure) in enumerate(tasks):
        # Each group and measure gets an equal share of the time left, so a joint re-plan
        # that finds nothing more even in one group leaves time for the others.
        until = cancellation.clock() + (deadline - cancellation.clock()) / (len(tasks) - i)
        stuck: set[tuple[int, int]] = set()
        while cancellation.clock() < until:
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
                if cancellation.clock() >= until:
                    break
                swap = {hi: moved(hi, lo, spans[i]), lo: moved(lo, hi, spans[i])}
                if acceptable(measure, members, swap):
                    plans.update(swap)
                    break
            else:
                # No stretch swaps: plan the two again together with the group's others
                # at either end (all of a small group), their shifts shared out anew.
                ranked = sorted(members, key=lambda a: total[a])
                together = [hi, lo, *(a for a in _ends(ranked) if a not in (hi, lo))]
                together = together[:MAX_TOGETHER]
                rest = [m for m in members if m not in together]
                limits = {
                    other: (
                        [count(other, plans[m]) for m in rest],
                        max(spread(other, members, {}), allowed[other]),
                    )
                    for other in MEASURES
                    if other != measure
                }
                left = until - cancellation.clock()
                again = (
                    replan_together(inputs, index, together, plans, measure, limits, left)
                    if left > 0
                    else None
                )
                if again is not None and acceptable(measure, members, again):
                    plans.update(again)
                elif len(together) == len(members):
                    break
                else:
                    stuck.add((hi, lo))
    evened = tuple(sorted(o for plan in plans.values() for o in plan))
    if evened != chosen and len(_violations(inputs, evened)) > len(_violations(inputs, chosen)):
        return chosen
    return evened


def _ends(ranked: list[int]) -> list[int]:
    """`ranked` from both ends inwards: most, fewest, second most, second fewest..."""
    out = []
    low, high = 0, len(ranked) - 1
    while low <= high:
        out.append(ranked[high])
        if low < high:
            out.append(ranked[low])
        low, high = low + 1, high - 1
    return out


def replan_together(
    inputs: RosterInputs,
    index: RosterIndex,
    together: list[int],
    plans: dict[int, set[int]],
    measure: str,
    limits: dict[str, tuple[list[int], int]],
    seconds: float,
) -> dict[int, set[int]] | None:
    """The agents' schedules planned again together, `measure` more even; None if not found.

    Identical agents `together` share out the same shifts anew (each day, template and
    break placement worked as often by them together as now: coverage, premiums and
    wishes unchanged) under every hard rule of the model (`PAIR_RULES`, with no more
    minutes below the contract minimum than now). Each one's count of `measure` stays
    between their fewest and most now, and their spread must shrink, so no spread in
    the group grows. For each other measure, `limits` gives the counts of the group's
    agents left out and the widest spread allowed; the whole group's stays within it.
    A small CP-SAT model: where a Monday-Friday agent and a weekend agent cannot swap
    any stretch of days without breaking a run or a rest at its edge, their four weeks
    planned again with a few others' can still be evened.
    """
    ids = {inputs.agents[a].agent_id: a for a in together}
    sub = class_inputs(inputs, set(ids))
    sub_index = build_index(sub)
    # Sub-model option i is the i-th option of these agents in `inputs`.
    positions = [o for o, opt in enumerate(inputs.options) if opt.agent_id in ids]
    v = create_vars(sub, sub_index)
    for name, builder in FAMILIES:
        if name in PAIR_RULES:
            builder(v, sub, sub_index)
    model = v.model
    model.add(
        sum(v.min_slack.values())
        <= sum(minutes_below_minimum(inputs, a, sorted(plans[a])) for a in together)
    )
    worked = {o for a in together for o in plans[a]}
    wanted: dict[ShiftKey, int] = defaultdict(int)
    for o in worked:
        wanted[shift_key(inputs, o)] += 1
    by_key: dict[ShiftKey, list[cp_model.IntVar]] = defaultdict(list)
    flagged: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
    for i, o in enumerate(positions):
        a = ids[inputs.options[o].agent_id]
        by_key[shift_key(inputs, o)].append(v.shift[i])
        model.add_hint(v.shift[i], o in plans[a])
        for what, flag in MEASURES.items():
            if getattr(inputs.options[o], flag):
                flagged[(a, what)].append(v.shift[i])
    for key, options in by_key.items():
        model.add(sum(options) == wanted.get(key, 0))
    now = [
        sum(bool(getattr(inputs.options[o], MEASURES[measure])) for o in plans[a]) for a in together
    ]
    most, fewest = _extremes(model, [sum(flagged[(a, measure)]) for a in together], max(now))
    model.add(fewest >= min(now))
    model.add(most <= max(now))
    for other, (counts, widest) in limits.items():
        top, bottom = _extremes(model, [sum(flagged[(a, other)]) for a in together], inputs.days)
        model.add(top - bottom <= widest)
        if counts:
            model.add(top <= min(counts) + widest)
            model.add(bottom >= max(counts) - widest)
    model.minimize(most - fewest)
    solver = cancellation.cp_solver(seconds, 1, 0)
    code = cancellation.current().solve(solver, model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= max(
        now
    ) - min(now):
        return None
    replanned: dict[int, set[int]] = {a: set() for a in together}
    for i, o in enumerate(positions):
        if solver.boolean_value(v.shift[i]):
            replanned[ids[inputs.options[o].agent_id]].add(o)
    return replanned


def _extremes(
    model: cp_model.CpModel, counts: list[cp_model.LinearExprT], top: int
) -> tuple[cp_model.IntVar, cp_model.IntVar]:
    """Variables at least the most and at most the fewest of `counts` (0..top)."""
    most = model.new_int_var(0, top, "most")
    fewest = model.new_int_var(0, top, "fewest")
    for x in counts:
        model.add(most >= x)
        model.add(fewest <= x)
    return most, fewest


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
