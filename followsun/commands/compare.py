"""`followsun compare`: scenario variants side by side on the same demand and random streams.

Writes comparison.csv (one row per variant: cost and its breakdown, FTE, night shifts,
SLA per queue, channel and part of the week with intervals, deltas against the first)
and comparison.html (cost against SLA with the frontier, FTE per site, misses, verdict).
Exit 1 when no variant meets every target; 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_decision_arguments, decision_settings
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
    add_decision_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compare and print one line per variant."""
    from followsun.services.compare import CompareOptions, run_compare

    options = CompareOptions(
        scenarios=tuple(args.scenarios), out=args.out, settings=decision_settings(args)
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
    print(f"wrote {output.csv} and {output.html}; stored as run {output.run_id}")
    return 0 if bool(table["targets_met"].any()) else 1
