"""Use case: compare scenario variants side by side on the same demand and random streams.

Every variant goes through the one pipeline (`plan_scenario`: forecast, requirements,
roster, the roster simulated, cost) against the same contacts with the same seeds per
replication (common random numbers), so the differences between variants are the
variants', not noise. Variants are
independent tasks on a `followsun.jobs` executor (threads, local processes or Dask).
The comparison is written as comparison.csv and comparison.html.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.analytic import sla_weights
from evaluation.cost import CostReport
from evaluation.frontier import frontier
from evaluation.simulated import SimulationResult, SimulationSettings
from followsun.atomic import check_output_folder
from followsun.compare_report import comparison_csv, render_comparison, verdict, write_comparison
from followsun.errors import InputError
from followsun.jobs.executor import Executor, make_executor
from followsun.report import ComparisonSection, SolverFigures
from followsun.services.pipeline import PlanSettings, forecast_in_words, plan_scenario
from followsun.services.plan import json_digest, synthetic_history
from followsun.services.progress import Progress, no_progress, within
from followsun.store import (
    ComparisonRecord,
    RunStatus,
    find_run,
    finish_run,
    get_comparison,
    init_db,
    record_run,
    save_comparison,
    save_scenario,
    session_scope,
)
from followsun.store.comparisons import COMPARE_KIND
from forecasting.queues import QueueKey, queue_keys
from planner.roster.solve import SolveSettings
from scenarios.bpo import FTE_HOURS_PER_MONTH
from scenarios.demand import forecast_inputs
from scenarios.loader import dump_scenario, load_scenario
from scenarios.rostering import horizon_grid
from scenarios.spec import Scenario

SEGMENTS = ("weekday", "night", "weekend")
"""Parts of the week the SLA is split into, in the first site's local time."""
NIGHT_HOURS = (22, 6)
"""Local night for the SLA split: from 22:00 to 06:00 (the contracts' default window)."""
ROSTERED = ("optimal", "feasible")
"""Roster statuses that are a plan."""
NO_BOUND_GAP = 0.999
"""A roster gap at or above this says the solver proved nothing about the roster's cost."""


@dataclass(frozen=True)
class Demand:
    """What every variant faces: the forecast's history, actual arrivals and their contacts.

    Attributes:
        history: interval history before the horizon (forecasting.schema.HISTORY); empty
            in a task whose forecast is fitted already (it is the bulk of a task's bytes).
        actuals: interval arrivals in the horizon (history columns), or None.
        contacts: the horizon's contacts as they arrived (forecasting.schema.CONTACTS),
            replayed in the simulation of every variant.
    """

    history: pd.DataFrame
    actuals: pd.DataFrame | None
    contacts: pd.DataFrame


@dataclass(frozen=True)
class VariantTask:
    """One variant's work, picklable for process and Dask executors.

    `plan.simulation` holds the replications and seed every variant shares; `fitted` is
    the scenario's forecast when already fitted (`plan_scenario`'s `fitted`).
    """

    scenario: Scenario
    demand: Demand
    plan: PlanSettings
    fitted: tuple[pd.DataFrame, str] | None = None

    def cost(self) -> float:
        """A rough size of the task's work, to send the biggest first: heads x days."""
        heads = sum(group.count for site in self.scenario.sites for group in site.headcount)
        return float(heads * self.plan.weeks)


@dataclass(frozen=True)
class ForecastTask:
    """One forecast to fit on the executor: every variant with the same demand shares it."""

    scenario: Scenario
    history: pd.DataFrame
    grid: pd.DatetimeIndex
    model: str


@dataclass(frozen=True)
class VariantResult:
    """One variant planned, simulated and priced.

    Attributes:
        scenario: the variant.
        cost: priced on the simulated outcomes (tickets handled, BPO usage).
        solver: roster status, objective, bound, gap (None when unknown), seconds.
        simulated: the simulation of its roster (SLA tables with 95% intervals).
        segments: SLA per queue and part of the week: queue, segment, target,
            service_level, contacts (from the outcomes averaged over replications).
        night_shifts: rostered shifts the roster marks as night shifts.
        vendor_fte: BPO agent-hours over full-time weeks (40 h) of the horizon: BPO FTE.
        coverage: heads per hour of the week (`heads_by_hour`): required, in-house, BPO.
    """

    scenario: Scenario
    cost: CostReport
    solver: SolverFigures
    simulated: SimulationResult
    segments: pd.DataFrame
    night_shifts: int
    vendor_fte: float
    coverage: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The variant's scenario name."""
        return self.scenario.name

    @property
    def rostered(self) -> bool:
        """Whether the solver found a roster (else its figures are no plan at all)."""
        return self.solver.status in ROSTERED

    @property
    def no_bound(self) -> bool:
        """Whether the roster solve proved no bound (a 100% gap, or none reported)."""
        gap = self.solver.gap
        return gap is None or gap >= NO_BOUND_GAP

    def overall_sla(self) -> float:
        """Contacts answered within target over every queue (contacts pooled)."""
        table = self.simulated.sla_by_queue
        contacts = table["contacts"].to_numpy(dtype=float)
        levels = table["service_level"].to_numpy(dtype=float)
        seen = contacts > 0
        if not seen.any():
            return math.nan
        return float(np.sum(levels[seen] * contacts[seen]) / contacts[seen].sum())

    def targets_met(self) -> bool:
        """Whether every queue's simulated SLA meets its target."""
        table = self.simulated.sla_by_queue
        return bool((table["service_level"].fillna(1.0) >= table["target"]).all())


@dataclass(frozen=True)
class Comparison:
    """Every variant's result, the table of comparison.csv and the frontier's names."""

    variants: tuple[VariantResult, ...]
    table: pd.DataFrame
    frontier: tuple[str, ...]
    replications: int
    seed: int
    segments_timezone: str


@dataclass(frozen=True)
class DecisionSettings:
    """How the decision commands (compare, size) plan and simulate each candidate.

    Attributes:
        start: first local date of the horizon (a Monday).
        weeks: horizon in weeks.
        replications: simulation runs per candidate (the same seeds for every candidate).
        seed: seeds the synthetic tickets, the roster solver and the replications.
        time_limit_s: roster budget per candidate (default: the scenarios' solver_seconds).
        deterministic: `time_limit_s` is CP-SAT deterministic time, not seconds, so the
            same inputs give the same rosters and figures on any load
            (`SolveSettings.deterministic`).
        solver_workers: CP-SAT workers per candidate.
        executor: `thread`, `local`, `dask://HOST:PORT` (default `followsun.jobs`'s).
        max_workers: candidates run at once on a local pool.
        history_weeks: weeks of synthetic history before the horizon.
    """

    start: date
    weeks: int = 1
    replications: int = 5
    seed: int = 7
    time_limit_s: float | None = None
    deterministic: bool = False
    solver_workers: int = 1
    executor: str | None = None
    max_workers: int | None = None
    history_weeks: int = 52


@dataclass(frozen=True)
class CompareOptions:
    """What `followsun compare` runs.

    The variants' YAML files (the first is the base of every delta, and its demand is
    every variant's), the folder to write into, how to plan each, and the store the
    comparison is recorded in (default `followsun.store.database_url()`).
    """

    scenarios: tuple[Path, ...]
    out: Path
    settings: DecisionSettings
    database_url: str | None = None


@dataclass(frozen=True)
class CompareOutput:
    """The files written, the comparison, and the run it was stored under."""

    csv: Path
    html: Path
    comparison: Comparison
    run_id: int


def run_variant(task: VariantTask) -> VariantResult:
    """Plan one variant through the one pipeline, against the shared demand and seeds.

    The pipeline simulates the roster against the shared contacts and prices it on the
    simulated outcomes.
    """
    scenario = task.scenario
    plan = plan_scenario(
        scenario,
        task.demand.history,
        task.plan,
        actuals=task.demand.actuals,
        contacts=task.demand.contacts,
        fitted=task.fitted,
    )
    assert plan.simulated is not None  # the pipeline always simulates its roster
    roster = plan.roster
    night = roster.roster["night"] if "night" in roster.roster else pd.Series(dtype=bool)
    step = plan.grid[1] - plan.grid[0]
    weeks = (plan.grid[-1] - plan.grid[0] + step) / pd.Timedelta(weeks=1)
    fte_week_hours = float(FTE_HOURS_PER_MONTH) * 12 / 52
    vendor_hours = sum(v.agent_hours for v in plan.cost.by_vendor)
    return VariantResult(
        scenario=scenario,
        cost=plan.cost,
        solver=SolverFigures(
            status=roster.status,
            objective=roster.objective,
            bound=roster.bound,
            gap=roster.gap,
            seconds=roster.wall_seconds,
        ),
        simulated=plan.simulated,
        segments=segment_sla(scenario, plan.outcomes),
        night_shifts=int(night.astype(bool).sum()),
        vendor_fte=vendor_hours / (fte_week_hours * weeks),
        coverage=heads_by_hour(plan.requirements, plan.staffed, scenario.sites[0].timezone),
    )


def fit_task(task: ForecastTask) -> tuple[pd.DataFrame, str]:
    """The forecast of `task` and its method in words (`forecast_in_words`)."""
    return forecast_in_words(task.scenario, task.history, task.grid, task.model)


def forecast_key(scenario: Scenario, plan: PlanSettings) -> Hashable:
    """What a variant's forecast depends on besides the shared history and model alias.

    Two variants with the same key have the same forecast: the scenario's forecast
    inputs (`scenarios.demand.forecast_inputs`) and the horizon's grid.
    """
    grid = horizon_grid(scenario, plan.start, plan.weeks)
    return (forecast_inputs(scenario), grid[0], grid[-1], len(grid))


def fit_forecasts(
    pool: Executor,
    scenarios: Sequence[Scenario],
    history: pd.DataFrame,
    plan: PlanSettings,
    progress: Progress = no_progress,
) -> list[tuple[pd.DataFrame, str]]:
    """Each variant's forecast, each distinct one fitted once on `pool` (in parallel).

    One-lever variants (heads, hours, prices, targets) share the demand, so a sweep fits
    one forecast instead of one per variant, and no variant task carries the history.
    """
    keys = [forecast_key(s, plan) for s in scenarios]
    first: dict[Hashable, Scenario] = {}
    for key, scenario in zip(keys, scenarios, strict=True):
        first.setdefault(key, scenario)
    tasks = [
        ForecastTask(s, history, horizon_grid(s, plan.start, plan.weeks), plan.model)
        for s in first.values()
    ]
    fitted = dict(zip(first, pool.map(fit_task, tasks, progress=progress), strict=True))
    return [fitted[key] for key in keys]


def heads_by_hour(requirements: pd.DataFrame, staffed: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Mean heads per hour of the week in `timezone`: required, in-house and BPO.

    Heads are summed over queues in each interval (the staffed frame shares each agent
    out between queues, so nobody counts twice), then averaged per local hour of the week.
    Returns columns hour (0 = Monday 00:00 local .. 167), required, in_house, bpo.
    """
    column = "scheduled_required" if "scheduled_required" in requirements else "agents_required"
    parts = {
        "required": (requirements["interval_start"], requirements[column]),
        "in_house": (
            staffed.loc[staffed["source"] == "roster", "interval_start"],
            staffed.loc[staffed["source"] == "roster", "agents"],
        ),
        "bpo": (
            staffed.loc[staffed["source"] != "roster", "interval_start"],
            staffed.loc[staffed["source"] != "roster", "agents"],
        ),
    }
    sums = {
        name: pd.Series(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
        .groupby(pd.DatetimeIndex(pd.to_datetime(times, utc=True)))
        .sum()
        for name, (times, values) in parts.items()
    }
    per_interval = pd.DataFrame(sums).fillna(0.0)
    local = pd.DatetimeIndex(pd.to_datetime(per_interval.index, utc=True)).tz_convert(timezone)
    hour = local.dayofweek * 24 + local.hour
    profile = per_interval.groupby(np.asarray(hour)).mean().reindex(range(168), fill_value=0.0)
    return profile.rename_axis("hour").reset_index()


def segment_of(times: pd.Series, timezone: str) -> np.ndarray:
    """'weekend' (local Saturday, Sunday), 'night' (22:00-06:00 local) or 'weekday' per UTC time."""
    local = pd.DatetimeIndex(pd.to_datetime(times, utc=True)).tz_convert(timezone)
    hour = local.hour.to_numpy()
    late, early = NIGHT_HOURS
    night = (hour >= late) | (hour < early)
    weekend = local.dayofweek.to_numpy() >= 5
    return np.where(weekend, "weekend", np.where(night, "night", "weekday"))


def segment_sla(scenario: Scenario, outcomes: pd.DataFrame) -> pd.DataFrame:
    """SLA per queue and part of the week, weighted by contacts as SLA attainment is.

    Returns columns queue, segment, target, service_level (NaN without contacts), contacts.
    """
    timezone = scenario.sites[0].timezone
    weight = sla_weights(outcomes)
    frame = pd.DataFrame(
        {
            "queue": queue_keys(outcomes),
            "segment": segment_of(outcomes["interval_start"], timezone),
            "met": outcomes["service_level"].to_numpy(dtype=float) * weight,
            "contacts": weight,
        }
    )
    summed = frame.groupby(["queue", "segment"], sort=True)[["met", "contacts"]].sum()
    summed = summed.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        level = summed["met"] / summed["contacts"].where(summed["contacts"] > 0)
    targets = {
        QueueKey.of(q.channel, q.language, q.tier).format(): q.target.fraction
        for q in scenario.queues
    }
    return summed.assign(target=summed["queue"].map(targets), service_level=level)[
        ["queue", "segment", "target", "service_level", "contacts"]
    ]


def compare_variants(
    scenarios: Sequence[Scenario],
    demand: Demand,
    plan: PlanSettings,
    simulation: SimulationSettings,
    *,
    executor: str | None = None,
    max_workers: int | None = None,
    progress: Progress = no_progress,
) -> Comparison:
    """Run every variant on the executor against `demand` with the same seeds; tabulate.

    Raises:
        InputError: fewer than one variant, or two variants with the same name.
    """
    check_variants(scenarios)
    plan = replace(plan, simulation=simulation)
    progress(0.0, f"{len(scenarios)} variant(s) on the {executor or 'default'} executor")
    with make_executor(executor, max_workers) as pool:
        fitted = fit_forecasts(pool, scenarios, demand.history, plan, within(progress, 0.0, 0.1))
        lean = replace(demand, history=demand.history.iloc[:0])
        tasks = [VariantTask(s, lean, plan, f) for s, f in zip(scenarios, fitted, strict=True)]
        results = pool.map(
            run_variant, tasks, progress=within(progress, 0.1, 0.95), cost=VariantTask.cost
        )
    table = comparison_table(results)
    progress(1.0, "compared")
    return Comparison(
        variants=tuple(results),
        table=table,
        frontier=frontier_names(table),
        replications=simulation.replications,
        seed=simulation.seed,
        segments_timezone=scenarios[0].sites[0].timezone,
    )


def frontier_names(table: pd.DataFrame) -> tuple[str, ...]:
    """The variants of comparison.csv on the cost-SLA frontier (`evaluation.frontier`).

    A variant without a roster costs nothing and serves no one: it is not a choice.
    """
    rostered = table["roster_status"].isin(ROSTERED).to_numpy()
    costs = table["total_cost"].where(rostered)
    points = frontier(list(costs), list(table["sla_overall"]))
    return tuple(str(table["scenario"].iloc[i]) for i in points)


def check_variants(scenarios: Sequence[Scenario]) -> None:
    """Refuse what cannot be compared before any solving: no variants, duplicate names."""
    if not scenarios:
        raise InputError("compare: give at least one scenario file")
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(
            f"compare: scenario names must differ to tell the variants apart: {', '.join(twice)}"
        )
    currencies = sorted({s.currency for s in scenarios})
    if len(currencies) > 1:
        raise InputError(
            f"compare: the variants are priced in {', '.join(currencies)}; costs in different "
            "currencies cannot be compared without exchange rates (give every variant one currency)"
        )


def comparison_table(results: Sequence[VariantResult]) -> pd.DataFrame:
    """comparison.csv: one row per variant, its figures and their deltas against the first."""
    rows = [_row(r) for r in results]
    table = pd.DataFrame(rows)
    base = table.iloc[0]
    figures = [
        c for c in table.columns if c not in _TEXT_COLUMNS and not c.endswith(("_low", "_high"))
    ]
    deltas = {f"{c}_delta": table[c] - base[c] for c in figures}
    return pd.concat([table, pd.DataFrame(deltas)], axis=1)


_TEXT_COLUMNS = ("scenario", "currency", "roster_status", "targets_met", "segments_timezone")


def _row(result: VariantResult) -> dict[str, object]:
    cost = result.cost
    by_cat = cost.by_category
    topup = sum((v.minimum_topup for v in cost.by_vendor), Decimal(0))
    setup = sum((v.setup for v in cost.by_vendor), Decimal(0))
    credit = sum((v.sla_credit for v in cost.by_vendor), Decimal(0))
    row: dict[str, object] = {
        "scenario": result.name,
        "currency": cost.currency,
        "total_cost": float(cost.total),
        "cost_per_ticket": float(cost.per_ticket) if cost.per_ticket is not None else math.nan,
        "fte": sum(s.fte for s in cost.by_site),
        "vendor_fte": result.vendor_fte,
        "agents": sum(s.agents for s in cost.by_site),
        "night_shifts": result.night_shifts,
        "cost_base": float(by_cat.base),
        "cost_night": float(by_cat.night),
        "cost_weekend": float(by_cat.weekend),
        "cost_holiday": float(by_cat.holiday),
        "cost_bpo": float(by_cat.bpo - topup - setup - credit),
        "cost_minimum_topup": float(topup),
        "cost_bpo_setup": float(setup),
        "cost_sla_credit": float(credit),
        "sla_overall": result.overall_sla(),
        "targets_met": result.targets_met(),
        "roster_status": result.solver.status,
        "roster_gap": math.nan if result.solver.gap is None else result.solver.gap,
    }
    for site in cost.by_site:
        row[f"fte_{site.site}"] = site.fte
    for q in _keyed(result.simulated.sla_by_queue).itertuples():
        row[f"sla_{q.queue}"] = q.service_level
        row[f"sla_{q.queue}_low"] = q.low
        row[f"sla_{q.queue}_high"] = q.high
    for c in result.simulated.sla_by_channel.itertuples():
        row[f"sla_{c.channel}"] = c.service_level
        row[f"sla_{c.channel}_low"] = c.low
        row[f"sla_{c.channel}_high"] = c.high
    for segment in SEGMENTS:
        part = result.segments[result.segments["segment"] == segment]
        contacts = part["contacts"].to_numpy(dtype=float)
        levels = part["service_level"].fillna(0.0).to_numpy(dtype=float)
        total = contacts.sum()
        row[f"sla_{segment}"] = float(np.sum(levels * contacts) / total) if total > 0 else math.nan
    row["segments_timezone"] = result.scenario.sites[0].timezone
    return row


def _keyed(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(queue=queue_keys(table))


def prepare(
    scenarios: Sequence[Scenario], settings: DecisionSettings
) -> tuple[Demand, PlanSettings, SimulationSettings]:
    """The first scenario's synthetic demand, and the plan and simulation settings for all."""
    history, actuals, contacts = synthetic_history(
        scenarios[0], settings.start, settings.weeks, settings.history_weeks, settings.seed
    )
    demand = Demand(history=history, actuals=actuals, contacts=contacts)
    limit = settings.time_limit_s or max(s.planning.solver_seconds for s in scenarios)
    plan = PlanSettings(
        start=settings.start,
        weeks=settings.weeks,
        model="auto",
        solver=SolveSettings(
            time_limit_s=limit,
            num_workers=settings.solver_workers,
            seed=settings.seed,
            deterministic=settings.deterministic,
        ),
    )
    simulation = SimulationSettings(replications=settings.replications, seed=settings.seed)
    return demand, plan, simulation


def run_compare(options: CompareOptions, progress: Progress = no_progress) -> CompareOutput:
    """Load the variants, build the first one's demand, compare, write the two files."""
    check_output_folder(options.out, options.scenarios)
    scenarios = [load_scenario(path) for path in options.scenarios]
    check_variants(scenarios)
    progress(0.0, "synthetic demand of the first scenario, shared by every variant")
    demand, plan, simulation = prepare(scenarios, options.settings)
    comparison = compare_variants(
        scenarios,
        demand,
        plan,
        simulation,
        executor=options.settings.executor,
        max_workers=options.settings.max_workers,
        progress=within(progress, 0.05, 0.95),
    )
    csv, html = write_comparison(options.out, comparison)
    run_id = store_comparison(
        comparison, scenarios, options.settings, options.out, options.database_url
    )
    progress(1.0, f"wrote {csv.name} and {html.name}; stored as run {run_id}")
    return CompareOutput(csv, html, comparison, run_id)


def compare_inputs_hash(scenarios: Sequence[Scenario], settings: DecisionSettings) -> str:
    """A digest of everything a comparison's figures depend on (a stored one is reused)."""
    return json_digest(
        [
            [dump_scenario(s) for s in scenarios],
            str(settings.start),
            settings.weeks,
            settings.replications,
            settings.seed,
            settings.time_limit_s,
            settings.solver_workers,
            settings.history_weeks,
        ]
    )


def store_comparison(
    comparison: Comparison,
    scenarios: Sequence[Scenario],
    settings: DecisionSettings,
    out: Path,
    database_url: str | None,
) -> int:
    """Record the comparison as a succeeded `compare` run with its comparison.csv; its id.

    `out` is the folder its files are (or will be, for the demo's) in.
    """
    engine = init_db(database_url)
    with session_scope(engine) as session:
        stored = save_scenario(session, scenarios[0].name, dump_scenario(scenarios[0]))
        run = record_run(session, COMPARE_KIND, compare_inputs_hash(scenarios, settings), stored.id)
        save_comparison(
            session,
            run.id,
            [v.name for v in comparison.variants],
            verdict(comparison),
            comparison_csv(comparison),
        )
        table = comparison.table
        finish_run(
            session,
            run.id,
            RunStatus.SUCCEEDED,
            summary={
                "variants": [v.name for v in comparison.variants],
                "frontier": list(comparison.frontier),
                "replications": comparison.replications,
                "seed": comparison.seed,
                "total_cost": dict(
                    zip(table["scenario"], map(float, table["total_cost"]), strict=True)
                ),
                "targets_met": dict(
                    zip(table["scenario"], map(bool, table["targets_met"]), strict=True)
                ),
            },
            outputs_location=str(out.resolve()),
        )
        run_id = run.id
    engine.dispose()
    return run_id


def stored_comparison(
    scenarios: Sequence[Scenario], settings: DecisionSettings, database_url: str | None
) -> ComparisonRecord | None:
    """The newest stored comparison of these very variants and settings, or None."""
    engine = init_db(database_url)
    try:
        with session_scope(engine) as session:
            run = find_run(session, COMPARE_KIND, compare_inputs_hash(scenarios, settings))
            return None if run is None else get_comparison(session, run.id)
    finally:
        engine.dispose()


DEMO_REPLICATIONS = 3
DEMO_DETERMINISTIC_TIME = 2.0
"""The demo's roster budget per variant, in CP-SAT deterministic time: the same figures on any machine."""


@dataclass(frozen=True)
class DemoComparison:
    """The bundled variants compared for the demo: the report's section and the files.

    `page` is comparison.html, None when the comparison was a stored one (its figures
    are in the store, not its charts).
    """

    section: ComparisonSection
    csv: str
    page: str | None


def budget_words(limit: float, deterministic: bool) -> str:
    """A roster budget in words: seconds, or units of CP-SAT deterministic time."""
    return f"{limit:g} units of deterministic time" if deterministic else f"{limit:g} s"


def demo_settings(start: date, seed: int, workers: int) -> DecisionSettings:
    """The demo comparison's settings: its start and seed, one week, the demo budget."""
    return DecisionSettings(
        start=start,
        weeks=1,
        replications=DEMO_REPLICATIONS,
        seed=seed,
        time_limit_s=DEMO_DETERMINISTIC_TIME,
        deterministic=True,
        solver_workers=1,
        max_workers=workers,
    )


def demo_comparison(
    paths: Sequence[Path],
    settings: DecisionSettings,
    database_url: str | None,
    location: Path,
    progress: Progress = no_progress,
) -> DemoComparison:
    """Compare the variants for the demo, or reuse the stored comparison of the same inputs.

    A fresh comparison is stored as a `compare` run whose files are at `location`.
    """
    scenarios = [load_scenario(path) for path in paths]
    check_variants(scenarios)
    found = stored_comparison(scenarios, settings, database_url)
    if found is not None:
        table = found.table()
        how = (
            f"Reused the comparison stored as run {found.run_id} "
            f"({found.started_at:%Y-%m-%d %H:%M} UTC), computed on the same inputs."
        )
        section = ComparisonSection(table, frontier_names(table), found.verdict, how)
        return DemoComparison(section, found.csv, None)
    progress(0.0, f"{len(scenarios)} bundled variants on one week")
    demand, plan, simulation = prepare(scenarios, settings)
    comparison = compare_variants(
        scenarios,
        demand,
        plan,
        simulation,
        executor=settings.executor,
        max_workers=settings.max_workers,
        progress=within(progress, 0.05, 0.95),
    )
    run_id = store_comparison(comparison, scenarios, settings, location, database_url)
    how = (
        f"{len(scenarios)} variants on {settings.weeks} week(s) from {settings.start}, "
        f"{settings.replications} replications (common random numbers, seed {settings.seed}), "
        f"{budget_words(plan.solver.time_limit_s, settings.deterministic)} a roster; "
        f"stored as run {run_id}."
    )
    section = ComparisonSection(
        comparison.table, comparison.frontier, tuple(verdict(comparison)), how
    )
    return DemoComparison(section, comparison_csv(comparison), render_comparison(comparison))
