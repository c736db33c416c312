"""The busy core of the loaded benchmark condition spins while the block runs, then ends."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.busy import busy_core


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_busy_core_spins_during_the_block_and_stops_after():
    with busy_core() as pid:
        assert os.path.exists(f"/proc/{pid}")
        first = _cpu_ticks(pid)
        deadline = time.monotonic() + 30
        while _cpu_ticks(pid) <= first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _cpu_ticks(pid) > first  # it burns CPU, not sleeps
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}")
