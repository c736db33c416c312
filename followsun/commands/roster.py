"""`followsun roster`: shift rosters per agent from a scenario and its requirements.

Writes roster.csv, coverage.csv, solver.json and ics/<agent>.ics into --out. Exit 1 when
hard rules had to be relaxed or no roster was found (the report is still written). With
--publish the roster is stored as the scenario's next roster version and published
(`followsun feedback` checks the published roster against the latest actuals).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from followsun.commands.arguments import iso_date
from followsun.roster_files import write_outputs
from followsun.store import init_db, publish_roster, save_roster, session_scope
from forecasting.errors import InputError
from planner.gap import relative_gap
from planner.roster import RosterInputs, RosterResult, SolveSettings, solve_roster
from scenarios.loader import load_scenario
from scenarios.rostering import REQUIREMENT_COLUMNS, roster_inputs


def register(subparsers: Any) -> None:
    """Add the `roster` command."""
    parser = subparsers.add_parser(
        "roster",
        help="solve the shift roster per agent (CP-SAT)",
        description="Roster every agent of the scenario for N weeks from a local start date, "
        "covering the requirements per UTC interval under each site's labour rules. Writes "
        "roster.csv, coverage.csv, solver.json and ics/ (one calendar per agent).",
    )
    parser.add_argument("--scenario", required=True, type=Path, help="scenario YAML")
    parser.add_argument("--requirements", required=True, type=Path, help="requirements CSV")
    parser.add_argument("--start", required=True, type=iso_date, help="first local date")
    parser.add_argument("--weeks", required=True, type=int, help="number of weeks")
    parser.add_argument("--time-limit", type=float, default=None, help="solver seconds")
    parser.add_argument("--workers", type=int, default=2, help="solver workers (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="solver random seed")
    parser.add_argument("--previous", type=Path, default=None, help="published roster.csv")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="store the roster as the scenario's next version and publish it (database: "
        "$FOLLOWSUN_DATABASE_URL, default .followsun/followsun.sqlite)",
    )
    parser.set_defaults(func=run)


def read_csv(path: Path, what: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV with the given required columns; errors name the file."""
    try:
        frame = pd.read_csv(path, dtype={"channel": str, "language": str})
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: empty file; expected {what} columns {list(columns)}") from exc
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing {what} columns {missing}")
    return frame


def run(args: argparse.Namespace) -> int:
    """Solve the roster and write its files."""
    scenario = load_scenario(args.scenario)
    requirements = read_csv(args.requirements, "requirements", REQUIREMENT_COLUMNS)
    previous = None
    if args.previous is not None:
        previous = read_csv(args.previous, "roster", ("agent_id", "date_local", "shift"))
    if args.weeks < 1:
        raise InputError(f"--weeks must be >= 1, got {args.weeks}")
    try:
        inputs = roster_inputs(scenario, requirements, args.start, args.weeks, previous=previous)
    except InputError as exc:
        # Name the file for requirement problems; scenario problems carry field paths.
        message = exc.args[0] if exc.args else str(exc)
        if message.startswith("requirements:"):
            message = f"{args.requirements}:" + message.removeprefix("requirements:")
        raise InputError(message, exc.problems) from exc
    limit = args.time_limit if args.time_limit is not None else scenario.planning.solver_seconds
    result = solve_with_progress(inputs, limit, args.workers, args.seed)
    write_outputs(result, args.out)
    gap = "n/a" if result.gap is None else f"{result.gap:.2%}"
    print(
        f"{args.out}: {result.status}, {len(result.roster)} shifts for "
        f"{len(inputs.agents)} agents, objective {result.objective}, gap {gap}, "
        f"{result.wall_seconds:.1f} s"
    )
    for line in (*result.diagnoses, *result.binding_rules[:5], *result.unmet_coverage[:5]):
        print(f"  {line}")
    solved = result.status in ("optimal", "feasible")
    if args.publish:
        if not solved or len(result.roster) == 0:
            print(
                f"not published: the roster is {result.status} (hard rules relaxed or none found)"
            )
            return 1
        version = publish(scenario.name, result.roster)
        print(f"published roster version {version} of scenario {scenario.name}")
    return 0 if solved else 1


def solve_with_progress(
    inputs: RosterInputs, limit: float, workers: int, seed: int
) -> RosterResult:
    """Solve with a progress bar on stderr: time used, best objective, bound and gap."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("roster: building the model", total=limit)

        def show(seconds: float, objective: float, bound: float) -> None:
            text = f"roster: objective {objective:,.0f}"
            if math.isfinite(bound):
                gap = relative_gap(objective, bound)
                text += f", bound {bound:,.0f}, gap {gap:.1%}"
            bar.update(task, completed=min(seconds, limit), description=text)

        settings = SolveSettings(
            time_limit_s=limit, num_workers=workers, seed=seed, on_progress=show
        )
        return solve_roster(inputs, settings)


def publish(scenario_name: str, roster: pd.DataFrame) -> int:
    """Store `roster` as the scenario's next roster version, publish it; return the version."""
    engine = init_db()
    try:
        with session_scope(engine) as session:
            stored = save_roster(session, scenario_name, roster)
            version = publish_roster(session, stored.id).version
    finally:
        engine.dispose()
    return version
