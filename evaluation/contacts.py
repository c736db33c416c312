"""The contacts a simulation replays: from tickets as they arrived, or drawn from a forecast.

Times are seconds from the horizon start (the first interval of the outcomes grid); each
contact belongs to one scenario queue (its position in `scenario.queues`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evaluation.calibration import Calibration, Survival
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.synthetic import DEFAULT_PROFILES
from scenarios.spec import REALTIME_CHANNELS, Scenario
from simulation.arrivals import lognormal_handle_s, poisson_arrivals

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

HANDLE_SIGMA = {p.channel: p.aht_sigma for p in DEFAULT_PROFILES}
"""Lognormal sigma of handle times drawn around a queue's AHT, per channel (as generated)."""
DEFAULT_SIGMA = 0.5
"""Lognormal sigma for a channel the generator has no profile for."""


@dataclass(frozen=True)
class ContactTable:
    """Contacts sorted by arrival.

    Attributes:
        arrival_s: arrival instant, seconds from the horizon start.
        queue: position of the contact's queue in `scenario.queues`.
        handle_s: handle seconds (for chat, the chat's elapsed time in its slot).
    """

    arrival_s: FloatArray
    queue: IntArray
    handle_s: FloatArray

    def __len__(self) -> int:
        return int(self.arrival_s.size)


def queue_positions(scenario: Scenario, frame: pd.DataFrame, what: str) -> IntArray:
    """Position of each row's queue (channel, language, tier) in `scenario.queues`."""
    order = {q.id: i for i, q in enumerate(scenario.queues)}
    keys = queue_keys(frame, what)
    codes = keys.map(order)
    if codes.isna().any():
        unknown = sorted(set(keys[codes.isna()]))
        known = sorted(order)
        raise InputError(f"{what}: queues {unknown} are not in the scenario (known: {known})")
    return np.asarray(codes.to_numpy(dtype=np.int64), dtype=np.int64)


def contacts_from_tickets(
    scenario: Scenario, tickets: pd.DataFrame, grid: pd.DatetimeIndex
) -> ContactTable:
    """The tickets created inside the grid's span, as they arrived and were handled.

    Args:
        scenario: the queues (a ticket without a handle time takes its queue's AHT).
        tickets: created_at (UTC), channel, language, tier, handle_seconds (the demo's
            tickets.csv, or canonical tickets).
        grid: the UTC outcomes grid; tickets outside it are left out.
    """
    created = pd.to_datetime(tickets["created_at"], utc=True)
    step = grid[1] - grid[0]
    inside = ((created >= grid[0]) & (created < grid[-1] + step)).to_numpy()
    rows = tickets[inside]
    queue = queue_positions(scenario, rows, "tickets")
    aht = np.array([q.aht_seconds for q in scenario.queues])
    handle = pd.to_numeric(rows["handle_seconds"], errors="coerce").to_numpy(dtype=float)
    handle = np.asarray(np.where(np.isfinite(handle) & (handle > 0), handle, aht[queue]), float)
    arrival = np.asarray((created[inside] - grid[0]).dt.total_seconds(), dtype=float)
    return _sorted(arrival, queue, handle)


def contacts_from_forecast(
    scenario: Scenario,
    forecast: pd.DataFrame,
    grid: pd.DatetimeIndex,
    rng: np.random.Generator,
    *,
    dispersion: float = 0.0,
    calibration: Calibration | None = None,
) -> ContactTable:
    """Contacts drawn from a forecast: Poisson counts per interval, uniform within it.

    Args:
        scenario: the queues.
        forecast: interval_start (UTC), channel, language, tier, volume, aht_seconds.
        grid: the UTC outcomes grid; forecast rows outside it are left out.
        rng: the random source.
        dispersion: d >= 0: counts of variance ``volume + d x volume^2`` (a gamma-mixed
            Poisson, for forecasts less certain than Poisson); 0 is plain Poisson.
        calibration: empirical handle times per queue replace the lognormal around the
            row's AHT where present.
    """
    times = pd.to_datetime(forecast["interval_start"], utc=True)
    step = grid[1] - grid[0]
    inside = ((times >= grid[0]) & (times < grid[-1] + step)).to_numpy()
    rows = forecast[inside]
    queue = queue_positions(scenario, rows, "forecast")
    expected = pd.to_numeric(rows["volume"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    start_s = np.asarray((times[inside] - grid[0]).dt.total_seconds(), dtype=float)
    arrival, row = poisson_arrivals(
        start_s, step.total_seconds(), np.maximum(expected, 0.0), rng, dispersion
    )
    queue_c = queue[row]
    aht_rows = pd.to_numeric(rows["aht_seconds"], errors="coerce").to_numpy(dtype=float)
    default = np.array([q.aht_seconds for q in scenario.queues])
    aht_rows = np.where(np.isfinite(aht_rows) & (aht_rows > 0), aht_rows, default[queue])
    handle = np.zeros(arrival.size)
    hours = ((grid[0].hour * 3600 + arrival) // 3600 % 24).astype(np.int64)
    for i, q in enumerate(scenario.queues):
        sel = queue_c == i
        if not sel.any():
            continue
        observed = None if calibration is None else calibration.handle.get(q.key)
        if observed is not None:
            handle[sel] = observed.sample(rng, hours[sel])
        else:
            handle[sel] = lognormal_handle_s(aht_rows[row[sel]], handle_cv(q.channel), rng)
    return _sorted(arrival, queue_c, handle)


def handle_cv(channel: str) -> float:
    """Coefficient of variation of a channel's lognormal handle time (`HANDLE_SIGMA`)."""
    sigma = HANDLE_SIGMA.get(channel, DEFAULT_SIGMA)
    return math.sqrt(math.expm1(sigma**2))


def draw_patience(
    scenario: Scenario,
    queue: IntArray,
    rng: np.random.Generator,
    calibration: Calibration | None = None,
) -> FloatArray:
    """Patience per contact: Kaplan-Meier from actuals, else exponential, else none (inf).

    Realtime queues with a `patience_seconds` draw exponential patience of that mean (the
    Erlang A assumption the staffing uses); deferred work and realtime queues without one
    wait as long as it takes.
    """
    out = np.full(queue.size, np.inf)
    for i, q in enumerate(scenario.queues):
        sel = queue == i
        if not sel.any() or q.channel not in REALTIME_CHANNELS:
            continue
        curve: Survival | None = None
        if calibration is not None:
            curve = calibration.patience.get(q.key)
        if curve is not None:
            out[sel] = curve.sample(rng, int(sel.sum()))
        elif q.patience_seconds is not None:
            out[sel] = rng.exponential(q.patience_seconds, size=int(sel.sum()))
    return out


def _sorted(arrival: FloatArray, queue: IntArray, handle: FloatArray) -> ContactTable:
    order = np.argsort(arrival, kind="stable")
    return ContactTable(
        arrival_s=np.asarray(arrival[order], dtype=float),
        queue=np.asarray(queue[order], dtype=np.int64),
        handle_s=np.asarray(handle[order], dtype=float),
    )
