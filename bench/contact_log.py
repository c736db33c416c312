"""A second real series for issue 28: an Israeli bank's call log, counted per 15 minutes.

The log (Technion SEE Center "Anonymous Bank", January and February 1999; Guedj and
Mandelbaum) has one row per call. It is read in place from $FOLLOWSUN_CONTACT_LOGS,
else $FOLLOWSUN_BENCHMARKS_DIR/contact-logs, else ../shared/benchmarks/contact-logs
beside the repository; it is not ours to copy. A call asks for an agent when it leaves
the voice response unit (`vru_exit`: it then queues or is served at once); that moment,
local time in Asia/Jerusalem, is its arrival. PHANTOM rows (the source says to ignore
them) and malformed rows (not 17 fields) are skipped and counted. Inside a day the log
covers, an interval without a call is a true zero; a day absent from the log is missing.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.shared_data import shared_folder
from forecasting.schema import HISTORY, validate_frame

FILES = ("january.txt.gz", "february.txt.gz")
FIELDS = 17
TIMEZONE = "Asia/Jerusalem"


def log_dir() -> Path:
    """The folder of the call log (see the module docstring for the search order)."""
    return shared_folder("contact-logs", "FOLLOWSUN_CONTACT_LOGS")


@dataclass(frozen=True)
class LogCounts:
    """Arrivals read from the log.

    Attributes:
        arrivals: local arrival times (naive, Asia/Jerusalem wall clock), one per call.
        days: the local dates the log covers.
        skipped_malformed: rows without 17 fields.
        skipped_phantom: PHANTOM rows.
    """

    arrivals: pd.DatetimeIndex
    days: pd.DatetimeIndex
    skipped_malformed: int
    skipped_phantom: int


def read_log(paths: list[Path]) -> LogCounts:
    """The arrival times of every call asking for an agent in these gzipped logs."""
    stamps: list[str] = []
    days: set[str] = set()
    malformed = phantom = 0
    for path in paths:
        with gzip.open(path, "rt") as lines:
            header = next(lines).rstrip("\n").split("\t")
            date_at, exit_at, outcome_at = (
                header.index("date"),
                header.index("vru_exit"),
                header.index("outcome"),
            )
            for line in lines:
                fields = line.rstrip("\n").split("\t")
                if len(fields) != FIELDS:
                    malformed += 1
                    continue
                days.add(fields[date_at])
                if fields[outcome_at] == "PHANTOM":
                    phantom += 1
                    continue
                stamps.append(f"{fields[date_at]} {fields[exit_at]}")
    arrivals = pd.DatetimeIndex(pd.to_datetime(stamps, format="%y%m%d %H:%M:%S"))
    covered = pd.DatetimeIndex(pd.to_datetime(sorted(days), format="%y%m%d"))
    return LogCounts(arrivals, covered, malformed, phantom)


def log_history(counts: LogCounts, interval_min: int = 15) -> pd.DataFrame:
    """Arrivals as an interval history (one queue, volume only), in UTC.

    Every interval of a covered local day holds its count (zero without a call); the
    intervals of an uncovered day between the first and the last are missing.
    """
    step = f"{interval_min}min"
    first, last = counts.days.min(), counts.days.max() + pd.Timedelta(days=1)
    grid = pd.date_range(first, last, freq=step, inclusive="left")
    per_interval = pd.Series(1.0, index=counts.arrivals.floor(step)).groupby(level=0).sum()
    volume = per_interval.reindex(grid, fill_value=0.0)
    volume[~grid.normalize().isin(counts.days)] = np.nan
    utc = grid.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT").tz_convert("UTC")
    keep = ~utc.isna()
    frame = pd.DataFrame(
        {
            "interval_start": utc[keep],
            "channel": "phone",
            "language": "he",
            "tier": 1,
            "volume": volume.to_numpy()[keep],
        }
    )
    return validate_frame(frame, HISTORY, source="contact-logs")
