"""`followsun kpis [--from DATE --to DATE] [--scenario S.yaml] [--json]`: actual KPIs.

Volume by channel, first response and full resolution time percentiles, SLA attainment
(per queue of the scenario when one is given, else channel defaults), one-touch
resolution, escalation rate, backlog and CSAT, from the stored tickets (see
forecasting.kpis for the definitions). `--intervals-out FILE.csv` also writes the volume
per channel and UTC interval.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from followsun.commands.tickets_import import parse_since
from followsun.errors import InputError
from followsun.store import database_url, init_db, session_scope, tickets_frame
from forecasting.kpis import Durations, Kpis, SlaTarget, ticket_kpis, volume_by_interval
from forecasting.schema import to_csv_frame
from scenarios.loader import load_scenario

DEFAULT_DAYS = 28


def register(subparsers: Any) -> None:
    """Add the `kpis` command."""
    parser = subparsers.add_parser(
        "kpis",
        help="actual support KPIs from the stored tickets",
        description="Actual KPIs of the period [--from, --to) (default: the last 28 days).",
    )
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day (UTC) or instant")
    parser.add_argument("--to", dest="end", metavar="DATE", help="day or instant after the period")
    parser.add_argument("--scenario", type=Path, help="take SLA targets from its queues")
    parser.add_argument("--source", help="only this source's tickets")
    parser.add_argument("--intervals-out", type=Path, help="write volume per channel and interval")
    parser.add_argument("--interval-minutes", type=int, default=30, help="grain of --intervals-out")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def scenario_targets(path: Path) -> tuple[SlaTarget, ...]:
    """One first-response target per queue of the scenario."""
    scenario = load_scenario(path)
    return tuple(
        SlaTarget(q.channel, q.target.within_seconds, q.target.fraction, q.language, q.tier)
        for q in scenario.queues
    )


def run(args: argparse.Namespace) -> int:
    """Compute and print the KPIs."""
    now = datetime.now(UTC)
    end = parse_since(args.end) or now
    start = parse_since(args.start) or end - timedelta(days=DEFAULT_DAYS)
    if not start < end:
        raise InputError(f"--from {start:%Y-%m-%d %H:%M} must be before --to {end:%Y-%m-%d %H:%M}")
    targets = scenario_targets(args.scenario) if args.scenario else None
    engine = init_db(database_url())
    try:
        with session_scope(engine) as session:
            # The backlog needs tickets created before the period too.
            tickets = tickets_frame(session, until=end, source=args.source)
    finally:
        engine.dispose()
    kpis = ticket_kpis(
        tickets,
        pd.Timestamp(start),
        pd.Timestamp(end),
        targets=targets,
        as_of=pd.Timestamp(min(end, now)),
    )
    if args.intervals_out:
        volume = volume_by_interval(
            tickets, pd.Timestamp(start), pd.Timestamp(end), args.interval_minutes
        )
        args.intervals_out.parent.mkdir(parents=True, exist_ok=True)
        to_csv_frame(volume).to_csv(args.intervals_out, index=False)
    print(json.dumps(as_json(kpis), indent=2) if args.json else as_text(kpis))
    return 0


def as_json(kpis: Kpis) -> dict[str, Any]:
    """The KPIs as a JSON-ready object (timestamps ISO 8601 UTC)."""
    data = asdict(kpis)
    data["start"] = kpis.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    data["end"] = kpis.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    data["sla"] = [
        {
            **asdict(s.target),
            "queue": s.target.name,
            **{k: v for k, v in asdict(s).items() if k != "target"},
        }
        for s in kpis.sla
    ]
    return data


def _hours(d: Durations) -> str:
    if d.count == 0 or d.p50_s is None or d.p90_s is None:
        return "-"
    return f"p50 {d.p50_s / 3600:.2f} h, p90 {d.p90_s / 3600:.2f} h (n={d.count:,})"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def as_text(kpis: Kpis) -> str:
    """The KPIs as a short report for the terminal."""
    lines = [
        f"KPIs {kpis.start:%Y-%m-%d %H:%M} to {kpis.end:%Y-%m-%d %H:%M} UTC",
        f"  created {kpis.created:,}, solved {kpis.solved:,}, backlog at end {kpis.backlog:,}",
        f"  first response: {_hours(kpis.first_reply)}",
        f"  full resolution: {_hours(kpis.resolution)}",
        f"  one-touch resolution {_share(kpis.one_touch)}, escalation rate {_share(kpis.escalation_rate)}",
        f"  CSAT {_share(kpis.csat)} ({kpis.csat_responses:,} ratings)",
        "  by channel:",
    ]
    for c in kpis.by_channel:
        lines.append(
            f"    {c.channel:<8} created {c.created:>7,} solved {c.solved:>7,}  "
            f"first response {_hours(c.first_reply)}"
        )
    lines.append("  SLA (first response):")
    for s in kpis.sla:
        verdict = {None: "no data", True: "on target", False: "MISSED"}[s.on_target]
        lines.append(
            f"    {s.target.name:<14} {s.target.fraction:.0%} within {s.target.within_s:,.0f} s: "
            f"{_share(s.attainment)} of {s.measured:,} ({verdict})"
        )
    return "\n".join(lines)
