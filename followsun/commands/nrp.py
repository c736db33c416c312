"""`followsun nrp`: solve one instance of Curtois' shift scheduling benchmark.

    followsun nrp ../shared/benchmarks/nrp/Instance1.txt --time-limit 60 --out sol.csv --json
    followsun nrp ../shared/benchmarks/nrp/Instance8.txt --deterministic-time 60 --out sol.csv

Writes the worked shifts as CSV `employee,day,shift` (day 0-based). With `--json` prints
`instance`, `objective`, `bound`, `gap`, `status`, `wall_seconds`, `hard_violations` and
`checked_objective` (the objective recomputed from the CSV's assignments). Exit 1 when no
solution was found or the solution breaks a hard rule; 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_force

# Seconds of a solve given neither --time-limit nor --deterministic-time.
DEFAULT_SECONDS = 60.0


def register(subparsers: Any) -> None:
    """Add the `nrp` command."""
    parser = subparsers.add_parser(
        "nrp",
        help="solve a shift scheduling benchmark instance (Curtois' Instance1..24 format)",
        description="Solve one instance of the shift scheduling benchmark (schedulingbenchmarks"
        ".org text format) and write the assignments as CSV employee,day,shift. Exit 1 when no "
        "valid solution was found, 2 on bad input.",
    )
    parser.add_argument("instance", type=Path, help="instance file, e.g. Instance1.txt")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="wall-clock seconds, the hard stop (default 60, or none with --deterministic-time)",
    )
    parser.add_argument(
        "--deterministic-time",
        type=float,
        default=None,
        metavar="UNITS",
        help="budget in CP-SAT deterministic time (about a second of one core each) instead "
        "of seconds: the same instance gives the same solution on any load, unless "
        "--time-limit stops it first",
    )
    parser.add_argument("--workers", type=int, default=2, help="solver workers (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="solver random seed (default 0)")
    parser.add_argument("--out", required=True, type=Path, help="solution CSV to write")
    add_force(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Parse, solve, write the CSV and report."""
    from followsun.services.nrp import nrp_record, solve_instance_file
    from planner.nrp import NrpSettings

    wall = args.time_limit
    if wall is None and args.deterministic_time is None:
        wall = DEFAULT_SECONDS
    settings = NrpSettings(
        time_limit_s=wall,
        work_limit=args.deterministic_time,
        num_workers=args.workers,
        seed=args.seed,
    )
    result = solve_instance_file(args.instance, settings, args.out, force=args.force)
    if args.json:
        print(json.dumps(nrp_record(result), indent=2))
    else:
        gap = "-" if result.gap is None else f"{result.gap:.1%}"
        print(
            f"{result.instance}: {result.status}, objective {result.objective}, bound "
            f"{result.bound:g}, gap {gap}, {result.wall_seconds:.1f} s; wrote {args.out}"
        )
    for violation in result.violations:
        print(
            f"hard rule broken: {violation.rule} {violation.employee}: {violation.detail}",
            file=sys.stderr,
        )
    return 0 if result.objective is not None and not result.violations else 1
