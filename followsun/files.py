"""The CLI's files (the README's file tables): reading the CSVs it takes, writing what it gives.

One module for every CSV and JSON contract, so the CLI, the web app and the jobs read and
write them the same way. Timestamps are written ISO 8601 in UTC with a 'Z'.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from followsun import csv_fast
from followsun.atomic import replacing_file
from followsun.roster_files import ISO_UTC
from followsun.roster_files import write_outputs as write_roster_files
from forecasting.errors import InputError
from forecasting.panel import infer_interval_min
from forecasting.schema import FORECAST, FrameSchema, to_csv_frame, validate_parsed
from planner.staffing.schema import REQUIREMENTS

if TYPE_CHECKING:
    from followsun.report import ReportData
    from followsun.services.feedback_loop import FeedbackReport
    from followsun.services.pipeline import Plan

__all__ = [
    "ISO_UTC",
    "iso_utc",
    "json_records",
    "read_csv",
    "read_forecast",
    "read_validated",
    "read_requirements",
    "write_csv",
    "write_feedback_files",
    "write_forecast",
    "write_json",
    "write_plan_files",
    "write_requirements",
    "write_roster_files",
    "write_text",
    "write_tickets",
]

# Files from this size on are read with their numbers parsed by the CSV reader.
PARSED_READ_BYTES = 1_000_000
# Weeks of history before the horizon the demo writes to history.csv.
HISTORY_CSV_WEEKS = 8


def read_csv(path: Path, schema: FrameSchema, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV holding `schema`'s required columns (or `columns`); errors name the file."""
    wanted = schema.required if columns is None else tuple(columns)
    frame = _read(
        path, f"{schema.name} columns {list(wanted)}", dtype={"channel": str, "language": str}
    )
    schema.require(frame, str(path), wanted)
    return frame


def read_forecast(path: Path) -> pd.DataFrame:
    """Read a forecast CSV checked against the FORECAST schema; errors name the file and line."""
    return read_validated(path, FORECAST)


def read_requirements(path: Path) -> pd.DataFrame:
    """Read a requirements CSV checked against the REQUIREMENTS schema (the forecast's rules)."""
    return read_validated(path, REQUIREMENTS)


def read_validated(path: Path, schema: FrameSchema) -> pd.DataFrame:
    """A CSV of rows checked against `schema` (typed, extra columns kept), errors naming line.

    A file with no rows, or with interval starts off a planning grain, is refused.
    """
    frame = _read_parsed(path, schema)
    if frame is None:
        raw = _read(path, f"columns {list(schema.names)}", dtype=str, keep_default_na=False)
        if raw.empty:
            raise InputError(f"{path}: no rows after the header; expected {schema.name} rows")
        frame = schema.validate(raw, str(path), allow_extra=True)
    if "interval_start" in frame.columns:
        starts = pd.DatetimeIndex(frame["interval_start"])
        if starts.nunique() > 1:
            infer_interval_min(starts, str(path))
    return frame


def _read_parsed(path: Path, schema: FrameSchema) -> pd.DataFrame | None:
    """A large clean file read with its numbers parsed by the CSV reader, or None.

    Parsing every cell as text is slow on millions of rows (docs/PERFORMANCE.md). None
    (the caller reads the text, for the messages) for a small file, or when the reader
    or `validate_parsed` finds anything amiss.
    """
    try:
        if path.stat().st_size < PARSED_READ_BYTES:
            return None
        header = pd.read_csv(path, nrows=0).columns
        columns = {c.name: c for c in schema.columns}
        numbers = [
            name for name in header if name in columns and columns[name].kind in ("float", "int")
        ]
        nullable = {name: [""] for name in numbers if columns[name].nullable}
        frame = pd.read_csv(
            path,
            dtype={name: (np.float64 if name in numbers else str) for name in header},
            keep_default_na=False,
            na_values=nullable,
        )
    except (OSError, ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError):
        return None
    if frame.empty or len(set(header)) != len(header):
        return None
    return validate_parsed(frame, schema, str(path))


def _read(path: Path, expected: str, **options: Any) -> pd.DataFrame:
    """`pd.read_csv` with errors naming the file (and, for an empty one, what was expected)."""
    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: empty file; expected {expected}") from exc
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc})") from exc


def write_csv(frame: pd.DataFrame, path: Path, float_format: str | None = None) -> None:
    """Write a frame as CSV with ISO 8601 UTC timestamps, atomically, making the folder if needed.

    Large frames are rendered by `followsun.csv_fast` (the same bytes, compiled).
    """
    with replacing_file(path) as temporary:
        if not csv_fast.write(frame, temporary, float_format):
            to_csv_frame(frame).to_csv(temporary, index=False, float_format=float_format)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically, making the folder if needed."""
    with replacing_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_forecast(frame: pd.DataFrame, path: Path) -> None:
    """Write the forecast CSV (volumes to four decimals)."""
    write_csv(frame, path, float_format="%.4f")


def write_requirements(frame: pd.DataFrame, path: Path) -> None:
    """Write the requirements CSV (six significant digits: deferred queues need fractions)."""
    write_csv(frame, path, float_format="%.6g")


def write_tickets(frame: pd.DataFrame, path: Path) -> None:
    """Write canonical tickets as CSV, `escalated` as true/false."""
    out = frame.assign(escalated=frame["escalated"].map({True: "true", False: "false"}))
    write_csv(out, path)


def write_json(path: Path, data: Any) -> str:
    """Write `data` as indented JSON; return the text written."""
    text = json.dumps(data, indent=2)
    write_text(path, text)
    return text


def iso_utc(value: pd.Timestamp | datetime) -> str:
    """An instant as ISO 8601 UTC with a 'Z' (a naive one is taken as UTC)."""
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime(ISO_UTC)


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN as null, dates and times ISO 8601."""
    return [
        {str(k): _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    ]


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_plan_files(
    out: Path,
    plan: Plan,
    report: ReportData,
    history: pd.DataFrame,
    actuals: pd.DataFrame | None,
    resolved_yaml: str,
    contacts: pd.DataFrame | None = None,
) -> None:
    """Every file of a planned scenario (the demo's): stage CSVs, roster files, report, summary.

    `contacts` (the contacts the roster was simulated against) become tickets.csv, so
    anyone can re-check the outcomes with a model of their own; the analytic estimate
    is written beside the simulated outcomes as outcomes_analytic.csv.
    `out` is a staged folder (`followsun.atomic.replacing_folder`): the set appears whole.
    """
    from followsun.report import summary_json, write_report  # plotly: only when a plan is written

    write_text(out / "scenario.yaml", resolved_yaml)
    recent = history[
        history["interval_start"] >= plan.grid[0] - pd.Timedelta(weeks=HISTORY_CSV_WEEKS)
    ]
    write_csv(recent, out / "history.csv")
    if actuals is not None:
        write_csv(actuals, out / "actuals.csv")
    write_csv(plan.forecast, out / "forecast.csv")
    write_csv(plan.requirements, out / "requirements.csv")
    write_csv(plan.outcomes, out / "outcomes.csv")
    if plan.analytic_outcomes is not None:
        write_csv(plan.analytic_outcomes, out / "outcomes_analytic.csv")
    if contacts is not None:
        write_csv(contacts, out / "tickets.csv")
    write_roster_files(plan.roster, out)
    write_report(out / "report.html", report)
    write_text(out / "summary.json", summary_json(report))


def write_feedback_files(out: Path, report: FeedbackReport) -> None:
    """The feedback loop's CSV files into a staged folder (feedback.json once the run is stored)."""
    report.accuracy.to_csv(out / "accuracy.csv", index=False)
    write_csv(report.forecast, out / "forecast.csv")
    write_csv(report.requirements, out / "requirements.csv")
    report.risk.to_csv(out / "risk.csv", index=False)
