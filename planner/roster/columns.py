"""Column generation: a bound holding every per-agent rule, and a pool of whole schedules.

The pool assembles a roster too (price and branch: `solve_master`).

The restricted master LP chooses, per group of identical agents, a mix of whole 4-week
schedules (columns) and covers each queue with them; the pricing problem, the per-agent
dynamic programme of `planner.roster.hint` with the model's contract-minimum price, finds
the schedule of least reduced cost under every per-agent rule. At each round the Lagrangian
bound `LP + sum over groups of size x min reduced cost` is a valid lower bound of the
model's optimum (without fairness and stability, which are >= 0), and at convergence it
equals the LP, which holds every per-agent rule, unlike CP-SAT's root relaxation.

Time is compressed into segments (runs of intervals where no shift starts, ends or breaks
and no requirement changes), which leaves the LP's value unchanged and makes it 5x smaller.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.roster.hint import plan_agent
from planner.roster.inputs import (
    DAYS_PER_4_WEEKS,
    DAYS_PER_WEEK,
    RosterIndex,
    RosterInputs,
    week_min_minutes,
)
from planner.roster.model import (
    OBJECTIVE_SCALE,
    PenaltyTerm,
    RosterVars,
    build_objective,
    complete_hint,
    coverage_terms,
    cp_solver,
    scaled,
)

# The bound meets the LP within this many points: converged (pricing then only finds
# columns of reduced cost within rounding of zero).
CONVERGED_POINTS = 0.5


@dataclass(frozen=True)
class PatternBound:
    """The bound and the schedules found.

    Attributes:
        bound: best Lagrangian bound in points (a lower bound of the model's optimum).
        lp: the last restricted master LP value.
        rounds: pricing rounds.
        converged: the bound met the LP (no schedule can lower it further).
        seconds: elapsed time.
        groups: agent positions of each group of identical agents.
        schedules: per group, the schedules generated (option positions of the group's
            first agent).
    """

    bound: float
    lp: float
    rounds: int
    converged: bool
    seconds: float
    groups: tuple[tuple[int, ...], ...]
    schedules: tuple[tuple[tuple[int, ...], ...], ...]


def pattern_lower_bound(
    inputs: RosterInputs, index: RosterIndex, starts: list[list[int]], seconds: float
) -> PatternBound:
    """Column generation from the schedules in `starts` (one list of options per agent).

    Raises:
        ValueError: horizons over 4 weeks (the DP caps nights and weekends per horizon, not
            per sliding window) or vendors (not priced here).
    """
    if inputs.days > DAYS_PER_4_WEEKS or inputs.vendors:
        raise ValueError("the pattern bound handles horizons up to 4 weeks without vendors")
    began = time.perf_counter()
    w = inputs.weights
    unit = inputs.units_per_head
    n_agents = len(inputs.agents)

    def serving(o: int) -> bool:
        a = index.agent_pos[inputs.options[o].agent_id]
        return bool(index.classes[index.class_of_agent[a]].queues)

    option_cost = [
        option_points(inputs, o) + (w.overstaffing * len(opt.covered) if serving(o) else 0.0)
        for o, opt in enumerate(inputs.options)
    ]

    def schedule_cost(a: int, plan: list[int]) -> float:
        short = minutes_below_minimum(inputs, a, plan)
        return sum(option_cost[o] for o in plan) + w.hard_slack_minute * short

    # Identical agents (class, options with their wishes) price once.
    signature: dict[int, tuple[object, ...]] = {}
    for a in range(n_agents):
        opts = [
            (d, inputs.options[o].template, inputs.options[o].breaks_local, option_cost[o])
            for d in range(inputs.days)
            for o in index.by_agent_day.get((a, d), ())
        ]
        signature[a] = (index.class_of_agent[a], inputs.agents[a].time_off, tuple(opts))
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for a in range(n_agents):
        groups[signature[a]].append(a)
    group_of = {a: g for g, (_key, members) in enumerate(groups.items()) for a in members}
    members = list(groups.values())

    # Segments: runs of intervals with the same covering options and requirement.
    cover: dict[int, set[tuple[object, ...]]] = defaultdict(set)
    for opt in inputs.options:
        c = index.class_of_agent[index.agent_pos[opt.agent_id]]
        for t in opt.covered:
            cover[t].add((c, opt.date_local, opt.template, opt.breaks_local))
    in_demand = set(index.demand)
    n_queues = len(inputs.queues)
    segment_of: list[int] = []
    size: list[int] = []
    previous: tuple[object, ...] | None = None
    for t in range(len(inputs.grid)):
        sig = (
            frozenset(cover[t]),
            tuple(inputs.required[:, t]),
            tuple((q, t) in in_demand for q in range(n_queues)),
        )
        if sig != previous:
            size.append(0)
            previous = sig
        size[-1] += 1
        segment_of.append(len(size) - 1)
    first_t: dict[int, int] = {}
    for t, s in enumerate(segment_of):
        first_t.setdefault(s, t)
    demand_segments = sorted({segment_of[t] for _q, t in index.demand})
    need = {
        (q, s): int(inputs.required[q, first_t[s]])
        for s in demand_segments
        for q in range(len(inputs.queues))
        if (q, first_t[s]) in in_demand
    }

    solver = pywraplp.Solver.CreateSolver("GLOP")
    infinity = solver.infinity()
    objective = solver.Objective()
    demand_row = {}
    for (q, s), n in need.items():
        row = solver.Constraint(n, infinity)
        short = solver.NumVar(0, n, "")
        row.SetCoefficient(short, 1)
        priority = inputs.queues[q].priority
        objective.SetCoefficient(
            short, size[s] * (w.understaffing * priority + w.overstaffing) / unit
        )
        demand_row[(q, s)] = row
    link_row = {}
    for c, cls in enumerate(index.classes):
        for (q, s), n in need.items():
            if q not in cls.queues:
                continue
            if (c, s) not in link_row:
                link_row[(c, s)] = solver.Constraint(-infinity, 0)
            x = solver.NumVar(0, n, "")
            link_row[(c, s)].SetCoefficient(x, 1)
            demand_row[(q, s)].SetCoefficient(x, 1)
    convexity = [solver.Constraint(len(m), len(m)) for m in members]
    constant = -w.overstaffing / unit * sum(int(inputs.required[q, t]) for q, t in index.demand)
    objective.SetMinimization()

    schedules: list[list[tuple[int, ...]]] = [[] for _ in members]
    own = {
        (a, d, inputs.options[o].template, inputs.options[o].breaks_local): o
        for a in (m[0] for m in members)
        for d in range(inputs.days)
        for o in index.by_agent_day.get((a, d), ())
    }

    def add_column(g: int, a: int, plan: list[int]) -> None:
        lead = members[g][0]
        schedules[g].append(
            tuple(
                own[
                    (
                        lead,
                        inputs.day_of(inputs.options[o].date_local),
                        inputs.options[o].template,
                        inputs.options[o].breaks_local,
                    )
                ]
                for o in plan
            )
        )
        column = solver.NumVar(0, infinity, "")
        objective.SetCoefficient(column, schedule_cost(a, plan))
        convexity[g].SetCoefficient(column, 1)
        c = index.class_of_agent[a]
        heads: dict[int, int] = defaultdict(int)
        for o in plan:
            for s in {segment_of[t] for t in inputs.options[o].covered}:
                heads[s] += 1
        for s, n in heads.items():
            if (c, s) in link_row:
                link_row[(c, s)].SetCoefficient(column, -unit * n)

    for a, plan in enumerate(starts):
        add_column(group_of[a], a, plan)
    for g, m in enumerate(members):
        add_column(g, m[0], [])
    best = float("-inf")
    rounds = 0
    lp = float("nan")
    converged = False
    while time.perf_counter() - began < seconds:
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        rounds += 1
        lp = objective.Value() + constant
        duals = {key: row.dual_value() for key, row in link_row.items()}
        mu = [row.dual_value() for row in convexity]
        found = []
        lagrangian = lp
        for g, m in enumerate(members):
            a = m[0]
            c = index.class_of_agent[a]
            value = {}
            for d in range(inputs.days):
                for o in index.by_agent_day.get((a, d), ()):
                    covered = {segment_of[t] for t in inputs.options[o].covered}
                    price = unit * sum(duals.get((c, s), 0.0) for s in covered)
                    value[o] = -(option_cost[o] + price)
            plan = plan_agent(inputs, index, a, value, missing_minute=w.hard_slack_minute)
            reduced = -sum(value[o] for o in plan) + (
                schedule_cost(a, plan) - sum(option_cost[o] for o in plan)
            )
            reduced -= mu[g]
            if reduced < -1e-6:
                found.append((g, a, plan))
                lagrangian += len(m) * reduced
        best = max(best, lagrangian)
        if not found or best >= lp - CONVERGED_POINTS:
            converged = True
            best = max(best, lp)
            break
        for g, a, plan in found:
            add_column(g, a, plan)
    return PatternBound(
        bound=best,
        lp=lp,
        rounds=rounds,
        converged=converged,
        seconds=time.perf_counter() - began,
        groups=tuple(tuple(m) for m in members),
        schedules=tuple(tuple(dict.fromkeys(g)) for g in schedules),
    )


def option_points(inputs: RosterInputs, o: int) -> float:
    """Premium, night and wish points of one shift option, as the model prices them."""
    w = inputs.weights
    opt = inputs.options[o]
    return (
        w.premium_hour / 60 * round(opt.premium_hours * 60)
        + w.night_shift * opt.night
        + w.wish * opt.unmet_wishes
    )


def minutes_below_minimum(inputs: RosterInputs, a: int, plan: Sequence[int]) -> int:
    """Minutes agent `a`'s weeks fall short of the contract minimum working `plan`."""
    minutes: dict[int, int] = defaultdict(int)
    for o in plan:
        opt = inputs.options[o]
        minutes[inputs.day_of(opt.date_local) // DAYS_PER_WEEK] += opt.paid_min
    agent = inputs.agents[a]
    return sum(
        max(0, week_min_minutes(agent, inputs, wk) - minutes[wk]) for wk in range(inputs.weeks)
    )


def schedule_costs(inputs: RosterInputs, pool: PatternBound) -> list[list[float]]:
    """Per group and schedule: premium, night, wish and contract-minimum points.

    Coverage and idle time are priced by the master's coverage terms, not here.
    """
    slack = inputs.weights.hard_slack_minute
    return [
        [
            sum(option_points(inputs, o) for o in plan)
            + slack * minutes_below_minimum(inputs, members[0], plan)
            for plan in schedules
        ]
        for members, schedules in zip(pool.groups, pool.schedules, strict=True)
    ]


def solve_master(
    inputs: RosterInputs,
    index: RosterIndex,
    pool: PatternBound,
    starts: list[list[int]],
    seconds: float,
    workers: int,
    seed: int = 0,
) -> list[int] | None:
    """A roster assembled from the pool: option positions, or None if none was found in time.

    How many agents of each group work each schedule is an integer; coverage is priced by
    the roster model's own coverage terms. Agents of a group are identical, so the counts
    are handed to them in order. `starts` (options per agent, among the pool's schedules)
    is the hint.
    """
    model = cp_model.CpModel()
    v = RosterVars(model, {}, {}, {}, {}, {}, {})
    count: list[list[cp_model.IntVar]] = []
    working: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    worked: list[tuple[int, cp_model.IntVar]] = []
    for g, (members, schedules) in enumerate(zip(pool.groups, pool.schedules, strict=True)):
        c = index.class_of_agent[members[0]]
        serves_any = bool(index.classes[c].queues)
        row = [model.new_int_var(0, len(members), f"use[g{g} s{s}]") for s in range(len(schedules))]
        model.add(sum(row) == len(members))
        count.append(row)
        for var, plan in zip(row, schedules, strict=True):
            for o in plan:
                covered = inputs.options[o].covered
                if serves_any:
                    worked.append((len(covered), var))
                for t in covered:
                    working[(c, t)].append(var)
    terms = coverage_terms(
        v,
        inputs,
        index,
        {key: sum(vars_) for key, vars_ in working.items()},
        sum(n * var for n, var in worked),
    )
    costs = schedule_costs(inputs, pool)
    terms.append(
        PenaltyTerm(
            "schedules",
            "premium, night, wish and contract-minimum points of the schedules",
            sum(
                scaled(cost) * var
                for row, group_costs in zip(count, costs, strict=True)
                for var, cost in zip(row, group_costs, strict=True)
            ),
            1 / OBJECTIVE_SCALE,
        )
    )
    build_objective(v, terms)
    own = {
        (a, d, inputs.options[o].template, inputs.options[o].breaks_local): o
        for members in pool.groups
        for a in members
        for d in range(inputs.days)
        for o in index.by_agent_day.get((a, d), ())
    }

    def key(o: int) -> tuple[int, str, tuple[str, ...]]:
        opt = inputs.options[o]
        return inputs.day_of(opt.date_local), opt.template, opt.breaks_local

    for members, schedules, row in zip(pool.groups, pool.schedules, count, strict=True):
        position = {tuple(key(o) for o in plan): s for s, plan in enumerate(schedules)}
        used = [0] * len(schedules)
        for a in members:
            s = position.get(tuple(key(o) for o in starts[a]))
            if s is not None:
                used[s] += 1
        for var, n in zip(row, used, strict=True):
            model.add_hint(var, n)
    complete_hint(model, seconds / 4, workers, seed)
    solver = cp_solver(seconds, workers, seed)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen: list[int] = []
    for members, schedules, row in zip(pool.groups, pool.schedules, count, strict=True):
        queue = [
            plan for plan, var in zip(schedules, row, strict=True) for _ in range(solver.value(var))
        ]
        for a, plan in zip(members, queue, strict=True):
            for o in plan:
                opt = inputs.options[o]
                chosen.append(
                    own[(a, inputs.day_of(opt.date_local), opt.template, opt.breaks_local)]
                )
    return sorted(chosen)
