"""Re-plan a published roster version from the store alone, for the web app.

The version's run recorded the scenario and the requirements it was planned from; the
re-plan solves the same period again with the stored agents and absences, continuing from
the version (with an optional freeze), and keeps the result as the scenario's next,
unpublished version so a scheduler can look at the changes before publishing it.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from followsun.files import write_requirements, write_text
from followsun.jobs import JobResult
from followsun.services.params import from_params
from followsun.services.people import ImportCounts
from followsun.services.progress import Progress, no_progress
from followsun.services.roster import RosterRequest, RosterRun, solve_and_publish
from followsun.services.versions import VersionRef, find_version
from followsun.store import (
    RosterVersion,
    get_run,
    get_scenario,
    requirements_frame,
    roster_frame,
    save_roster,
    store_session,
)
from followsun.store import people as stored
from forecasting.errors import InputError
from scenarios.loader import load_scenario
from scenarios.people import Person
from scenarios.rostering import scenario_agents


@dataclass(frozen=True)
class ReplanRequest:
    """Which published version to re-plan, and how.

    Attributes:
        scenario: the scenario's name.
        version: the published version to continue from.
        out: folder for the roster files (replaced whole, as `followsun roster --out`).
        freeze_until: 'YYYY-MM-DD[THH:MM]' local time: shifts starting before it stay.
        time_limit_s: solver seconds (None: the scenario's solver_seconds).
        seed: solver random seed.
        workers: solver workers.
        database_url: the store (None: the configured one).
    """

    scenario: str
    version: int
    out: Path
    freeze_until: str | None = None
    time_limit_s: float | None = None
    seed: int = 0
    workers: int = 2
    database_url: str | None = None


@dataclass(frozen=True)
class Replanned:
    """The solve, the version it continued from and the new unpublished version (None if unsolved)."""

    run: RosterRun
    previous: RosterVersion
    saved: RosterVersion | None


@dataclass(frozen=True)
class _Inputs:
    version: RosterVersion
    scenario_text: str
    requirements: Any
    start: date
    weeks: int


def _inputs(ref: VersionRef, database_url: str | None) -> _Inputs:
    """The version with the scenario text, requirements and period of the run that made it."""
    with store_session(database_url) as session:
        version = find_version(session, ref)
        if version.run_id is None:
            raise InputError(
                f"{ref} was not made by a recorded plan: re-plan it with `followsun roster` "
                "and its scenario and requirements files"
            )
        run = get_run(session, version.run_id)
        if run.scenario_id is None:
            raise InputError(f"{ref}: its run {run.id} recorded no scenario")
        text = get_scenario(session, run.scenario_id).content
        requirements = requirements_frame(session, run.id)
        days = sorted({str(d)[:10] for d in roster_frame(session, version.id)["date_local"]})
    if not days:
        raise InputError(f"{ref} holds no shift to re-plan")
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    weeks = max(1, math.ceil(((last - first).days + 1) / 7))
    return _Inputs(version, text, requirements, first, weeks)


def replan_version(request: ReplanRequest, progress: Progress = no_progress) -> Replanned:
    """Re-plan a published version around the stored agents and absences; keep it unpublished.

    Raises:
        InputError: no such version, not published, no recorded run, or a bad freeze.
    """
    ref = VersionRef(request.scenario, request.version)
    found = _inputs(ref, request.database_url)
    if not found.version.published:
        raise InputError(f"{ref} is not published: re-plan from the published version")
    with tempfile.TemporaryDirectory(prefix="followsun-replan-") as folder:
        scenario_file = Path(folder) / "scenario.yaml"
        requirements_file = Path(folder) / "requirements.csv"
        write_text(scenario_file, found.scenario_text)
        write_requirements(found.requirements, requirements_file)
        run = solve_and_publish(
            RosterRequest(
                scenario=scenario_file,
                requirements=requirements_file,
                start=found.start,
                weeks=found.weeks,
                out=request.out,
                time_limit_s=request.time_limit_s,
                workers=request.workers,
                seed=request.seed,
                previous_version=request.version,
                freeze_until=request.freeze_until or None,
                people=True,
                database_url=request.database_url,
            ),
            progress,
        )
    saved = None
    if run.result.solved and len(run.result.roster):
        with store_session(request.database_url) as session:
            saved = save_roster(
                session, request.scenario, run.result.roster, run_id=found.version.run_id
            )
    return Replanned(run, found.version, saved)


def replan_job(params: dict[str, Any], progress: Progress) -> JobResult:
    """`replan_version` as a job: params are `to_params(ReplanRequest)`."""
    done = replan_version(from_params(ReplanRequest, params), progress)
    result = done.run.result
    summary = {
        "status": result.status,
        "objective": result.objective,
        "gap": result.gap,
        "shifts": len(result.roster),
        "scenario": done.previous.scenario_name,
        "previous_version": done.previous.version,
        "previous_roster_id": done.previous.id,
        "version": None if done.saved is None else done.saved.version,
        "roster_id": None if done.saved is None else done.saved.id,
        "changes": None if done.run.changes is None else len(done.run.changes),
    }
    if done.saved is None:
        summary["not_kept"] = f"the re-plan is {result.status}: no version was kept. " + "; ".join(
            result.binding_rules
        )
    return JobResult(summary=summary, location=str(params["out"]))


def store_version_agents(ref: VersionRef, database_url: str | None = None) -> ImportCounts:
    """Store the agents a version was planned with as named people (new added, known updated).

    The sample organisation plans a headcount; storing its agents under the ids the roster
    uses lets a scheduler record their absences and re-plan around them.

    Raises:
        InputError: no such version, or it was not made by a recorded plan.
    """
    found = _inputs(ref, database_url)
    with tempfile.TemporaryDirectory(prefix="followsun-agents-") as folder:
        path = Path(folder) / "scenario.yaml"
        write_text(path, found.scenario_text)
        scenario = load_scenario(path)
    people = [
        Person(
            agent_id=agent.id,
            name=agent.id,
            site=site.id,
            tier=agent.tier,
            skills=tuple(agent.skills),
            contract=agent.contract,
        )
        for site in scenario.sites
        for agent in scenario_agents(site)
    ]
    with store_session(database_url) as session:
        added, updated = stored.save_people(session, people)
    return ImportCounts(added, updated)
