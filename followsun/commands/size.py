"""`followsun size`: the least-cost headcount per site and skill group meeting every target.

Writes sizing.csv (site, tier, skills, heads_now, heads_needed) and summary.json (cost,
simulated SLA per queue with its interval, targets_met). Exit 1 when no headcount within
the search met every target (the files say why); 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_decision_arguments, decision_settings
from followsun.commands.display import progress_bar


def register(subparsers: Any) -> None:
    """Add the `size` command."""
    parser = subparsers.add_parser(
        "size",
        help="size the headcount per site and skill group to meet every queue's target",
        description="Search the headcount and each queue's staffing uplift (from the Erlang "
        "requirement, adding per step the heads each short queue's simulated shortfall "
        "implies and raising its requirement, then removing heads and lowering uplifts "
        "while targets hold); every candidate is rostered and simulated.",
    )
    parser.add_argument("--scenario", required=True, type=Path, help="scenario YAML")
    parser.add_argument(
        "--sites", default=None, help="comma-separated site ids to size (default: every site)"
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=12,
        help="steps adding heads or raising requirements before the target is called unreachable "
        "(default 12)",
    )
    add_decision_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Size and print the heads per group."""
    from followsun.services.size import SizeOptions, run_size

    sites = tuple(s.strip() for s in args.sites.split(",")) if args.sites else None
    options = SizeOptions(
        scenario=args.scenario,
        out=args.out,
        settings=decision_settings(args),
        sites=sites,
        max_steps=args.max_steps,
    )
    with progress_bar("starting") as progress:
        sizing, csv, summary = run_size(options, progress)
    for row in sizing.heads.to_dict(orient="records"):
        print(
            f"{row['site']} tier {row['tier']} {row['skills']}: "
            f"{row['heads_now']} now, {row['heads_needed']} needed"
        )
    for queue, factor in sizing.uplift.items():
        print(f"{queue}: staffing_uplift {factor:g}")
    print(f"{sizing.note} ({sizing.evaluations} candidates simulated)")
    print(f"wrote {csv} and {summary}")
    return 0 if sizing.targets_met else 1
