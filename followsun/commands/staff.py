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

import pandas as pd

from forecasting.errors import InputError
from scenarios.loader import load_scenario
from scenarios.staffing import FORECAST_COLUMNS, requirements

NUMERIC = ("volume", "volume_p10", "volume_p90", "aht_seconds")


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
    parser.add_argument(
        "--volume-column",
        default="volume",
        choices=("volume", "volume_p10", "volume_p90"),
        help="forecast column to staff for (default volume; volume_p90 for a cautious plan)",
    )
    parser.set_defaults(func=run)


def read_forecast(path: Path) -> pd.DataFrame:
    """Read and check a forecast CSV; errors name the file, the CSV line and the problem."""
    try:
        frame = pd.read_csv(path, dtype={"channel": str, "language": str})
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: empty file; expected columns {list(FORECAST_COLUMNS)}") from exc
    missing = [c for c in FORECAST_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}; expected {list(FORECAST_COLUMNS)}")
    problems: list[str] = []
    # CSV line numbers: the header is line 1.
    times = pd.to_datetime(frame["interval_start"], errors="coerce", utc=True, format="ISO8601")
    text = frame["interval_start"].astype(str)
    zoned = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    for row in frame.index[times.isna() | ~zoned][:5]:
        problems.append(
            f"line {row + 2}: interval_start {text[row]!r} is not an ISO 8601 time with a zone "
            "(e.g. 2027-03-08T14:15:00Z)"
        )
    for column in NUMERIC:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if column == "aht_seconds":
            bad |= ~(values > 0)
        for row in frame.index[bad][:5]:
            expected = "> 0" if column == "aht_seconds" else ">= 0"
            problems.append(
                f"line {row + 2}: {column} {frame[column][row]!r} is not a number {expected}"
            )
    tiers = pd.to_numeric(frame["tier"], errors="coerce")
    for row in frame.index[tiers.isna() | (tiers % 1 != 0) | (tiers < 1)][:5]:
        problems.append(
            f"line {row + 2}: tier {frame['tier'][row]!r} is not a tier number 1, 2 or 3"
        )
    for column in ("channel", "language"):
        for row in frame.index[frame[column].isna()][:5]:
            problems.append(f"line {row + 2}: {column} is empty")
    if problems:
        raise InputError(f"{path}: {len(problems)} problem(s) in the forecast", problems)
    out = frame.assign(interval_start=times, tier=tiers.astype(int))
    for column in NUMERIC:
        out[column] = pd.to_numeric(out[column]).astype(float)
    dupes = out.duplicated(["interval_start", "channel", "language", "tier"])
    if dupes.any():
        row = int(dupes.to_numpy().nonzero()[0][0])
        raise InputError(f"{path}: line {row + 2}: a second row for the same interval and queue")
    return out


def write_requirements(frame: pd.DataFrame, path: Path) -> None:
    """Write the requirements CSV with ISO 8601 UTC times (`2027-03-08T14:15:00Z`)."""
    out = frame.assign(interval_start=frame["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, float_format="%.6g")


def run(args: argparse.Namespace) -> int:
    """Staff the forecast and write the requirements file."""
    scenario = load_scenario(args.scenario)
    forecast = read_forecast(args.forecast)
    try:
        reqs = requirements(scenario, forecast, args.volume_column)
    except InputError as exc:
        raise InputError(f"{args.forecast}: {exc}", exc.problems) from exc
    write_requirements(reqs, args.out)
    failed = reqs[reqs["status"].isin(["unreachable", "capped"])]
    peak = reqs.groupby("queue")["scheduled_required"].max()
    print(
        f"{args.out}: {len(reqs)} rows, {reqs['queue'].nunique()} queues, "
        f"{reqs['interval_start'].nunique()} intervals; peak heads per queue: "
        + ", ".join(f"{q} {n}" for q, n in peak.items())
    )
    if len(failed):
        first = failed.iloc[0]
        print(
            f"{len(failed)} interval(s) cannot meet their target, first {first['queue']} at "
            f"{first['interval_start'].isoformat()} ({first['status']})",
            file=sys.stderr,
        )
        return 1
    return 0
