"""`followsun feedback`: the published roster against the latest actuals and re-forecast.

Reads the imported tickets, the scenario's published roster and its latest stored
forecast from the store, runs `followsun.services.feedback_loop.feedback_report`, prints a summary
and writes accuracy.csv, forecast.csv, requirements.csv, risk.csv and feedback.json into
--out. The re-forecast is stored as a 'feedback' run. Exit 0 when no coming day is at
risk, 1 when some are, 2 on bad input (no tickets, nothing published).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from followsun.commands.arguments import iso_date
from followsun.errors import InputError
from followsun.services.feedback_loop import (
    FeedbackReport,
    FeedbackSettings,
    coming_grid,
    feedback_report,
)
from followsun.store import (
    RosterVersion,
    RunStatus,
    finish_run,
    forecast_frame,
    init_db,
    latest_forecast_run,
    latest_roster,
    record_run,
    roster_frame,
    save_forecast,
    save_requirements,
    save_scenario,
    session_scope,
    ticket_count,
    tickets_frame,
)
from forecasting.schema import to_csv_frame
from scenarios.loader import dump_scenario, load_scenario

MAX_DAYS = 28
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
    """Read the store, run the feedback loop, write and store its results."""
    if not 1 <= args.days <= MAX_DAYS:
        raise InputError(f"--days: expected 1 to {MAX_DAYS}, got {args.days}")
    if args.calibration_days < 1 or args.min_samples < 1:
        raise InputError("--calibration-days and --min-samples must be at least 1")
    scenario = load_scenario(args.scenario)
    as_of = args.as_of or datetime.now(UTC).date()
    settings = FeedbackSettings(
        as_of=as_of,
        days=args.days,
        model=args.model,
        calibration_days=args.calibration_days,
        min_samples=args.min_samples,
    )
    end = coming_grid(scenario, as_of, args.days)[0]
    engine = init_db()
    try:
        with session_scope(engine) as session:
            if ticket_count(session) == 0:
                raise InputError(
                    "the store has no tickets; import them first (followsun import "
                    "zendesk|freshdesk|csv, or followsun sync)"
                )
            version = latest_roster(session, scenario.name, published_only=True)
            if version is None:
                raise InputError(
                    f"scenario {scenario.name!r} has no published roster; publish one with "
                    f"`followsun roster --scenario {args.scenario} ... --publish` or "
                    "`followsun demo --tickets store --publish`"
                )
            roster = roster_frame(session, version.id)
            since = end - pd.Timedelta(weeks=settings.history_weeks)
            tickets = tickets_frame(session, since=since.to_pydatetime(), until=end.to_pydatetime())
            forecast_run = latest_forecast_run(session, scenario.name, end.to_pydatetime())
            stored = None if forecast_run is None else forecast_frame(session, forecast_run)
        report = feedback_report(scenario, tickets, stored, roster, settings)
        record = feedback_record(report, settings, version, forecast_run)
        write_files(args.out, report)
        record["run_id"] = store_run(engine, report, record, dump_scenario(scenario), args.out)
    finally:
        engine.dispose()
    text = json.dumps(record, indent=2)
    (args.out / "feedback.json").write_text(text, encoding="utf-8")
    print(text if args.json else summary_text(report, record, args.out))
    return 1 if record["at_risk"] else 0


def feedback_record(
    report: FeedbackReport,
    settings: FeedbackSettings,
    version: RosterVersion,
    forecast_run: int | None,
) -> dict[str, Any]:
    """feedback.json: what was compared, measured, recalibrated and found at risk."""
    risk_columns = [
        "date_local",
        "queue",
        "timezone",
        "predicted_sl",
        "target",
        "margin",
        "shortfall_heads",
        "short_head_hours",
        "worst_intervals",
    ]
    return {
        "scenario": report.scenario.name,
        "as_of": settings.as_of.isoformat(),
        "days": settings.days,
        "period": {
            "start": _iso(report.grid[0]),
            "end": _iso(report.grid[-1] + (report.grid[1] - report.grid[0])),
        },
        "roster": {
            "id": version.id,
            "version": version.version,
            "published_at": None if version.published_at is None else _iso(version.published_at),
        },
        "forecast_run": forecast_run,
        "forecast_method": report.forecast_method,
        "accuracy": _records(report.accuracy),
        "calibration": _records(report.calibration),
        "risk": _records(report.risk),
        "at_risk": _records(report.at_risk[risk_columns]),
        "notes": list(report.notes),
    }


def write_files(out: Path, report: FeedbackReport) -> None:
    """The CSV files of the report (feedback.json is written once the run is stored)."""
    out.mkdir(parents=True, exist_ok=True)
    report.accuracy.to_csv(out / "accuracy.csv", index=False)
    to_csv_frame(report.forecast).to_csv(out / "forecast.csv", index=False)
    to_csv_frame(report.requirements).to_csv(out / "requirements.csv", index=False)
    report.risk.to_csv(out / "risk.csv", index=False)


def store_run(
    engine: Any, report: FeedbackReport, record: dict[str, Any], resolved_yaml: str, out: Path
) -> int:
    """Store the re-forecast and its requirements as a 'feedback' run; return its id."""
    key = json.dumps([resolved_yaml, record["as_of"], record["days"], record["roster"]])
    with session_scope(engine) as session:
        stored = save_scenario(session, report.scenario.name, resolved_yaml)
        run = record_run(session, "feedback", hashlib.sha256(key.encode()).hexdigest(), stored.id)
        save_forecast(session, run.id, report.forecast)
        save_requirements(session, run.id, report.requirements)
        finish_run(
            session,
            run.id,
            RunStatus.SUCCEEDED,
            summary={k: record[k] for k in ("as_of", "days", "roster", "at_risk", "notes")},
            outputs_location=str(out.resolve()),
        )
        return run.id


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
            )
            if row["worst_intervals"]:
                lines.append(f"    worst: {row['worst_intervals']}")
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(f"wrote {', '.join(FILES)} into {out}; run {record['run_id']} stored")
    return "\n".join(lines)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN as null, dates and times ISO 8601."""
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): _plain(v) for k, v in row.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _iso(value: pd.Timestamp | datetime) -> str:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pct(value: float | None, sign: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.1%}" if sign else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.2f}"
