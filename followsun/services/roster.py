"""Solve a scenario's roster from a requirements file, write its files, optionally publish it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from followsun.atomic import check_output_folder, replacing_folder
from followsun.files import read_csv, read_requirements, write_roster_files
from followsun.jobs import JobResult
from followsun.services.params import from_params
from followsun.services.progress import Progress, Stages, no_progress, within
from followsun.store import init_db, publish_roster, save_roster, session_scope
from forecasting.errors import InputError
from planner.gap import relative_gap
from planner.roster import RosterResult, SolveSettings, solve_roster
from planner.roster.schema import ROSTER
from scenarios.loader import load_scenario
from scenarios.rostering import roster_inputs

# Fraction of the work done as each stage starts: the solve takes nearly all of it.
STAGES = {"read": 0.0, "solve": 0.02, "write": 0.98}


@dataclass(frozen=True)
class RosterRequest:
    """What to roster and how hard to try.

    Attributes:
        scenario: scenario YAML.
        requirements: requirements CSV (as `followsun staff` writes it).
        start: first local date.
        weeks: weeks rostered.
        out: folder for roster.csv, coverage.csv, solver.json and ics/ (replaced whole).
        time_limit_s: solver seconds (None: the scenario's solver_seconds).
        workers: solver workers.
        seed: solver random seed.
        previous: the published roster.csv the new one continues from, if any.
        publish: store the roster as the scenario's next version and publish it.
        database_url: the store (None: the configured one).
    """

    scenario: Path
    requirements: Path
    start: date
    weeks: int
    out: Path
    time_limit_s: float | None = None
    workers: int = 2
    seed: int = 0
    previous: Path | None = None
    publish: bool = False
    database_url: str | None = None


@dataclass(frozen=True)
class RosterRun:
    """The solve, how many agents it rostered and the version published (None if not)."""

    scenario_name: str
    result: RosterResult
    agents: int
    published_version: int | None


def solve_and_publish(request: RosterRequest, progress: Progress = no_progress) -> RosterRun:
    """Solve the roster, write its files and, when asked and solved, publish it.

    Raises:
        InputError: a bad scenario, requirements or previous roster file, or bad weeks.
    """
    check_output_folder(request.out, [request.scenario, request.requirements, request.previous])
    stages = Stages(progress, STAGES)
    stages.start("read")
    scenario = load_scenario(request.scenario)
    requirements = read_requirements(request.requirements)
    previous = None
    if request.previous is not None:
        previous = read_csv(request.previous, ROSTER, ("agent_id", "date_local", "shift"))
    if request.weeks < 1:
        raise InputError(f"--weeks must be >= 1, got {request.weeks}")
    try:
        inputs = roster_inputs(
            scenario, requirements, request.start, request.weeks, previous=previous
        )
    except InputError as exc:
        # Name the file for requirement problems; scenario problems carry field paths.
        message = exc.args[0] if exc.args else str(exc)
        if message.startswith("requirements:"):
            message = f"{request.requirements}:" + message.removeprefix("requirements:")
        raise InputError(message, exc.problems) from exc
    limit = (
        request.time_limit_s
        if request.time_limit_s is not None
        else scenario.planning.solver_seconds
    )
    stages.start("solve")
    settings = SolveSettings(
        time_limit_s=limit,
        num_workers=request.workers,
        seed=request.seed,
        on_progress=solver_progress(within(progress, STAGES["solve"], STAGES["write"]), limit),
    )
    result = solve_roster(inputs, settings)
    stages.start("write")
    with replacing_folder(request.out) as staged:
        write_roster_files(result, staged.path)
    run = RosterRun(scenario.name, result, len(inputs.agents), None)
    if request.publish and result.solved and len(result.roster):
        version = publish(scenario.name, result.roster, request.database_url)
        run = replace(run, published_version=version)
    stages.done()
    return run


def roster_job(params: dict[str, Any], progress: Progress) -> JobResult:
    """`solve_and_publish` as a job (`followsun.jobs.submit`): params are `to_params(RosterRequest)`."""
    run = solve_and_publish(from_params(RosterRequest, params), progress)
    result = run.result
    summary = {
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "shifts": len(result.roster),
        "agents": run.agents,
        "published_version": run.published_version,
    }
    return JobResult(summary=summary, location=str(params["out"]))


def solver_progress(progress: Progress, limit_s: float) -> Callable[[float, float, float], None]:
    """The solver's reports (seconds, objective, bound) as Progress: time used, objective, gap."""

    def show(seconds: float, objective: float, bound: float) -> None:
        text = f"roster: objective {objective:,.0f}"
        if math.isfinite(bound):
            text += f", bound {bound:,.0f}, gap {relative_gap(objective, bound):.1%}"
        progress(min(seconds / limit_s, 1.0) if limit_s > 0 else None, text)

    return show


def publish(scenario_name: str, roster: pd.DataFrame, database_url: str | None = None) -> int:
    """Store `roster` as the scenario's next roster version, publish it; return the version."""
    engine = init_db(database_url)
    try:
        with session_scope(engine) as session:
            stored = save_roster(session, scenario_name, roster)
            version = publish_roster(session, stored.id).version
    finally:
        engine.dispose()
    return version
