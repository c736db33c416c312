"""A greedy initial roster, given to CP-SAT as a complete solution hint.

Agents are rostered one at a time: for each, a dynamic programme over the horizon's days
picks the sequence of shifts (or days off) of highest coverage value against what is still
uncovered, keeping every hard rule (rest, runs of work and rest, weekly hours and shifts,
nights, weekends), with the weekly minimum as a heavy penalty. A second pass re-plans each
agent against the others (best response). Not optimal, but feasible and close, so the solver
starts from a good incumbent instead of an empty roster.
"""

from __future__ import annotations

import math

import numpy as np

from planner import cancellation
from planner.roster.inputs import (
    DAYS_PER_WEEK,
    RosterIndex,
    RosterInputs,
    published_templates,
    serves,
    week_min_minutes,
)

# Points per minute below a weekly minimum inside the programme: above any coverage value.
_MISSING_MINUTE = 1e6
_PASSES = 2


# What the rules need to know about a plan so far: end minute of the shift worked the day
# before (or None), working days in a row (> 0) or days off in a row (< 0, capped), paid
# minutes and shifts this week, nights and weekends so far, and whether this week's weekend
# is already worked.
_State = tuple[int | None, int, int, int, int, int, bool]


def plan_agent(
    inputs: RosterInputs,
    index: RosterIndex,
    a: int,
    value: dict[int, float],
    missing_minute: float = _MISSING_MINUTE,
) -> list[int]:
    """The option positions of the best plan for agent `a` given each option's `value`.

    Each minute a week falls short of its contract minimum costs `missing_minute`.
    """
    agent = inputs.agents[a]
    rules = agent.rules
    # The 4-week limits applied to the whole horizon: as strict as any sliding window.
    night_cap = rules.max_nights_per_4_weeks
    weekend_cap = rules.max_weekends_per_4_weeks
    max_run = rules.max_consecutive_days
    min_off = rules.min_consecutive_days_off
    max_shifts = rules.max_shifts_week
    max_minutes = rules.max_minutes_week
    min_rest = rules.min_rest_min
    layer: dict[_State, float] = {(None, -min_off, 0, 0, 0, 0, False): 0.0}
    # Per step, each state's predecessor and the option worked to reach it (-1: none).
    steps: list[dict[_State, tuple[_State, int]]] = []
    for d in range(inputs.days + 1):
        if d > 0 and (d % DAYS_PER_WEEK == 0 or d == inputs.days):
            # Close the week (a partial last week too: its minimum is pro-rated).
            need = week_min_minutes(agent, inputs, (d - 1) // DAYS_PER_WEEK)
            closed: dict[_State, float] = {}
            back: dict[_State, tuple[_State, int]] = {}
            for st, score in layer.items():
                score -= missing_minute * max(0, need - st[2])
                key = (st[0], st[1], 0, 0, st[4], st[5], False)
                if closed.get(key, -math.inf) < score:
                    closed[key] = score
                    back[key] = (st, -1)
            layer = closed
            steps.append(back)
        if d == inputs.days:
            break
        options = [
            (
                o,
                index.start_minute[o],
                index.end_minute[o],
                inputs.options[o].paid_min,
                int(inputs.options[o].night),
                inputs.options[o].weekend,
                value[o],
            )
            for o in index.by_agent_day.get((a, d), ())
        ]
        nxt: dict[_State, float] = {}
        back = {}
        for st, score in layer.items():
            last_end, run, minutes, shifts, nights, weekends, weekend_worked = st
            off = (
                None,
                -1 if run > 0 else max(run - 1, -min_off),
                minutes,
                shifts,
                nights,
                weekends,
                weekend_worked,
            )
            if nxt.get(off, -math.inf) < score:
                nxt[off] = score
                back[off] = (st, -1)
            if run >= max_run or (run < 0 and -run < min_off) or shifts >= max_shifts:
                continue
            worked_run = run + 1 if run > 0 else 1
            for o, start, end, paid, night, weekend, gain in options:
                if minutes + paid > max_minutes:
                    continue
                if last_end is not None and start - last_end < min_rest:
                    continue
                if nights + night > night_cap:
                    continue
                new_weekends = weekends + (weekend and not weekend_worked)
                if new_weekends > weekend_cap:
                    continue
                key = (
                    end,
                    worked_run,
                    minutes + paid,
                    shifts + 1,
                    nights + night,
                    new_weekends,
                    weekend_worked or weekend,
                )
                total = score + gain
                if nxt.get(key, -math.inf) < total:
                    nxt[key] = total
                    back[key] = (st, o)
        layer = nxt
        steps.append(back)
    state = max(layer, key=lambda st: layer[st])
    plan = []
    for back in reversed(steps):
        state, o = back[state]
        if o >= 0:
            plan.append(o)
    return plan[::-1]


def greedy_roster(
    inputs: RosterInputs,
    index: RosterIndex,
    passes: int = _PASSES,
    seconds: float | None = None,
) -> tuple[int, ...]:
    """Option positions of a greedy roster keeping every hard rule (minimums permitting).

    Args:
        inputs: the roster inputs.
        index: their index.
        passes: rounds over all agents (the second re-plans each against the others).
        seconds: stop re-planning after this long (the first pass always completes).
    """
    deadline = None if seconds is None else cancellation.clock() + seconds
    if not inputs.options:
        return ()
    n_t = len(inputs.grid)
    residual = inputs.required.astype(np.int64).copy()
    priority = np.array([q.priority for q in inputs.queues], dtype=np.float64)
    reserve_prepaid(inputs, residual, priority)
    weights = inputs.weights
    plans: dict[int, list[int]] = {}
    # option -> the (queues, intervals) of the units it covers, one pair per unit
    taken: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}

    def release(o: int) -> None:
        for qs, ts in taken.pop(o, []):
            residual[qs, ts] += 1

    def claim(o: int) -> None:
        opt = inputs.options[o]
        cls = index.classes[index.class_of_agent[index.agent_pos[opt.agent_id]]]
        taken[o] = claim_units(
            residual, priority, np.asarray(cls.queues), opt.covered, inputs.units_per_head
        )

    kept = replan_values(inputs, index)

    def option_values(a: int) -> dict[int, float]:
        cls = index.classes[index.class_of_agent[a]]
        best = np.zeros(n_t)
        for q in cls.queues:
            best = np.maximum(best, np.where(residual[q] > 0, priority[q], 0.0))
        out = {}
        for d in range(inputs.days):
            for o in index.by_agent_day.get((a, d), ()):
                opt = inputs.options[o]
                gains = best[list(opt.covered)] if opt.covered else np.zeros(0)
                useful = int((gains > 0).sum())
                out[o] = (
                    weights.understaffing * float(gains.sum())
                    - weights.overstaffing * (len(opt.covered) - useful)
                    - weights.premium_hour * opt.premium_hours
                    - weights.night_shift * opt.night
                    + kept.get(o, 0.0)
                )
        return out

    for round_ in range(passes):
        for a in range(len(inputs.agents)):
            # The first pass always completes: an agent left unplanned misses its minimum.
            if round_ and deadline is not None and cancellation.clock() > deadline:
                break
            for o in plans.get(a, []):
                release(o)
            plans[a] = plan_agent(inputs, index, a, option_values(a))
            for o in plans[a]:
                claim(o)
    return tuple(sorted(o for plan in plans.values() for o in plan))


def claim_units(
    residual: np.ndarray,
    priority: np.ndarray,
    queues: np.ndarray,
    covered: tuple[int, ...],
    units: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Take a head's `units` off `residual` (in place) in each covered interval.

    One unit at a time, each to the open queue of highest priority, then most still
    uncovered (the first such queue of `queues` on ties). Returns each unit's queues and
    intervals.

    Every interval at once with numpy: a Python loop over intervals and units took about
    a third of the greedy start on the 500-agent organisation.
    """
    ts = np.asarray(covered, dtype=np.intp)
    got = []
    for _unit in range(units):
        if not len(ts) or not len(queues):
            break
        left = residual[np.ix_(queues, ts)]
        open_ = left > 0
        level = np.where(open_, priority[queues][:, None], -np.inf)
        top = level.max(axis=0)
        pick = np.argmax(np.where(open_ & (level == top), left, -1), axis=0)
        keep = np.isfinite(top)
        qs, ts = queues[pick[keep]], ts[keep]
        residual[qs, ts] -= 1
        got.append((qs, ts))
    return got


def replan_values(inputs: RosterInputs, index: RosterIndex) -> dict[int, float]:
    """What working each option saves in a re-plan: its frozen shift kept, its published one.

    The model prices a frozen published shift not kept (`add_frozen`) and a changed or
    added agent-day (`add_stability`); the greedy start weighs the same so it starts from
    the published roster instead of handing the search a roster that drops frozen shifts.
    """
    if inputs.previous is None:
        return {}
    weights = inputs.weights
    published = published_templates(inputs, index)
    values: dict[int, float] = {}
    for a, agent in enumerate(inputs.agents):
        frozen = {inputs.day_of(day) for day in agent.frozen}
        for d in range(inputs.days):
            template = published.get((a, d))
            for o in index.by_agent_day.get((a, d), ()):
                value = weights.frozen_shift if d in frozen else 0.0
                if template is None:
                    value -= weights.change_added
                elif inputs.options[o].template == template:
                    value += weights.change
                values[o] = value
    return values


def reserve_prepaid(inputs: RosterInputs, residual: np.ndarray, priority: np.ndarray) -> None:
    """Leave the vendors' prepaid agent-intervals out of what agents must cover (in place).

    They cost nothing (a minimum already paid for), so the greedy roster plans agents
    around them. They go first to the intervals whose cheapest in-house hour carries the
    highest premium (none serving at all counts highest), higher-priority queues first.
    """
    unit = inputs.units_per_head
    rate = np.full(len(inputs.grid), np.inf)
    for opt in inputs.options:
        if opt.covered and opt.paid_min > 0:
            share = opt.premium_hours * 60 / opt.paid_min
            covered = list(opt.covered)
            rate[covered] = np.where(
                np.isinf(rate[covered]), share, np.minimum(rate[covered], share)
            )
    for vendor in inputs.vendors:
        free = math.floor(vendor.prepaid_intervals * unit)
        queues = sorted(
            (q for q, queue in enumerate(inputs.queues) if serves(vendor, queue)),
            key=lambda q: -priority[q],
        )
        for t in sorted(vendor.available, key=lambda t: (-rate[t], t)):
            room = unit * vendor.max_agents
            for q in queues:
                take = int(min(residual[q, t], room, free))
                residual[q, t] -= take
                room -= take
                free -= take
            if free <= 0:
                break


# Points of an option the aggregate plans (any plan prefers them to one it does not).
_PLANNED = 1000.0
_UNPLANNED = -10.0


def split_counts(
    inputs: RosterInputs,
    index: RosterIndex,
    keys: list[tuple[int, int, str, tuple[str, ...]]],
    counts: dict[tuple[int, int, str, tuple[str, ...]], int],
    passes: int = _PASSES,
    seconds: float | None = None,
) -> tuple[int, ...]:
    """Hand the aggregate's shifts to agents: option positions of a roster close to `counts`.

    Each agent in turn gets the plan with the most still-unassigned planned shifts its
    rules allow (the same programme as `greedy_roster`); later passes re-plan each agent
    against the others. Shifts no agent can take under its rules stay unassigned.

    Args:
        inputs: the roster inputs.
        index: their index.
        keys: the aggregate key of each option (`inputs.option_keys`).
        counts: agents wanted per key.
        passes: rounds over all agents.
        seconds: stop re-planning after this long (the first pass always completes).
    """
    deadline = None if seconds is None else cancellation.clock() + seconds
    left = dict(counts)
    plans: dict[int, list[int]] = {}
    order = sorted(
        range(len(inputs.agents)),
        key=lambda a: (-len(inputs.agents[a].time_off), index.class_of_agent[a], a),
    )
    for round_ in range(passes):
        for a in order:
            if round_ and deadline is not None and cancellation.clock() > deadline:
                break
            for o in plans.get(a, []):
                left[keys[o]] += 1
            value = {
                o: _PLANNED if left.get(keys[o], 0) > 0 else _UNPLANNED
                for d in range(inputs.days)
                for o in index.by_agent_day.get((a, d), ())
            }
            plans[a] = plan_agent(inputs, index, a, value)
            for o in plans[a]:
                left[keys[o]] = left.get(keys[o], 0) - 1
    return tuple(sorted(o for plan in plans.values() for o in plan))
