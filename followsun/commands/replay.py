"""`followsun replay`: a contact log simulated with its own arrivals and agents, against what happened.

Writes daily.csv, hourly.csv, summary.json (`mae_service_level_points`,
`mae_abandonment_points`) and chart.html into --out. Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `replay` command."""
    parser = subparsers.add_parser(
        "replay",
        help="replay a contact log in the simulation and compare with what happened",
        description="Simulate the log's period with its actual arrivals and agents (present "
        "in the hours they served), calibrated from the log itself or --calibrate-from "
        "another: handle times, Kaplan-Meier patience, after-call unavailability, priority "
        "head starts. Writes per-day and per-hour actual and simulated service level, "
        "abandonment and mean wait, with the errors, beside a textbook baseline.",
    )
    parser.add_argument("--tickets", required=True, type=Path, help="the log: tickets CSV")
    parser.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="roster CSV of the agents who worked (default: inferred from the log, each "
        "agent present in the hours they served)",
    )
    parser.add_argument("--calibrate-from", type=Path, default=None, help="log to calibrate from")
    parser.add_argument(
        "--mapping",
        default=None,
        help="read the logs through this CSV mapping (file or shipped name, e.g. "
        "anonymous-bank-call-log); default: canonical tickets CSV",
    )
    parser.add_argument("--replications", type=int, default=10, help="runs (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--target-seconds", type=float, default=60.0, help="SL threshold (60)")
    parser.add_argument("--timezone", default="UTC", help="zone of the days and hours (UTC)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Replay and print the mean absolute daily errors."""
    from followsun.services.replay import ReplaySettings, replay_log

    result = replay_log(
        args.tickets,
        args.out,
        ReplaySettings(
            replications=args.replications,
            seed=args.seed,
            target_s=args.target_seconds,
            timezone=args.timezone,
            mapping=args.mapping,
        ),
        calibrate_from=args.calibrate_from,
        roster=args.roster,
    )
    s = result.summary
    print(
        f"{args.out}: {s['days']} day(s), {s['calls']:,} calls, {s['replications']} replication(s)"
    )
    for label, figures in (("calibrated", s), ("textbook", s["textbook"])):
        print(
            f"  {label:>10}: mean absolute daily error {figures['mae_service_level_points']:.1f} "
            f"points service level, {figures['mae_abandonment_points']:.1f} points abandonment"
        )
    return 0
