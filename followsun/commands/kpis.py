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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followsun.commands.arguments import parse_since

if TYPE_CHECKING:
    from forecasting.kpis import Durations, Kpis


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
    parser.add_argument(
        "--force", action="store_true", help="replace an existing --intervals-out file"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the KPIs."""
    from followsun.services.kpis import KpisRequest, measure_kpis

    request = KpisRequest(
        start=parse_since(args.start, "--from"),
        end=parse_since(args.end, "--to"),
        scenario=args.scenario,
        source=args.source,
        intervals_out=args.intervals_out,
        interval_minutes=args.interval_minutes,
        force=args.force,
    )
    kpis = measure_kpis(request)
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
