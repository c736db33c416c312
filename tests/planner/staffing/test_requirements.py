"""The requirements frame: methods per channel, shrinkage, closed intervals, skill groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from planner.staffing import erlang_a, erlang_c
from planner.staffing.requirements import (
    QueuePolicy,
    heads_on_shift,
    scheduled_heads,
    staff_queues,
)
from planner.staffing.schema import REQUIREMENTS
from planner.staffing.skill_groups import pool_requirements

GRID = pd.date_range("2027-03-08", periods=8, freq="15min", tz="UTC", name="interval_start")
POLICIES = (
    QueuePolicy(
        "phone", "en", 1, 0.8, 20.0, patience_s=120.0, shrinkage_frac=0.3, max_occupancy=0.9
    ),
    QueuePolicy("chat", "en", 1, 0.8, 30.0, concurrency=2.0, shrinkage_frac=0.35),
    QueuePolicy("web", "en", 2, 0.9, 3600.0, max_occupancy=0.85),
)


def demand(volume: float = 50.0) -> pd.DataFrame:
    parts = []
    for p in POLICIES:
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": GRID,
                    "channel": p.channel,
                    "language": p.language,
                    "tier": p.tier,
                    "volume": volume,
                    "aht_seconds": 300.0,
                    "open": np.arange(len(GRID)) > 0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_heads_on_shift_are_exact_fractions() -> None:
    assert heads_on_shift([21, 7, 0], 0.3).tolist() == pytest.approx([30.0, 10.0, 0.0])
    assert heads_on_shift([3.75], 0.25).tolist() == [5.0]


def test_scheduled_heads_are_exact() -> None:
    # pyworkforce computes ceil(21 / 0.7) = ceil(30.000000000000004) = 31; 30 heads at 70%
    # availability give exactly 21 agents.
    assert scheduled_heads([21], 0.3).tolist() == [30]
    assert scheduled_heads([17, 0, 1, 7], 0.15).tolist() == [20, 0, 2, 9]
    n = np.arange(0, 500)
    for shrink in (0.0, 0.1, 0.3, 0.32, 0.35):
        heads = scheduled_heads(n, shrink)
        keep = 1 - shrink
        assert (heads * keep >= n - 1e-9).all()
        assert ((heads - 1) * keep < n - 1e-9)[n > 0].all()


def test_frame_columns_methods_and_closed_intervals() -> None:
    out = staff_queues(demand(), POLICIES, 15)
    assert list(out.columns) == list(REQUIREMENTS.names)
    assert str(out["interval_start"].dt.tz) == "UTC"
    methods = dict(zip(out["queue"], out["method"], strict=False))
    assert methods == {
        "phone-en-t1": "erlang_a",
        "chat-en-t1": "chat_erlang_c",
        "web-en-t2": "deferred",
    }
    closed = out[~out["open"]]
    assert (closed["status"] == "closed").all()
    assert (closed.loc[closed["method"] != "deferred", "agents_required"] == 0).all()


def test_realtime_rows_agree_with_the_models() -> None:
    out = staff_queues(demand(), POLICIES, 15).set_index("queue")
    phone = out.loc["phone-en-t1"].iloc[1]
    expect = erlang_a.required_agents(
        50.0, 300.0, 900.0, 120.0, sl_target=0.8, target_s=20.0, max_occupancy=0.9
    )
    assert phone["agents_required"] == int(expect.agents)
    # Fractional heads on shift: agents / (1 - shrinkage), not rounded per queue.
    assert phone["scheduled_required"] == pytest.approx(int(expect.agents) / 0.7)
    chat = out.loc["chat-en-t1"].iloc[1]
    slots = erlang_c.required_agents(50.0 * 300.0 / 900.0, 300.0, sl_target=0.8, target_s=30.0)
    assert chat["agents_required"] == -(-int(slots.agents) // 2)
    assert chat["service_level"] >= 0.8


def test_deferred_rows_carry_backlog() -> None:
    out = staff_queues(demand(), POLICIES, 15)
    web = out[out["queue"] == "web-en-t2"]
    assert web["backlog"].iloc[0] == pytest.approx(50.0)  # closed first interval
    assert web["asa_seconds"].isna().all()


def test_missing_policy_and_gaps_are_input_errors() -> None:
    with pytest.raises(InputError, match="no staffing policy"):
        staff_queues(demand(), POLICIES[:2], 15)
    gappy = demand().drop(index=[18])
    with pytest.raises(InputError, match="consecutive"):
        staff_queues(gappy, POLICIES, 15)


def test_bad_demand_names_the_row() -> None:
    bad = demand()
    bad.loc[3, "volume"] = float("nan")
    with pytest.raises(InputError) as err:
        staff_queues(bad, POLICIES, 15)
    assert "row 3: volume" in str(err.value)


@pytest.mark.parametrize("missing_language", [False, True])
def test_a_repeated_queue_interval_names_the_row(missing_language: bool) -> None:
    frame = demand()
    if missing_language:  # a missing key part: the count per cell gives way to pandas
        frame.loc[[5, 6], "language"] = None
        frame.loc[6, "interval_start"] = frame.loc[5, "interval_start"]
        expected = 6
    else:
        repeated = frame.iloc[[2]].assign(volume=7.0)
        frame = pd.concat([frame.iloc[:12], repeated, frame.iloc[12:]], ignore_index=True)
        expected = 12
    with pytest.raises(InputError) as err:
        staff_queues(frame, POLICIES, 15)
    assert f"row {expected}: a second row for the same interval and queue" in str(err.value)


def test_invalid_policy_is_refused() -> None:
    with pytest.raises(InputError) as err:
        QueuePolicy("phone", "en", 1, 1.5, 20.0, concurrency=2.0, max_abandon=0.05)
    text = str(err.value)
    assert "concurrency applies to chat only" in text
    assert "sl_target 1.5" in text
    assert "max_abandon needs patience_s" in text


def test_pooled_never_exceeds_separate_and_pools_help() -> None:
    out = staff_queues(demand(volume=200.0), POLICIES, 15)
    pooled = pool_requirements(out, POLICIES, {"t1": ["phone-en-t1", "chat-en-t1"]}, 15)
    assert (pooled["agents_required"] <= pooled["agents_required_separate"]).all()
    # Two Erlang C queues with the same target pool to fewer agents than apart.
    same = (QueuePolicy("phone", "en", 1, 0.8, 20.0), QueuePolicy("phone", "de", 1, 0.8, 20.0))
    frame = pd.concat(
        [
            demand().loc[lambda d: d["channel"] == "phone"].assign(language=lang)
            for lang in ("en", "de")
        ],
        ignore_index=True,
    )
    reqs = staff_queues(frame, same, 15)
    pool = pool_requirements(reqs, same, {"phone": ["phone-en-t1", "phone-de-t1"]}, 15)
    open_rows = pool.iloc[1:]
    assert (open_rows["agents_required"] < open_rows["agents_required_separate"]).all()
    # The pool equals Erlang C on the summed load.
    expect = erlang_c.required_agents(2 * 50.0 * 300.0 / 900.0, 300.0, sl_target=0.8, target_s=20.0)
    assert (open_rows["agents_required"] == int(expect.agents)).all()
