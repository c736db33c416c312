"""Simulation engine bench: M/M/50 at 85% load, 10^6 customers, against Ciw and SimPy.

Each tool draws its own arrivals and handle times and runs the same queue; the time
counted for ours includes drawing the contacts and building the engine's inputs. The
answers (P(wait), service level within 20 s, ASA) are compared with Erlang C, each with
its 95% batch-means interval, the first 1% of customers left out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from evaluation.verify import batch_means
from planner.staffing import erlang_c
from simulation import Agents, Contacts, Queues, simulate

AGENTS = 50
LOAD = 0.85
AHT_S = 180.0
TARGET_S = 20.0
CUSTOMERS = 1_000_000
SEED = 20261207
RATE = LOAD * AGENTS / AHT_S


def ours(customers: int = CUSTOMERS) -> np.ndarray:
    """Waits in seconds (arrival order) from the followsun engine."""
    rng = np.random.default_rng(SEED)
    arrival = np.cumsum(rng.exponential(1.0 / RATE, customers))
    contacts = Contacts(
        arrival_s=arrival,
        queue=np.zeros(customers, dtype=np.int64),
        handle_s=rng.exponential(AHT_S, customers),
    )
    horizon = float(arrival[-1]) + 1.0
    agents = Agents(
        skills=np.ones((AGENTS, 1), dtype=bool),
        period_agent=np.arange(AGENTS),
        period_start_s=np.zeros(AGENTS),
        period_end_s=np.full(AGENTS, horizon),
    )
    out = simulate(Queues(mode=["realtime"], target_s=[TARGET_S]), contacts, agents, horizon, SEED)
    return np.asarray(out.wait_s)


def ciw_model(customers: int = CUSTOMERS) -> np.ndarray:
    """Waits in seconds (arrival order) from Ciw."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / AHT_S)],
        number_of_servers=[AGENTS],
    )
    ciw.seed(SEED)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_customers(customers, method="Finish")
    records = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    return np.array([r.waiting_time for r in records])


def simpy_model(customers: int = CUSTOMERS) -> np.ndarray:
    """Waits in seconds (arrival order) from SimPy."""
    import simpy

    rng = np.random.default_rng(SEED)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=AGENTS)
    wait = np.full(customers, np.nan)

    def customer(i: int) -> Generator[Any, Any, None]:
        arrived = env.now
        with desk.request() as req:
            yield req
            wait[i] = env.now - arrived
            yield env.timeout(rng.exponential(AHT_S))

    def source() -> Generator[Any, Any, None]:
        for i in range(customers):
            yield env.timeout(rng.exponential(1.0 / RATE))
            env.process(customer(i))

    env.process(source())
    env.run()
    return wait


def _figures(wait: np.ndarray) -> list[tuple[float, float]]:
    """P(wait), service level and ASA with 95% half-widths, past the first 1%."""
    kept = wait[wait.shape[0] // 100 :]
    kept = kept[~np.isnan(kept)]
    out = []
    for values in ((kept > 1e-9).astype(float), (kept <= TARGET_S).astype(float), kept):
        mean, se = batch_means(values)
        out.append((mean, 1.96 * se))
    return out


def _timed(model: Callable[[], np.ndarray]) -> tuple[np.ndarray, float, float]:
    """The model's waits, its wall seconds and its CPU seconds (the machine may be shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    wait = model()
    return wait, time.perf_counter() - start, time.process_time() - cpu


def run() -> str:
    """Customers a second and answers of the three engines on one M/M/50 queue."""
    _, warm, _ = _timed(lambda: ours(10_000))  # compiles the loop, or loads it from the cache
    rows = []
    rates, cpu_rates = {}, {}
    for name, model in (("followsun (numba)", ours), ("Ciw", ciw_model), ("SimPy", simpy_model)):
        try:
            wait, seconds, cpu = _timed(model)
        except ImportError:
            rows.append(f"| {name} | not installed (the `bench` extra) | | | | |")
            continue
        rates[name], cpu_rates[name] = CUSTOMERS / seconds, CUSTOMERS / cpu
        figs = " | ".join(f"{m:.4f} ± {h:.4f}" for m, h in _figures(wait))
        rows.append(f"| {name} | {rates[name]:,.0f} | {cpu_rates[name]:,.0f} | {figs} |")
    exact = erlang_c.figures(AGENTS, RATE * AHT_S, AHT_S, TARGET_S)
    rows.append(
        f"| Erlang C (exact) | | | {float(exact.p_wait):.4f} | {float(exact.service_level):.4f} "
        f"| {float(exact.asa_seconds):.4f} |"
    )
    ratio = f"{_ratio(rates)} (wall clock), {_ratio(cpu_rates)} (CPU time)"
    return "\n".join(
        [
            "## Simulation engine: M/M/50 at 85% load (`simulation`)\n",
            f"{CUSTOMERS:,} customers, exponential inter-arrival and handle times (AHT "
            f"{AHT_S:.0f} s), {AGENTS} agents, service level within {TARGET_S:.0f} s. Each "
            "engine draws its own random numbers; ours counts drawing them and building "
            "its inputs. Figures past the first 1% of customers, 95% batch-means intervals. "
            f"First call of ours (compiling the loop, or loading it from numba's cache): "
            f"{warm:.1f} s, not counted.\n",
            "| engine | customers / s (wall) | customers / CPU s | P(wait) | service level "
            "| ASA (s) |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Speed: {ratio}. Load average when the section ended: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock rates suffer on a "
            "shared machine; CPU-time rates less so).",
        ]
    )


def _ratio(rates: dict[str, float]) -> str:
    """Ours over the faster peer."""
    peers = [v for k, v in rates.items() if k != "followsun (numba)"]
    if not peers or "followsun (numba)" not in rates:
        return "no peer ran"
    return f"{rates['followsun (numba)'] / max(peers):.1f}x the faster peer"
