"""`followsun nrp`: solve one instance of Curtois' shift scheduling benchmark.

    followsun nrp ../shared/benchmarks/nrp/Instance1.txt --time-limit 60 --out sol.csv --json

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
        "--time-limit", type=float, default=60.0, help="solver seconds (default 60)"
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

    settings = NrpSettings(time_limit_s=args.time_limit, num_workers=args.workers, seed=args.seed)
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
