"""The pool's searched heads: never above the Erlang sum, meeting every target, one fewer missing."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.pooled_staffing import (
    PoolQueue,
    pool_service_levels,
    pooled_requirements,
    search_pool,
)
from planner.staffing import erlang_c
from planner.staffing.requirements import QueuePolicy


def _erlang(q: PoolQueue) -> int:
    need = erlang_c.required_agents(
        q.rate_per_s * q.handle_s, q.handle_s, sl_target=q.sl_target, target_s=q.target_s
    )
    return int(need.agents)


def _meets(levels: tuple[float, ...], queues: list[PoolQueue]) -> bool:
    return all(sl >= q.sl_target for sl, q in zip(levels, queues, strict=True))


@settings(max_examples=4, deadline=None)
@given(
    per_hour=st.tuples(st.floats(20, 120), st.floats(20, 120)),
    handle=st.tuples(st.floats(180, 480), st.floats(180, 480)),
    target=st.sampled_from([(20.0, 60.0), (30.0, 30.0)]),
)
def test_searched_heads_never_exceed_the_erlang_sum_and_are_the_fewest_meeting_targets(
    per_hour: tuple[float, float], handle: tuple[float, float], target: tuple[float, float]
) -> None:
    queues = [
        PoolQueue(rate_per_s=r / 3600, handle_s=h, target_s=t, sl_target=0.8)
        for r, h, t in zip(per_hour, handle, target, strict=True)
    ]
    erlang_sum = sum(_erlang(q) for q in queues)
    found = search_pool(queues, erlang_sum, erlang_sum, seed=7)
    assert found.agents <= erlang_sum
    assert found.service_level == pool_service_levels(queues, found.agents, seed=7)
    assert _meets(found.service_level, queues)
    assert not _meets(pool_service_levels(queues, found.agents - 1, seed=7), queues)


def test_the_search_adds_heads_from_a_start_that_misses() -> None:
    queues = [PoolQueue(rate_per_s=60 / 3600, handle_s=300, target_s=20, sl_target=0.8)]
    cap = _erlang(queues[0]) + 3
    found = search_pool(queues, 1, cap, seed=3)
    assert _meets(found.service_level, queues)
    assert not _meets(pool_service_levels(queues, found.agents - 1, seed=3), queues)


def test_pooled_requirements_cut_only_the_pooled_realtime_rows() -> None:
    times = pd.date_range("2026-01-05 09:00", periods=4, freq="15min", tz="UTC")
    policies = (
        QueuePolicy(channel="phone", language="en", tier=1, sl_target=0.8, target_s=20),
        QueuePolicy(channel="phone", language="de", tier=1, sl_target=0.8, target_s=20),
        QueuePolicy(channel="email", language="en", tier=1, sl_target=0.9, target_s=86400),
    )
    rows = []
    for p, volume in zip(policies, (40.0, 25.0, 30.0), strict=True):
        need = _erlang(PoolQueue(volume / 900, 300, 20, 0.8)) if p.method != "deferred" else 2
        for t in times:
            rows.append(
                {
                    "interval_start": t,
                    "queue": p.queue,
                    "volume": volume,
                    "aht_seconds": 300.0,
                    "open": True,
                    # Deferred work's agents are fractional (backlog spread over intervals).
                    "agents_required": need + (0.25 if p.method == "deferred" else 0.0),
                    # Deferred work's heads are not agents / (1 - shrinkage) of one interval.
                    "scheduled_required": need + (0.5 if p.method == "deferred" else 0.0),
                }
            )
    reqs = pd.DataFrame(rows)
    groups = {"t1:phone/de+phone/en+email/en": tuple(p.queue for p in policies)}
    out = pooled_requirements(reqs, policies, groups, 15, seed=1)
    deferred = reqs["queue"] == policies[2].queue
    kept = ["agents_required", "scheduled_required"]
    assert out.loc[deferred, kept].equals(reqs.loc[deferred, kept])
    # No shrinkage: a cut row's heads are its agents.
    assert (out.loc[~deferred, "scheduled_required"] == out.loc[~deferred, "agents_required"]).all()
    assert (out["agents_required"] <= reqs["agents_required"]).all()
    per_interval = out[~deferred].groupby("interval_start")["agents_required"].sum()
    pool = [PoolQueue(40 / 900, 300, 20, 0.8), PoolQueue(25 / 900, 300, 20, 0.8)]
    searched = search_pool(pool, int(per_interval.iloc[0]), 99, seed=1).agents
    assert (per_interval == searched).all()
