"""`followsun feedback`: the published roster against the latest actuals and re-forecast.

A thin wrapper over `followsun.services.feedback.run_feedback`, which reads the store,
runs the feedback loop, writes accuracy.csv, forecast.csv, requirements.csv, risk.csv and
feedback.json into --out and stores the re-forecast as a 'feedback' run; this prints a
summary. Exit 0 when no coming day is at risk, 1 when some are, 2 on bad input (no
tickets, nothing published).
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followsun.commands.arguments import iso_date

if TYPE_CHECKING:
    from followsun.services.feedback_loop import FeedbackReport

# What the service writes, named in the help and the summary.
FILES = ("accuracy.csv", "forecast.csv", "requirements.csv", "risk.csv", "feedback.json")


def register(subparsers: Any) -> None:
    """Add the `feedback` command."""
    parser = subparsers.add_parser(
        "feedback",
        help="check the published roster against the latest actuals (forecast accuracy, "
        "re-forecast, recalibration, days at risk)",
        description="Measure the scenario's latest stored forecast against the imported "
        "tickets, re-forecast the coming days from them, recalibrate handle times and "
        "escalation rates, and flag each coming local day on which a queue's predicted "
        "service level under the published roster falls short of its target. Writes "
        f"{', '.join(FILES)} into --out. Exit 1 when some day is at risk.",
    )
    parser.add_argument(
        "--scenario", required=True, type=Path, metavar="S.yaml", help="the planned scenario"
    )
    parser.add_argument(
        "--days", type=int, default=7, metavar="N", help="coming days checked (default 7)"
    )
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="first coming day; tickets before it are the actuals (default: today, UTC)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out/feedback"),
        metavar="DIR",
        help="output directory (default out/feedback)",
    )
    parser.add_argument(
        "--model",
        default="auto",
        choices=("auto", "contact_centre", "seasonal_naive"),
        help="re-forecast model (default auto: chosen per queue by backtest)",
    )
    parser.add_argument(
        "--calibration-days",
        type=int,
        default=28,
        metavar="N",
        help="days of tickets that recalibrate handle time and escalation (default 28)",
    )
    parser.add_argument(
        "--min-samples",
        type=int,
        default=20,
        metavar="N",
        help="tickets a queue needs in that window to be recalibrated (default 20)",
    )
    parser.add_argument("--json", action="store_true", help="print feedback.json instead")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the feedback loop over the store and print what it found."""
    from followsun.services.feedback import run_feedback
    from followsun.services.feedback_loop import FeedbackSettings

    settings = FeedbackSettings(
        as_of=args.as_of or datetime.now(UTC).date(),
        days=args.days,
        model=args.model,
        calibration_days=args.calibration_days,
        min_samples=args.min_samples,
    )
    found = run_feedback(args.scenario, settings, args.out)
    print(found.json_text if args.json else summary_text(found.report, found.record, args.out))
    return 1 if found.at_risk else 0


def summary_text(report: FeedbackReport, record: dict[str, Any], out: Path) -> str:
    """The readable summary: accuracy, recalibration, days at risk, files."""
    roster = record["roster"]
    lines = [
        f"feedback on {record['scenario']} for {record['days']} days from {record['as_of']}: "
        f"published roster version {roster['version']}"
    ]
    if not record["accuracy"]:
        lines.append("forecast accuracy: not measured (see notes)")
    else:
        lines.append(f"forecast accuracy of run {record['forecast_run']} per queue:")
        for row in record["accuracy"]:
            queue = f"{row['channel']}-{row['language']}-t{row['tier']}"
            lines.append(
                f"  {queue:<14} actual {row['actual']:>9,.0f}  forecast {row['forecast']:>9,.0f}"
                f"  WAPE {_pct(row['wape'])}  bias {_pct(row['bias'], sign=True)}"
                f"  MASE {_num(row['mase'])}  in p10-p90 {_pct(row['inside_band'])}"
            )
    lines.append(f"re-forecast: {report.forecast_method}")
    lines.append("recalibrated from the latest tickets (old -> new):")
    for row in record["calibration"]:
        text = (
            f"  {row['queue']:<14} handle time {row['aht_seconds_old']:,.0f} s -> "
            f"{row['aht_seconds_new']:,.0f} s ({row['aht_tickets']:,} tickets)"
        )
        if row["escalation_tickets"]:
            text += (
                f"; escalation {row['escalation_rate_old']:.1%} -> "
                f"{row['escalation_rate_new']:.1%} ({row['escalation_tickets']:,} tickets)"
            )
        lines.append(text)
    counted = sum(1 for row in record["risk"] if row["predicted_sl"] is not None)
    if not record["at_risk"]:
        lines.append(f"at risk: none of {counted} queue-days with traffic")
    else:
        lines.append(f"at risk: {len(record['at_risk'])} of {counted} queue-days with traffic")
        for row in record["at_risk"]:
            lines.append(
                f"  {row['date_local']} {row['queue']} ({row['timezone']}): predicted SL "
                f"{row['predicted_sl']:.1%} vs target {row['target']:.0%} "
                f"({row['margin'] * 100:+.1f} pts), up to {row['shortfall_heads']:.1f} heads "
                f"short ({row['short_head_hours']:.1f} head-hours)"
                + (
                    f"; simulated SL {row['simulated_sl']:.1%}"
                    if row.get("simulated_sl") is not None
                    else ""
                )
            )
            if row["worst_intervals"]:
                lines.append(f"    worst: {row['worst_intervals']}")
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(f"wrote {', '.join(FILES)} into {out}; run {record['run_id']} stored")
    return "\n".join(lines)


def _pct(value: float | None, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.1%}" if sign else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"
