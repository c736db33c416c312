"""Contact logs written by the simulation engine itself, so the truth behind them is known.

`engine_log` runs one queue (or two languages) with agents on whole-hour shifts, Poisson
calls, exponential handle times and patience, a known after-call unavailability and a
known head start for priority-2 callers, and writes what happened as canonical tickets
with the real-time fields, exactly as an imported call log would hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import simulation

ORIGIN = pd.Timestamp("2027-03-01T00:00:00Z")


@dataclass(frozen=True)
class Truth:
    """What the log was generated with."""

    wrap_s: float
    patience_mean_s: float
    head_start_s: float


def engine_log(
    days: int = 3,
    seed: int = 0,
    truth: Truth = Truth(wrap_s=45.0, patience_mean_s=150.0, head_start_s=120.0),
    calls_per_hour: float = 75.0,
    agents: int = 6,
) -> pd.DataFrame:
    """A log of `days` days, 08:00-20:00, `agents` agents in two staggered shifts."""
    rng = np.random.default_rng(seed)
    arrival: list[float] = []
    for d in range(days):
        t = d * 86400.0 + 8 * 3600.0
        end = d * 86400.0 + 20 * 3600.0
        while True:
            t += rng.exponential(3600.0 / calls_per_hour)
            if t >= end:
                break
            arrival.append(t)
    arr = np.asarray(arrival)
    n = arr.size
    handle = np.maximum(rng.exponential(180.0, n), 1.0)
    patience = rng.exponential(truth.patience_mean_s, n)
    priority = rng.choice([0, 2], n, p=[0.7, 0.3])
    starts, ends, owner = [], [], []
    for d in range(days):
        for a in range(agents):
            begin = d * 86400.0 + (8 if a % 2 == 0 else 12) * 3600.0
            starts.append(begin)
            ends.append(begin + 8 * 3600.0)
            owner.append(a)
    out = simulation.simulate(
        simulation.Queues(mode=["realtime"], target_s=[60.0]),
        simulation.Contacts(
            arr,
            np.zeros(n, dtype=np.int64),
            handle,
            patience,
            wrap_s=np.full(n, truth.wrap_s),
            head_start_s=np.where(priority == 2, truth.head_start_s, 0.0),
        ),
        simulation.Agents(np.ones((agents, 1), dtype=bool), owner, starts, ends),
        horizon_s=days * 86400.0,
        seed=seed,
    )
    gave_up = out.abandoned[:n]
    wait = np.where(gave_up, out.end_s[:n] - arr, out.start_s[:n] - arr)
    created = ORIGIN + pd.to_timedelta(arr, unit="s")
    started = ORIGIN + pd.to_timedelta(out.start_s[:n], unit="s")
    return pd.DataFrame(
        {
            "source": "engine",
            "ticket_id": [str(i) for i in range(n)],
            "created_at": created,
            "updated_at": created + pd.to_timedelta(wait + np.where(gave_up, 0, handle), unit="s"),
            "status": np.where(gave_up, "abandoned", "solved"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "first_reply_at": started.where(~gave_up),
            "solved_at": (started + pd.to_timedelta(handle, unit="s")).where(~gave_up),
            "handle_seconds": np.where(gave_up, np.nan, handle),
            "escalated": False,
            "csat": np.nan,
            "agent_id": pd.Series(np.where(gave_up, None, [f"agent{a}" for a in out.agent[:n]])),
            "wait_seconds": wait,
            "abandoned": gave_up,
            "priority": priority,
        }
    )
