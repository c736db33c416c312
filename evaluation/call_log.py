"""Calibration from a contact log: what the simulation needs that no field records.

Pure functions over canonical tickets of a real-time channel that carry `agent_id`,
`wait_seconds` and `abandoned` (a call log). `calls` keeps the calls that reached the
agents' queue and places them on one clock; `calibrate_log` estimates:

- handle times by queue and UTC hour (`evaluation.calibration.handle_times`);
- patience by queue, Kaplan-Meier with answered calls censored at their wait
  (`evaluation.calibration.patience_curves`), and the exponential (Erlang A) mean for the
  textbook baseline: total time waited over abandonments, the censored-data MLE;
- after-contact unavailability: an agent's gap between the end of one call and the start
  of the next, counted only when a caller of a queue the agent serves was waiting at that
  end (the agent could have answered at once but did not) and both calls fall in the same
  presence period (`evaluation.presence`), so breaks between periods are not counted;
- a head start per priority class over the lowest class, from which waiting caller the
  agents took (`head_starts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evaluation.calibration import HandleTimes, Survival, handle_times, patience_curves
from evaluation.presence import Presence, infer_presence
from forecasting.errors import InputError
from forecasting.queues import QueueKey

FloatArray = NDArray[np.float64]

LOG_COLUMNS = ("agent_id", "wait_seconds", "abandoned")
"""What a ticket frame must carry to be replayed or calibrated from as a contact log."""
HEAD_START_GRID_S = np.arange(0.0, 601.0, 5.0)
"""Head starts tried when estimating one from the log (seconds)."""
MIN_CONTESTED_PICKS = 50
"""A priority class gets a head start only with this many picks where it competed."""


def calls(tickets: pd.DataFrame) -> pd.DataFrame:
    """The calls of a log that reached the agents' queue, sorted by arrival.

    Drops deleted tickets, tickets with no wait or outcome recorded, and abandoned calls
    that never queued (wait 0: they hung up before reaching the queue). Adds `queue`
    (QueueKey), `arrival_s` (epoch seconds), `start_s` and `end_s` of service (NaN when
    abandoned), and `priority` 0 where absent.

    Raises:
        InputError: a column of `LOG_COLUMNS` is missing.
    """
    absent = [c for c in LOG_COLUMNS if c not in tickets]
    if absent:
        raise InputError(
            f"tickets: a contact log needs the columns {', '.join(LOG_COLUMNS)}; "
            f"missing {', '.join(absent)} (import the log with a mapping that fills them)"
        )
    frame = tickets[tickets["status"].astype(str) != "deleted"].copy()
    frame["wait_seconds"] = pd.to_numeric(frame["wait_seconds"], errors="coerce")
    frame["handle_seconds"] = pd.to_numeric(frame["handle_seconds"], errors="coerce")
    gave_up = frame["abandoned"].astype("boolean")
    known = frame["wait_seconds"].ge(0).fillna(False) & gave_up.notna()
    frame = frame[known.to_numpy(dtype=bool)].copy()
    frame["abandoned"] = frame["abandoned"].astype(bool)
    served = ~frame["abandoned"] & frame["agent_id"].notna() & frame["handle_seconds"].gt(0)
    queued = frame["abandoned"] & frame["wait_seconds"].gt(0)
    frame = frame[(served | queued).to_numpy(dtype=bool)].copy()
    frame["arrival_s"] = pd.to_datetime(frame["created_at"], utc=True).astype("int64") / 1e9
    frame = frame.sort_values("arrival_s", kind="stable").reset_index(drop=True)
    frame["queue"] = pd.Series(
        [
            QueueKey.of(c, lang, int(t))
            for c, lang, t in zip(frame["channel"], frame["language"], frame["tier"], strict=True)
        ],
        index=frame.index,
        dtype=object,
    )
    start = frame["arrival_s"] + frame["wait_seconds"]
    frame["start_s"] = start.where(~frame["abandoned"])
    frame["end_s"] = frame["start_s"] + frame["handle_seconds"]
    priority = frame["priority"] if "priority" in frame else pd.Series(0, index=frame.index)
    frame["priority"] = pd.to_numeric(priority, errors="coerce").fillna(0).astype(int)
    return frame


def log_presence(frame: pd.DataFrame) -> Presence:
    """Each agent's presence inferred from the answered calls of `calls(...)`."""
    served = frame[~frame["abandoned"]]
    return infer_presence(
        served["agent_id"].astype(str).to_numpy(dtype=object),
        served["start_s"].to_numpy(dtype=float),
        served["end_s"].to_numpy(dtype=float),
    )


def skills_of(frame: pd.DataFrame, agents: tuple[str, ...]) -> dict[str, set[QueueKey]]:
    """The queues each agent answered in the log."""
    served = frame[~frame["abandoned"]]
    out: dict[str, set[QueueKey]] = {a: set() for a in agents}
    for agent, queue in zip(served["agent_id"].astype(str), served["queue"], strict=True):
        out[agent].add(queue)
    return out


def waiting_at(frame: pd.DataFrame, queues: set[QueueKey], t: FloatArray) -> NDArray[np.int64]:
    """Callers of `queues` waiting in the queue at each instant `t`."""
    mine = frame["queue"].isin(queues).to_numpy() & frame["wait_seconds"].gt(0).to_numpy()
    began = np.sort(frame["arrival_s"].to_numpy()[mine])
    ended = np.sort((frame["arrival_s"] + frame["wait_seconds"]).to_numpy()[mine])
    return np.asarray(
        np.searchsorted(began, t, side="right") - np.searchsorted(ended, t, side="right")
    )


def unavailability_gaps(frame: pd.DataFrame, presence: Presence) -> FloatArray:
    """Gaps between an agent's consecutive calls that began while a caller was waiting."""
    served = frame[~frame["abandoned"]]
    skills = skills_of(frame, presence.agents)
    out = [np.zeros(0)]
    for i, agent in enumerate(presence.agents):
        mine = served[served["agent_id"].astype(str) == agent].sort_values("start_s")
        start, end = mine["start_s"].to_numpy(), mine["end_s"].to_numpy()
        gap = start[1:] - end[:-1]
        busy_queue = waiting_at(frame, skills[agent], end[:-1]) > 0
        same = presence.period_of(i, end[:-1]) == presence.period_of(i, start[1:])
        out.append(gap[busy_queue & same & (gap >= 0)])
    return np.concatenate(out)


def head_starts(frame: pd.DataFrame) -> dict[int, float]:
    """Head start (seconds) of each priority class over the lowest, where the log shows one.

    At each answer of a queue where callers of class p and of the lowest class were both
    waiting, the rule "serve the longest wait, class p credited h seconds" takes class p
    exactly when its oldest caller arrived less than h after the others' oldest. The
    estimate is the h of `HEAD_START_GRID_S` that agrees with the most such answers (the
    smallest on ties, so 0 where priority makes no difference).
    """
    classes = sorted(set(frame["priority"]))
    out: dict[int, float] = {}
    for p in classes[1:]:
        lead: list[float] = []
        took: list[bool] = []
        for _, rows in frame.groupby("queue", sort=False):
            lead_q, took_q = _contested(rows, p, classes[0])
            lead.extend(lead_q)
            took.extend(took_q)
        if len(lead) < MIN_CONTESTED_PICKS:
            continue
        d, t = np.asarray(lead), np.asarray(took)
        agree = [(np.sum(t & (d < h)) + np.sum(~t & (d >= h))) for h in HEAD_START_GRID_S]
        out[int(p)] = float(HEAD_START_GRID_S[int(np.argmax(agree))])
    return out


def _contested(rows: pd.DataFrame, p: int, base: int) -> tuple[list[float], list[bool]]:
    """At each answer with classes `p` and `base` waiting: the lead and who was taken.

    The lead is the arrival of the oldest class-`p` caller waiting less that of the
    oldest class-`base` one; `took` is True when the answered caller was of class `p`.
    """
    arrival = rows["arrival_s"].to_numpy()
    leave = arrival + rows["wait_seconds"].to_numpy()
    klass = rows["priority"].to_numpy()
    answered = ~rows["abandoned"].to_numpy() & (rows["wait_seconds"].to_numpy() > 0)
    high, low = klass == p, klass == base
    longest = float(rows["wait_seconds"].max()) if len(rows) else 0.0
    lead: list[float] = []
    took: list[bool] = []
    for k in np.flatnonzero(answered & (high | low)):
        t = leave[k]
        # Rows are sorted by arrival: only those arrived within the longest wait can wait.
        a, b = np.searchsorted(arrival, [t - longest, t], side="right")
        span = slice(int(a) - 1 if a > 0 else 0, int(b))
        waiting = (arrival[span] <= t) & (leave[span] >= t)
        hi, lo = waiting & high[span], waiting & low[span]
        mine = hi if high[k] else lo
        # Only answers that took their class's longest waiting caller follow a rule of
        # this kind; the others were routed by something the log does not hold.
        if hi.any() and lo.any() and arrival[k] <= arrival[span][mine].min():
            lead.append(float(arrival[span][hi].min() - arrival[span][lo].min()))
            took.append(bool(high[k]))
    return lead, took


@dataclass(frozen=True)
class LogCalibration:
    """What a contact log says the simulation should assume.

    Attributes:
        handle: handle times per queue (by UTC hour where data suffices).
        patience: Kaplan-Meier patience per queue with abandonments.
        exponential_patience_s: the exponential (Erlang A) mean patience per queue.
        unavailability_s: the gaps after a call while callers waited (one sample each).
        head_start_s: head start per priority class over the lowest.
        calls: calls used; agents: agents seen.
    """

    handle: dict[QueueKey, HandleTimes]
    patience: dict[QueueKey, Survival]
    exponential_patience_s: dict[QueueKey, float]
    unavailability_s: FloatArray
    head_start_s: dict[int, float] = field(default_factory=dict)
    calls: int = 0
    agents: int = 0

    def summary(self) -> dict[str, object]:
        """The estimates in a few figures (for summary.json and the docs)."""
        gaps = self.unavailability_s
        return {
            "calls": self.calls,
            "agents": self.agents,
            "unavailability_samples": int(gaps.size),
            "unavailability_mean_seconds": float(gaps.mean()) if gaps.size else 0.0,
            "unavailability_median_seconds": float(np.median(gaps)) if gaps.size else 0.0,
            "patience_restricted_mean_seconds": {
                str(q): round(s.restricted_mean(), 1) for q, s in self.patience.items()
            },
            "exponential_patience_seconds": {
                str(q): round(v, 1) for q, v in self.exponential_patience_s.items()
            },
            "head_start_seconds": {str(p): h for p, h in self.head_start_s.items()},
            "handle_mean_seconds": {
                str(q): round(float(h.overall.mean()), 1) for q, h in self.handle.items()
            },
        }


def calibrate_log(tickets: pd.DataFrame) -> LogCalibration:
    """Every estimate the replay takes from a contact log (see the module docstring)."""
    frame = calls(tickets)
    if frame.empty:
        raise InputError("tickets: no call of the log reached the agents' queue")
    presence = log_presence(frame)
    exponential: dict[QueueKey, float] = {}
    for queue in sorted(set(frame["queue"])):
        rows = frame[(frame["queue"] == queue).to_numpy()]
        gave_up = int(rows["abandoned"].sum())
        if gave_up:
            exponential[queue] = float(rows["wait_seconds"].sum()) / gave_up
    return LogCalibration(
        handle=handle_times(frame),
        patience=patience_curves(frame),
        exponential_patience_s=exponential,
        unavailability_s=unavailability_gaps(frame, presence),
        head_start_s=head_starts(frame),
        calls=len(frame),
        agents=len(presence.agents),
    )
