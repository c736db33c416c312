"""Agents' presence: from a roster, or inferred from a call log (the hours each agent served in).

A log names who answered each call but not who was logged in. An agent counts as present
in every clock block (an hour by default) in which one of their calls was in service;
consecutive blocks make one period, trimmed to the first call's start and the last call's
end inside it, so an agent who arrived at 10:50 is not credited the whole hour.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evaluation.workforce import on_floor
from forecasting.queues import QueueKey

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

BLOCK_S = 3600.0
"""Presence is inferred per clock hour."""


@dataclass(frozen=True)
class Presence:
    """Availability periods (seconds, on the caller's clock) of named agents.

    Attributes:
        agents: agent names; `period_agent` indexes them.
        period_agent: agent of each period.
        start_s, end_s: each period's span; an agent's periods are disjoint and sorted.
    """

    agents: tuple[str, ...]
    period_agent: IntArray
    start_s: FloatArray
    end_s: FloatArray

    def period_of(self, agent: int, t: FloatArray) -> IntArray:
        """Index of the agent's period holding each instant, -1 where none does."""
        mine = np.flatnonzero(self.period_agent == agent)
        pos = np.searchsorted(self.start_s[mine], t, side="right") - 1
        inside = (pos >= 0) & (t <= self.end_s[mine][np.maximum(pos, 0)])
        return np.where(inside, mine[np.maximum(pos, 0)], -1)


def infer_presence(
    agent: NDArray[np.object_], start_s: FloatArray, end_s: FloatArray, block_s: float = BLOCK_S
) -> Presence:
    """Periods in which each agent served, from their calls' service spans.

    Args:
        agent: the serving agent of each call.
        start_s: each call's service start (seconds; the result's clock).
        end_s: each call's service end.
        block_s: the clock block presence is inferred in.
    """
    names = tuple(sorted({str(a) for a in agent}))
    owners, starts, ends = [], [], []
    for i, name in enumerate(names):
        mine = np.asarray([str(a) == name for a in agent])
        s, e = start_s[mine], np.maximum(end_s[mine], start_s[mine])
        first = np.floor(s / block_s).astype(np.int64)
        last = np.floor(np.maximum(e - 1e-9, s) / block_s).astype(np.int64)
        blocks = np.unique(
            np.concatenate([np.arange(f, g + 1) for f, g in zip(first, last, strict=True)])
        )
        breaks = np.flatnonzero(np.diff(blocks) > 1)
        for lo, hi in zip(
            np.concatenate(([0], breaks + 1)),
            np.concatenate((breaks, [blocks.size - 1])),
            strict=True,
        ):
            span_lo, span_hi = blocks[lo] * block_s, (blocks[hi] + 1) * block_s
            inside = (s >= span_lo) & (s < span_hi)
            begin = max(span_lo, float(s[inside].min()))
            finish = min(span_hi, float(e[inside].max()))
            owners.append(i)
            starts.append(begin)
            ends.append(max(finish, begin + 1.0))
    return Presence(
        agents=names,
        period_agent=np.asarray(owners, dtype=np.int64),
        start_s=np.asarray(starts, dtype=np.float64),
        end_s=np.asarray(ends, dtype=np.float64),
    )


EPOCH = pd.Timestamp(0, tz="UTC")


def roster_presence(roster: pd.DataFrame) -> Presence:
    """Each rostered agent's shifts less breaks, in seconds since the Unix epoch (UTC).

    `roster` holds the roster columns (`agent_id`, `start_utc`, `end_utc`, `timezone`,
    `date_local`, `start_local`, `breaks` optional), as `followsun roster` writes them.
    """
    shifts = roster.assign(
        start_ts=pd.to_datetime(roster["start_utc"], utc=True),
        end_ts=pd.to_datetime(roster["end_utc"], utc=True),
    )
    names = tuple(sorted({str(a) for a in shifts["agent_id"]}))
    owners, starts, ends = [], [], []
    for shift in shifts.sort_values("start_ts").to_dict(orient="records"):
        for lo, hi in on_floor(shift, EPOCH, float("inf")):
            owners.append(names.index(str(shift["agent_id"])))
            starts.append(lo)
            ends.append(hi)
    return Presence(
        agents=names,
        period_agent=np.asarray(owners, dtype=np.int64),
        start_s=np.asarray(starts, dtype=np.float64),
        end_s=np.asarray(ends, dtype=np.float64),
    )


def roster_skills(
    roster: pd.DataFrame, agents: tuple[str, ...], queues: list[QueueKey]
) -> BoolArray:
    """(agents x queues): the agent's tier is the queue's and its skills name `channel/language`."""
    rows = roster.drop_duplicates("agent_id")
    first = rows.set_index(rows["agent_id"].astype(str))
    out = np.zeros((len(agents), len(queues)), dtype=bool)
    for i, name in enumerate(agents):
        tier = int(float(str(first.loc[name, "tier"])))
        skills = set(str(first.loc[name, "skills"]).split(";"))
        out[i] = [q.tier == tier and f"{q.channel}/{q.language}" in skills for q in queues]
    return out
