"""Agents required per queue per interval: the one entry point from demand to requirements.

Method per queue (written to the `method` column):

* ``erlang_c`` / ``erlang_a``: phone (Erlang A when a patience is given);
* ``chat_erlang_c`` / ``chat_erlang_a``: chat, on ``floor(agents x concurrency)`` slots
  (see `planner.staffing.chat`);
* ``deferred``: email, web, social: response window with backlog (see
  `planner.staffing.deferred`).

Realtime queues staff nobody in closed intervals (their figures are those of zero
agents). `scheduled_required`, the heads on shift, is ``agents / (1 - shrinkage)``
unrounded (`heads_on_shift`): a multi-skilled agent covers parts of several queues in
one interval, so whole heads are formed once, where the roster pools the queues.
For a single queue, `scheduled_heads` gives whole heads in exact rational arithmetic:
21 agents at 30% shrinkage are 30 heads, not the 31 that floating point
(21 / 0.7 = 30.000000000000004) gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import attrgetter

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from forecasting.errors import InputError
from forecasting.queues import QueueKey
from planner.staffing import chat, realtime
from planner.staffing.deferred import plan_deferred
from planner.staffing.erlang_c import FloatArray, IntArray
from planner.staffing.schema import REQUIREMENTS, check_demand
from planner.staffing.status import BINDING_LABELS, STATUS_LABELS, Binding, Status

REALTIME = frozenset({"phone", "chat"})


@dataclass(frozen=True)
class QueuePolicy:
    """How one queue is staffed: its target and the factors between load and heads.

    Attributes:
        channel: phone, chat, email, web or social.
        language: language code, e.g. 'en'.
        tier: 1 front line, 2 escalation.
        sl_target: share to answer within `target_s` (realtime) or within the response
            window (deferred).
        target_s: seconds: answer threshold (realtime) or response window (deferred).
        concurrency: chats per agent at once (chat only; 1 otherwise).
        patience_s: mean patience of waiting customers (switches to Erlang A), or None.
        shrinkage_frac: share of paid time not available for contacts, in [0, 1).
        max_occupancy: occupancy cap in (0, 1].
        asa_target_s: largest ASA in seconds (Erlang C queues), or None.
        max_abandon: largest abandonment share (Erlang A queues), or None.
    """

    channel: str
    language: str
    tier: int
    sl_target: float
    target_s: float
    concurrency: float = 1.0
    patience_s: float | None = None
    shrinkage_frac: float = 0.0
    max_occupancy: float = 1.0
    asa_target_s: float | None = None
    max_abandon: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.sl_target <= 1:
            problems.append(f"sl_target {self.sl_target} is not a share in [0, 1]")
        if not (math.isfinite(self.target_s) and self.target_s >= 0):
            problems.append(f"target_s {self.target_s} is not a number of seconds >= 0")
        if not (math.isfinite(self.concurrency) and self.concurrency >= 1):
            problems.append(f"concurrency {self.concurrency} is below 1")
        if self.concurrency != 1 and self.channel != "chat":
            problems.append(f"concurrency applies to chat only, not {self.channel}")
        if self.patience_s is not None and not self.patience_s > 0:
            problems.append(f"patience_s {self.patience_s} is not > 0")
        if not 0 <= self.shrinkage_frac < 1:
            problems.append(f"shrinkage_frac {self.shrinkage_frac} is not in [0, 1)")
        if not 0 < self.max_occupancy <= 1:
            problems.append(f"max_occupancy {self.max_occupancy} is not in (0, 1]")
        if self.asa_target_s is not None and self.patience_s is not None:
            problems.append("asa_target_s applies to Erlang C queues (no patience_s)")
        if self.max_abandon is not None and self.patience_s is None:
            problems.append("max_abandon needs patience_s (Erlang A)")
        if self.channel not in REALTIME and self.target_s <= 0:
            problems.append("a deferred queue needs a response window > 0 s")
        if problems:
            raise InputError(f"queue {self.queue}: invalid staffing policy", problems)

    @property
    def queue(self) -> str:
        """The queue key, e.g. 'chat-en-t1'."""
        return QueueKey(self.channel, self.language, self.tier).format()

    @property
    def method(self) -> str:
        """The staffing model used for this queue."""
        if self.channel not in REALTIME:
            return "deferred"
        base = realtime.model_of(self.patience_s)
        return f"chat_{base}" if self.channel == "chat" else base


def _kept_share(shrinkage_frac: float) -> Fraction:
    """``1 - shrinkage`` exactly, reading the shrinkage as the decimal it was written as."""
    if not 0 <= shrinkage_frac < 1:
        raise InputError(f"shrinkage_frac: expected a share in [0, 1), got {shrinkage_frac}")
    return 1 - Fraction(repr(float(shrinkage_frac))).limit_denominator(10**6)


def scheduled_heads(agents: ArrayLike, shrinkage_frac: float) -> IntArray:
    """Heads on shift so that ``heads x (1 - shrinkage)`` covers `agents`, exactly.

    The shrinkage is read as the decimal it was written as (0.3 is 3/10), and the
    division is done on integers, so no float round-up can add a head.
    """
    keep = _kept_share(shrinkage_frac)
    n = np.asarray(agents, dtype=np.int64)
    return np.asarray(-((-n * keep.denominator) // keep.numerator), dtype=np.int64)


def heads_on_shift(agents: ArrayLike, shrinkage_frac: float) -> FloatArray:
    """Heads on shift, fractional, so that ``heads x (1 - shrinkage)`` equals `agents`.

    Not rounded per queue: an agent shared between queues covers parts of several in
    one interval, so whole heads are formed once, where the roster pools the queues.
    """
    keep = _kept_share(shrinkage_frac)
    n = np.asarray(agents, dtype=float)
    return np.asarray(n * keep.denominator / keep.numerator, dtype=float)


def staff_queues(
    demand: pd.DataFrame, policies: Sequence[QueuePolicy], interval_min: int
) -> pd.DataFrame:
    """Agents required per interval for every queue of `demand` (see `schema` for columns).

    Args:
        demand: the demand frame (interval_start UTC, channel, language, tier, volume,
            aht_seconds, open). Every queue in it needs a policy.
        policies: one `QueuePolicy` per queue.
        interval_min: interval length in minutes (deferred queues assume consecutive
            intervals of this length).

    Returns:
        The requirements frame, sorted by queue then interval_start.
    """
    codes = check_demand(demand)
    by_queue = {p.queue: p for p in policies}
    interval_s = float(interval_min) * 60.0
    stamps = demand["interval_start"].array
    volume = demand["volume"].to_numpy(dtype=float)
    aht = demand["aht_seconds"].to_numpy(dtype=float)
    is_open = demand["open"].to_numpy(dtype=bool)
    # Row positions per queue (in key order), then in time order within each queue: the
    # columns are gathered once at the end instead of a frame per queue.
    grouped = np.argsort(codes, kind="stable")
    grouped = grouped[codes[grouped] >= 0]
    counts = np.bincount(codes[codes >= 0])
    order: list[np.ndarray] = []
    parts: list[_Staffed] = []
    for rows in np.split(grouped, np.cumsum(counts)[:-1]) if counts.size else []:
        first = int(rows[0])
        key = (demand[c].iat[first] for c in ("channel", "language", "tier"))
        qid = QueueKey.of(*key).format()
        if qid not in by_queue:
            raise InputError(f"demand: queue {qid} has no staffing policy (not in the scenario)")
        rows = rows[np.argsort(stamps[rows], kind="stable")]
        policy = by_queue[qid]
        if policy.method == "deferred":
            _check_consecutive(pd.Series(stamps[rows]), interval_s, policy.queue)
        order.append(rows)
        parts.append(_staff_one(volume[rows], aht[rows], is_open[rows], policy, interval_s))
    if not parts:
        return REQUIREMENTS.empty()
    taken = np.concatenate(order)
    sizes = [rows.size for rows in order]

    def per_queue(value: Callable[[QueuePolicy], object]) -> np.ndarray:
        labels = np.empty(len(parts), dtype=object)
        labels[:] = [value(part.policy) for part in parts]
        return np.repeat(labels, sizes)

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(part, name) for part in parts])

    figures = {
        "agents_required": "agents",
        "scheduled_required": "scheduled",
        "service_level": "service_level",
        "asa_seconds": "asa_seconds",
        "occupancy": "occupancy",
        "p_wait": "p_wait",
        "abandon_rate": "abandon_rate",
        "backlog": "backlog",
    }
    tiers = np.array([part.policy.tier for part in parts], dtype=np.int64)
    columns = {
        "interval_start": stamps[taken],
        **{name: per_queue(attrgetter(name)) for name in ("channel", "language", "queue")},
        "method": per_queue(attrgetter("method")),
        "tier": np.repeat(tiers, sizes),
        "volume": volume[taken],
        "aht_seconds": aht[taken],
        "open": is_open[taken],
        "status": np.asarray(STATUS_LABELS, dtype=object)[joined("status")],
        "binding": np.asarray(BINDING_LABELS, dtype=object)[joined("binding")],
        **{name: joined(field) for name, field in figures.items()},
    }
    # Built without a copy: every column is a fresh array (a year of 100 queues is 3.5
    # million rows, and inserting columns one by one copies each).
    return pd.DataFrame({name: columns[name] for name in REQUIREMENTS.names}, copy=False)


@dataclass(frozen=True)
class _Staffed:
    """One queue's staffing per interval, in time order (status and binding as codes)."""

    policy: QueuePolicy
    agents: np.ndarray
    scheduled: np.ndarray
    service_level: np.ndarray
    asa_seconds: np.ndarray
    occupancy: np.ndarray
    p_wait: np.ndarray
    abandon_rate: np.ndarray
    backlog: np.ndarray
    status: np.ndarray
    binding: np.ndarray


def _staff_one(
    volume: np.ndarray, aht: np.ndarray, is_open: np.ndarray, policy: QueuePolicy, interval_s: float
) -> _Staffed:
    count = volume.size
    nan = np.full(count, np.nan)
    if policy.method == "deferred":
        plan = plan_deferred(
            volume,
            aht,
            is_open,
            interval_s,
            policy.target_s,
            fraction=policy.sl_target,
            max_occupancy=policy.max_occupancy,
        )
        agents = plan.agents
        service, asa, occ, p_wait, abandon = plan.service_level, nan, plan.occupancy, nan, nan
        backlog = plan.backlog
        status = plan.status
        binding = np.where(plan.agents > 0, Binding.RESPONSE_WINDOW, Binding.NONE).astype(np.int8)
    else:
        agents, status, binding, service, asa, occ, p_wait, abandon = _realtime(
            volume, aht, is_open, policy, interval_s
        )
        backlog = nan
    return _Staffed(
        policy=policy,
        agents=agents,
        scheduled=heads_on_shift(agents, policy.shrinkage_frac),
        service_level=service,
        asa_seconds=asa,
        occupancy=occ,
        p_wait=p_wait,
        abandon_rate=abandon,
        backlog=backlog,
        status=status,
        binding=binding,
    )


def _realtime(
    volume: np.ndarray, aht: np.ndarray, is_open: np.ndarray, policy: QueuePolicy, interval_s: float
) -> tuple[np.ndarray, ...]:
    """Slots required by Erlang C or A, converted to agents with the concurrency.

    Only open intervals are searched (a closed one staffs nobody); the figures are those
    of the agents staffed in every interval.
    """
    agents = np.zeros(volume.size, dtype=np.int64)
    status = np.full(volume.size, Status.CLOSED, dtype=np.int8)
    binding = np.full(volume.size, Binding.NONE, dtype=np.int8)
    if is_open.any():
        need = realtime.required_agents(
            volume[is_open],
            aht[is_open],
            interval_s,
            policy.patience_s,
            sl_target=policy.sl_target,
            target_s=policy.target_s,
            asa_target_s=policy.asa_target_s,
            max_abandon=policy.max_abandon,
            max_occupancy=policy.max_occupancy,
        )
        agents[is_open] = chat.agents_for_slots(need.agents, policy.concurrency)
        status[is_open] = need.status
        binding[is_open] = need.binding
    slots = chat.slots_of_agents(agents, policy.concurrency).astype(float)
    fig = realtime.figures(slots, volume, aht, interval_s, policy.target_s, policy.patience_s)
    abandon = np.full(volume.size, np.nan) if fig.abandon_rate is None else fig.abandon_rate
    return (
        agents,
        status,
        binding,
        fig.service_level,
        fig.asa_seconds,
        fig.occupancy,
        fig.p_wait,
        abandon,
    )


def _check_consecutive(times: pd.Series, interval_s: float, qid: str) -> None:
    if len(times) < 2:
        return
    steps = times.diff().dt.total_seconds().to_numpy()[1:]
    bad = np.flatnonzero(steps != interval_s)
    if bad.size:
        at = times.iloc[int(bad[0]) + 1]
        raise InputError(
            f"demand: queue {qid} is deferred work, so its intervals must be consecutive "
            f"{interval_s / 60:g}-minute steps; the step before {at.isoformat()} is "
            f"{steps[bad[0]] / 60:g} minutes"
        )
