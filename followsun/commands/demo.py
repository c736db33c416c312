"""`followsun demo`: the whole pipeline on the bundled reference organisation."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followsun.commands.arguments import iso_date
from followsun.commands.display import progress_bar
from followsun.errors import InputError


def register(subparsers: Any) -> None:
    """Add the `demo` command."""
    parser = subparsers.add_parser(
        "demo",
        help="plan the bundled sample organisation end to end",
        description="Generate synthetic helpdesk history for the reference organisation "
        "(San Jose and Taipei, 24/5), forecast, staff, roster, evaluate and price the next "
        "whole weeks, and write the report and every stage's file into DIR.",
    )
    parser.add_argument("--out", type=Path, default=Path("out/demo"), metavar="DIR")
    parser.add_argument(
        "--start",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="first day of the roster (default: next Monday)",
    )
    parser.add_argument(
        "--weeks", type=int, default=4, metavar="N", help="roster weeks (default 4)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="roster solver limit (default: the scenario's solver_seconds)",
    )
    parser.add_argument("--workers", type=int, default=2, help="solver workers (default 2)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic history")
    parser.add_argument(
        "--scenario",
        type=Path,
        default=None,
        metavar="S.yaml",
        help="another scenario instead of the bundled reference",
    )
    parser.add_argument(
        "--tickets",
        choices=("synthetic", "store"),
        default="synthetic",
        help="history from the synthetic generator (default) or from the tickets imported "
        "into the store (followsun import ...)",
    )
    parser.add_argument(
        "--compare",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also compare the bundled variants (one week, 3 replications, a deterministic roster budget; a "
        "stored comparison of the same inputs is reused) and add it to the report; default: "
        "on for the bundled reference on synthetic tickets, off with --scenario or --tickets store",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="publish the demo's roster (the version stored with the run), for followsun feedback",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo with a progress display, then print the summary table."""
    from rich.console import Console

    from followsun.report import summary_table
    from followsun.services.plan import DemoOptions, bundled_variants, next_monday, run_demo

    if not 1 <= args.weeks <= 12:
        raise InputError(f"--weeks: expected 1 to 12, got {args.weeks}")
    start = args.start or next_monday(datetime.now(UTC).date())
    bundled = args.scenario is None and args.tickets == "synthetic"
    compare = bundled if args.compare is None else args.compare
    options = DemoOptions(
        out=args.out,
        start=start,
        weeks=args.weeks,
        seed=args.seed,
        time_limit_s=args.time_limit,
        workers=args.workers,
        scenario_path=args.scenario,
        tickets=args.tickets,
        publish=args.publish,
        compare=bundled_variants() if compare else (),
    )
    with progress_bar("starting") as progress:
        result = run_demo(options, progress)
    console = Console()
    console.print(summary_table(result.report))
    solver = result.plan.roster
    for line in (*solver.unmet_coverage[:5], *solver.binding_rules[:5]):
        console.print(f"  {line}")
    console.print(f"wrote {args.out}/report.html and the stage files; run {result.run_id} stored")
    if args.publish:
        if result.published_version is None:
            console.print(f"not published: the roster is {solver.status}")
            return 1
        console.print(
            f"published roster version {result.published_version} of scenario "
            f"{result.plan.scenario.name}"
        )
    return 0 if solver.solved else 1
