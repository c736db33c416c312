"""Solve the roster model and report: status, bound, gap, roster, coverage, reasons in words."""

from __future__ import annotations

import contextvars
import functools
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from queue import SimpleQueue

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from forecasting.errors import InputError
from planner import cancellation
from planner.gap import relative_gap
from planner.roster.aggregate import (
    PATIENCE_SECONDS,
    AggregatePlan,
    solve_aggregate,
)
from planner.roster.columns import PatternBound, pattern_lower_bound
from planner.roster.even import even_out
from planner.roster.hint import greedy_roster
from planner.roster.inputs import (
    DAYS_PER_4_WEEKS,
    DAYS_PER_WEEK,
    OptionKey,
    RosterIndex,
    RosterInputs,
    build_index,
    option_keys,
    plans_by_agent,
    week_min_minutes,
)
from planner.roster.model import (
    OBJECTIVE_SCALE,
    AgentCut,
    PenaltyTerm,
    RosterVars,
    add_cuts,
    build_model,
    hint_all,
    solve_hinted,
)
from planner.roster.polish import MIN_CLASS_WINDOW_SECONDS, polish
from planner.roster.schema import COVERAGE, ROSTER
from planner.roster.split import split_plan
from planner.roster.validate import Violation, validate_roster
from planner.solve_status import SolveStatus, is_solved

Status = SolveStatus

# Families whose penalty means a hard rule had to be relaxed.
HARD_SLACK_FAMILIES = frozenset({"contract_minimum", "frozen"})
# Shares of the budget for the per-class aggregate and for handing its shifts to agents;
# without the aggregate, the greedy hint's share (large organisations stop it early).
AGGREGATE_SHARE = 0.2
SPLIT_SHARE = 0.15
HINT_SHARE = 0.25
# Share for column generation and its dive to a roster (the bound stops early once
# converged); below the minimum budget, polishing gets that time instead.
COLUMNS_SHARE = 0.8
COLUMNS_MIN_SECONDS = 20.0
# The aggregate and the greedy roster stop after this long whatever the budget, so a first
# roster exists early; a large organisation's final search gets the rest.
STAGE_MAX_SECONDS = 15.0
# Share of the budget left to the whole model's search after polishing; a large
# organisation's gets less, since there polishing class windows improves the roster and
# that search does not (docs/ROSTER.md, "Measurements behind the settings").
FINAL_SHARE = 0.15
LARGE_FINAL_SHARE = 0.07
# Up to this many agents, close unproven aggregate counts start a roster, and column
# generation starts early beside the aggregate, then dives to a roster of its own
# (docs/ROSTER.md, "Search", step 1).
MID_SIZE_AGENTS = 100
# Up to MID_SIZE_AGENTS, the aggregate may search this share of the budget and its counts
# start a roster once within CLOSE_GAP of its bound, proven or not; their split gets
# MID_SPLIT_SHARE (docs/ROSTER.md, "Known limits").
MID_AGGREGATE_SHARE = 0.3
CLOSE_GAP = 0.02
MID_SPLIT_SHARE = 0.25
# Share of the budget for evening out the starting roster's nights and weekends (`even.even_out`).
EVEN_SHARE = 0.05
# Up to this many workers, one runs the symmetry-aware max-LP search and the rest LNS.
SMALL_PORTFOLIO_WORKERS = 2
# A second start is polished beside the first only given this long after its split.
MIN_SECOND_POLISH_SECONDS = 5.0
# How often waiting for the columns' first roster looks for a stop request.
WAIT_POLL_SECONDS = 0.2
UNPROVEN = (
    "no lower bound above 0 was proven within the time limit, so how far this roster is "
    "from the best one is unknown (gap not reported); give the solver more time"
)
# At most this many spans per queue are described in words (the frame has them all).
MAX_SPANS_IN_WORDS = 5


@dataclass(frozen=True)
class SolveSettings:
    """Solver budget, set through `solver.parameters` only.

    Attributes:
        time_limit_s: wall-clock limit in seconds.
        num_workers: parallel search workers.
        seed: random seed, for reproducible runs.
        use_hint: start from a complete roster (the aggregate's, else the greedy one).
        use_aggregate: solve the per-class aggregate first: its counts, handed to agents,
            start the search, and its bound is also the model's.
        use_polish: improve the starting roster one agent class, then one window of days,
            at a time before the search over the whole model; on an organisation too large
            for that, polish the columns' roster one class in one window of days at a time.
        use_columns: generate whole schedules per agent group (a bound holding every
            per-agent rule) beside polishing, then polish a second start on that core
            when the organisation is small enough to polish; on a larger one, dive to a
            roster from them and move agents one at a time; for horizons up to 4 weeks
            without vendors or a previous roster, given at least COLUMNS_MIN_SECONDS.
        deterministic: measure `time_limit_s` in CP-SAT deterministic time rather than
            seconds (`cancellation.deterministic`), without the columns (their thread runs
            against the wall clock): the same inputs and seed give the same roster on any
            load; one unit is roughly a second of one core's search.
        log_search: print CP-SAT's search log.
        on_progress: called with (seconds, objective, bound) in points at each improving
            roster, for progress displays.
    """

    time_limit_s: float = 30.0
    num_workers: int = 2
    seed: int = 0
    use_hint: bool = True
    use_aggregate: bool = True
    use_polish: bool = True
    use_columns: bool = True
    deterministic: bool = False
    log_search: bool = False
    on_progress: Callable[[float, float, float], None] | None = None


@dataclass(frozen=True)
class FamilyPenalty:
    """Points of the objective owed to one constraint family."""

    family: str
    points: float


@dataclass(frozen=True)
class RosterResult:
    """A solved roster with everything needed to trust it.

    Attributes:
        status: 'optimal', 'feasible' (time limit), 'infeasible' (hard rules relaxed: the
            roster is the best one with the relaxation shown in `binding_rules`), or
            'unknown' (no roster found in time; frames empty).
        objective: objective in points, None when no roster was found.
        bound: best proven lower bound in points.
        gap: (objective - bound) / max(objective, 1), None without a roster.
        wall_seconds: elapsed time of the whole solve (model, hint and search).
        first_solution_seconds: elapsed time until the first complete roster (the hint
            when it completes, else the search's first), None when none was found.
        roster: one row per shift, columns `schema.ROSTER`.
        coverage: one row per interval and queue, columns `schema.COVERAGE`.
        penalties: points per family.
        unmet_coverage: shortfall per queue in words.
        binding_rules: relaxed and tight hard rules in words.
        violations: hard-rule violations found by `validate_roster` (relaxed minimums).
        diagnoses: input problems that did not stop the solve.
    """

    status: Status
    objective: float | None
    bound: float
    gap: float | None
    wall_seconds: float
    first_solution_seconds: float | None
    roster: pd.DataFrame
    coverage: pd.DataFrame
    penalties: tuple[FamilyPenalty, ...]
    unmet_coverage: tuple[str, ...]
    binding_rules: tuple[str, ...]
    violations: tuple[Violation, ...]
    diagnoses: tuple[str, ...]

    @property
    def solved(self) -> bool:
        """Whether the roster keeps every hard rule ('optimal' or 'feasible')."""
        return is_solved(self.status)


def diagnose(inputs: RosterInputs, index: RosterIndex) -> tuple[str, ...]:
    """Input problems worth saying before solving; raises InputError on unservable demand."""
    if index.unserved:
        raise InputError(
            "requirements for queues no agent can serve (no agent with that skill and tier)",
            [f"queue {q}" for q in index.unserved],
        )
    notes = list(inputs.notes)
    with_options = {a for a, _ in index.by_agent_day}
    for a, agent in enumerate(inputs.agents):
        if a not in with_options:
            notes.append(
                f"agent {agent.agent_id} ({agent.site}) has no possible shift in the horizon "
                "(time off or site closed on every date): rostered off throughout"
            )
    outside: dict[int, list[int]] = defaultdict(list)
    for q, t in index.outside:
        outside[q].append(t)
    for q, times in sorted(outside.items()):
        need = sum(inputs.required[q, t] for t in times) / inputs.units_per_head
        first, last = inputs.grid[min(times)], inputs.grid[max(times)]
        notes.append(
            f"{inputs.queues[q].queue_id}: {need:g} required agent-intervals between "
            f"{first:%Y-%m-%d %H:%M}Z and {last:%Y-%m-%d %H:%M}Z lie outside the rostered dates "
            "of every site that can serve it; not rostered (extend the horizon to cover them)"
        )
    return tuple(notes)


def roster_frame(inputs: RosterInputs, chosen: list[int]) -> pd.DataFrame:
    """The roster of the chosen option positions, columns `schema.ROSTER`."""
    agents = {a.agent_id: a for a in inputs.agents}
    rows = []
    for o in chosen:
        opt = inputs.options[o]
        agent = agents[opt.agent_id]
        rows.append(
            {
                "agent_id": opt.agent_id,
                "site": agent.site,
                "timezone": agent.timezone,
                "date_local": opt.date_local,
                "start_local": opt.start_local,
                "end_local": opt.end_local,
                "start_utc": opt.start_utc,
                "end_utc": opt.end_utc,
                "shift": opt.template,
                "tier": agent.tier,
                "skills": ";".join(agent.skills),
                "breaks": ";".join(opt.breaks_local),
                "paid_minutes": opt.paid_min,
                "night": opt.night,
                "weekend": opt.weekend,
                "holiday": opt.holiday,
                "late": opt.late,
            }
        )
    frame = pd.DataFrame(rows, columns=list(ROSTER.names))
    if not frame.empty:
        frame = frame.sort_values(["site", "agent_id", "date_local"]).reset_index(drop=True)
    return frame


def coverage_frame(
    inputs: RosterInputs,
    index: RosterIndex,
    chosen: list[int],
    short: dict[tuple[int, int], int],
    vendor: dict[tuple[int, int], int] | None = None,
) -> pd.DataFrame:
    """Required, scheduled (skill holders at work), vendor heads and shortfall per interval.

    Figures are in heads: the model's coverage units are divided back out.
    """
    unit = inputs.units_per_head
    n_q, n_t = inputs.required.shape
    scheduled = np.zeros((n_q, n_t), dtype=np.int64)
    for o in chosen:
        opt = inputs.options[o]
        agent = inputs.agents[index.agent_pos[opt.agent_id]]
        queues = index.classes[index.class_of_agent[index.agent_pos[opt.agent_id]]].queues
        del agent
        for q in queues:
            scheduled[q, list(opt.covered)] += 1
    shortfall = np.zeros((n_q, n_t), dtype=np.int64)
    for (q, t), value in short.items():
        shortfall[q, t] = value
    bought = np.zeros((n_q, n_t), dtype=np.int64)
    for (q, t), value in (vendor or {}).items():
        bought[q, t] += value
    in_horizon = np.ones((n_q, n_t), dtype=bool)
    for q, t in index.outside:
        in_horizon[q, t] = False
        shortfall[q, t] = max(0, int(inputs.required[q, t]) - unit * int(scheduled[q, t]))
    return pd.DataFrame(
        {
            "interval_start": np.tile(inputs.grid, n_q),
            "group": np.repeat([q.queue_id for q in inputs.queues], n_t),
            "required": inputs.required.reshape(-1) / unit,
            "scheduled": scheduled.reshape(-1),
            "shortfall": shortfall.reshape(-1) / unit,
            "vendor": bought.reshape(-1) / unit,
            "in_horizon": in_horizon.reshape(-1),
        },
        columns=list(COVERAGE.names),
    )


def describe_unmet(coverage: pd.DataFrame, interval_min: int) -> tuple[str, ...]:
    """Shortfall per queue in words: total agent-hours and the largest uncovered spans.

    Intervals outside the rostered dates (`in_horizon` false) are left to the diagnoses.
    """
    out: list[str] = []
    step = pd.Timedelta(minutes=interval_min)
    unmet = coverage[(coverage["shortfall"] > 0) & coverage["in_horizon"]]
    for group, rows in unmet.groupby("group", sort=True):
        rows = rows.sort_values("interval_start")
        total_h = rows["shortfall"].sum() * interval_min / 60
        starts = list(rows["interval_start"])
        values = list(rows["shortfall"])
        spans: list[tuple[pd.Timestamp, pd.Timestamp, float]] = []
        for ts, value in zip(starts, values, strict=True):
            if spans and spans[-1][1] == ts:
                first, _, peak = spans[-1]
                spans[-1] = (first, ts + step, max(peak, float(value)))
            else:
                spans.append((ts, ts + step, float(value)))
        spans.sort(key=lambda s: s[1] - s[0], reverse=True)
        shown = ", ".join(
            f"{a:%a %Y-%m-%d %H:%M}-{b:%H:%M}Z (up to {p:g} short)"
            for a, b, p in spans[:MAX_SPANS_IN_WORDS]
        )
        more = (
            f" and {len(spans) - MAX_SPANS_IN_WORDS} more spans"
            if len(spans) > MAX_SPANS_IN_WORDS
            else ""
        )
        out.append(
            f"{group}: {total_h:g} agent-hours short over {len(spans)} spans; longest {shown}{more}"
        )
    return tuple(out)


def describe_binding(
    inputs: RosterInputs, v: RosterVars, solver: cp_model.CpSolver, roster: pd.DataFrame
) -> tuple[str, ...]:
    """Relaxed minimums, then the rules most agents sit at, in words per site."""
    out: list[str] = []
    for (a, w), slack in sorted(v.min_slack.items()):
        missing = solver.value(slack)
        if missing > 0:
            agent = inputs.agents[a]
            need = week_min_minutes(agent, inputs, w)
            out.append(
                f"infeasible: {agent.agent_id} ({agent.site}) in the week of "
                f"{inputs.date_of(w * DAYS_PER_WEEK)} can work only {(need - missing) / 60:g} h of the "
                f"{need / 60:g} h contract minimum under the rest, consecutive-days, night, "
                "weekend and time-off rules"
            )
    if roster.empty:
        return tuple(out)
    frame = roster.assign(
        week=[(d - inputs.start).days // DAYS_PER_WEEK for d in roster["date_local"]]
    )
    rules = {a.agent_id: a.rules for a in inputs.agents}
    sites: dict[str, list[str]] = defaultdict(list)
    for agent in inputs.agents:
        sites[agent.site].append(agent.agent_id)
    for site, ids in sorted(sites.items()):
        mine = frame[frame["site"] == site]
        per_week = mine.groupby(["agent_id", "week"]).agg(
            shifts=("shift", "size"), minutes=("paid_minutes", "sum")
        )
        owners = [str(key[0]) for key in per_week.index]  # type: ignore[index]
        at_shifts = sum(
            1
            for aid, n in zip(owners, per_week["shifts"], strict=True)
            if n >= rules[aid].max_shifts_week
        )
        at_hours = sum(
            1
            for aid, m in zip(owners, per_week["minutes"], strict=True)
            if m >= rules[aid].max_minutes_week
        )
        total = len(ids) * inputs.weeks
        if at_shifts:
            out.append(f"{site}: {at_shifts} of {total} agent-weeks at the maximum shifts per week")
        if at_hours:
            out.append(f"{site}: {at_hours} of {total} agent-weeks at the maximum hours per week")
        nights = mine[mine["night"].astype(bool)].groupby("agent_id").size()
        at_nights = sum(
            1 for aid, n in nights.items() if n >= rules[str(aid)].max_nights_per_4_weeks
        )
        if at_nights:
            out.append(f"{site}: {at_nights} of {len(ids)} agents at the night-shift limit")
    return tuple(out)


def complete_roster(
    v: RosterVars, chosen: set[int], settings: SolveSettings
) -> tuple[list[int], float] | None:
    """Every variable's value with the shifts fixed to `chosen` (allocations, slacks solved).

    Returns the values in model order and the objective (scaled), or None if it timed out.
    A hint of the shift Booleans alone leaves CP-SAT to complete thousands of allocation
    and shortfall variables, which it often fails to do; a complete hint is an incumbent.
    """
    probe = v.model.clone()
    probe.clear_hints()
    for o, var in v.shift.items():
        probe.add_hint(probe.get_int_var_from_proto_index(var.index), o in chosen)
    seconds = max(1.0, settings.time_limit_s / 5)
    return solve_hinted(probe, seconds, settings.num_workers, settings.seed)


def _solver(settings: SolveSettings, seconds: float) -> cp_model.CpSolver:
    """A CP-SAT solver with the settings and a time limit (parameters only)."""
    solver = cancellation.cp_solver(seconds, settings.num_workers, settings.seed)
    solver.parameters.log_search_progress = settings.log_search
    if settings.num_workers <= SMALL_PORTFOLIO_WORKERS:
        # With two workers the default full worker's bound stays at the root LP; the
        # symmetry-aware max-LP worker proves a far better one (docs/ROSTER.md).
        solver.parameters.subsolvers.append("max_lp_sym")
        solver.parameters.num_full_subsolvers = 1
    return solver


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records when rosters are found and forwards (seconds, objective, bound)."""

    def __init__(
        self, began: float, report: Callable[[float, float, float], None] | None, floor: float
    ):
        super().__init__()
        self.began = began
        self.report = report
        self.floor = floor
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.began
        if self.first is None:
            self.first = now
        if self.report is not None:
            self.report(
                now,
                self.objective_value / OBJECTIVE_SCALE,
                max(self.best_objective_bound / OBJECTIVE_SCALE, self.floor),
            )


def _value(solver: cp_model.CpSolver, term: PenaltyTerm) -> float:
    expr = term.expr
    raw = expr if isinstance(expr, int) else solver.value(expr)
    return term.weight * (raw + term.constant)


def columns_apply(inputs: RosterInputs, settings: SolveSettings) -> bool:
    """Whether column generation prices this roster exactly (see `columns`) and has time."""
    return (
        settings.use_columns
        and not settings.deterministic
        and settings.time_limit_s >= COLUMNS_MIN_SECONDS
        and inputs.days <= DAYS_PER_4_WEEKS
        and not inputs.vendors
        and inputs.previous is None
    )


class _EarlyColumns:
    """Column generation started from the greedy roster in a thread, for the bound first.

    For mid-size organisations whose aggregate was not proven in its patience, so the
    bound converges while the aggregate searches on and its counts are split. Once the
    aggregate has ended and its cores are free, `want_roster` lets the columns dive to
    a roster too, from their LP once it has settled (or converged), which polishing
    takes over when it is better: where the split of unproven counts is poor, the dive
    is often far better (docs/ROSTER.md). Bounds, cuts and the early roster wait here
    until `attach` hands them to whoever keeps the best (`_Best.offer`,
    `_Best.set_cuts`, the queue of rosters to polish), then go straight there.
    """

    def __init__(
        self,
        side: ThreadPoolExecutor,
        inputs: RosterInputs,
        index: RosterIndex,
        greedy: tuple[int, ...],
        seconds: float,
    ) -> None:
        self._lock = threading.Lock()
        self._bound = -math.inf
        self._cuts: tuple[AgentCut, ...] = ()
        self._rosters: list[list[int]] = []
        self._on_bound: Callable[[float], None] | None = None
        self._on_cuts: Callable[[tuple[AgentCut, ...]], None] | None = None
        self._on_roster: Callable[[list[int]], None] | None = None
        self._wanted: Future[bool] = Future()
        self.future = side.submit(
            contextvars.copy_context().run,
            pattern_lower_bound,
            inputs,
            index,
            plans_by_agent(inputs, index, greedy),
            seconds,
            to_roster=False,
            on_bound=self._bound_found,
            on_roster=self._roster_found,
            on_cuts=self._cuts_found,
            spare_core=True,
            roster_wanted=self._wanted,
        )

    def want_roster(self, wanted: bool) -> None:
        """Whether the columns should dive to a roster too (said once; later calls are ignored)."""
        if not self._wanted.done():
            self._wanted.set_result(wanted)

    def _bound_found(self, bound: float) -> None:
        with self._lock:
            self._bound = max(self._bound, bound)
            forward = self._on_bound
        if forward is not None:
            forward(bound)

    def _cuts_found(self, cuts: tuple[AgentCut, ...]) -> None:
        with self._lock:
            self._cuts = cuts
            forward = self._on_cuts
        if forward is not None:
            forward(cuts)

    def _roster_found(self, roster: list[int]) -> None:
        with self._lock:
            forward = self._on_roster
            if forward is None:
                self._rosters.append(roster)
        if forward is not None:
            forward(roster)

    def attach(
        self,
        on_bound: Callable[[float], None],
        on_cuts: Callable[[tuple[AgentCut, ...]], None] | None = None,
        on_roster: Callable[[list[int]], None] | None = None,
    ) -> None:
        """Send the bound, cuts and roster found so far, and every later one, to these."""
        with self._lock:
            self._on_bound, self._on_cuts, self._on_roster = on_bound, on_cuts, on_roster
            bound, cuts, rosters = self._bound, self._cuts, self._rosters
            if on_roster is not None:
                self._rosters = []
        if bound > -math.inf:
            on_bound(bound)
        if cuts and on_cuts is not None:
            on_cuts(cuts)
        if on_roster is not None:
            for roster in rosters:
                on_roster(roster)

    def result(self) -> PatternBound:
        """The columns' answer once done (with the dive's late roster, when one was wanted)."""
        return self.future.result()


def _first_roster(
    inputs: RosterInputs,
    index: RosterIndex,
    settings: SolveSettings,
    side: ThreadPoolExecutor,
) -> tuple[tuple[int, ...], float, dict[OptionKey, int] | None, _EarlyColumns | None]:
    """A starting roster (option positions), the aggregate's bound, its counts, early columns.

    The aggregate's optimal counts handed to agents class by class, else the greedy
    roster. Counts (None otherwise) also mark the roster as one to polish, with the
    columns beside it, and can be split again for another start; the bound is in points.
    Up to MID_SIZE_AGENTS, the aggregate searches for MID_AGGREGATE_SHARE of the budget
    and stops at counts within CLOSE_GAP of its bound once its patience has passed;
    such counts are split as proven ones are. If the patience passes unproven, column
    generation starts on `side` from the greedy roster for the bound while the aggregate
    searches on, and dives to a roster of its own once the aggregate has ended
    (`_EarlyColumns`, when the columns apply).
    """
    limit = settings.time_limit_s
    greedy_s = min(limit * HINT_SHARE, STAGE_MAX_SECONDS)
    if not settings.use_aggregate:
        return greedy_roster(inputs, index, seconds=greedy_s), float("-inf"), None, None
    mid = len(inputs.agents) <= MID_SIZE_AGENTS
    # Started once the aggregate's patience has passed unproven: the greedy roster and
    # the early columns (kept in `started`), while the aggregate searches on.
    started: list[tuple[tuple[int, ...], _EarlyColumns]] = []

    def start_early() -> None:
        greedy = greedy_roster(inputs, index, seconds=greedy_s)
        early = _EarlyColumns(side, inputs, index, greedy, limit * COLUMNS_SHARE)
        started.append((greedy, early))

    timer = None
    if mid and columns_apply(inputs, settings):
        timer = threading.Timer(
            PATIENCE_SECONDS, contextvars.copy_context().run, args=(start_early,)
        )
        timer.start()
    aggregate_s = (
        limit * MID_AGGREGATE_SHARE if mid else min(limit * AGGREGATE_SHARE, STAGE_MAX_SECONDS)
    )
    try:
        plan = solve_aggregate(
            inputs,
            index,
            aggregate_s,
            settings.num_workers,
            settings.seed,
            patience=aggregate_s if mid else PATIENCE_SECONDS,
            close=CLOSE_GAP if mid else 0.0,
        )
    except BaseException:
        _end_patience(timer, started, dive=False)
        raise
    # The aggregate's cores are free: the early columns may dive to a roster beside
    # polishing, whichever start it takes (docs/ROSTER.md, step 1).
    _end_patience(timer, started, dive=True)
    greedy, early = started[0] if started else (None, None)
    floor = -math.inf if plan is None else plan.bound
    if plan is None or (plan.status != "optimal" and not (mid and _close(plan))):
        # Unproven counts can be far from any good roster (large organisations): the
        # greedy roster is the safer start, and early columns dive to another; the
        # aggregate's bound still holds.
        if greedy is None:
            greedy = greedy_roster(inputs, index, seconds=greedy_s)
        return greedy, floor, None, early
    keys = option_keys(inputs, index)
    split_s = limit * (SPLIT_SHARE if plan.status == "optimal" else MID_SPLIT_SHARE)
    first = split_plan(inputs, index, keys, plan.counts, split_s, settings.num_workers)
    return first, floor, plan.counts, early


def _end_patience(
    timer: threading.Timer | None,
    started: list[tuple[tuple[int, ...], _EarlyColumns]],
    dive: bool,
) -> None:
    """Stop the early columns' timer (waiting for a start in progress); tell them whether to dive."""
    if timer is not None:
        timer.cancel()
        timer.join()
    for _greedy, early in started:
        early.want_roster(dive)


def _close(plan: AggregatePlan) -> bool:
    """Whether the aggregate's counts lie within CLOSE_GAP of its bound."""
    return bool(plan.counts) and relative_gap(plan.objective, plan.bound) <= CLOSE_GAP


def _polish_another_start(
    v: RosterVars,
    inputs: RosterInputs,
    index: RosterIndex,
    settings: SolveSettings,
    counts: dict[OptionKey, int],
    deadline: float,
    best: _Best,
) -> None:
    """Solve the aggregate and split its counts again with another seed, then polish.

    A second, independent search on the core the columns leave once their bound is done:
    polishing stops on plateaus that depend on where it started, so the better of two
    starts' plateaus misses the gap target less often. The aggregate's optimum is not
    unique, and another seed lands on other counts (`counts`, the first ones, when it
    proves none in time). The start is polished on one worker; its rosters go to `best`
    until `deadline` (`cancellation.clock` seconds).
    """
    split_s = settings.time_limit_s * SPLIT_SHARE
    if deadline - cancellation.clock() < split_s + MIN_SECOND_POLISH_SECONDS:
        return
    seed = settings.seed + 1
    aggregate_s = min(settings.time_limit_s * AGGREGATE_SHARE, STAGE_MAX_SECONDS)
    again = solve_aggregate(inputs, index, aggregate_s, settings.num_workers, seed)
    if again is not None and again.status == "optimal":
        counts = again.counts
    # With one worker the split's per-class models stay at their greedy starts
    # (docs/ROSTER.md), so the aggregate and the split take both workers, beside the
    # first polishing.
    keys = option_keys(inputs, index)
    options = split_plan(inputs, index, keys, counts, split_s, settings.num_workers, seed)
    start = complete_roster(v, set(options), settings)
    if start is None:
        return
    left = deadline - cancellation.clock()
    polish(v, inputs, index, *start, left, 1, seed, best.offer, cuts=best.cuts)


class _Best:
    """The best roster so far (every variable's value), its objective and the bound.

    The objective is scaled, the bound in points. Polishing offers rosters while column
    generation, beside it, offers bounds and reads the best roster to build its own from.
    Each change is reported (objective, bound) under the lock, so the reports from both
    threads never go back.
    """

    def __init__(
        self,
        values: list[int],
        objective: float,
        bound: float,
        report: Callable[[float, float], None],
    ) -> None:
        self.values = values
        self.objective = objective
        self.bound = bound
        self._report = report
        self._lock = threading.Lock()
        self._cuts: tuple[AgentCut, ...] = ()

    def offer(
        self, values: list[int] | None = None, objective: float = math.inf, bound: float = -math.inf
    ) -> None:
        """Keep the better of each, reporting when either improves."""
        with self._lock:
            better = False
            if values is not None and objective < self.objective:
                self.values, self.objective, better = values, objective, True
            if bound > self.bound or better:
                self.bound = max(self.bound, bound)
                self._report(self.objective, self.bound)

    def set_cuts(self, cuts: tuple[AgentCut, ...]) -> None:
        """Keep the agents' cuts that prove the columns' bound."""
        with self._lock:
            self._cuts = cuts

    def cuts(self) -> tuple[AgentCut, ...]:
        """The agents' cuts known so far (none before the columns' bound is done)."""
        with self._lock:
            return self._cuts

    def roster(self) -> list[int]:
        """Every variable's value in the best roster."""
        with self._lock:
            return self.values

    def solution(self) -> tuple[list[int], float]:
        """Every variable's value in the best roster, and its objective (scaled)."""
        with self._lock:
            return self.values, self.objective


class _ColumnsBeside:
    """Column generation (then a second polishing, or rosters) in a thread (`polish.Beside`)."""

    def __init__(
        self,
        future: Future[tuple[PatternBound, tuple[list[int], float] | None]],
        rosters: SimpleQueue[tuple[list[int], float]],
        best: _Best,
    ) -> None:
        self._future: Future[tuple[PatternBound, tuple[list[int], float] | None]] | None = future
        self._rosters = rosters
        self._best = best

    def running(self) -> bool:
        """Whether the columns still run."""
        return self._future is not None and not self._future.done()

    def take(self) -> tuple[list[int], float] | None:
        """The best of the columns' rosters ready since last asked; their bound is offered."""
        ready = []
        while not self._rosters.empty():
            ready.append(self._rosters.get())
        if self._future is not None and self._future.done():
            pool, found = self._future.result()
            self._future = None
            self._best.offer(bound=pool.bound)
            if found is not None:
                ready.append(found)
        return min(ready, key=lambda found: found[1]) if ready else None

    def first(self) -> None:
        """Wait for the columns' first roster, or for them to end; it becomes the best if better."""
        while self.running() and self._rosters.empty():
            cancellation.current().check()
            wait([self._future], timeout=WAIT_POLL_SECONDS)  # type: ignore[list-item]
        found = self.take()
        if found is not None:
            self._best.offer(*found)

    def wait(self) -> None:
        """Wait for the columns; their bound and rosters (when better) become the best."""
        if self._future is not None:
            wait([self._future])
        found = self.take()
        if found is not None:
            self._best.offer(*found)


def _improve(
    v: RosterVars,
    inputs: RosterInputs,
    index: RosterIndex,
    settings: SolveSettings,
    first: tuple[tuple[int, ...], dict[OptionKey, int] | None],
    start: tuple[list[int], float],
    floor: float,
    began: float,
    report: Callable[[float, float], None],
    early: _EarlyColumns | None = None,
) -> tuple[list[int], float, tuple[AgentCut, ...]]:
    """Columns (when they apply) and polishing of a complete roster by neighbourhood.

    `first` is the starting roster's option positions and the aggregate's proven counts
    it was split from (None when the organisation is too large to polish). If polishing
    applies, column generation runs in a thread beside it for the bound (CP-SAT
    releases the GIL); once the bound is done, that thread solves the aggregate again
    with another seed, splits its counts and polishes that second start on its own core
    (`_polish_another_start`) until the first polishing ends, and the better of the two
    goes on. Otherwise the columns dive on their own: a first roster on a copy of the
    master once its LP settles, a second from the converged LP (`pattern_lower_bound`'s
    `spare_core`). Polishing one class in one window of days at a time starts from the
    first, beside the columns, takes the second over when it is better, and goes on
    until LARGE_FINAL_SHARE of the budget is left.
    Once the columns' bound is done, polishing's neighbourhoods carry every agent's cut
    at its duals (`columns._Master.cuts`), which lift their LP relaxations to it.
    `early` columns, when they already run for the bound, stand in for the columns (the
    second start follows them as above).
    `report` takes each better objective (scaled) and the bound (points); `began` is the
    solve's start on `cancellation.clock`. Returns every variable's value, the best lower
    bound in points and the agents' cuts.
    """
    values, objective = start
    first_roster, counts = first
    polishing = counts is not None and settings.use_polish
    best = _Best(values, objective, floor, report)
    final_share = FINAL_SHARE if polishing else LARGE_FINAL_SHARE
    until = settings.time_limit_s * (1 - final_share)
    rosters: SimpleQueue[tuple[list[int], float]] = SimpleQueue()

    def hand_over(roster: list[int]) -> None:
        """Complete a roster the columns built and queue it for polishing."""
        found = complete_roster(v, set(roster), settings)
        if found is not None:
            rosters.put(found)

    def columns(seconds: float) -> PatternBound:
        """The columns' bound and their last roster, started here."""
        return pattern_lower_bound(
            inputs,
            index,
            plans_by_agent(inputs, index, first_roster),
            seconds,
            to_roster=not polishing,
            on_bound=lambda bound: best.offer(bound=bound),
            on_roster=hand_over,
            on_cuts=best.set_cuts,
            spare_core=not polishing and settings.num_workers > 1,
        )

    def then_second_start(
        answer: Callable[[], PatternBound],
    ) -> tuple[PatternBound, tuple[list[int], float] | None]:
        """The columns' answer once done, a second start polished, their roster completed."""
        done = answer()
        if polishing and counts is not None and settings.num_workers > 1:
            _polish_another_start(v, inputs, index, settings, counts, began + until, best)
        found = complete_roster(v, set(done.roster), settings) if done.roster else None
        return done, found

    use_columns = columns_apply(inputs, settings)
    if not polishing and not use_columns:
        return best.roster(), best.bound, best.cuts()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="columns") as side:
        beside = None
        if use_columns:
            if early is not None:
                early.attach(lambda bound: best.offer(bound=bound), best.set_cuts, hand_over)
                answer = early.result
            else:
                seconds = (
                    until - (cancellation.clock() - began)
                    if polishing
                    else settings.time_limit_s * COLUMNS_SHARE
                )
                answer = functools.partial(columns, seconds)
            beside = _ColumnsBeside(
                side.submit(contextvars.copy_context().run, then_second_start, answer),
                rosters,
                best,
            )
            if not polishing:
                # Polishing the greedy start would take the core the early roster needs.
                beside.first()
        left = until - (cancellation.clock() - began)
        if polishing or (settings.use_polish and left >= MIN_CLASS_WINDOW_SECONDS):
            polish(
                v,
                inputs,
                index,
                *best.solution(),
                left,
                settings.num_workers,
                settings.seed,
                best.offer,
                beside,
                class_windows=not polishing,
                cuts=best.cuts,
            )
        if beside is not None:
            beside.wait()
    return best.roster(), best.bound, best.cuts()


def reported_gap(objective: float, bound: float, proven: bool) -> float | None:
    """The gap a roster reports: 0 when proven optimal, None when no bound above 0 is known.

    A bound of 0 proves nothing about a positive objective; a 100% gap beside "feasible"
    would read as a figure, so it is reported as unknown (with `UNPROVEN` in words).
    """
    if proven:
        return 0.0
    if bound <= 0 < objective:
        return None
    return relative_gap(objective, bound)


def solve_roster(inputs: RosterInputs, settings: SolveSettings | None = None) -> RosterResult:
    """Build, hint and solve the roster model; validate and explain the result.

    Raises:
        InputError: requirements for a queue no agent can serve.
    """
    settings = settings or SolveSettings()
    if settings.deterministic:
        with cancellation.deterministic():
            return _solve(inputs, settings)
    return _solve(inputs, settings)


def _solve(inputs: RosterInputs, settings: SolveSettings) -> RosterResult:
    """`solve_roster` on the current context's clock (see `cancellation.clock`)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-columns") as early_side:
        return _solve_beside(inputs, settings, early_side)


def _solve_beside(
    inputs: RosterInputs, settings: SolveSettings, early_side: ThreadPoolExecutor
) -> RosterResult:
    """`_solve`, column generation for the bound starting early on `early_side` (mid-size)."""
    began = time.perf_counter()
    spent = cancellation.clock()  # budgets are measured on this clock, wall_seconds on time
    index = build_index(inputs)
    notes = diagnose(inputs, index)
    v, terms = build_model(inputs, index)
    hinted_at = None
    floor = float("-inf")  # the best lower bound proven outside CP-SAT, in points
    early = None
    if settings.use_hint:
        first, floor, counts, early = _first_roster(inputs, index, settings, early_side)
        if len(inputs.agents) <= MID_SIZE_AGENTS:
            first = even_out(inputs, index, first, settings.time_limit_s * EVEN_SHARE)
        start = complete_roster(v, set(first), settings)
        if start is not None:
            hinted_at = time.perf_counter() - began
            values, objective = start

            def report(found: float, bound: float) -> None:
                if settings.on_progress is not None:
                    now = time.perf_counter() - began
                    settings.on_progress(now, found / OBJECTIVE_SCALE, bound)

            report(objective, floor)
            values, floor, cuts = _improve(
                v,
                inputs,
                index,
                settings,
                (first, counts),
                (values, objective),
                floor,
                spent,
                report,
                early,
            )
            add_cuts(v.model, v, cuts, values)
            hint_all(v.model, values)
    # The limit is the whole budget: model building and the hint come out of it.
    budget = max(1.0, settings.time_limit_s - (cancellation.clock() - spent))
    solver = _solver(settings, budget)
    progress = _Progress(began, settings.on_progress, floor)
    code = cancellation.current().solve(solver, v.model, progress)
    # The aggregate and the columns' bounds relax the model, so they hold for it too.
    bound_scaled = max(solver.best_objective_bound, floor * OBJECTIVE_SCALE)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and hinted_at is not None:
        # The whole-model search found nothing in its share (presolve of a large model):
        # the starting roster stands, read back through a solve with every value fixed.
        solver = _solver(settings, max(1.0, settings.time_limit_s / 10))
        solver.parameters.fix_variables_to_their_hinted_value = True
        code = cancellation.current().solve(solver, v.model)
        if code == cp_model.OPTIMAL:
            code = cp_model.FEASIBLE
    wall = time.perf_counter() - began
    bound = bound_scaled / OBJECTIVE_SCALE
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        empty_roster = pd.DataFrame(columns=list(ROSTER.names))
        return RosterResult(
            status="unknown",
            objective=None,
            bound=bound,
            gap=None,
            wall_seconds=wall,
            first_solution_seconds=None,
            roster=empty_roster,
            coverage=pd.DataFrame(columns=list(COVERAGE.names)),
            penalties=(),
            unmet_coverage=(),
            binding_rules=(f"no roster found: CP-SAT status {solver.status_name(code)}",),
            violations=(),
            diagnoses=notes,
        )
    chosen = [o for o, var in v.shift.items() if solver.boolean_value(var)]
    short = {key: int(solver.value(var)) for key, var in v.short.items()}
    bought: dict[tuple[int, int], int] = defaultdict(int)
    for (_k, q, t), var in v.vendor.items():
        bought[(q, t)] += int(solver.value(var))
    roster = roster_frame(inputs, chosen)
    coverage = coverage_frame(inputs, index, chosen, short, bought)
    points: dict[str, float] = defaultdict(float)
    for term in terms:
        points[term.family] += _value(solver, term)
    objective = solver.objective_value / OBJECTIVE_SCALE
    proven = code == cp_model.OPTIMAL or solver.objective_value <= bound_scaled
    gap = reported_gap(objective, bound, proven)
    if gap is None:
        notes = (*notes, UNPROVEN)
    relaxed = any(points.get(f, 0.0) > 0 for f in HARD_SLACK_FAMILIES)
    status: Status = "infeasible" if relaxed else ("optimal" if proven else "feasible")
    return RosterResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        wall_seconds=wall,
        first_solution_seconds=hinted_at if hinted_at is not None else progress.first,
        roster=roster,
        coverage=coverage,
        penalties=tuple(FamilyPenalty(f, round(p, 2)) for f, p in points.items()),
        unmet_coverage=describe_unmet(coverage, inputs.interval_min),
        binding_rules=describe_binding(inputs, v, solver, roster),
        violations=validate_roster(roster, inputs),
        diagnoses=notes,
    )
