"""Replay a contact log: the actual arrivals and agents, simulated, against what happened.

Each call arrives when it did on its queue, with its recorded handle time (a call that
was abandoned draws one from the calibration's queue and hour). Agents are the roster's
when one is given, else those of the log, present when they served
(`evaluation.presence`), skilled for the queues they answered. The calibrated model adds patience drawn from the Kaplan-Meier curve,
after-contact unavailability drawn from the gaps observed while callers waited, and the
priority classes' head starts. The textbook baseline uses the same agents and talk time,
exponential patience, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

import simulation
from evaluation.call_log import LogCalibration, calls, log_presence, skills_of
from evaluation.presence import roster_presence, roster_skills
from forecasting.queues import QueueKey
from planner import cancellation

FloatArray = NDArray[np.float64]

FIGURES = ("service_level", "abandonment", "mean_wait_seconds")
"""What is compared, per day and per hour."""


@dataclass(frozen=True)
class ReplayRuns:
    """The actual and simulated fate of each call.

    Attributes:
        calls: the replayed calls (`evaluation.call_log.calls`).
        actual_wait_s, actual_abandoned: what happened.
        wait_s, abandoned: per model ("calibrated", "textbook") a (replications x calls)
            array of the simulated time in queue and abandonment.
        target_s: the service-level threshold.
    """

    calls: pd.DataFrame
    actual_wait_s: FloatArray
    actual_abandoned: NDArray[np.bool_]
    wait_s: dict[str, FloatArray]
    abandoned: dict[str, NDArray[np.bool_]]
    target_s: float


def replay(
    tickets: pd.DataFrame,
    calibration: LogCalibration,
    replications: int,
    seed: int,
    target_s: float,
    roster: pd.DataFrame | None = None,
) -> ReplayRuns:
    """Simulate the log's period `replications` times with each model.

    The agents are the roster's (shifts less breaks, skills by tier and `channel/language`)
    when one is given, else those of the log, present in the hours they served.
    """
    frame = calls(tickets)
    queues = sorted(set(frame["queue"]))
    index = {q: i for i, q in enumerate(queues)}
    if roster is not None:
        presence = roster_presence(roster)
        matrix = roster_skills(roster, presence.agents, queues)
    else:
        presence = log_presence(frame)
        skills = skills_of(frame, presence.agents)
        matrix = np.array([[q in skills[a] for q in queues] for a in presence.agents], dtype=bool)
    origin = float(np.floor(frame["arrival_s"].min() / 86400.0) * 86400.0)
    # A rostered shift may begin before the log's first day: the run starts at its midnight.
    start = np.maximum(presence.start_s - origin, 0.0)
    end = presence.end_s - origin
    kept = end > start
    agents = simulation.Agents(
        skills=matrix,
        period_agent=presence.period_agent[kept],
        period_start_s=start[kept],
        period_end_s=end[kept],
    )
    engine_queues = simulation.Queues(
        mode=["realtime"] * len(queues),
        target_s=[target_s] * len(queues),
        names=list(map(str, queues)),
    )
    arrival = frame["arrival_s"].to_numpy() - origin
    queue = np.array([index[q] for q in frame["queue"]], dtype=np.int64)
    horizon = float(max(presence.end_s.max() - origin, arrival.max()) + 86400.0)
    waits: dict[str, list[FloatArray]] = {"calibrated": [], "textbook": []}
    gave_up: dict[str, list[NDArray[np.bool_]]] = {"calibrated": [], "textbook": []}
    for r in range(replications):
        cancellation.current().check()
        simulation_seed = int(np.random.SeedSequence([seed, r]).generate_state(1)[0])
        rng = np.random.default_rng(simulation_seed)
        handle = _handle_times(frame, queues, calibration, rng)
        for model in ("calibrated", "textbook"):
            contacts = _contacts(frame, arrival, queue, queues, handle, calibration, model, rng)
            out = simulation.simulate(engine_queues, contacts, agents, horizon, simulation_seed)
            n = len(frame)
            ended = np.where(out.abandoned[:n], out.end_s[:n], out.start_s[:n])
            waits[model].append(np.asarray(ended - arrival, dtype=float))
            gave_up[model].append(np.asarray(out.abandoned[:n]))
    return ReplayRuns(
        calls=frame,
        actual_wait_s=frame["wait_seconds"].to_numpy(dtype=float),
        actual_abandoned=frame["abandoned"].to_numpy(dtype=bool),
        wait_s={m: np.vstack(v) for m, v in waits.items()},
        abandoned={m: np.vstack(v) for m, v in gave_up.items()},
        target_s=target_s,
    )


def _handle_times(
    frame: pd.DataFrame,
    queues: list[QueueKey],
    calibration: LogCalibration,
    rng: np.random.Generator,
) -> FloatArray:
    """The recorded handle time; a draw of the queue and hour where the call has none."""
    handle = frame["handle_seconds"].to_numpy(dtype=float).copy()
    missing = ~(handle > 0)
    hours = pd.to_datetime(frame["created_at"], utc=True).dt.hour.to_numpy()
    for q in queues:
        sel = missing & (frame["queue"] == q).to_numpy()
        if not sel.any():
            continue
        times = calibration.handle.get(q)
        pooled = np.concatenate([h.overall for h in calibration.handle.values()])
        if times is None:
            handle[sel] = rng.choice(pooled, int(sel.sum()))
        else:
            handle[sel] = times.sample(rng, hours[sel].astype(np.int64))
    return handle


def _contacts(
    frame: pd.DataFrame,
    arrival: FloatArray,
    queue: NDArray[np.int64],
    queues: list[QueueKey],
    handle: FloatArray,
    calibration: LogCalibration,
    model: str,
    rng: np.random.Generator,
) -> simulation.Contacts:
    n = arrival.size
    patience = np.full(n, np.inf)
    for i, q in enumerate(queues):
        sel = queue == i
        if model == "calibrated" and q in calibration.patience:
            patience[sel] = calibration.patience[q].sample(rng, int(sel.sum()))
        elif q in calibration.exponential_patience_s:
            patience[sel] = rng.exponential(calibration.exponential_patience_s[q], int(sel.sum()))
    if model == "textbook":
        return simulation.Contacts(arrival, queue, handle, patience)
    gaps = calibration.unavailability_s
    wrap = rng.choice(gaps, n) if gaps.size else np.zeros(n)
    head = np.array([calibration.head_start_s.get(int(k), 0.0) for k in frame["priority"]])
    return simulation.Contacts(arrival, queue, handle, patience, wrap_s=wrap, head_start_s=head)


def compare(runs: ReplayRuns, timezone: str, by_hour: bool) -> pd.DataFrame:
    """Actual against simulated figures per local day (and hour), with the errors.

    Service level is the share of calls answered within the target (an abandoned call is
    a miss), abandonment the share abandoned, both in percent; the mean wait is over every
    call (an abandoned call waited until it gave up). A simulated figure is the mean over
    replications; its error is simulated less actual (points, or seconds for the wait).
    """
    local = pd.to_datetime(runs.calls["created_at"], utc=True).dt.tz_convert(timezone)
    keys: dict[str, NDArray[Any]] = {"day": local.dt.date.astype(str).to_numpy()}
    if by_hour:
        keys["hour"] = local.dt.hour.to_numpy()
    groups = pd.DataFrame(keys)

    def figures(wait: FloatArray, gave_up: NDArray[np.bool_]) -> pd.DataFrame:
        frame = groups.assign(
            service_level=100.0 * (~gave_up & (wait <= runs.target_s)),
            abandonment=100.0 * gave_up,
            mean_wait_seconds=wait,
        )
        return frame.groupby(list(keys), sort=True).mean()

    actual = figures(runs.actual_wait_s, runs.actual_abandoned)
    out = actual.rename(columns={f: f"actual_{f}" for f in FIGURES})
    out.insert(0, "calls", groups.groupby(list(keys), sort=True).size())
    for model in ("calibrated", "textbook"):
        reps = [
            figures(w, a) for w, a in zip(runs.wait_s[model], runs.abandoned[model], strict=True)
        ]
        mean = sum(reps[1:], reps[0]) / len(reps)
        prefix = "simulated" if model == "calibrated" else "textbook"
        for f in FIGURES:
            out[f"{prefix}_{f}"] = mean[f]
            out[f"{prefix}_error_{f}"] = mean[f] - actual[f]
    return out.reset_index()


def mean_absolute_errors(daily: pd.DataFrame, prefix: str) -> dict[str, float]:
    """Mean absolute daily error of each figure (`prefix` simulated or textbook)."""
    return {
        "mae_service_level_points": float(daily[f"{prefix}_error_service_level"].abs().mean()),
        "mae_abandonment_points": float(daily[f"{prefix}_error_abandonment"].abs().mean()),
        "mae_mean_wait_seconds": float(daily[f"{prefix}_error_mean_wait_seconds"].abs().mean()),
    }
