"""The staffing uplift multiplies the named queues' requirements and nothing else."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.errors import InputError
from planner.staffing.uplift import uplift_requirements


def _frame(agents: list[float]) -> pd.DataFrame:
    n = len(agents)
    return pd.DataFrame(
        {
            "interval_start": pd.date_range("2027-03-08", periods=n, freq="15min", tz="UTC"),
            "channel": "phone",
            "language": "en",
            "tier": 1,
            "agents_required": agents,
            "scheduled_required": [a / 0.7 for a in agents],
        }
    )


@given(
    agents=st.lists(st.floats(0, 500, allow_nan=False), min_size=1, max_size=20),
    factor=st.floats(1, 4),
)
def test_a_queue_s_agents_scale_by_its_factor_and_other_queues_keep_theirs(
    agents: list[float], factor: float
) -> None:
    phone = _frame(agents)
    chat = _frame(agents).assign(channel="chat")
    both = pd.concat([phone, chat], ignore_index=True)
    out = uplift_requirements(both, {"phone-en-t1": factor})
    n = len(agents)
    for column in ("agents_required", "scheduled_required"):
        assert out[column].iloc[:n].tolist() == pytest.approx(
            [v * factor for v in both[column].iloc[:n]]
        )
        assert out[column].iloc[n:].tolist() == both[column].iloc[n:].tolist()
    # Totals conserve: the uplifted total is the others' plus the factor times the queue's.
    assert out["agents_required"].sum() == pytest.approx(
        chat["agents_required"].sum() + factor * phone["agents_required"].sum()
    )


def test_no_factor_leaves_the_frame_and_bad_factors_are_refused() -> None:
    frame = _frame([1.0, 2.0])
    assert uplift_requirements(frame, {}) is frame
    with pytest.raises(InputError, match="phone-en-t1's factor must be a number >= 1"):
        uplift_requirements(frame, {"phone-en-t1": 0.9})
    with pytest.raises(InputError, match=r"queues \['chat-en-t1'\] are not in the requirements"):
        uplift_requirements(frame, {"chat-en-t1": 1.2})
