"""Use case: replay a contact log and compare the simulation with what happened (issue 32).

Reads the log (canonical tickets CSV, or any export through a CSV mapping such as the
shipped `anonymous-bank-call-log`), calibrates from it or from another log, simulates the
period with the actual arrivals and agents (`evaluation.replay`), and writes into `out`:
`daily.csv` and `hourly.csv` (actual, simulated and textbook figures with the errors),
`summary.json` (mean absolute daily errors, the calibration) and `chart.html`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.call_log import LOG_COLUMNS, calibrate_log
from evaluation.replay import compare, mean_absolute_errors, replay
from followsun.atomic import check_output_folder, replacing_folder
from followsun.files import read_validated
from followsun.services.progress import Progress, no_progress
from forecasting.errors import InputError
from forecasting.schema import TICKETS
from planner.roster.schema import ROSTER


@dataclass(frozen=True)
class ReplaySettings:
    """How to replay: runs, seed, the service-level target, the clock days are read on."""

    replications: int = 10
    seed: int = 0
    target_s: float = 60.0
    timezone: str = "UTC"
    mapping: str | None = None


@dataclass(frozen=True)
class ReplayResult:
    """What `replay_log` wrote, and the summary it holds."""

    out: Path
    daily: pd.DataFrame
    hourly: pd.DataFrame
    summary: dict[str, Any]


def read_log(path: Path, mapping: str | None) -> pd.DataFrame:
    """A log as canonical tickets: through the named mapping, or a canonical tickets CSV."""
    if mapping is not None:
        from followsun.connectors.csv_import import csv_pages
        from followsun.connectors.csv_mapping import load_mapping

        pages = list(csv_pages(path, load_mapping(mapping)))
        return pd.concat([p.tickets for p in pages], ignore_index=True)
    return read_validated(path, TICKETS)


def replay_log(
    tickets: Path,
    out: Path,
    settings: ReplaySettings,
    calibrate_from: Path | None = None,
    roster: Path | None = None,
    progress: Progress = no_progress,
) -> ReplayResult:
    """Replay `tickets`, calibrated from `calibrate_from` (default the same log), into `out`.

    The agents are the `roster`'s (a roster CSV) when given, else inferred from the log.
    """
    if settings.replications < 1:
        raise InputError("--replications: expected at least 1")
    check_output_folder(out, [tickets, calibrate_from, roster])
    progress(0.0, f"reading {tickets}")
    log = read_log(tickets, settings.mapping)
    source = log if calibrate_from is None else read_log(calibrate_from, settings.mapping)
    progress(0.2, "calibrating")
    calibration = calibrate_log(source)
    progress(0.4, f"simulating {settings.replications} replication(s)")
    shifts = None if roster is None else read_validated(roster, ROSTER)
    runs = replay(log, calibration, settings.replications, settings.seed, settings.target_s, shifts)
    daily = compare(runs, settings.timezone, by_hour=False)
    hourly = compare(runs, settings.timezone, by_hour=True)
    summary: dict[str, Any] = {
        "tickets": str(tickets),
        "calibrated_from": str(calibrate_from or tickets),
        "agents_from": "log" if roster is None else str(roster),
        "replications": settings.replications,
        "seed": settings.seed,
        "target_seconds": settings.target_s,
        "timezone": settings.timezone,
        "days": len(daily),
        "calls": int(daily["calls"].sum()),
        **mean_absolute_errors(daily, "simulated"),
        "textbook": mean_absolute_errors(daily, "textbook"),
        "calibration": calibration.summary(),
    }
    with replacing_folder(out) as staged:
        daily.to_csv(staged.path / "daily.csv", index=False)
        hourly.to_csv(staged.path / "hourly.csv", index=False)
        (staged.path / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        _chart(daily).write_html(staged.path / "chart.html", include_plotlyjs=True)
    progress(1.0, "done")
    return ReplayResult(out, daily, hourly, summary)


CHECK_DAYS = 28
"""The model check replays the last four weeks of an imported log."""
CHECK_REPLICATIONS = 5


def latest_month_check(tickets: pd.DataFrame, before: pd.Timestamp) -> str | None:
    """How well the model reproduces the last `CHECK_DAYS` days of a log before `before`.

    One sentence for the plan's report (calibrated from those same days, agents inferred
    from the log), or None when the tickets of that span carry no contact-log fields.
    """
    created = pd.to_datetime(tickets["created_at"], utc=True)
    span = tickets[(created < before) & (created >= before - pd.Timedelta(days=CHECK_DAYS))]
    if span.empty or any(c not in span or span[c].isna().all() for c in LOG_COLUMNS):
        return None
    try:
        calibration = calibrate_log(span)
        runs = replay(span, calibration, CHECK_REPLICATIONS, 0, 60.0)
    except InputError as exc:
        return f"the latest imported contact log could not be replayed: {exc}"
    daily = compare(runs, "UTC", by_hour=False)
    ours, book = mean_absolute_errors(daily, "simulated"), mean_absolute_errors(daily, "textbook")
    first, last = daily["day"].iloc[0], daily["day"].iloc[-1]
    return (
        f"the simulation replayed the latest imported contact log ({first} to {last}, "
        f"{int(daily['calls'].sum()):,} calls, agents as they worked) with a mean absolute "
        f"daily error of {ours['mae_service_level_points']:.1f} points of service level "
        f"within 60 s and {ours['mae_abandonment_points']:.1f} points of abandonment "
        f"(a textbook model: {book['mae_service_level_points']:.1f} and "
        f"{book['mae_abandonment_points']:.1f}); see followsun replay"
    )


def _chart(daily: pd.DataFrame) -> Any:
    """Daily service level and abandonment: actual, simulated and the textbook baseline."""
    from plotly.subplots import make_subplots

    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        subplot_titles=("answered within target (%)", "abandoned (%)"),
    )
    for row, figure_name in ((1, "service_level"), (2, "abandonment")):
        for prefix, dash in (("actual", "solid"), ("simulated", "dash"), ("textbook", "dot")):
            figure.add_scatter(
                x=daily["day"],
                y=daily[f"{prefix}_{figure_name}"],
                name=f"{prefix}",
                line={"dash": dash},
                showlegend=row == 1,
                row=row,
                col=1,
            )
    figure.update_layout(title="Replay: actual against simulated, per day")
    return figure
