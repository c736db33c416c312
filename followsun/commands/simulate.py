"""`followsun simulate`: the roster simulated against contacts, with its spread over replications.

Writes outcomes.csv (per interval and queue, averaged over replications) and summary.json
(SLA per queue, per channel and per week with 95% intervals, first-response percentiles,
occupancy per site and per agent) into --out. Exit 2 on bad input.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `simulate` command."""
    parser = subparsers.add_parser(
        "simulate",
        help="simulate a roster against contacts (discrete-event, with replications)",
        description="Replay contacts (--tickets, as they arrived) or draw them from a "
        "forecast (--forecast) against the roster's agents: skill-based routing, breaks, "
        "shrinkage, patience, chat slots, tickets waiting through closed hours. Writes "
        "outcomes.csv and summary.json into --out.",
    )
    parser.add_argument("--scenario", required=True, type=Path, help="scenario YAML")
    parser.add_argument("--roster", required=True, type=Path, help="roster CSV")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--tickets",
        type=Path,
        help="contacts CSV to replay: created_at, channel, language, tier, handle_seconds "
        "(the demo's tickets.csv, or canonical tickets)",
    )
    source.add_argument("--forecast", type=Path, help="forecast CSV to draw contacts from")
    parser.add_argument(
        "--coverage",
        type=Path,
        default=None,
        help="coverage CSV with BPO heads (column vendor); default: coverage.csv beside the "
        "roster when there is one",
    )
    parser.add_argument(
        "--calibrate-from",
        type=Path,
        default=None,
        help="canonical tickets CSV: handle times, patience (Kaplan-Meier) and escalation "
        "rates from actuals replace the scenario's assumptions",
    )
    parser.add_argument("--replications", type=int, default=10, help="runs (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument(
        "--dispersion",
        type=float,
        default=0.0,
        help="with --forecast: over-dispersion d, count variance v + d v^2 (gamma-mixed "
        "Poisson); default 0, Poisson",
    )
    parser.add_argument(
        "--shrinkage",
        choices=("spread", "absence"),
        default="spread",
        help="shrinkage as short off-queue spells (spread, default) or whole shifts missed",
    )
    parser.add_argument(
        "--executor",
        default=None,
        help="run the replications on an executor: thread, local (processes) or "
        "dask://HOST:PORT; default one after another in this process",
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate and print the SLA per channel with its interval."""
    from evaluation.simulated import SimulationSettings
    from followsun.services.simulate import SimulateInputs, coverage_beside_roster, simulate_files

    coverage = args.coverage if args.coverage is not None else coverage_beside_roster(args.roster)
    output = simulate_files(
        SimulateInputs(
            scenario=args.scenario,
            roster=args.roster,
            out=args.out,
            tickets=args.tickets,
            forecast=args.forecast,
            coverage=coverage,
            calibrate_from=args.calibrate_from,
        ),
        SimulationSettings(
            replications=args.replications,
            seed=args.seed,
            dispersion=args.dispersion,
            shrinkage_mode=args.shrinkage,
        ),
        executor=args.executor,
    )
    result = output.result
    print(
        f"{args.out}: {result.replications} replication(s), "
        f"{result.contacts:,.0f} contacts each; SLA by channel (95% interval):"
    )
    for row in result.sla_by_channel.to_dict(orient="records"):
        low, high, level = float(row["low"]), float(row["high"]), float(row["service_level"])
        if math.isnan(level):
            print(f"  {row['channel']}: no contact offered while open")
            continue
        spread = "" if math.isnan(low) else f" ({low:.1%} to {high:.1%})"
        print(f"  {row['channel']}: {level:.1%}{spread}, target {float(row['target']):.0%}")
    for note in output.notes:
        print(f"  note: {note}")
    return 0
