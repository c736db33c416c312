"""Decisions bench: a sweep of reference variants x replications through `compare_variants`.

The same sweep runs on a local process pool with 1 and with 2 workers and on a Dask
LocalCluster (2 worker processes) through `--executor dask://...`, the same code path.
Each variant is the reference organisation with San Jose's hourly cost changed, so every
variant plans, rosters and simulates in full. The roster budget is short (ROSTER_S) to
measure the fan-out, not the solver. Scale with $FOLLOWSUN_BENCH_VARIANTS and
$FOLLOWSUN_BENCH_REPLICATIONS (the issue's sweep is 50 x 10).
"""

from __future__ import annotations

import os
import time
from datetime import date

from followsun.services.compare import DecisionSettings, compare_variants, prepare
from followsun.services.plan import reference_scenario_path
from scenarios.loader import load_scenario
from scenarios.spec import Scenario

ROSTER_S = 10.0
START = date(2027, 3, 8)


def _variants(count: int) -> list[Scenario]:
    base = load_scenario(reference_scenario_path())
    out = []
    for k in range(count):
        sjc = base.sites[0].model_copy(update={"hourly_cost": base.sites[0].hourly_cost + k})
        out.append(
            base.model_copy(update={"name": f"sjc-cost+{k}", "sites": (sjc, *base.sites[1:])})
        )
    return out


def _sweep(
    variants: list[Scenario], replications: int, executor: str, workers: int | None
) -> float:
    settings = DecisionSettings(
        start=START, weeks=1, replications=replications, time_limit_s=ROSTER_S
    )
    demand, plan, simulation = prepare(variants, settings)
    began = time.perf_counter()
    compare_variants(variants, demand, plan, simulation, executor=executor, max_workers=workers)
    return time.perf_counter() - began


def run() -> str:
    """Wall time of the sweep on 1 and 2 local workers and on a Dask LocalCluster."""
    from distributed import LocalCluster

    count = int(os.environ.get("FOLLOWSUN_BENCH_VARIANTS", "50"))
    replications = int(os.environ.get("FOLLOWSUN_BENCH_REPLICATIONS", "10"))
    variants = _variants(count)
    one = _sweep(variants, replications, "local", 1)
    two = _sweep(variants, replications, "local", 2)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address.removeprefix("tcp://")
        dask = _sweep(variants, replications, f"dask://{address}", None)
    return "\n".join(
        [
            "## Decisions: a sweep of variants (`followsun compare`)",
            "",
            f"{count} variants of the reference organisation x {replications} replications, "
            f"one week, roster limit {ROSTER_S:.0f} s per variant (short on purpose), each "
            "variant forecast, staffed, rostered, simulated and priced.",
            "",
            "| executor | wall s | per variant s | speed-up vs 1 worker |",
            "|---|---|---|---|",
            f"| local, 1 worker | {one:.0f} | {one / count:.1f} | 1.00x |",
            f"| local, 2 workers | {two:.0f} | {two / count:.1f} | {one / two:.2f}x |",
            f"| Dask LocalCluster, 2 workers | {dask:.0f} | {dask / count:.1f} | {one / dask:.2f}x |",
        ]
    )
