"""`followsun compare`: scenario variants side by side on the same demand and random streams.

Writes comparison.csv (one row per variant: cost and its breakdown, FTE, night shifts,
SLA per queue, channel and part of the week with intervals, deltas against the first)
and comparison.html (cost against SLA with the frontier, FTE per site, misses, verdict).
Exit 1 when no variant meets every target; 2 on bad input.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followsun.commands.arguments import iso_date
from followsun.commands.display import progress_bar


def register(subparsers: Any) -> None:
    """Add the `compare` command."""
    parser = subparsers.add_parser(
        "compare",
        help="compare scenario variants: cost, FTE and simulated SLA side by side",
        description="Plan every variant (forecast, staffing, roster, simulation, cost) on "
        "the first scenario's demand with the same random streams, and compare them.",
    )
    parser.add_argument(
        "scenarios",
        nargs="+",
        type=Path,
        help="scenario YAML files; the first is the base of every delta",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=5,
        help="simulation runs per variant, the same seeds for each (default 5)",
    )
    parser.add_argument(
        "--executor",
        default=None,
        help="thread, local (processes) or "
        "dask://HOST:PORT; default $FOLLOWSUN_EXECUTOR, else local",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="variants at once on a local pool (default: the CPU count)",
    )
    parser.add_argument("--weeks", type=int, default=1, help="horizon in weeks (default 1)")
    parser.add_argument(
        "--start",
        type=iso_date,
        default=None,
        help="first Monday (YYYY-MM-DD; default the next Monday)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="roster seconds per variant (default: the scenarios' solver_seconds)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of demand, solver and replications (default 7)"
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare and print one line per variant."""
    from followsun.services.compare import CompareOptions, run_compare
    from followsun.services.plan import next_monday

    options = CompareOptions(
        scenarios=tuple(args.scenarios),
        out=args.out,
        start=args.start or next_monday(datetime.now(UTC).date()),
        weeks=args.weeks,
        replications=args.replications,
        seed=args.seed,
        time_limit_s=args.time_limit,
        executor=args.executor,
        max_workers=args.workers,
    )
    with progress_bar("starting") as progress:
        output = run_compare(options, progress)
    table = output.comparison.table
    for row in table.to_dict(orient="records"):
        print(
            f"{row['scenario']}: {row['currency']} {float(row['total_cost']):,.0f} "
            f"({float(row['total_cost_delta']):+,.0f}), SLA {float(row['sla_overall']):.1%} "
            f"({float(row['sla_overall_delta']) * 100:+.1f} points), targets "
            f"{'met' if row['targets_met'] else 'missed'}, roster {row['roster_status']}"
        )
    print(f"wrote {output.csv} and {output.html}")
    return 0 if bool(table["targets_met"].any()) else 1
