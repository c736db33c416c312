"""The call log read as a 15-minute history: every call counted once, in UTC, gaps missing."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.contact_log import FILES, log_dir, log_history, read_log

HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver"
)


def row(date: str, vru_exit: str, outcome: str = "AGENT") -> str:
    return (
        f"AA0101\t1\t0\t0\tPS\t{date}\t{vru_exit}\t{vru_exit}\t0\t0:00:00\t0:00:00\t0\t"
        f"{outcome}\t0:00:00\t0:00:00\t0\tNO_SERVER"
    )


@pytest.fixture
def log(tmp_path: Path) -> Path:
    lines = [
        HEADER,
        row("990103", "7:01:00"),
        row("990103", "7:14:59"),
        row("990103", "7:15:00", "HANG"),
        row("990103", "9:00:00", "PHANTOM"),
        "AA0101\t2\t0\t2PS\t990103\t7:20:00",  # malformed: priority and type run together
        row("990104", "23:59:59"),
        row("990106", "12:00:00"),  # 990105 is absent from the log
    ]
    path = tmp_path / "log.txt.gz"
    with gzip.open(path, "wt") as out:
        out.write("\n".join(lines) + "\n")
    return path


def test_arrivals_are_counted_per_interval_in_utc(log: Path) -> None:
    counts = read_log([log])
    assert (counts.skipped_phantom, counts.skipped_malformed) == (1, 1)
    history = log_history(counts).set_index("interval_start")["volume"]
    assert history.sum() == 5 == len(counts.arrivals)  # PHANTOM and malformed rows left out
    # Jerusalem is UTC+2 in January: 07:00-07:15 local is 05:00 UTC.
    assert history[pd.Timestamp("1999-01-03 05:00", tz="UTC")] == 2
    assert history[pd.Timestamp("1999-01-03 05:15", tz="UTC")] == 1
    assert history[pd.Timestamp("1999-01-04 21:45", tz="UTC")] == 1
    assert history[pd.Timestamp("1999-01-03 10:00", tz="UTC")] == 0  # covered, no call
    absent = history[
        (history.index >= pd.Timestamp("1999-01-04 22:00", tz="UTC"))
        & (history.index < pd.Timestamp("1999-01-05 22:00", tz="UTC"))
    ]
    assert len(absent) == 96 and absent.isna().all()  # a day absent from the log is missing
    assert len(history) == 4 * 96


def test_the_shared_log_is_read_whole() -> None:
    paths = [log_dir() / name for name in FILES]
    if not all(p.exists() for p in paths):
        pytest.skip(f"{log_dir()} not found (outside the repository; set FOLLOWSUN_BENCHMARKS_DIR)")
    counts = read_log(paths)
    history = log_history(counts)
    assert history["volume"].sum() == len(counts.arrivals)
    days = history.groupby(history["interval_start"].dt.tz_convert("Asia/Jerusalem").dt.date)
    observed = days["volume"].apply(lambda v: bool(np.isfinite(v).all()))
    assert observed.sum() == 57 and (~observed).sum() == 2  # 11-12 January are absent
