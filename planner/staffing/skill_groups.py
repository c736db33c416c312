"""Pooled requirements per skill group: agents with several skills serve several queues.

A skill group is the set of queues one kind of agent can serve (e.g. Tier 1 with
chat/en, web/en, chat/zh, web/zh). Per interval the group needs:

* ``agents_required_separate``: the sum of the per-queue requirements (no sharing; an
  upper bound);
* ``agents_required``: the realtime queues (phone, chat) pooled into one Erlang C
  queue, plus the deferred queues' agents added as they are. The pool's load is the
  sum of the queues' loads in agent-Erlangs (chat load divided by its concurrency), its
  handle time the volume-weighted mean of ``aht / concurrency``, and its target the
  strictest of its queues (highest share within the shortest time). Erlang A queues
  are pooled as Erlang C (no abandonment credit), which errs towards more agents; the
  pooled figure is capped at the separate sum (serving each queue apart is one way to
  run the pool).

Full pooling assumes every agent of the group serves every queue in it, first come
first served, so it is a lower bound on what a roster of those agents needs; the roster
solver covers the per-queue rows with multi-skilled agents, and these pooled figures
size the group. Heads after shrinkage use the group's largest shrinkage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from planner.staffing import erlang_c
from planner.staffing.requirements import QueuePolicy, heads_on_shift
from planner.staffing.schema import POOLED


def pool_requirements(
    requirements: pd.DataFrame,
    policies: Sequence[QueuePolicy],
    groups: Mapping[str, Sequence[str]],
    interval_min: int,
) -> pd.DataFrame:
    """Pooled and separate agents per skill group per interval (see module docstring).

    Args:
        requirements: the requirements frame of `requirements.staff_queues`.
        policies: the queues' policies (targets, concurrency, shrinkage).
        groups: group name -> queue ids it serves (e.g. 'chat-en-t1').
        interval_min: interval length in minutes.

    Returns:
        Columns interval_start, group, queues ('+'-joined ids), agents_required,
        agents_required_separate, scheduled_required.
    """
    by_queue = {p.queue: p for p in policies}
    interval_s = interval_min * 60.0
    parts = []
    for name, members in groups.items():
        unknown = [q for q in members if q not in by_queue]
        if unknown:
            raise InputError(f"skill group {name}: queues {unknown} have no policy")
        rows = requirements[requirements["queue"].isin(list(members))]
        if rows.empty:
            continue
        parts.append(_pool_one(name, rows, [by_queue[q] for q in members], interval_s))
    if not parts:
        return POOLED.empty()
    return pd.concat(parts, ignore_index=True).loc[:, list(POOLED.names)]


def _pool_one(
    name: str, rows: pd.DataFrame, members: list[QueuePolicy], interval_s: float
) -> pd.DataFrame:
    realtime = [p for p in members if p.method != "deferred"]
    times = pd.DatetimeIndex(sorted(rows["interval_start"].unique()))
    separate = rows.groupby("interval_start")["agents_required"].sum().reindex(times, fill_value=0)
    deferred_ids = [p.queue for p in members if p.method == "deferred"]
    deferred = (
        rows[rows["queue"].isin(deferred_ids)]
        .groupby("interval_start")["agents_required"]
        .sum()
        .reindex(times, fill_value=0)
        .to_numpy()
    )
    pooled = np.zeros(len(times), dtype=np.int64)
    if realtime:
        load = np.zeros(len(times))
        volume = np.zeros(len(times))
        weighted_aht = np.zeros(len(times))
        any_open = np.zeros(len(times), dtype=bool)
        for policy in realtime:
            q = rows[rows["queue"] == policy.queue].set_index("interval_start").reindex(times)
            vol = q["volume"].fillna(0.0).to_numpy()
            eff_aht = q["aht_seconds"].fillna(1.0).to_numpy() / policy.concurrency
            is_open = q["open"].fillna(False).to_numpy(dtype=bool)
            vol = np.where(is_open, vol, 0.0)
            load += vol * eff_aht / interval_s
            volume += vol
            weighted_aht += vol * eff_aht
            any_open |= is_open
        aht = np.where(volume > 0, weighted_aht / np.maximum(volume, 1e-300), 1.0)
        sl = max(p.sl_target for p in realtime)
        target = min(p.target_s for p in realtime)
        occ = min(p.max_occupancy for p in realtime)
        need = erlang_c.required_agents(load, aht, sl_target=sl, target_s=target, max_occupancy=occ)
        pooled = np.where(any_open, need.agents, 0)
    # Running each queue apart is one way to run the pool, so the pool never needs more.
    total = np.minimum(pooled + deferred, separate.to_numpy())
    shrink = max(p.shrinkage_frac for p in members)
    return pd.DataFrame(
        {
            "interval_start": times,
            "group": name,
            "queues": "+".join(p.queue for p in members),
            "agents_required": total.astype(np.int64),
            "agents_required_separate": separate.to_numpy().astype(np.int64),
            "scheduled_required": heads_on_shift(total, shrink),
        }
    )
