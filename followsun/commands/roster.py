"""`followsun roster`: shift rosters per agent from a scenario and its requirements.

Writes roster.csv, coverage.csv, solver.json and ics/<agent>.ics into --out. Exit 1 when
hard rules had to be relaxed or no roster was found (the report is still written). With
--publish the roster is stored as the scenario's next roster version and published
(`followsun feedback` checks the published roster against the latest actuals).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import iso_date
from followsun.commands.display import progress_bar


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
    parser.add_argument(
        "--previous",
        default=None,
        metavar="V",
        help="the roster to continue from: a stored version number of the scenario, or a "
        "roster.csv; the changes against it are printed and written to changes.csv",
    )
    parser.add_argument(
        "--freeze-until",
        default=None,
        metavar="YYYY-MM-DD[THH:MM]",
        help="keep every shift starting before this local time (each site's zone) exactly "
        "as in --previous",
    )
    parser.add_argument(
        "--people",
        action="store_true",
        help="roster the agents kept in the store (`followsun agents`) with their absences, "
        "instead of the headcount of their sites",
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="store the roster as the scenario's next version and publish it (database: "
        "$FOLLOWSUN_DATABASE_URL, default .followsun/followsun.sqlite)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Solve the roster, write its files and print what was found."""
    from followsun.services.roster import RosterRequest, solve_and_publish

    previous = args.previous
    request = RosterRequest(
        scenario=args.scenario,
        requirements=args.requirements,
        start=args.start,
        weeks=args.weeks,
        out=args.out,
        time_limit_s=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        previous=None if previous is None or previous.isdigit() else Path(previous),
        previous_version=int(previous) if previous is not None and previous.isdigit() else None,
        freeze_until=args.freeze_until,
        people=args.people,
        publish=args.publish,
    )
    with progress_bar("roster: building the model") as progress:
        run = solve_and_publish(request, progress)
    result = run.result
    gap = "n/a" if result.gap is None else f"{result.gap:.2%}"
    print(
        f"{args.out}: {result.status}, {len(result.roster)} shifts for "
        f"{run.agents} agents, objective {result.objective}, gap {gap}, "
        f"{result.wall_seconds:.1f} s"
    )
    for line in (*result.diagnoses, *result.binding_rules[:5], *result.unmet_coverage[:5]):
        print(f"  {line}")
    for absence in run.absences:
        print(f"  absent: {absence.agent_id} {absence.kind} {absence.first}..{absence.last}")
    if run.changes is not None:
        from planner.roster.changes import describe_changes

        print(f"{len(run.changes)} changes against the previous roster (changes.csv):")
        for line in describe_changes(run.changes)[:50]:
            print(f"  {line}")
    if args.publish:
        if run.published_version is None:
            print(
                f"not published: the roster is {result.status} (hard rules relaxed or none found)"
            )
            return 1
        print(f"published roster version {run.published_version} of scenario {run.scenario_name}")
    return 0 if result.solved else 1
