"""Simulated against actual on a real call log (issue 32): the daily errors and the time.

The log (the "Anonymous Bank" call centre, January and February 1999; Technion SEE
Center, Guedj and Mandelbaum) is read from $FOLLOWSUN_CONTACT_LOGS, else
$FOLLOWSUN_BENCHMARKS_DIR/contact-logs, else ../shared/benchmarks/contact-logs beside the
repository, through the shipped `anonymous-bank-call-log` mapping. Each month is replayed
with 10 replications, calibrated from the same month and from the other one; days are
local (Asia/Jerusalem); service level is the share answered within 60 s.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.shared_data import shared_folder
from evaluation.call_log import calibrate_log
from evaluation.replay import compare, mean_absolute_errors, replay
from followsun.services.replay import read_log

MONTHS = ("january", "february")
REPLICATIONS = 10
TARGET_SL_POINTS = 5.0
TARGET_ABANDONMENT_POINTS = 3.0
TARGET_SECONDS = 10.0


def data_dir() -> Path:
    """The folder of the logs (see the module docstring for the search order)."""
    return shared_folder("contact-logs", "FOLLOWSUN_CONTACT_LOGS")


def run() -> str:
    """The replay section of docs/PERFORMANCE.md."""
    folder = data_dir()
    heading = "## Replay: simulated against actual on a real call log (issue 32)\n"
    if not (folder / "january.txt.gz").exists():
        return heading + f"\nSkipped: the logs are not in {folder} (set FOLLOWSUN_CONTACT_LOGS).\n"
    logs = {m: read_log(folder / f"{m}.txt.gz", "anonymous-bank-call-log") for m in MONTHS}
    rows = []
    for month in MONTHS:
        for source in (month, *[m for m in MONTHS if m != month]):
            start = time.perf_counter()
            calibration = calibrate_log(logs[source])
            runs = replay(logs[month], calibration, REPLICATIONS, seed=0, target_s=60.0)
            seconds = time.perf_counter() - start
            daily = compare(runs, "Asia/Jerusalem", by_hour=False)
            ours = mean_absolute_errors(daily, "simulated")
            book = mean_absolute_errors(daily, "textbook")
            met = (
                ours["mae_service_level_points"] <= TARGET_SL_POINTS
                and ours["mae_abandonment_points"] <= TARGET_ABANDONMENT_POINTS
                and seconds < TARGET_SECONDS
            )
            rows.append(
                {
                    "month": month,
                    "calibrated from": source,
                    "days": len(daily),
                    "calls": int(daily["calls"].sum()),
                    "SL MAE (points)": round(ours["mae_service_level_points"], 2),
                    "abandonment MAE (points)": round(ours["mae_abandonment_points"], 2),
                    "mean wait MAE (s)": round(ours["mae_mean_wait_seconds"], 1),
                    "textbook SL MAE": round(book["mae_service_level_points"], 2),
                    "textbook abandonment MAE": round(book["mae_abandonment_points"], 2),
                    "SL bias (points)": round(daily["simulated_error_service_level"].mean(), 2),
                    "seconds (calibrate + 10 x 2 runs)": round(seconds, 2),
                    "targets met": "yes" if met else "NO",
                }
            )
    header = list(rows[0])
    table = "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        + ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    )
    return (
        heading + "\nEach month of the shared log replayed with its actual arrivals and the agents "
        "present in the hours they served, 10 replications, calibrated from the same month "
        "and from the other (`followsun replay`). The calibrated model draws patience from "
        "Kaplan-Meier, after-call unavailability from the gaps observed while callers "
        "waited, and gives priority classes their estimated head start; the textbook "
        "baseline has the same agents and talk time, exponential patience, and nothing "
        "else. MAE is the mean absolute error over the month's days (simulated less "
        f"actual, local days). Targets: SL MAE <= {TARGET_SL_POINTS:.0f} points, "
        f"abandonment MAE <= {TARGET_ABANDONMENT_POINTS:.0f} points, under "
        f"{TARGET_SECONDS:.0f} s a month; the time counts the calibration and both models' "
        "runs, not reading the file.\n\n"
        + table
        + "\n\nData: Technion SEE Center call-centre data (Anonymous Bank; Guedj and "
        "Mandelbaum), acknowledged as its owners ask.\n"
    )
