"""`followsun capacity`: a monthly hiring plan per site and skill group at least cost (a MIP).

Writes capacity.csv (month, site, group, hires decided, heads, open) and summary.json (cost,
the month each closed site opens and when its first hires must be decided). Exit 1 when
some need cannot be met in time (the summary says where); 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_decision_arguments, decision_settings


def _fractions(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: expected fractions like 0.5,0.75") from exc


def _site_amount(text: str) -> tuple[str, float]:
    site, _, amount = text.partition("=")
    try:
        return site.strip(), float(amount)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: expected SITE=AMOUNT") from exc


def register(subparsers: Any) -> None:
    """Add the `capacity` command."""
    parser = subparsers.add_parser(
        "capacity",
        help="monthly hiring plan per site: growth, lead time, ramp, attrition, openings",
        description="Hires per site per month at least cost (OR-tools MIP) for the "
        "scenario's demand growing month by month, within each site's contract limits "
        "(nights and weekends per 4 weeks); says when a closed site must open. "
        "--time-limit is the MIP's seconds (default 60).",
    )
    parser.add_argument("--scenario", required=True, type=Path, help="scenario YAML")
    parser.add_argument("--months", required=True, type=int, help="months to plan (12-24)")
    parser.add_argument("--growth", type=float, default=0.0, help="demand growth a month")
    parser.add_argument("--lead-months", type=int, default=2, help="hiring lead time")
    parser.add_argument(
        "--ramp",
        type=_fractions,
        default=(0.5, 0.75),
        help="productivity of new hires in their first months (default 0.5,0.75)",
    )
    parser.add_argument("--attrition", type=float, default=0.015, help="leavers a month")
    parser.add_argument("--hire-cost", type=float, default=0.0, help="cost per hire")
    parser.add_argument(
        "--closed", default="", help="comma-separated sites not open yet (e.g. ams)"
    )
    parser.add_argument(
        "--opening-cost",
        type=_site_amount,
        action="append",
        default=[],
        help="SITE=AMOUNT, one-off cost of opening a closed site (repeatable)",
    )
    parser.add_argument(
        "--needed-from",
        type=int,
        default=0,
        help="month from which hours no open site "
        "reaches (e.g. 24/7's nights and weekends) are needed",
    )
    parser.add_argument(
        "--current",
        type=Path,
        default=None,
        help="the scenario operated today (e.g. the 24/5 reference): its need applies "
        "before --needed-from",
    )
    add_decision_arguments(parser)
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan and print the answers."""
    from followsun.services.capacity import CapacityOptions, run_capacity

    options = CapacityOptions(
        scenario=args.scenario,
        out=args.out,
        months=args.months,
        settings=decision_settings(args),
        growth=args.growth,
        lead_months=args.lead_months,
        ramp=args.ramp,
        attrition=args.attrition,
        hire_cost=args.hire_cost,
        closed=tuple(s.strip() for s in args.closed.split(",") if s.strip()),
        opening_cost=dict(args.opening_cost),
        needed_from=args.needed_from,
        current=args.current,
    )
    result = run_capacity(options)
    plan = result.plan
    print(
        f"capacity plan: {plan.status}, objective {plan.cost:,.0f}, bound {plan.bound:,.0f}, "
        f"gap {plan.gap:.2%}"
    )
    for line in result.answers:
        print(f"  {line}")
    print(f"wrote {result.csv} and {result.summary}")
    return 0 if result.met else 1
