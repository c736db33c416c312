"""`followsun staff --scenario S.yaml --forecast F.csv --out R.csv`: agents per interval per queue.

Reads the forecast CSV (CONTRACTS.md columns), staffs every scenario queue with its
method (Erlang C/A, chat concurrency, deferred work with backlog) and writes the
requirements CSV that `followsun roster --requirements` reads. The roster covers
`scheduled_required` (heads after shrinkage); `agents_required` is the on-queue figure.
Exit 1 when some interval's target cannot be met (the file is still written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from followsun.commands.arguments import add_force


def register(subparsers: Any) -> None:
    """Add the `staff` command."""
    parser = subparsers.add_parser(
        "staff",
        help="agents required per interval per queue, from a forecast",
        description="Turn a forecast into agents required per UTC interval per queue with "
        "the scenario's targets. Writes interval_start, channel, language, tier, "
        "agents_required, scheduled_required, method and the predicted figures.",
    )
    parser.add_argument("--scenario", required=True, type=Path, help="scenario YAML")
    parser.add_argument("--forecast", required=True, type=Path, help="forecast CSV")
    parser.add_argument("--out", required=True, type=Path, help="requirements CSV to write")
    add_force(parser)
    parser.add_argument(
        "--volume-column",
        default="volume",
        choices=("volume", "volume_p10", "volume_p90"),
        help="forecast column to staff for (default volume; volume_p90 for a cautious plan)",
    )
    parser.add_argument(
        "--pooled-simulation",
        action="store_true",
        help="cut each skill group's realtime rows to the heads its pool needs in simulation "
        "(searched from the Erlang figures; slower)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Staff the forecast and write the requirements file."""
    from followsun.services.staff import staff_forecast

    staffed = staff_forecast(
        args.scenario,
        args.forecast,
        args.out,
        args.volume_column,
        args.pooled_simulation,
        force=args.force,
    )
    reqs = staffed.requirements
    peak = reqs.groupby("queue")["scheduled_required"].max()
    print(
        f"{args.out}: {len(reqs)} rows, {reqs['queue'].nunique()} queues, "
        f"{reqs['interval_start'].nunique()} intervals; peak heads per queue: "
        + ", ".join(f"{q} {n}" for q, n in peak.items())
    )
    if len(staffed.unmet):
        first = staffed.unmet.iloc[0]
        print(
            f"{len(staffed.unmet)} interval(s) cannot meet their target, first {first['queue']} "
            f"at {first['interval_start'].isoformat()} ({first['status']})",
            file=sys.stderr,
        )
        return 1
    return 0
