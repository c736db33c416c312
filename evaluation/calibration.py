"""Calibration from actual contacts: handle times, patience, escalation and concurrency.

Pure functions over the canonical tickets frame (`forecasting.schema.TICKETS`), which the
simulation adapter uses in place of the scenario's assumptions where data exists.

Patience is estimated from censored data, not from the mean wait of those who gave up
(which only sees the impatient): an abandoned contact is an event at its wait, an answered
one is censored at its wait (it would have waited at least that long). The Kaplan-Meier
product-limit estimator gives the survival curve; the simulation samples patience from it,
extending its tail beyond the last observation with an exponential of the same hazard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting.errors import InputError
from forecasting.queues import QueueKey
from simulation.arrivals import empirical_handle_s

FloatArray = NDArray[np.float64]

MIN_CONTACTS_PER_HOUR = 30
"""An hour of the day gets its own handle-time distribution from this many contacts on."""


@dataclass(frozen=True)
class Survival:
    """A Kaplan-Meier survival curve: S(t) just after each distinct event time.

    Attributes:
        times: distinct event times, increasing (seconds).
        survival: S at each of `times` (non-increasing, in [0, 1]).
        last_observed: the largest time observed (event or censored).
        events: number of events.
        exposure_s: total time at risk (sum of every observed duration).
    """

    times: FloatArray
    survival: FloatArray
    last_observed: float
    events: int
    exposure_s: float

    def restricted_mean(self) -> float:
        """Area under S(t) up to the last observation (the mean when nothing is censored after it)."""
        knots = np.concatenate(([0.0], self.times, [self.last_observed]))
        heights = np.concatenate(([1.0], self.survival))
        return float(np.sum(np.diff(knots) * heights))

    def tail_rate(self) -> float:
        """Hazard per second beyond the last observation: events per second at risk overall."""
        return self.events / self.exposure_s if self.exposure_s > 0 else 0.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draws from the curve by inversion; beyond it, the exponential tail (inf if no hazard)."""
        u = rng.random(size)
        # S is right-continuous and steps down at `times`: the draw is the first time at
        # which S falls to u or below.
        pos = np.searchsorted(-self.survival, -u, side="left")
        inside = pos < self.times.size
        out = np.empty(size)
        out[inside] = self.times[pos[inside]]
        floor = float(self.survival[-1]) if self.survival.size else 1.0
        rate = self.tail_rate()
        beyond = ~inside
        if rate > 0:
            # S(t) = floor * exp(-rate (t - last)) past the last observation.
            ratio = np.clip(u[beyond] / floor, 1e-300, 1.0)
            out[beyond] = self.last_observed - np.log(ratio) / rate
        else:
            out[beyond] = np.inf
        return out


def kaplan_meier(durations: FloatArray, events: NDArray[np.bool_]) -> Survival:
    """The product-limit estimate of survival from durations, some censored.

    Args:
        durations: observed time per subject, seconds (>= 0).
        events: True where the duration ends in the event (abandonment), False where it
            is censored (the contact was answered first).
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if t.shape != e.shape:
        raise InputError("kaplan_meier: durations and events must have the same length")
    if t.size and (not np.all(np.isfinite(t)) or t.min() < 0):
        raise InputError("kaplan_meier: durations must be finite and >= 0")
    times = np.unique(t[e])
    # Subjects at risk at each event time (duration >= time), and events at that time.
    sorted_t = np.sort(t)
    at_risk = t.size - np.searchsorted(sorted_t, times, side="left")
    sorted_events = np.sort(t[e])
    died = np.searchsorted(sorted_events, times, side="right") - np.searchsorted(
        sorted_events, times, side="left"
    )
    survival = np.asarray(
        np.cumprod(1.0 - died / at_risk) if times.size else np.zeros(0), dtype=float
    )
    return Survival(
        times=times,
        survival=survival,
        last_observed=float(t.max()) if t.size else 0.0,
        events=int(e.sum()),
        exposure_s=float(t.sum()),
    )


@dataclass(frozen=True)
class HandleTimes:
    """Observed handle times of one queue, overall and by UTC hour where data suffices."""

    overall: FloatArray
    by_hour: dict[int, FloatArray] = field(default_factory=dict)

    def sample(self, rng: np.random.Generator, hours: NDArray[np.int64]) -> FloatArray:
        """One handle time per contact, drawn from its hour's sample or the overall one."""
        out = empirical_handle_s(self.overall, hours.size, rng) if hours.size else np.zeros(0)
        for hour, values in self.by_hour.items():
            sel = hours == hour
            if sel.any():
                out[sel] = empirical_handle_s(values, int(sel.sum()), rng)
        return out


@dataclass(frozen=True)
class Calibration:
    """What the actuals say about each queue (keyed by `QueueKey`).

    Attributes:
        handle: empirical handle times per queue.
        patience: Kaplan-Meier patience per queue with at least one abandonment.
        escalation_rate: share of a queue's contacts escalated.
        concurrency: time-weighted chats at once per agent while busy (when tickets name
            the agent).
    """

    handle: dict[QueueKey, HandleTimes] = field(default_factory=dict)
    patience: dict[QueueKey, Survival] = field(default_factory=dict)
    escalation_rate: dict[QueueKey, float] = field(default_factory=dict)
    concurrency: dict[QueueKey, float] = field(default_factory=dict)


def _as_key(key: Any) -> QueueKey:
    return QueueKey.of(key[0], key[1], key[2])


def _queue_keys(tickets: pd.DataFrame) -> pd.Series:
    return pd.Series(
        list(
            zip(
                tickets["channel"].astype(str),
                tickets["language"].astype(str),
                tickets["tier"].astype(int),
                strict=True,
            )
        ),
        index=tickets.index,
    )


def handle_times(tickets: pd.DataFrame) -> dict[QueueKey, HandleTimes]:
    """Empirical handle-time samples per queue, and per UTC hour with enough contacts."""
    valid = tickets[pd.to_numeric(tickets["handle_seconds"], errors="coerce") > 0]
    out: dict[QueueKey, HandleTimes] = {}
    for key, rows in valid.groupby(_queue_keys(valid), sort=True):
        values = rows["handle_seconds"].to_numpy(dtype=float)
        hours = pd.to_datetime(rows["created_at"], utc=True).dt.hour.to_numpy()
        by_hour = {
            int(h): values[hours == h]
            for h in np.unique(hours)
            if int((hours == h).sum()) >= MIN_CONTACTS_PER_HOUR
        }
        out[_as_key(key)] = HandleTimes(values, by_hour)
    return out


def patience_curves(tickets: pd.DataFrame) -> dict[QueueKey, Survival]:
    """Kaplan-Meier patience per queue that records abandonments.

    Uses the columns `abandoned` (bool) and `wait_seconds` when the tickets carry them (a
    call log); otherwise a ticket whose status is 'abandoned' waited from `created_at` to
    `updated_at`, and an answered one to `first_reply_at`. Queues without any abandonment
    are left out (their patience is the scenario's).
    """
    if "abandoned" in tickets:
        abandoned = tickets["abandoned"].fillna(False).to_numpy(dtype=bool)
    else:
        abandoned = tickets["status"].astype(str).str.lower().eq("abandoned").to_numpy()
    if "wait_seconds" in tickets:
        wait = pd.to_numeric(tickets["wait_seconds"], errors="coerce").to_numpy(dtype=float)
    else:
        created = pd.to_datetime(tickets["created_at"], utc=True)
        ended = pd.to_datetime(tickets["updated_at"], utc=True).where(
            abandoned, pd.to_datetime(tickets["first_reply_at"], utc=True)
        )
        wait = (ended - created).dt.total_seconds().to_numpy(dtype=float)
    known = np.isfinite(wait) & (wait >= 0)
    keys = _queue_keys(tickets)
    out: dict[QueueKey, Survival] = {}
    for key in sorted(set(keys[abandoned & known])):
        sel = known & (keys == key).to_numpy()
        out[_as_key(key)] = kaplan_meier(wait[sel], abandoned[sel])
    return out


def escalation_rates(tickets: pd.DataFrame) -> dict[QueueKey, float]:
    """Share of each queue's tickets marked escalated."""
    flags = tickets["escalated"].astype("boolean").fillna(False).astype(bool)
    means = flags.groupby(_queue_keys(tickets)).mean()
    return {_as_key(key): float(v) for key, v in means.items()}


def concurrency_levels(tickets: pd.DataFrame) -> dict[QueueKey, float]:
    """Chats at once per agent while busy, time-weighted, from tickets naming the agent.

    A chat occupies its agent from `first_reply_at` for `handle_seconds`. Needs an
    `agent_id` column; without it (or without chat) the result is empty.
    """
    if "agent_id" not in tickets:
        return {}
    chats = tickets[
        (tickets["channel"].astype(str) == "chat")
        & tickets["agent_id"].notna()
        & tickets["first_reply_at"].notna()
        & (pd.to_numeric(tickets["handle_seconds"], errors="coerce") > 0)
    ]
    out: dict[QueueKey, float] = {}
    for key, rows in chats.groupby(_queue_keys(chats), sort=True):
        busy = together = 0.0
        for _, mine in rows.groupby("agent_id"):
            start = (
                pd.to_datetime(mine["first_reply_at"], utc=True)
                .astype("int64")
                .to_numpy(dtype=float)
                / 1e9
            )
            end = start + mine["handle_seconds"].to_numpy(dtype=float)
            level, spans = _overlap_profile(start, end)
            busy += float(np.sum(spans[level > 0]))
            together += float(np.sum(spans * level))
        if busy > 0:
            out[_as_key(key)] = together / busy
    return out


def _overlap_profile(start: FloatArray, end: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Number of spans open, and the length, of each piece between consecutive span ends."""
    points = np.concatenate((start, end))
    steps = np.concatenate((np.ones(start.size), -np.ones(end.size)))
    order = np.argsort(points, kind="stable")
    level = np.cumsum(steps[order])[:-1]
    return level, np.diff(points[order])


def calibrate(tickets: pd.DataFrame) -> Calibration:
    """Every estimate the simulation takes from actual tickets (TICKETS columns)."""
    return Calibration(
        handle=handle_times(tickets),
        patience=patience_curves(tickets),
        escalation_rate=escalation_rates(tickets),
        concurrency=concurrency_levels(tickets),
    )
