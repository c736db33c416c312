"""Outcomes bench: a 4-week plan evaluated analytically, checked against a SimPy simulation."""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.analytic import METHOD, realtime_outcomes, simulate_outcomes
from scenarios.loader import load_scenario
from scenarios.spec import Scenario
from scenarios.staffing import requirements

WEEKS = 4
INTERVAL_MIN = 15
DES_CUSTOMERS = 200_000
SEED = 20261125
# (label, contacts per interval, interval s, AHT s, agents, patience s or None, target s)
STATIONARY = (
    ("Erlang C: 100 calls / 30 min, AHT 180 s, 14 agents", 100.0, 1800.0, 180.0, 14, None, 20.0),
    (
        "Erlang A: 60 calls / 15 min, AHT 240 s, 14 agents, patience 120 s",
        60.0,
        900.0,
        240.0,
        14,
        120.0,
        20.0,
    ),
)


def _plan() -> tuple[Scenario, pd.DataFrame, pd.DataFrame]:
    """The reference organisation, a Poisson forecast with a daily curve, staffed at requirement."""
    scenario = load_scenario(
        Path(__file__).resolve().parents[1] / "scenarios/examples/reference.yaml"
    )
    grid = pd.date_range(
        "2027-03-01",
        periods=WEEKS * 7 * 24 * 60 // INTERVAL_MIN,
        freq=f"{INTERVAL_MIN}min",
        tz="UTC",
        name="interval_start",
    )
    rng = np.random.default_rng(SEED)
    curve = 1.0 + np.sin((grid.hour.to_numpy() - 6) / 24 * 2 * np.pi)
    rows = [
        pd.DataFrame(
            {"interval_start": grid, "channel": q.channel, "language": q.language, "tier": q.tier}
        ).assign(volume=rng.poisson(6.0 * curve).astype(float), aht_seconds=np.nan)
        for q in scenario.queues
        if q.tier == 1
    ]
    forecast = pd.concat(rows, ignore_index=True)
    forecast = forecast.assign(volume_p10=forecast["volume"], volume_p90=forecast["volume"])
    req = requirements(scenario, forecast)
    staffed = req.loc[:, ["interval_start", "channel", "language", "tier"]].assign(
        agents=req["scheduled_required"].astype(float)
    )
    return (
        scenario,
        forecast.loc[:, ["interval_start", "channel", "language", "tier", "volume", "aht_seconds"]],
        staffed,
    )


def _simpy_queue(
    rate_per_s: float, aht_s: float, agents: int, patience_s: float | None, target_s: float
) -> tuple[float, float, float, float, float]:
    """M/M/n(+M) in SimPy: service level, its 95% half-width, abandon share, ASA, wall seconds."""
    import simpy

    rng = np.random.default_rng(SEED)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=agents)
    wait = np.full(DES_CUSTOMERS, np.nan)  # NaN: abandoned

    def customer(env: simpy.Environment, i: int) -> Generator[Any, Any, None]:
        arrived = env.now
        with desk.request() as req:
            if patience_s is None:
                yield req
            else:
                got = yield req | env.timeout(rng.exponential(patience_s))
                if req not in got:
                    return
            wait[i] = env.now - arrived
            yield env.timeout(rng.exponential(aht_s))

    def source(env: simpy.Environment) -> Generator[Any, Any, None]:
        for i in range(DES_CUSTOMERS):
            yield env.timeout(rng.exponential(1.0 / rate_per_s))
            env.process(customer(env, i))

    start = time.perf_counter()
    env.process(source(env))
    env.run()
    seconds = time.perf_counter() - start
    kept = wait[DES_CUSTOMERS // 20 :]  # drop the first 5% (the empty start)
    answered = kept[~np.isnan(kept)]
    met = np.where(np.isnan(kept), False, kept <= target_s)
    # Batch means over 20 consecutive batches: the waits of neighbours are correlated.
    batches = np.array([b.mean() for b in np.array_split(met, 20)])
    half_width = 1.96 * float(batches.std(ddof=1)) / np.sqrt(batches.size)
    return (
        float(met.mean()),
        half_width,
        float(np.isnan(kept).mean()),
        float(answered.mean()),
        seconds,
    )


def run() -> str:
    """Time the analytic outcomes of a 4-week plan and validate one interval against SimPy."""
    scenario, arrivals, staffed = _plan()
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        out = simulate_outcomes(scenario, arrivals, staffed, interval_min=INTERVAL_MIN)
        best = min(best, time.perf_counter() - start)
    cells = len(out)
    contacts = float(out["offered"].sum())
    lines = []
    des_rates = []
    for label, vol, span, aht, n, patience, target in STATIONARY:
        ours = realtime_outcomes(
            [vol], aht, [float(n)], [True], interval_s=span, target_s=target, patience_s=patience
        )
        try:
            sl, hw, ab, asa, secs = _simpy_queue(vol / span, aht, n, patience, target)
        except ImportError:
            return _no_simpy(best, cells, contacts)
        des_rates.append(DES_CUSTOMERS / secs)
        lines.append(
            f"| {label} | {float(ours.service_level[0]):.4f} / {sl:.4f} +- {hw:.4f} | "
            f"{float(ours.abandoned[0]) / vol:.4f} / {ab:.4f} | {float(ours.asa_seconds[0]):.2f} / {asa:.2f} |"
        )
    des_rate = float(np.mean(des_rates))
    table = "\n".join(lines)
    return f"""## Outcomes (evaluation.analytic)

Method: {METHOD}.

The reference organisation's {len(scenario.queues)} queues over {WEEKS} weeks at {INTERVAL_MIN}
minutes ({cells:,} interval-queues, {contacts:,.0f} contacts, Poisson volumes on a daily
curve), staffed at the heads `scenarios.staffing.requirements` asks for, evaluated by
`simulate_outcomes` (best of 3). The peer is a discrete-event simulation in SimPy of
one stationary interval ({DES_CUSTOMERS:,} customers per queue, first 5% dropped), run in the same process.

| measure | followsun (analytic) | SimPy (DES) | ratio |
|---|---|---|---|
| 4-week plan, wall seconds | {best:.3f} | (est.) {contacts / des_rate:,.1f} for one replication | {contacts / des_rate / best:,.0f}x |
| interval-queues per second | {cells / best:,.0f} | | |
| customers per second | | {des_rate:,.0f} | |

Agreement on the stationary intervals (followsun / SimPy):

| interval | service level | abandoned share | ASA of answered, s |
|---|---|---|---|
{table}

SimPy's service level is given with a 95% interval from 20 batch means.
"""


def _no_simpy(best: float, cells: int, contacts: float) -> str:
    return (
        "## Outcomes (evaluation.analytic)\n\n"
        f"Method: {METHOD}.\n\n{cells:,} interval-queues ({contacts:,.0f} contacts) in "
        f"{best:.3f} s. SimPy is not installed (`pip install simpy`), so no comparison was made.\n"
    )
