"""Plan a scenario and keep it: the pipeline, its files and the store (the demo's run).

The reference organisation is bundled. Synthetic helpdesk history stands in for an
import: a year before the horizon is the forecast's history, and the tickets of the
horizon itself are the "actuals" the roster is evaluated against, so the reported SLA
includes the forecast's own error. With `tickets="store"` the imported tickets are used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followsun.atomic import StagedFolder, check_output_folder, replacing_folder
from followsun.errors import InputError
from followsun.files import write_plan_files
from followsun.jobs import JobResult
from followsun.report import ReportData, SolverFigures, summary_json
from followsun.services.params import from_params
from followsun.services.pipeline import Plan, PlanSettings, plan_scenario
from followsun.services.progress import Progress, Stages, no_progress, within
from followsun.services.replay import CHECK_DAYS, latest_month_check
from followsun.store import (
    RunStatus,
    finish_run,
    init_db,
    publish_roster,
    record_run,
    save_forecast,
    save_requirements,
    save_roster,
    save_scenario,
    session_scope,
    tickets_frame,
)
from forecasting.aggregate import history_before, interval_history, names_every_region
from forecasting.queues import queue_keys
from forecasting.schema import CONTACTS
from forecasting.synthetic import synthetic_tickets
from planner.roster.solve import SolveSettings
from scenarios.demand import demand_inputs
from scenarios.fairness import fairness_by_agent, fairness_spread, wishes_by_agent
from scenarios.loader import dump_scenario, load_scenario
from scenarios.rostering import horizon_grid
from scenarios.spec import Scenario

# Fraction of a run done as each stage starts: the pipeline (mostly the solve) takes the bulk.
STAGES = {"history": 0.0, "pipeline": 0.05, "comparison": 0.5, "report": 0.9, "store": 0.95}


COMPARISON_FOLDER = "comparison"
"""Where in the demo's folder the bundled variants' comparison is written."""


def reference_scenario_path() -> Path:
    """The bundled reference organisation's scenario file."""
    return Path(str(resources.files("scenarios") / "examples" / "reference.yaml"))


def bundled_variants() -> tuple[Path, ...]:
    """The bundled example scenarios, the reference first (the base of the comparison)."""
    reference = reference_scenario_path()
    others = sorted(p for p in reference.parent.glob("*.yaml") if p != reference)
    return (reference, *others)


def next_monday(today: date) -> date:
    """The first Monday after `today`: the start of the next whole week."""
    return today + timedelta(days=7 - today.weekday())


@dataclass(frozen=True)
class DemoOptions:
    """What the demo plans and where it writes."""

    out: Path
    start: date
    weeks: int
    seed: int = 7
    history_weeks: int = 52
    time_limit_s: float | None = None
    workers: int = 2
    database_url: str | None = None
    scenario_path: Path | None = None
    tickets: str = "synthetic"
    publish: bool = False
    compare: tuple[Path, ...] = ()


@dataclass(frozen=True)
class DemoResult:
    """The plan, the report data, the run id it was stored under and the published version."""

    plan: Plan
    report: ReportData
    run_id: int
    history: pd.DataFrame
    actuals: pd.DataFrame | None
    published_version: int | None = None


def horizon_contacts(tickets: pd.DataFrame, horizon: pd.DatetimeIndex) -> pd.DataFrame:
    """The tickets created in the horizon, one contact a row (tickets.csv's columns).

    Arrivals are whole seconds, as tickets.csv writes them, so the file replays exactly
    what the plan was simulated against.
    """
    end = horizon[-1] + (horizon[1] - horizon[0])
    inside = tickets[(tickets["created_at"] >= horizon[0]) & (tickets["created_at"] < end)]
    columns = [c for c in CONTACTS.names if c in inside.columns]
    contacts = inside.loc[:, columns].assign(created_at=inside["created_at"].dt.floor("s"))
    return contacts.sort_values("created_at", kind="stable").reset_index(drop=True)


def synthetic_history(
    scenario: Scenario, start: date, weeks: int, history_weeks: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History before the horizon, actual arrivals in it, and its contacts one by one.

    History and actuals are per customer region; the contacts are the horizon's tickets.
    """
    horizon = horizon_grid(scenario, start, weeks)
    step = horizon[1] - horizon[0]
    begin = horizon[0] - pd.Timedelta(weeks=history_weeks)
    end = horizon[-1] + step
    tickets = synthetic_tickets(demand_inputs(scenario), begin, end, np.random.default_rng(seed))
    past = pd.date_range(begin, horizon[0], freq=step, inclusive="left", name="interval_start")
    history = interval_history(tickets, past, by_region=True)
    actuals = interval_history(tickets, horizon, by_region=True)
    return history, actuals, horizon_contacts(tickets, horizon)


def stored_history(
    scenario: Scenario, start: date, weeks: int, history_weeks: int, database_url: str | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """Interval history from the store's imported tickets, and actuals if the horizon is past.

    History starts at the first stored ticket (at most `history_weeks` before the
    horizon); per customer region when every ticket names one. Actual arrivals are
    returned only when stored tickets reach the end of the horizon, with the horizon's
    contacts one by one; otherwise the outcomes are evaluated against the forecast.
    """
    horizon = horizon_grid(scenario, start, weeks)
    step = horizon[1] - horizon[0]
    end = horizon[-1] + step
    engine = init_db(database_url)
    with session_scope(engine) as session:
        tickets = tickets_frame(
            session, since=horizon[0] - pd.Timedelta(weeks=history_weeks), until=end
        )
    engine.dispose()
    if not (tickets["created_at"] < horizon[0]).any():
        raise InputError(
            f"the store has no tickets in the {history_weeks} weeks before {start}; import some "
            "(followsun import zendesk|freshdesk|csv) or run the demo on synthetic tickets"
        )
    by_region = names_every_region(tickets)
    history = history_before(
        tickets, horizon[0], scenario.planning.interval_minutes, by_region=by_region
    )
    actuals = contacts = None
    if tickets["created_at"].max() >= end - pd.Timedelta(days=1):
        actuals = interval_history(tickets, horizon, by_region=by_region)
        contacts = horizon_contacts(tickets, horizon)
    return history, actuals, contacts


def stored_model_check(scenario: Scenario, start: date, database_url: str | None) -> str | None:
    """How well the simulation replays the imported contact log just before the horizon."""
    horizon = horizon_grid(scenario, start, 1)
    engine = init_db(database_url)
    with session_scope(engine) as session:
        tickets = tickets_frame(
            session, since=horizon[0] - pd.Timedelta(days=CHECK_DAYS), until=horizon[0]
        )
    engine.dispose()
    return latest_month_check(tickets, horizon[0])


def json_digest(parts: list[object]) -> str:
    """SHA-256 (hex) of the parts as sorted JSON: a run's inputs hash."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def inputs_hash(scenario_yaml: str, options: DemoOptions) -> str:
    """What makes two runs the same run: the scenario and every setting that shapes it."""
    return json_digest(
        [
            scenario_yaml,
            str(options.start),
            options.weeks,
            options.seed,
            options.history_weeks,
            options.tickets,
        ]
    )


def run_demo(options: DemoOptions, progress: Progress = no_progress) -> DemoResult:
    """Plan the scenario (the reference by default), write every file into `options.out`, store the run.

    `options.out` is replaced whole, and only once every file is written and the run is
    being stored (docs/RELIABILITY.md).
    """
    check_output_folder(options.out, inputs=[options.scenario_path])
    stages = Stages(progress, STAGES)
    scenario = load_scenario(options.scenario_path or reference_scenario_path())
    resolved = dump_scenario(scenario)
    stages.start("history")
    check = None
    if options.tickets == "store":
        history, actuals, contacts = stored_history(
            scenario, options.start, options.weeks, options.history_weeks, options.database_url
        )
        check = stored_model_check(scenario, options.start, options.database_url)
    else:
        history, actuals, contacts = synthetic_history(
            scenario, options.start, options.weeks, options.history_weeks, options.seed
        )
    limit = options.time_limit_s or scenario.planning.solver_seconds
    settings = PlanSettings(
        start=options.start,
        weeks=options.weeks,
        model="auto",
        solver=SolveSettings(time_limit_s=limit, num_workers=options.workers, seed=options.seed),
    )
    stages.start("pipeline")
    pipeline_progress = within(
        progress, STAGES["pipeline"], STAGES["comparison" if options.compare else "report"]
    )
    plan = plan_scenario(
        scenario,
        history,
        settings,
        actuals=actuals,
        contacts=contacts,
        progress=pipeline_progress,
    )
    compared = None
    if options.compare:
        # Imported here: the compare service builds on this module's synthetic history.
        from followsun.services.compare import demo_comparison, demo_settings

        stages.start("comparison")
        compared = demo_comparison(
            options.compare,
            demo_settings(options.start, options.seed, options.workers),
            options.database_url,
            options.out.resolve() / COMPARISON_FOLDER,
            within(progress, STAGES["comparison"], STAGES["report"]),
        )
    stages.start("report")
    report = report_data(plan, history)
    if check is not None:
        report = replace(report, methods=(*report.methods, ("model check", check)))
    if compared is not None:
        report = replace(report, comparison=compared.section)
    with replacing_folder(options.out) as staged:
        write_plan_files(staged.path, plan, report, history, actuals, resolved, contacts)
        if compared is not None:
            folder = staged.path / COMPARISON_FOLDER
            folder.mkdir()
            (folder / "comparison.csv").write_text(compared.csv, encoding="utf-8")
            if compared.page is not None:
                (folder / "comparison.html").write_text(compared.page, encoding="utf-8")
        stages.start("store")
        run_id, published = store_run(options, plan, report, resolved, staged)
    stages.done()
    return DemoResult(plan, report, run_id, history, actuals, published)


def plan_job(params: dict[str, Any], progress: Progress) -> JobResult:
    """`run_demo` as a job (`followsun.jobs.submit`): params are `to_params(DemoOptions)`."""
    result = run_demo(from_params(DemoOptions, params), progress)
    summary = {
        **json.loads(summary_json(result.report)),
        "run_id": result.run_id,
        "published_version": result.published_version,
    }
    return JobResult(summary=summary, location=str(params["out"]))


def _wishes_granted(plan: Plan) -> tuple[int, int]:
    """(granted, wished) over the dates the roster spans."""
    roster = plan.roster.roster
    if roster.empty:
        return (0, 0)
    dates = pd.to_datetime(roster["date_local"].astype(str))
    first = dates.min().date()
    wishes = wishes_by_agent(plan.scenario, roster, first, (dates.max().date() - first).days + 1)
    return int(wishes["granted"].sum()), int(wishes["wishes"].sum())


def report_data(plan: Plan, history: pd.DataFrame) -> ReportData:
    """The report's view of a plan."""
    result = plan.roster
    return ReportData(
        scenario=plan.scenario.name,
        description=plan.scenario.description,
        methods=plan.methods,
        history=_by_queue(history),
        forecast=plan.forecast,
        requirements=plan.requirements,
        coverage=allocated_coverage(result.coverage, plan.staffed),
        roster=result.roster,
        outcomes=plan.outcomes,
        cost=plan.cost,
        solver=SolverFigures(
            status=result.status,
            objective=result.objective,
            bound=result.bound,
            gap=result.gap,
            seconds=result.wall_seconds,
        ),
        accuracy=plan.accuracy,
        simulated=plan.simulated,
        analytic_outcomes=plan.analytic_outcomes,
        fairness=fairness_spread(fairness_by_agent(plan.scenario, result.roster)),
        wishes=_wishes_granted(plan),
        sla_targets=tuple(
            sorted({(q.channel, q.target.fraction) for q in plan.scenario.queues if q.tier == 1})
        ),
    )


def allocated_coverage(coverage: pd.DataFrame, staffed: pd.DataFrame) -> pd.DataFrame:
    """Coverage with `scheduled` as the heads allocated to each queue, for the pictures.

    The solver's coverage counts every skill holder at work in each queue they could
    serve; the report shows how the rostered heads are shared out instead.
    """
    roster = staffed[staffed["source"] == "roster"]
    heads = (
        roster.assign(group=queue_keys(roster, "staffed"))
        .groupby(["interval_start", "group"])["agents"]
        .sum()
    )
    keyed = coverage.set_index(["interval_start", "group"])
    scheduled = heads.reindex(keyed.index).fillna(0.0).to_numpy()
    return coverage.assign(scheduled=scheduled)


def _by_queue(history: pd.DataFrame) -> pd.DataFrame:
    """History summed over customer regions (the report shows queues)."""
    keys = ["interval_start", "channel", "language", "tier"]
    summed = history.groupby(keys, sort=True)["volume"].sum(min_count=1)
    return summed.reset_index()


def store_run(
    options: DemoOptions, plan: Plan, report: ReportData, resolved_yaml: str, staged: StagedFolder
) -> tuple[int, int | None]:
    """Record the run, its forecast, requirements and roster version in the store.

    The staged output folder is swapped into `options.out` just before the transaction
    commits, so the stored run's location holds this run's files. Returns the run id and,
    when `options.publish` asks and the roster was solved, the roster version published.
    """
    published = None
    engine = init_db(options.database_url)
    with session_scope(engine) as session:
        stored = save_scenario(session, plan.scenario.name, resolved_yaml)
        run = record_run(session, "demo", inputs_hash(resolved_yaml, options), stored.id)
        save_forecast(session, run.id, plan.forecast)
        save_requirements(session, run.id, plan.requirements)
        solved = plan.roster.solved
        if len(plan.roster.roster):
            version = save_roster(session, plan.scenario.name, plan.roster.roster, run_id=run.id)
            if options.publish and solved:
                published = publish_roster(session, version.id).version
        status = RunStatus.SUCCEEDED if solved else RunStatus.FAILED
        finish_run(
            session,
            run.id,
            status,
            summary=json.loads(summary_json(report)),
            outputs_location=str(options.out.resolve()),
        )
        run_id = run.id
        staged.commit()
    engine.dispose()
    return run_id, published
