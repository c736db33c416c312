"""`followsun staff` at scale: 100 queues x one year at 15 minutes (3.5 million rows).

The reference organisation's ten queues are repeated under ten language variants (a
hundred queues: phone and chat by Erlang, web by the deferred backlog model), given a
year of synthetic forecast, and staffed through the service the command calls
(`followsun.services.staff.staff_forecast`, its steps one by one): read and validate the CSV, staff every
queue and interval, write the requirements CSV. Each step is timed apart (wall and CPU
seconds: the machine is shared), then the staffing step is run again under cProfile to
list where its time goes (the profiler's overhead is kept out of the timed run).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from followsun.files import read_forecast, write_forecast, write_requirements
from scenarios.loader import load_scenario
from scenarios.spec import Scenario
from scenarios.staffing import requirements

COPIES = 10
DAYS = 365
TARGET_S = 10.0


def hundred_queues(reference: Path) -> Scenario:
    """The reference scenario with its ten queues repeated under ten language variants.

    Built in memory (`model_copy` skips the agent-skill checks a file would need): staffing
    reads only the queues.
    """
    scenario = load_scenario(reference)
    queues = []
    for copy in range(COPIES):
        for queue in scenario.queues:
            language = f"{queue.language}-c{copy}"
            escalates_to = None
            if queue.escalates_to:
                channel, base, tier = queue.escalates_to.split("-")
                escalates_to = f"{channel}-{base}-c{copy}-{tier}"
            queues.append(
                queue.model_copy(update={"language": language, "escalates_to": escalates_to})
            )
    return scenario.model_copy(update={"queues": tuple(queues)})


def forecast_frame(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """A year of forecast for every Tier 1 queue: a daily shape with noise."""
    grid = pd.date_range("2027-01-04", periods=DAYS * 96, freq="15min", tz="UTC")
    shape = 1.0 + np.sin(np.arange(grid.size) * 2 * np.pi / 96)
    parts = []
    for queue in scenario.queues:
        if queue.tier != 1:
            continue
        volume = rng.gamma(4.0, 2.0, grid.size) * shape
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": queue.channel,
                    "language": queue.language,
                    "tier": queue.tier,
                    "volume": volume,
                    "volume_p10": volume * 0.8,
                    "volume_p90": volume * 1.2,
                    "aht_seconds": queue.aht_seconds,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def run() -> str:
    """Time the staff service's steps on 100 queues x one year; list the top of a profile."""
    reference = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "reference.yaml"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scenario = hundred_queues(reference)
        forecast_path = root / "f.csv"
        write_forecast(forecast_frame(scenario, np.random.default_rng(20261207)), forecast_path)
        figures: dict[str, tuple[float, float]] = {}
        wall, cpu = time.perf_counter(), time.process_time()
        forecast = read_forecast(forecast_path)
        figures["read and validate"] = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        reqs = requirements(scenario, forecast, "volume")
        figures["staff"] = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        write_requirements(reqs, root / "r.csv")
        figures["write"] = (time.perf_counter() - wall, time.process_time() - cpu)
        profile = cProfile.Profile()
        profile.runcall(requirements, scenario, forecast, "volume")
    total = sum(w for w, _ in figures.values())
    total_cpu = sum(c for _, c in figures.values())
    queues = reqs["queue"].nunique()
    rows = [f"| {step} | {w:.1f} | {c:.1f} |" for step, (w, c) in figures.items()]
    top = pstats.Stats(profile).sort_stats("tottime").get_stats_profile().func_profiles
    hot = sorted(top.items(), key=lambda item: -item[1].tottime)[:5]
    lines = [
        f"| `{name}` ({p.file_name.rsplit('/', 1)[-1]}) | {p.tottime:.1f} |" for name, p in hot
    ]
    return "\n".join(
        [
            "## Staffing a year (`followsun staff`, 100 queues x 365 days x 15 min)",
            "",
            f"{len(forecast):,} forecast rows in, {len(reqs):,} requirement rows out for "
            f"{queues} queues (Erlang C/A for phone and chat, the deferred backlog model for "
            "web). Target: the whole command under 10 s (issue 30).",
            "",
            f"Load average when the run started: {load}.",
            "",
            "| step | seconds | CPU seconds |",
            "|---|---:|---:|",
            *rows,
            f"| **total** | **{total:.1f}** | **{total_cpu:.1f}** |",
            "",
            f"{'Under' if total < TARGET_S else 'Over'} the {TARGET_S:.0f} s target. Before "
            "issue 30 the same run took about 430 s (read 40, staffing 279, write 106).",
            "",
            "Where the staffing step spends its time (a second run, profiled, own time):",
            "",
            "| function | seconds |",
            "|---|---:|",
            *lines,
        ]
    )
