"""`followsun roster`: shift rosters per agent from a scenario and its requirements.

Writes roster.csv, coverage.csv, solver.json, fairness.csv, wishes.csv and
ics/<agent>.ics into --out (changes.csv with --previous, absences.csv with --people).
Exit 1 when hard rules had to be relaxed or no roster was found (the report is still
written). With --publish the roster is stored as the scenario's next roster version and
published (`followsun feedback` checks the published roster against the latest actuals).
`roster versions|show|diff|export` read the stored versions (docs/SCHEDULING.md).
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
    add_version_actions(parser)
    parser.add_argument("--scenario", type=Path, help="scenario YAML (required)")
    parser.add_argument("--requirements", type=Path, help="requirements CSV (required)")
    parser.add_argument("--start", type=iso_date, help="first local date (required)")
    parser.add_argument("--weeks", type=int, help="number of weeks (required)")
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
    parser.add_argument("--out", type=Path, help="output directory (required)")
    parser.add_argument(
        "--publish",
        action="store_true",
        help="store the roster as the scenario's next version and publish it (database: "
        "$FOLLOWSUN_DATABASE_URL, default .followsun/followsun.sqlite)",
    )
    parser.set_defaults(func=run)


def add_version_actions(parser: argparse.ArgumentParser) -> None:
    """`roster versions|show|diff|export`: the stored versions of a scenario's roster."""
    actions = parser.add_subparsers(dest="action", metavar="[ACTION]")
    scenario_help = "scenario name (or its YAML)"
    listing = actions.add_parser("versions", help="list a scenario's stored roster versions")
    listing.add_argument("--scenario", dest="name", required=True, help=scenario_help)
    show = actions.add_parser("show", help="print one version's shifts")
    show.add_argument("--scenario", dest="name", required=True, help=scenario_help)
    show.add_argument("--version", type=int, required=True)
    diff = actions.add_parser("diff", help="per agent: shifts added, removed, moved")
    diff.add_argument("--scenario", dest="name", required=True, help=scenario_help)
    diff.add_argument("--from", dest="old", required=True, metavar="V", help="V or SCENARIO@V")
    diff.add_argument("--to", dest="new", required=True, metavar="V", help="V or SCENARIO@V")
    diff.add_argument("--out", type=Path, default=None, help="also write this changes.csv")
    export = actions.add_parser("export", help="roster.csv and updating calendars (ics/)")
    export.add_argument("--scenario", dest="name", required=True, help=scenario_help)
    export.add_argument("--version", type=int, required=True)
    export.add_argument("--out", type=Path, required=True, help="output directory")


def scenario_name(text: str) -> str:
    """A scenario's name, given as the name or as its YAML file."""
    path = Path(text)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        from scenarios.loader import load_scenario

        return load_scenario(path).name
    return text


def run_version_action(args: argparse.Namespace) -> int:
    """List, show, diff or export stored roster versions."""
    from followsun.errors import InputError
    from followsun.services import versions
    from planner.roster.changes import describe_changes

    name = scenario_name(args.name)
    if args.action == "versions":
        for v in versions.list_versions(name):
            mark = "published" if v.published else ""
            print(f"{v.version}\t{v.created_at:%Y-%m-%d %H:%M}\t{v.shift_count} shifts\t{mark}")
    elif args.action == "show":
        roster = versions.show_version(versions.VersionRef(name, args.version))
        for r in roster.itertuples(index=False):
            print(
                f"{r.agent_id}\t{r.date_local}\t{r.shift}\t{r.start_local}-{r.end_local}\t{r.site}"
            )
    elif args.action == "diff":
        refs = []
        for text in (args.old, args.new):
            scenario, _, number = text.rpartition("@")
            if not number.isdigit():
                raise InputError(f"{text!r}: expected a version number or SCENARIO@NUMBER")
            refs.append(versions.VersionRef(scenario or name, int(number)))
        changes = versions.diff_versions(refs[0], refs[1])
        print(f"{refs[0]} -> {refs[1]}: {len(changes)} changes")
        for line in describe_changes(changes):
            print(f"  {line}")
        if args.out is not None:
            changes.to_csv(args.out, index=False)
    else:
        done = versions.export_version(versions.VersionRef(name, args.version), args.out)
        print(
            f"{done.roster_csv}: {done.shifts} shifts; {done.calendars} calendars in {args.out / 'ics'}"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    """Solve the roster, write its files and print what was found (or run a version action)."""
    if args.action is not None:
        return run_version_action(args)
    from followsun.errors import InputError
    from followsun.services.roster import RosterRequest, solve_and_publish

    missing = [
        f"--{name}"
        for name in ("scenario", "requirements", "start", "weeks", "out")
        if getattr(args, name) is None
    ]
    if missing:
        raise InputError(f"roster: {', '.join(missing)} required to solve a roster")

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
    if run.spread is not None:
        for row in run.spread.itertuples(index=False):
            print(
                f"  fairness {row.site}/t{row.tier}: nights {row.nights_min}-{row.nights_max}, "
                f"weekend days {row.weekend_days_min}-{row.weekend_days_max}, holidays "
                f"{row.holidays_min}-{row.holidays_max}, lates {row.lates_min}-{row.lates_max} "
                "(fairness.csv)"
            )
    granted, wished = run.wishes_granted
    if wished:
        print(f"  wishes granted: {granted} of {wished} (wishes.csv)")
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
