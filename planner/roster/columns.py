"""Column generation: a bound holding every per-agent rule, and a pool of whole schedules.

The restricted master LP (HiGHS, re-solved warm) chooses, per group of identical agents,
a mix of whole 4-week schedules (columns) and covers each queue with them; the pricing
problem, the per-agent dynamic programme of `planner.roster.hint` with the model's
contract-minimum price, finds the schedule of least reduced cost under every per-agent
rule. Pricing at any duals of the right signs gives a Lagrangian bound of the model's
optimum (without fairness and stability, which are >= 0); pricing at smoothed duals
takes fewer rounds, and at convergence the bound equals the LP, which holds every
per-agent rule, unlike CP-SAT's root relaxation. The master LP can then be dived to a
whole roster (`dive`).

Time is compressed into segments (runs of intervals where no shift starts, ends or breaks
and no requirement changes), which leaves the LP's value unchanged and makes it 5x smaller.
"""

from __future__ import annotations

import contextvars
import copy
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import highspy
import numpy as np

from planner import cancellation
from planner.roster.hint import plan_agent
from planner.roster.inputs import (
    DAYS_PER_4_WEEKS,
    DAYS_PER_WEEK,
    RosterIndex,
    RosterInputs,
    ShiftKey,
    segment_lead,
    shift_key,
    week_min_minutes,
)
from planner.roster.model import OBJECTIVE_SCALE, AgentCut, scaled

# The bound meets the LP within this many points: converged (pricing then only finds
# columns of reduced cost within rounding of zero).
CONVERGED_POINTS = 0.5
# Share of the time kept for building a whole roster after the bound (at least).
ROSTER_SHARE = 0.25
# Diving first fixes only fractions of at least DIVE_THRESHOLD (fewer forced choices, more
# steps), easing to any fraction over DIVE_EASING of its time; the dive gets DIVE_PART of
# the time after the bound, and moving agents one at a time the rest: the moves stop at
# their local optimum well before their time ends (docs/ROSTER.md).
DIVE_THRESHOLD = 0.7
DIVE_EASING = 0.85
DIVE_PART = 0.6
# The master LP has settled once it fell by at most this share of its value over this
# many seconds, well before the bound converges; the early roster starts from it.
SETTLED_SHARE = 0.003
SETTLED_SECONDS = 10.0
# With an early roster, the converged LP builds its own only given this share of the time.
LATE_ROSTER_SHARE = 0.15
# Weight of the best duals so far when pricing (Wentges smoothing: fewer, steadier rounds).
SMOOTHING = 0.5


class _Settling:
    """Whether the master LP has settled: it fell by at most SETTLED_SHARE in SETTLED_SECONDS."""

    def __init__(self) -> None:
        self._seen: deque[tuple[float, float]] = deque()

    def __call__(self, lp_value: float) -> bool:
        """Record this LP value; whether the LP has settled."""
        now = time.perf_counter()
        self._seen.append((now, lp_value))
        # Keep one value at least SETTLED_SECONDS old, the newest such.
        while len(self._seen) > 1 and self._seen[1][0] <= now - SETTLED_SECONDS:
            self._seen.popleft()
        then, before = self._seen[0]
        return now - then >= SETTLED_SECONDS and before - lp_value <= SETTLED_SHARE * abs(lp_value)


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
        roster: option positions of a whole roster dived to from the master LP (empty when
            not asked for).
        cuts: every agent's cut at the bound's duals (`_Master.cuts`).
    """

    bound: float
    lp: float
    rounds: int
    converged: bool
    seconds: float
    groups: tuple[tuple[int, ...], ...]
    schedules: tuple[tuple[tuple[int, ...], ...], ...]
    roster: tuple[int, ...] = ()
    cuts: tuple[AgentCut, ...] = ()


class MasterLP:
    """The restricted master LP on HiGHS: rows first, then columns, re-solved warm.

    After the first solve (interior point with crossover, fast from cold on these
    degenerate LPs) each re-solve starts from the previous basis: with the primal simplex
    after new columns, the dual simplex after raised bounds, so a round costs a few
    pivots instead of a fresh solve.
    """

    def __init__(self) -> None:
        # The core class: `highspy.Highs` prints a banner on stdout when constructed.
        self._highs = highspy._Highs()  # type: ignore[attr-defined]
        self._highs.setOptionValue("output_flag", False)
        self._highs.setOptionValue("solver", "ipm")
        self._rows = 0
        self._cols = 0
        self._pending: list[tuple[float, float, list[int], list[float]]] = []

    def copy(self) -> MasterLP:
        """A twin with the same rows, columns and basis, re-solved warm on its own."""
        self._flush()
        twin = MasterLP()
        twin._highs.passModel(self._highs.getModel())
        twin._highs.setBasis(self._highs.getBasis())
        twin._highs.setOptionValue("solver", "simplex")
        twin._rows, twin._cols = self._rows, self._cols
        return twin

    def add_row(self, lower: float, upper: float) -> int:
        """A new empty row `lower <= . <= upper`; its position."""
        inf = highspy.kHighsInf
        self._highs.addRow(max(lower, -inf), min(upper, inf), 0, np.zeros(0, np.int32), np.zeros(0))
        self._rows += 1
        return self._rows - 1

    def add_col(self, cost: float, upper: float, rows: list[int], coefficients: list[float]) -> int:
        """A column `0 <= x <= upper` of `cost` with `coefficients` in `rows`; its position."""
        self._pending.append((cost, upper, rows, coefficients))
        self._cols += 1
        return self._cols - 1

    def solve(self, seconds: float, bounds_raised: bool = False) -> bool:
        """Solve within `seconds`; whether the LP is optimal.

        New columns keep the last basis primal feasible (primal simplex); raised bounds
        keep it dual feasible (`bounds_raised`: dual simplex, or interior point afresh
        should the dual simplex stop short).
        """
        began = time.perf_counter()
        self._flush()
        ok = self._run(seconds, 1 if bounds_raised else 4)
        stopped = self._highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        if not ok and bounds_raised and not stopped:
            self._highs.clearSolver()
            self._highs.setOptionValue("solver", "ipm")
            ok = self._run(seconds - (time.perf_counter() - began), 4)
        return ok

    def _run(self, seconds: float, simplex_strategy: int) -> bool:
        # HiGHS's clock runs across solves: the limit is on its total.
        self._highs.setOptionValue("time_limit", self._highs.getRunTime() + max(seconds, 0.01))
        self._highs.setOptionValue("simplex_strategy", simplex_strategy)
        self._highs.run()
        # Later solves start from this basis with the simplex method.
        self._highs.setOptionValue("solver", "simplex")
        return self._highs.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def set_lower(self, column: int, lower: float, fixed: bool = False) -> None:
        """Set a column's lower bound; its upper bound is infinite, or the same if `fixed`."""
        self._flush()
        self._highs.changeColBounds(column, lower, lower if fixed else highspy.kHighsInf)

    def set_row(self, row: int, lower: float, upper: float) -> None:
        """Set a row's bounds."""
        self._flush()
        self._highs.changeRowBounds(row, lower, upper)

    def values(self) -> list[float]:
        """Column values of the last solve."""
        return list(self._highs.getSolution().col_value)

    def _flush(self) -> None:
        """Add the columns waiting since the last solve."""
        if self._pending:
            costs, uppers, rows, coefficients = zip(*self._pending, strict=True)
            starts = np.cumsum([0, *(len(r) for r in rows[:-1])], dtype=np.int32)
            self._highs.addCols(
                len(costs),
                np.array(costs, dtype=np.float64),
                np.zeros(len(costs)),
                np.minimum(np.array(uppers, dtype=np.float64), highspy.kHighsInf),
                sum(len(r) for r in rows),
                starts,
                np.fromiter((i for r in rows for i in r), dtype=np.int32),
                np.fromiter((v for r in coefficients for v in r), dtype=np.float64),
            )
            self._pending.clear()

    def value(self) -> float:
        """The objective of the last solve."""
        return float(self._highs.getInfo().objective_function_value)

    def duals(self) -> list[float]:
        """Row duals of the last solve (reduced cost = cost - duals . column)."""
        return list(self._highs.getSolution().row_dual)


class _Master:
    """The restricted master LP of one organisation: its rows, columns and pricing.

    Agents with the same class and options (wishes included) form a group and price
    once; each group's schedules are kept as its first agent's options. Time is
    compressed into segments (see the module docstring).
    """

    def __init__(self, inputs: RosterInputs, index: RosterIndex, starts: list[list[int]]) -> None:
        self.inputs = inputs
        self.index = index
        w = inputs.weights
        self.unit = inputs.units_per_head
        self.option_cost = [
            option_points(inputs, o)
            + (w.overstaffing * len(opt.covered) if self._serving(o) else 0.0)
            for o, opt in enumerate(inputs.options)
        ]
        self._group()
        self._segment()
        self._build_rows()
        self.schedules: list[list[tuple[int, ...]]] = [[] for _ in self.members]
        self.column_of: list[list[int]] = [[] for _ in self.members]
        # Each group's schedules (as its first agent's options) to their first position.
        self.known: list[dict[tuple[int, ...], int]] = [{} for _ in self.members]
        self.own = shifts_by_agent(inputs, index, [m[0] for m in self.members])
        self._segments: dict[int, frozenset[int]] = {}
        # The duals of the best Lagrangian bound so far (`converge`).
        self.bound_duals: np.ndarray | None = None
        for a, plan in enumerate(starts):
            self.add_column(self.group_of[a], a, plan)
        for g, m in enumerate(self.members):
            self.add_column(g, m[0], [])

    def fork(self) -> _Master:
        """A twin that goes on from here on its own LP and schedules (read-only parts shared)."""
        twin = copy.copy(self)
        twin.lp = self.lp.copy()
        twin.schedules = [list(s) for s in self.schedules]
        twin.column_of = [list(c) for c in self.column_of]
        twin.known = [dict(k) for k in self.known]
        return twin

    def _serving(self, o: int) -> bool:
        a = self.index.agent_pos[self.inputs.options[o].agent_id]
        return bool(self.index.classes[self.index.class_of_agent[a]].queues)

    def _group(self) -> None:
        """Identical agents (class, options with their wishes) form one group."""
        inputs, index = self.inputs, self.index
        signature: dict[int, tuple[object, ...]] = {}
        for a in range(len(inputs.agents)):
            opts = [
                (d, inputs.options[o].template, inputs.options[o].breaks_local, self.option_cost[o])
                for d in range(inputs.days)
                for o in index.by_agent_day.get((a, d), ())
            ]
            signature[a] = (index.class_of_agent[a], inputs.agents[a].time_off, tuple(opts))
        groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for a in range(len(inputs.agents)):
            groups[signature[a]].append(a)
        self.group_of = {a: g for g, members in enumerate(groups.values()) for a in members}
        self.members = list(groups.values())

    def _segment(self) -> None:
        """Each demanded queue's need per coverage segment (`RosterIndex.segment_of`)."""
        inputs, index = self.inputs, self.index
        leads = sorted(
            (index.segment_of[t], q, t) for q, t in index.demand if segment_lead(index, t) == t
        )
        self.need = {(q, s): int(inputs.required[q, t]) for s, q, t in leads}

    def _build_rows(self) -> None:
        """Demand and link rows with their short and share columns, and group sizes."""
        inputs, index, w = self.inputs, self.index, self.inputs.weights
        self.lp = MasterLP()
        lp = self.lp
        self.demand_row = {key: lp.add_row(n, math.inf) for key, n in self.need.items()}
        # Short and share columns: (cost, upper, first row, second row or -1).
        bounded: list[tuple[float, float, int, int]] = []
        self.short_col: dict[tuple[int, int], tuple[int, float]] = {}
        for (q, s), n in self.need.items():
            priority = inputs.queues[q].priority
            cost = (
                self.index.segment_size[s]
                * (w.understaffing * priority + w.overstaffing)
                / self.unit
            )
            short = lp.add_col(cost, n, [self.demand_row[(q, s)]], [1.0])
            self.short_col[(q, s)] = (short, cost)
            bounded.append((cost, n, self.demand_row[(q, s)], -1))
        self.pool_of = self._pools()
        self.link_row: dict[tuple[int, int], int] = {}
        pool_queues = {p: index.classes[c].queues for c, p in enumerate(self.pool_of)}
        for p, queues in pool_queues.items():
            for (q, s), n in self.need.items():
                if q not in queues:
                    continue
                if (p, s) not in self.link_row:
                    self.link_row[(p, s)] = lp.add_row(-math.inf, 0)
                rows = [self.link_row[(p, s)], self.demand_row[(q, s)]]
                lp.add_col(0.0, n, rows, [1.0, 1.0])  # share
                bounded.append((0.0, n, rows[0], rows[1]))
        self.convexity = [lp.add_row(len(m), len(m)) for m in self.members]
        self.constant = (
            -w.overstaffing / self.unit * sum(int(inputs.required[q, t]) for q, t in index.demand)
        )
        # Dual signs every Lagrangian bound needs: >= 0 on demand rows, <= 0 on link rows.
        self.demand_rows = np.array(list(self.demand_row.values()), dtype=np.int64)
        self.link_rows = np.array(list(self.link_row.values()), dtype=np.int64)
        self.demand_need = np.array(list(self.need.values()), dtype=np.float64)
        self.b_cost, self.b_upper = (
            np.array([x[i] for x in bounded], dtype=np.float64) for i in (0, 1)
        )
        self.b_first, self.b_second = (
            np.array([x[i] for x in bounded], dtype=np.int64) for i in (2, 3)
        )

    def _pools(self) -> list[int]:
        """Each class's pool: classes serving the same queues share one.

        Their heads are interchangeable for coverage, so one link row per pool and segment
        gives the same LP as one per class, with fewer rows (docs/ROSTER.md).
        """
        pools: dict[tuple[int, ...], int] = {}
        return [pools.setdefault(tuple(sorted(c.queues)), len(pools)) for c in self.index.classes]

    def schedule_cost(self, a: int, plan: list[int]) -> float:
        """Agent `a`'s points for working `plan`, its contract minimum's shortfall included."""
        short = minutes_below_minimum(self.inputs, a, plan)
        return (
            sum(self.option_cost[o] for o in plan) + self.inputs.weights.hard_slack_minute * short
        )

    def segments_of(self, o: int) -> frozenset[int]:
        """The segments option `o` works in (computed once: pricing asks every round)."""
        if o not in self._segments:
            self._segments[o] = frozenset(
                self.index.segment_of[t] for t in self.inputs.options[o].covered
            )
        return self._segments[o]

    def entries(self, g: int, a: int, plan: list[int]) -> tuple[float, list[int], list[float]]:
        """Cost, rows and coefficients of agent `a`'s schedule `plan` in group `g`."""
        p = self.pool_of[self.index.class_of_agent[a]]
        heads: dict[int, int] = defaultdict(int)
        for o in plan:
            for s in self.segments_of(o):
                heads[s] += 1
        rows = [self.convexity[g]]
        coefficients = [1.0]
        for s, n in heads.items():
            if (p, s) in self.link_row:
                rows.append(self.link_row[(p, s)])
                coefficients.append(-self.unit * n)
        return self.schedule_cost(a, plan), rows, coefficients

    def _schedule(self, g: int, plan: list[int]) -> tuple[int, ...]:
        """A schedule of group `g` as its first agent's options."""
        lead = self.members[g][0]
        return tuple(self.own[(lead, shift_key(self.inputs, o))] for o in plan)

    def add_column(self, g: int, a: int, plan: list[int]) -> int:
        """Add agent `a`'s schedule `plan` to group `g`; its position in the group."""
        schedule = self._schedule(g, plan)
        self.schedules[g].append(schedule)
        self.known[g].setdefault(schedule, len(self.column_of[g]))
        cost, rows, coefficients = self.entries(g, a, plan)
        self.column_of[g].append(self.lp.add_col(cost, math.inf, rows, coefficients))
        return len(self.column_of[g]) - 1

    def position(self, g: int, a: int, plan: list[int]) -> int:
        """The position of agent `a`'s schedule `plan` in group `g`, added if new."""
        schedule = self._schedule(g, plan)
        known = self.known[g]
        return known[schedule] if schedule in known else self.add_column(g, a, plan)

    def valid(self, dual: np.ndarray) -> np.ndarray:
        """The duals with the signs every Lagrangian bound needs."""
        out = dual.copy()
        out[self.demand_rows] = np.maximum(out[self.demand_rows], 0.0)
        out[self.link_rows] = np.minimum(out[self.link_rows], 0.0)
        return out

    def price(self, dual: np.ndarray) -> tuple[list[tuple[int, int, list[int]]], float]:
        """Each group's schedule of least reduced cost at `dual`, and the Lagrangian bound.

        The bound relaxes every row but the groups' sizes: it holds for any duals of the
        right signs, so smoothed duals give valid bounds too.
        """
        inputs, index = self.inputs, self.index
        at = dual.tolist()
        plans = []
        bound = self.constant + float(self.demand_need @ dual[self.demand_rows])
        padded = np.append(dual, 0.0)  # a short column's missing second row
        slack = self.b_cost - padded[self.b_first] - padded[self.b_second]
        bound += float(self.b_upper @ np.minimum(slack, 0.0))
        for g, m in enumerate(self.members):
            a = m[0]
            value = {o: -cost for o, cost in self.reduced_costs(a, at).items()}
            plan = plan_agent(
                inputs, index, a, value, missing_minute=inputs.weights.hard_slack_minute
            )
            least = -sum(value[o] for o in plan) + (
                self.schedule_cost(a, plan) - sum(self.option_cost[o] for o in plan)
            )
            bound += len(m) * least
            plans.append((g, a, plan))
        return plans, bound

    def reduced_costs(self, a: int, at: list[float]) -> dict[int, float]:
        """Each of agent `a`'s options' cost less the coverage it is priced at, at duals `at`."""
        index = self.index
        p = self.pool_of[index.class_of_agent[a]]
        out = {}
        for d in range(self.inputs.days):
            for o in index.by_agent_day.get((a, d), ()):
                price = self.unit * sum(
                    at[self.link_row[(p, s)]]
                    for s in self.segments_of(o)
                    if (p, s) in self.link_row
                )
                out[o] = self.option_cost[o] + price
        return out

    def cuts(self, dual: np.ndarray) -> tuple[AgentCut, ...]:
        """Every agent's Lagrangian cut at `dual` (duals of the right signs), scaled.

        No schedule keeping an agent's rules has reduced costs adding up to less than the
        pricing programme's least, so each agent's reduced costs (floored to the model's
        integer scale) give a valid inequality; with every agent's, the model's LP
        relaxation holds the Lagrangian bound at `dual`, which CP-SAT's own relaxation is
        far below (116,875 points against 120,896 on the sample organisation).
        """
        inputs, index = self.inputs, self.index
        missing = scaled(inputs.weights.hard_slack_minute)
        own = shifts_by_agent(inputs, index, [a for m in self.members for a in m])
        out = []
        for m in self.members:
            lead = m[0]
            reduced = {
                o: math.floor(cost * OBJECTIVE_SCALE)
                for o, cost in self.reduced_costs(lead, dual.tolist()).items()
            }
            # Integer values, so the programme's least is exact.
            plan = plan_agent(
                inputs, index, lead, {o: -float(k) for o, k in reduced.items()}, float(missing)
            )
            floor = sum(reduced[o] for o in plan) + missing * minutes_below_minimum(
                inputs, lead, plan
            )
            for a in m:
                coefficients = tuple(
                    (own[(a, shift_key(inputs, o))], k) for o, k in reduced.items()
                )
                out.append(AgentCut(a, coefficients, missing, floor))
        return tuple(out)

    def improving(
        self, dual: np.ndarray, plans: list[tuple[int, int, list[int]]]
    ) -> list[tuple[int, int, list[int]]]:
        """The schedules of negative reduced cost at `dual` (the LP's own duals)."""
        out = []
        for g, a, plan in plans:
            cost, rows, coefficients = self.entries(g, a, plan)
            if cost - float(dual[rows] @ np.array(coefficients)) < -1e-6:
                out.append((g, a, plan))
        return out

    def converge(
        self,
        until: float,
        on_bound: Callable[[float], None] | None,
        on_lp: Callable[[float], None] | None = None,
    ) -> tuple[float, float, int, bool]:
        """Price until the bound meets the LP or the clock passes `until`.

        `on_lp` hears each LP value (points) right after its solve, before new columns.
        Returns the best bound, the last LP value, the rounds and whether it converged.
        """
        best = float("-inf")
        center: np.ndarray | None = None
        rounds = 0
        lp_value = float("nan")
        while time.perf_counter() < until:
            cancellation.current().check()
            if not self.lp.solve(until - time.perf_counter()):
                break
            rounds += 1
            lp_value = self.lp.value() + self.constant
            if on_lp is not None:
                on_lp(lp_value)
            dual = self.valid(np.array(self.lp.duals()))
            # Wentges smoothing: price between the best duals so far and the LP's.
            tries = (
                [dual] if center is None else [SMOOTHING * center + (1 - SMOOTHING) * dual, dual]
            )
            new: list[tuple[int, int, list[int]]] = []
            for at in tries:
                plans, bound = self.price(at)
                if bound > best:
                    best, center = bound, at
                    self.bound_duals = at
                    if on_bound is not None:
                        on_bound(best)
                new = self.improving(dual, plans)
                if new:
                    break
            if not new:
                # No schedule improves the LP: it is the bound.
                if lp_value > best:
                    best = lp_value
                    if on_bound is not None:
                        on_bound(best)
                return best, lp_value, rounds, True
            if best >= lp_value - CONVERGED_POINTS:
                return best, lp_value, rounds, True
            for g, a, plan in new:
                self.add_column(g, a, plan)
        return best, lp_value, rounds, False

    def reprice(self) -> None:
        """Add the schedules that improve the LP at its current duals."""
        dual = np.array(self.lp.duals())
        plans, _bound = self.price(dual)
        for g, a, plan in self.improving(dual, plans):
            self.add_column(g, a, plan)

    def respond(self, g: int, i: int) -> int | None:
        """A better schedule for the agent of group `g` taken off schedule `i`, or None.

        The agent is priced against the shortfall the LP leaves without it: each segment is
        worth a head's share of the uncovered queues it serves, the costliest first.
        """
        inputs, index = self.inputs, self.index
        a = self.members[g][0]
        c = index.class_of_agent[a]
        x = self.lp.values()
        worth: dict[int, float] = {}

        def head_worth(s: int) -> float:
            if s not in worth:
                gaps = sorted(
                    (
                        (self.short_col[(q, s)][1], x[self.short_col[(q, s)][0]])
                        for q in index.classes[c].queues
                        if (q, s) in self.short_col
                    ),
                    reverse=True,
                )
                room, total = float(self.unit), 0.0
                for cost, units in gaps:
                    take = min(room, units)
                    total, room = total + take * cost, room - take
                worth[s] = total
            return worth[s]

        value = {
            o: sum(head_worth(s) for s in self.segments_of(o)) - self.option_cost[o]
            for d in range(inputs.days)
            for o in index.by_agent_day.get((a, d), ())
        }
        plan = plan_agent(inputs, index, a, value, missing_minute=inputs.weights.hard_slack_minute)

        def net(options: Sequence[int]) -> float:
            return self.schedule_cost(a, list(options)) - sum(
                value[o] + self.option_cost[o] for o in options
            )

        if net(plan) >= net(list(self.schedules[g][i])) - 1e-6:
            return None
        return self.position(g, a, plan)

    def roster(self, seconds: float) -> tuple[list[int], float]:
        """A whole roster in `seconds`: the LP dived, then agents moved one at a time.

        Returns its option positions and its LP value in points (every schedule pinned:
        the roster's objective but for fairness).
        """
        began = time.perf_counter()
        sizes = [len(m) for m in self.members]
        counts = dive(self.lp, self.column_of, sizes, seconds * DIVE_PART, self.reprice)
        left = seconds - (time.perf_counter() - began)
        counts, value = move_agents(
            self.lp, self.column_of, sizes, self.convexity, counts, left, self.respond
        )
        roster = hand_out(self.inputs, self.index, self.members, self.schedules, counts)
        return roster, value + self.constant


def pattern_lower_bound(
    inputs: RosterInputs,
    index: RosterIndex,
    starts: list[list[int]],
    seconds: float,
    to_roster: bool = True,
    on_bound: Callable[[float], None] | None = None,
    on_roster: Callable[[list[int]], None] | None = None,
    on_cuts: Callable[[tuple[AgentCut, ...]], None] | None = None,
    spare_core: bool = False,
    roster_wanted: Future[bool] | None = None,
) -> PatternBound:
    """Column generation from the schedules in `starts` (one list of options per agent).

    With `to_roster`, the time the bound leaves (ROSTER_SHARE at least) builds a whole
    roster (`roster`): the master LP is dived (`dive`), then agents are moved one at a
    time to better schedules (`move_agents`). Without, only the bound is sought.
    `on_bound` hears each better bound (points).
    `on_cuts` hears every agent's cut at the bound's duals once the bound is done.
    With `spare_core` (a core idle while the bound is sought), a roster starts on a copy
    of the master in a thread as soon as the LP has settled (`_Settling`), while pricing
    goes on for the bound on this one, which then builds its own roster from the
    converged LP (given at least LATE_ROSTER_SHARE of the time). The early roster goes
    to `on_roster` as soon as it is done and the late one is returned; without
    `on_roster`, the better of the two (by LP value) is returned. The bound's last rounds
    mostly lift the Lagrangian bound, hardly the LP, so the early roster is about as good
    and comes tens of seconds sooner.
    `roster_wanted` (with `to_roster` False) is for columns started before anyone knows
    whether their roster will be needed: once it holds True, the settled LP forks the
    early roster as above (with `spare_core`), or, when the bound is done first, the
    converged LP builds the returned one in the time left.

    Raises:
        ValueError: horizons over 4 weeks (the DP caps nights and weekends per horizon, not
            per sliding window) or vendors (not priced here).
    """
    if inputs.days > DAYS_PER_4_WEEKS or inputs.vendors:
        raise ValueError("the pattern bound handles horizons up to 4 weeks without vendors")
    began = time.perf_counter()
    master = _Master(inputs, index, starts)
    bound_by = began + seconds * (1 - ROSTER_SHARE if to_roster else 1)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-roster") as side:
        early: list[Future[tuple[list[int], float]]] = []
        settled = _Settling()

        def early_roster(twin: _Master) -> tuple[list[int], float]:
            found = twin.roster(began + seconds - time.perf_counter())
            if on_roster is not None:
                on_roster(found[0])
            return found

        def wanted() -> bool:
            return to_roster or (
                roster_wanted is not None and roster_wanted.done() and roster_wanted.result()
            )

        def fork_when_settled(lp_value: float) -> None:
            if settled(lp_value) and not early and wanted():
                early.append(
                    side.submit(contextvars.copy_context().run, early_roster, master.fork())
                )

        forking = spare_core and (to_roster or roster_wanted is not None)
        best, lp_value, rounds, converged = master.converge(
            bound_by, on_bound, fork_when_settled if forking else None
        )
        cuts = master.cuts(master.bound_duals) if master.bound_duals is not None else ()
        if on_cuts is not None:
            on_cuts(cuts)
        roster: list[int] = []
        value = math.inf
        left = began + seconds - time.perf_counter()
        if to_roster and (not early or left >= LATE_ROSTER_SHARE * seconds):
            roster, value = master.roster(left)
        elif roster_wanted is not None and not early and left > 0:
            try:
                if roster_wanted.result(timeout=left):
                    roster, value = master.roster(began + seconds - time.perf_counter())
            except FutureTimeout:
                pass
        if early:
            first, first_value = early[0].result()
            if on_roster is None and (first_value < value or not roster):
                roster = first
    return PatternBound(
        bound=best,
        lp=lp_value,
        rounds=rounds,
        converged=converged,
        seconds=time.perf_counter() - began,
        groups=tuple(tuple(m) for m in master.members),
        schedules=tuple(tuple(dict.fromkeys(g)) for g in master.schedules),
        roster=tuple(roster),
        cuts=cuts,
    )


def dive(
    lp: MasterLP,
    columns: list[list[int]],
    sizes: list[int],
    seconds: float,
    reprice: Callable[[], None],
) -> list[list[int]]:
    """Whole schedule counts per group (aligned with `columns`) from the master LP, by diving.

    Each step fixes every schedule at least at the whole part of its LP value, and one
    more agent on the schedule of largest fraction in each group where that fraction
    reaches DIVE_THRESHOLD, easing to zero as time runs out (in every unfinished group when
    none reaches it). It then re-solves warm (dual simplex), prices new schedules that
    fit what is fixed (`reprice` adds them to `columns`) and re-solves again (primal
    simplex). A group is done when its fixed counts add up to its size. Out of time, the
    last LP values are rounded by largest remainders.
    """
    began = time.perf_counter()

    def left() -> float:
        return seconds - (time.perf_counter() - began)

    lower: list[list[int]] = [[] for _ in columns]
    values: list[float] = []
    while lp.solve(left(), bounds_raised=True):
        cancellation.current().check()
        if left() > 0:
            reprice()  # schedules that fit what is fixed
            if not lp.solve(left()):
                break
        values = lp.values()
        # Early on, only confident fractions are fixed; the threshold falls to zero
        # (every unfinished group fixes one more agent) as the time runs out.
        threshold = DIVE_THRESHOLD * max(0.0, 1 - (seconds - left()) / (DIVE_EASING * seconds))
        wholes = []
        # Unfinished groups: their schedule of largest fraction, and that fraction.
        unfinished: dict[int, tuple[int, float]] = {}
        for g, cols in enumerate(columns):
            lower[g] += [0] * (len(cols) - len(lower[g]))
            whole = [math.floor(values[c] + 1e-6) for c in cols]
            wholes.append(whole)
            if sum(whole) < sizes[g]:
                fraction = [values[c] - w for c, w in zip(cols, whole, strict=True)]
                i = max(range(len(cols)), key=fraction.__getitem__)
                unfinished[g] = (i, fraction[i])
        confident = [g for g, (_i, share) in unfinished.items() if share >= threshold]
        for g in confident or list(unfinished):
            wholes[g][unfinished[g][0]] += 1
        for g, cols in enumerate(columns):
            for i, c in enumerate(cols):
                if wholes[g][i] > lower[g][i]:
                    lower[g][i] = wholes[g][i]
                    lp.set_lower(c, wholes[g][i])
        if not unfinished or left() <= 0:
            break
    counts = []
    for cols, lows, size in zip(columns, lower, sizes, strict=True):
        lows += [0] * (len(cols) - len(lows))
        shares = [
            max(values[c] if c < len(values) else 0.0, low)
            for c, low in zip(cols, lows, strict=True)
        ]
        counts.append(rounded_counts(shares, size))
    return counts


def move_agents(
    lp: MasterLP,
    columns: list[list[int]],
    sizes: list[int],
    convexity: list[int],
    counts: list[list[int]],
    seconds: float,
    respond: Callable[[int, int], int | None],
) -> tuple[list[list[int]], float]:
    """Whole counts improved by moving one agent at a time, and their LP value (inf if unsolved).

    Every schedule is fixed at its count, both bounds: pinned by its lower bound and the
    group's size alone, the LP stays degenerate (on the 500-agent organisation pinning a
    dived roster took 47 s instead of 6 s, and each re-solve about 5,000 dual simplex
    iterations, 0.6 to 0.9 s, instead of about 35 ms). In turn, one agent of each worked
    schedule is taken off and the LP re-solved, so its shortfall is what the rest leave;
    `respond` names a better schedule for that agent (possibly new, added to `columns`)
    or None. The move stays when the LP, i.e. the roster's objective, falls; passes
    repeat until one changes nothing or time runs out.
    """
    began = time.perf_counter()

    def left() -> float:
        return seconds - (time.perf_counter() - began)

    counts = [list(row) for row in counts]
    for cols, row in zip(columns, counts, strict=True):
        for c, n in zip(cols, row, strict=True):
            lp.set_lower(c, n, fixed=True)
    if not lp.solve(left(), bounds_raised=True):
        return counts, math.inf
    best = lp.value()
    moved = True
    while moved and left() > 0:
        moved = False
        for g, cols in enumerate(columns):
            for i in range(len(counts[g])):
                if counts[g][i] == 0 or left() <= 0:
                    continue
                cancellation.current().check()
                lp.set_lower(cols[i], counts[g][i] - 1, fixed=True)
                lp.set_row(convexity[g], sizes[g] - 1, sizes[g] - 1)
                j = respond(g, i) if lp.solve(left(), bounds_raised=True) else None
                lp.set_row(convexity[g], sizes[g], sizes[g])
                if j is not None:
                    counts[g] += [0] * (len(cols) - len(counts[g]))
                    lp.set_lower(cols[j], counts[g][j] + 1, fixed=True)
                    if lp.solve(left(), bounds_raised=True) and lp.value() < best - 1e-6:
                        best = lp.value()
                        counts[g][i] -= 1
                        counts[g][j] += 1
                        moved = True
                        continue
                    lp.set_lower(cols[j], counts[g][j], fixed=True)
                # Undone without a re-solve: the next move's solve starts from here.
                lp.set_lower(cols[i], counts[g][i], fixed=True)
    return counts, best


def rounded_counts(shares: list[float], total: int) -> list[int]:
    """Whole counts summing to `total`: the largest remainders get the extra heads.

    When the shares add up to `total`, each count is its share's floor or one more
    (Hamilton's method); otherwise the largest counts give way, or the largest remainders
    take more, until the sum is right.
    """
    counts = [math.floor(x + 1e-9) for x in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    extra = total - sum(counts)
    for k in range(max(extra, 0)):
        counts[by_remainder[k % len(counts)]] += 1
    for _ in range(max(-extra, 0)):
        counts[max(range(len(counts)), key=counts.__getitem__)] -= 1
    return counts


def hand_out(
    inputs: RosterInputs,
    index: RosterIndex,
    groups: Sequence[Sequence[int]],
    schedules: Sequence[Sequence[tuple[int, ...]]],
    counts: Sequence[Sequence[int]],
) -> list[int]:
    """Option positions of a roster giving each group's schedules to its agents in order.

    Schedules hold the options of their group's first agent; the others work the same
    shifts (their options of the same day, template and breaks).
    """
    own = shifts_by_agent(inputs, index, [a for members in groups for a in members])
    chosen: list[int] = []
    for members, plans, row in zip(groups, schedules, counts, strict=True):
        queue = [plan for plan, n in zip(plans, row, strict=True) for _ in range(n)]
        for a, plan in zip(members, queue, strict=True):
            chosen.extend(own[(a, shift_key(inputs, o))] for o in plan)
    return sorted(chosen)


def shifts_by_agent(
    inputs: RosterInputs, index: RosterIndex, agents: Sequence[int]
) -> dict[tuple[int, ShiftKey], int]:
    """Each of `agents`' options by (agent position, shift key)."""
    return {
        (a, shift_key(inputs, o)): o
        for a in agents
        for d in range(inputs.days)
        for o in index.by_agent_day.get((a, d), ())
    }


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
