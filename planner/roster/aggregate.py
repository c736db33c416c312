"""The roster model summed per agent class: how many agents of a class work each shift.

Agents of one class (site, tier, skills, contract rules) are interchangeable for coverage,
premiums and nights, so those parts of the objective depend only on these counts. Every
hard rule is kept summed over the class, which makes the aggregate a relaxation: the counts
of any roster satisfy it, so its optimum (and its proven bound) is a lower bound of the full
model's. It has a few hundred integer variables instead of thousands of symmetric Booleans,
so CP-SAT closes it quickly; `hint.split_counts` then hands its shifts to agents.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from planner import cancellation
from planner.gap import relative_gap
from planner.roster.inputs import (
    DAYS_PER_4_WEEKS,
    DAYS_PER_WEEK,
    OptionKey,
    RosterIndex,
    RosterInputs,
    option_keys,
    segment_lead,
    week_min_minutes,
)
from planner.roster.model import (
    OBJECTIVE_SCALE,
    LinearLike,
    PenaltyTerm,
    RosterVars,
    build_objective,
    coverage_terms,
)

# Up to this many workers, one of them runs the LP-based search (see `solve_aggregate`).
AGGREGATE_LP_WORKERS = 2

# Windows up to this many days get a cap on working days (longer ones add little).
MAX_RUN_WINDOW = 14
# After this many seconds the search stops unless it has counts within this share of its
# bound: only a proven aggregate starts a roster, and one that far off will not be proven
# in time, while waiting delays column generation (docs/ROSTER.md).
PATIENCE_SECONDS = 4.0
HOPELESS_GAP = 0.5


class _StopWhenClose(cp_model.CpSolverSolutionCallback):
    """Stops the search at counts within `gap` (relative) of its bound, `after` seconds in.

    Before `after` (deterministic time under `cancellation.deterministic`), the search goes
    on for a proof: an aggregate proven quickly keeps its optimal counts.
    """

    def __init__(self, gap: float, after: float) -> None:
        super().__init__()
        self.gap = gap
        self.after = after
        self.deterministic = cancellation.is_deterministic()

    def on_solution_callback(self) -> None:
        spent = self.deterministic_time if self.deterministic else self.wall_time
        close = relative_gap(self.objective_value, self.best_objective_bound) <= self.gap
        if close and spent >= self.after:
            self.stop_search()


@dataclass(frozen=True)
class AggregatePlan:
    """The aggregate's answer.

    Attributes:
        counts: agents of each class per day and shift (empty when none were found).
        objective: its objective in points (no fairness, stability or preferences); inf
            without counts.
        bound: its proven lower bound in points, also a bound of the full model.
        status: CP-SAT's status name ('unknown' when it found no counts).
    """

    counts: dict[OptionKey, int]
    objective: float
    bound: float
    status: str


def build_aggregate(
    inputs: RosterInputs, index: RosterIndex
) -> tuple[RosterVars, dict[OptionKey, cp_model.IntVar]]:
    """The aggregate model, its objective set; returns its variables and the counts."""
    keys = option_keys(inputs, index)
    holders: dict[OptionKey, set[int]] = defaultdict(set)
    first: dict[OptionKey, int] = {}
    for o, key in enumerate(keys):
        holders[key].add(index.agent_pos[inputs.options[o].agent_id])
        first.setdefault(key, o)
    model = cp_model.CpModel()
    v = RosterVars(model, {}, {}, {}, {}, {}, {})
    count = {
        key: model.new_int_var(0, len(who), f"count[{index.classes[key[0]].class_id} {key[1:]}]")
        for key, who in holders.items()
    }
    by_class_day: dict[tuple[int, int], list[OptionKey]] = defaultdict(list)
    for key in count:
        by_class_day[(key[0], key[1])].append(key)
    terms: list[PenaltyTerm] = []
    for c, cls in enumerate(index.classes):
        members = [index.agent_pos[a] for a in cls.agent_ids]
        terms.extend(_class_rules(v, inputs, c, members, by_class_day, holders, first, count))
    working: dict[tuple[int, int], LinearLike] = {}
    for key, var in count.items():
        if not index.classes[key[0]].queues:
            continue
        for t in inputs.options[first[key]].covered:
            if segment_lead(index, t) == t:
                working[(key[0], t)] = working.get((key[0], t), 0) + var
    worked = sum(
        len(inputs.options[first[key]].covered) * var
        for key, var in count.items()
        if index.classes[key[0]].queues
    )
    terms.extend(coverage_terms(v, inputs, index, working, worked))
    terms.extend(_premium_terms(inputs, count, first))
    build_objective(v, terms)
    return v, count


def _class_rules(
    v: RosterVars,
    inputs: RosterInputs,
    c: int,
    members: list[int],
    by_class_day: dict[tuple[int, int], list[OptionKey]],
    holders: dict[OptionKey, set[int]],
    first: dict[OptionKey, int],
    count: dict[OptionKey, cp_model.IntVar],
) -> list[PenaltyTerm]:
    """Every hard rule of the class's agents, summed over them."""
    model = v.model
    size = len(members)
    rules = inputs.agents[members[0]].rules
    day_keys = [by_class_day.get((c, d), []) for d in range(inputs.days)]
    works = [sum(count[k] for k in keys) for keys in day_keys]
    for d, keys in enumerate(day_keys):
        if keys:
            available = set().union(*(holders[k] for k in keys))
            model.add(works[d] <= len(available))
    for d in range(1, inputs.days):
        for key in day_keys[d]:
            start = inputs.options[first[key]].start_utc
            for back in (1, 2):
                if d - back < 0:
                    continue
                clash = [
                    k
                    for k in day_keys[d - back]
                    if (start - inputs.options[first[k]].end_utc).total_seconds()
                    < rules.min_rest_min * 60
                ]
                if clash:
                    who = holders[key].union(*(holders[k] for k in clash))
                    model.add(count[key] + sum(count[k] for k in clash) <= len(who))
    # Runs of work and of rest: every window of k days holds at most `most_days(k)` working
    # days per agent, and a day off between two working days starts a rest of `off` days.
    for k in range(rules.max_consecutive_days + 1, min(inputs.days, MAX_RUN_WINDOW) + 1):
        cap = most_working_days(k, rules.max_consecutive_days, rules.min_consecutive_days_off)
        if cap < k:
            for start_day in range(inputs.days - k + 1):
                model.add(sum(works[start_day : start_day + k]) <= cap * size)
    for d in range(inputs.days - 2):
        for j in range(2, rules.min_consecutive_days_off + 1):
            if d + j < inputs.days:
                model.add(works[d] - works[d + 1] + works[d + j] <= size)
    terms: list[PenaltyTerm] = []
    weekend_flags: list[LinearLike] = []
    for w in range(inputs.weeks):
        days = range(w * DAYS_PER_WEEK, min((w + 1) * DAYS_PER_WEEK, inputs.days))
        keys = [k for d in days for k in day_keys[d]]
        minutes = sum(inputs.options[first[k]].paid_min * count[k] for k in keys)
        if keys:
            model.add(minutes <= rules.max_minutes_week * size)
            model.add(sum(count[k] for k in keys) <= rules.max_shifts_week * size)
        need = sum(week_min_minutes(inputs.agents[a], inputs, w) for a in members)
        if need > 0:
            slack = model.new_int_var(0, need, f"below_min[class {c} week {w + 1}]")
            model.add(minutes + slack >= need)
            terms.append(
                PenaltyTerm(
                    "contract_minimum",
                    f"minutes below min hours, class {c} week {w + 1}",
                    slack,
                    inputs.weights.hard_slack_minute,
                )
            )
        weekend_days = [
            d for d in days if any(inputs.options[first[k]].weekend for k in day_keys[d])
        ]
        if weekend_days:
            flag = model.new_int_var(0, size, f"weekend_workers[class {c} week {w + 1}]")
            for d in weekend_days:
                model.add(flag >= works[d])
            weekend_flags.append(flag)
        else:
            weekend_flags.append(0)
    per4 = DAYS_PER_4_WEEKS // DAYS_PER_WEEK
    for start_week in range(max(1, inputs.weeks - per4 + 1)):
        window = weekend_flags[start_week : start_week + per4]
        model.add(sum(window) <= rules.max_weekends_per_4_weeks * size)
    nights = [
        sum(count[k] for k in day_keys[d] if inputs.options[first[k]].night)
        for d in range(inputs.days)
    ]
    for start_day in range(max(1, inputs.days - DAYS_PER_4_WEEKS + 1)):
        model.add(
            sum(nights[start_day : start_day + DAYS_PER_4_WEEKS])
            <= rules.max_nights_per_4_weeks * size
        )
    return terms


def most_working_days(window: int, max_consecutive: int, min_days_off: int) -> int:
    """The most working days one agent fits in `window` consecutive days.

    Runs of work last at most `max_consecutive` days; a rest between two runs lasts at least
    `min_days_off` days; rests at either end of the window may be cut short by it.
    """
    best = 0
    for runs in range(1, window + 1):
        rests = (runs - 1) * min_days_off
        if rests + runs > window:
            break
        best = max(best, min(runs * max_consecutive, window - rests))
    return best


def _premium_terms(
    inputs: RosterInputs, count: dict[OptionKey, cp_model.IntVar], first: dict[OptionKey, int]
) -> list[PenaltyTerm]:
    """Premium minutes and night shifts, as `model.add_premiums` prices them."""
    premium = [
        (round(inputs.options[first[k]].premium_hours * 60), var)
        for k, var in count.items()
        if inputs.options[first[k]].premium_hours > 0
    ]
    nights = [var for k, var in count.items() if inputs.options[first[k]].night]
    terms = []
    if premium:
        terms.append(
            PenaltyTerm(
                "premium",
                "premium pay minutes (night, weekend, holiday uplifts)",
                sum(m * var for m, var in premium),
                inputs.weights.premium_hour / 60,
            )
        )
    if nights:
        terms.append(PenaltyTerm("nights", "night shifts", sum(nights), inputs.weights.night_shift))
    return terms


def solve_aggregate(
    inputs: RosterInputs,
    index: RosterIndex,
    seconds: float,
    workers: int,
    seed: int = 0,
    patience: float = PATIENCE_SECONDS,
    close: float = 0.0,
) -> AggregatePlan | None:
    """Solve the aggregate within `seconds`; None when it proved neither counts nor a bound.

    The search stops after `patience` seconds when it has no counts yet or they are more
    than HOPELESS_GAP above its bound; otherwise it goes on from its counts for the rest.
    Past PATIENCE_SECONDS, either search stops early at counts within `close`
    (relative) of its bound, so unproven but near-optimal counts come as soon as found.
    Without counts its bound still holds (status 'unknown', no counts): on 24/7
    organisations that is often the first bound above 0.
    """
    began = cancellation.clock()
    v, count = build_aggregate(inputs, index)
    plan = _search(v, count, min(seconds, patience), workers, seed, close)
    left = seconds - (cancellation.clock() - began)
    if plan is None or not plan.counts or plan.status == "optimal" or left <= 0:
        return plan
    gap = relative_gap(plan.objective, plan.bound)
    if gap > HOPELESS_GAP or gap <= close:
        return plan
    for key, var in count.items():
        v.model.add_hint(var, plan.counts[key])
    again = _search(v, count, left, workers, seed, close)
    if again is None or not again.counts:
        return plan if again is None else replace(plan, bound=max(plan.bound, again.bound))
    if again.objective > plan.objective:
        return replace(plan, bound=max(plan.bound, again.bound))
    return again


def _search(
    v: RosterVars,
    count: dict[OptionKey, cp_model.IntVar],
    seconds: float,
    workers: int,
    seed: int,
    close: float = 0.0,
) -> AggregatePlan | None:
    """One CP-SAT search of the aggregate; None when it proved nothing in time.

    Past PATIENCE_SECONDS it stops at counts within `close` of its bound (0: never).
    Without counts, CP-SAT's bound is still proven: it comes back with no counts.
    """
    solver = cancellation.cp_solver(seconds, workers, seed)
    if workers <= AGGREGATE_LP_WORKERS:
        # CP-SAT's two-worker default never solves the LP here (the bound stays at the
        # variables' domains on large organisations); one LP-based worker proves it.
        solver.parameters.subsolvers.append("max_lp")
        solver.parameters.num_full_subsolvers = 1
    callback = _StopWhenClose(close, min(seconds, PATIENCE_SECONDS)) if close > 0 else None
    code = cancellation.current().solve(solver, v.model, callback)
    bound = solver.best_objective_bound / OBJECTIVE_SCALE
    if code == cp_model.UNKNOWN and math.isfinite(bound) and bound > 0:
        return AggregatePlan(counts={}, objective=math.inf, bound=bound, status="unknown")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return AggregatePlan(
        counts={k: int(solver.value(var)) for k, var in count.items()},
        objective=solver.objective_value / OBJECTIVE_SCALE,
        bound=solver.best_objective_bound / OBJECTIVE_SCALE,
        status=solver.status_name(code).lower(),
    )
