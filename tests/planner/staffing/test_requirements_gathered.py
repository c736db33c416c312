"""`staff_queues` gathers every queue's columns at once and searches only open intervals.

`reference_staff_queues` is the implementation it replaced (issue 30): a frame per queue,
every interval searched, then concatenated. Kept verbatim as the reference, the new frame
must equal it exactly (values, dtypes, order) on any demand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from forecasting.queues import QueueKey
from planner.staffing import chat, realtime
from planner.staffing.deferred import plan_deferred
from planner.staffing.requirements import QueuePolicy, heads_on_shift, staff_queues
from planner.staffing.schema import REQUIREMENTS, check_demand
from planner.staffing.status import BINDING_LABELS, STATUS_LABELS, Binding, Status

POLICIES = (
    QueuePolicy("phone", "en", 1, 0.8, 20.0, shrinkage_frac=0.3, max_occupancy=0.9),
    QueuePolicy("phone", "de", 1, 0.8, 20.0, patience_s=120.0, shrinkage_frac=0.25),
    QueuePolicy("phone", "fr", 1, 0.9, 30.0, asa_target_s=25.0),
    QueuePolicy("chat", "en", 1, 0.8, 30.0, concurrency=2.5, patience_s=180.0),
    QueuePolicy("chat", "ja", 1, 0.85, 30.0, concurrency=2.0, shrinkage_frac=0.35),
    QueuePolicy("web", "en", 2, 0.9, 3600.0, max_occupancy=0.85),
    QueuePolicy("web", "zh", 1, 0.9, 14400.0, shrinkage_frac=0.32),
)


def reference_staff_queues(
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
    check_demand(demand)
    by_queue = {p.queue: p for p in policies}
    interval_s = float(interval_min) * 60.0
    parts = []
    for _, rows in demand.groupby(["channel", "language", "tier"], sort=True):
        first = rows.iloc[0]
        qid = QueueKey.of(first["channel"], first["language"], first["tier"]).format()
        if qid not in by_queue:
            raise InputError(f"demand: queue {qid} has no staffing policy (not in the scenario)")
        parts.append(
            reference_staff_one(rows.sort_values("interval_start"), by_queue[qid], interval_s)
        )
    if not parts:
        return REQUIREMENTS.empty()
    out = pd.concat(parts, ignore_index=True)
    return out.loc[:, list(REQUIREMENTS.names)]


def reference_staff_one(rows: pd.DataFrame, policy: QueuePolicy, interval_s: float) -> pd.DataFrame:
    volume = rows["volume"].to_numpy(dtype=float)
    aht = rows["aht_seconds"].to_numpy(dtype=float)
    is_open = rows["open"].to_numpy(dtype=bool)
    count = volume.size
    nan = np.full(count, np.nan)
    if policy.method == "deferred":
        reference_check_consecutive(rows, interval_s, policy.queue)
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
        agents, status, binding, service, asa, occ, p_wait, abandon = reference_realtime(
            volume, aht, is_open, policy, interval_s
        )
        backlog = nan
    return pd.DataFrame(
        {
            "interval_start": rows["interval_start"].to_numpy(),
            "channel": policy.channel,
            "language": policy.language,
            "tier": policy.tier,
            "queue": policy.queue,
            "method": policy.method,
            "volume": volume,
            "aht_seconds": aht,
            "open": is_open,
            "agents_required": agents,
            "scheduled_required": heads_on_shift(agents, policy.shrinkage_frac),
            "service_level": service,
            "asa_seconds": asa,
            "occupancy": occ,
            "p_wait": p_wait,
            "abandon_rate": abandon,
            "backlog": backlog,
            "status": [STATUS_LABELS[s] for s in status],
            "binding": [BINDING_LABELS[b] for b in binding],
        }
    ).astype({"interval_start": rows["interval_start"].dtype})


def reference_realtime(
    volume: np.ndarray, aht: np.ndarray, is_open: np.ndarray, policy: QueuePolicy, interval_s: float
) -> tuple[np.ndarray, ...]:
    """Slots required by Erlang C or A, converted to agents with the concurrency."""
    need = realtime.required_agents(
        volume,
        aht,
        interval_s,
        policy.patience_s,
        sl_target=policy.sl_target,
        target_s=policy.target_s,
        asa_target_s=policy.asa_target_s,
        max_abandon=policy.max_abandon,
        max_occupancy=policy.max_occupancy,
    )
    agents = chat.agents_for_slots(need.agents, policy.concurrency)
    agents = np.where(is_open, agents, 0)
    slots = chat.slots_of_agents(agents, policy.concurrency).astype(float)
    status = np.where(is_open, need.status, Status.CLOSED).astype(np.int8)
    binding = np.where(is_open, need.binding, Binding.NONE).astype(np.int8)
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


def reference_check_consecutive(rows: pd.DataFrame, interval_s: float, qid: str) -> None:
    times = rows["interval_start"]
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


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    queues=st.lists(st.sampled_from(POLICIES), min_size=1, max_size=4, unique=True),
    count=st.integers(1, 300),
    open_share=st.floats(0.0, 1.0),
    scale=st.sampled_from([0.0, 0.5, 5.0, 60.0, 400.0]),
)
def test_staff_queues_equal_the_reference(
    seed: int, queues: list[QueuePolicy], count: int, open_share: float, scale: float
) -> None:
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2027-03-08", periods=count, freq="15min", tz="UTC")
    parts = [
        pd.DataFrame(
            {
                "interval_start": grid,
                "channel": p.channel,
                "language": p.language,
                "tier": p.tier,
                "volume": rng.gamma(2.0, scale / 2.0 + 1e-9, count) * (rng.random(count) < 0.9),
                "aht_seconds": rng.uniform(60.0, 900.0, count),
                "open": rng.random(count) < open_share,
            }
        )
        for p in queues
    ]
    demand = pd.concat(parts, ignore_index=True)
    # Rows in any order: each queue is put back in time order.
    demand = demand.iloc[rng.permutation(len(demand))].reset_index(drop=True)
    got = staff_queues(demand, POLICIES, 15)
    expected = reference_staff_queues(demand, POLICIES, 15)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
