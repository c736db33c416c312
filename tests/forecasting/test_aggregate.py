"""Tickets to interval history: conservation, true zeros against gaps, mean handle time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.aggregate import history_before, interval_history, names_every_region
from forecasting.errors import InputError
from forecasting.schema import HISTORY, validate_frame
from forecasting.synthetic import GeneratorInputs, QueueModel, RegionDemand, synthetic_tickets
from forecasting.timegrid import interval_grid

UTC = "UTC"
START = pd.Timestamp("2027-03-08", tz=UTC)


def tickets(
    created: list[pd.Timestamp], handle: list[float], channel: str = "chat"
) -> pd.DataFrame:
    n = len(created)
    return pd.DataFrame(
        {
            "created_at": pd.DatetimeIndex(created).tz_convert(UTC)
            if n
            else pd.DatetimeIndex([], tz=UTC),
            "channel": [channel] * n,
            "language": ["en"] * n,
            "tier": [1] * n,
            "handle_seconds": handle,
            "region": ["eu"] * n,
        }
    )


def test_counts_and_mean_aht_by_hand() -> None:
    grid = interval_grid(START, START + pd.Timedelta(hours=1), 15)
    created = [START + pd.Timedelta(minutes=m) for m in (1, 14, 15, 59)]
    history = interval_history(tickets(created, [100.0, 300.0, 50.0, np.nan]), grid)
    assert history["volume"].tolist() == [2.0, 1.0, 0.0, 1.0]
    assert history["aht_seconds"].iloc[0] == 200.0
    assert history["aht_seconds"].iloc[1] == 50.0
    # An interval with no handle time has no AHT (not a zero).
    assert np.isnan(history["aht_seconds"].iloc[2]) and np.isnan(history["aht_seconds"].iloc[3])
    validate_frame(history, HISTORY)


def test_gap_is_nan_and_quiet_interval_is_zero() -> None:
    grid = interval_grid(START, START + pd.Timedelta(hours=2), 15)
    created = [START + pd.Timedelta(minutes=5)]
    observed = [
        (START, START + pd.Timedelta(minutes=30)),
        (START + pd.Timedelta(hours=1), START + pd.Timedelta(hours=2)),
    ]
    history = interval_history(tickets(created, [60.0]), grid, observed=observed)
    volume = history["volume"].to_numpy()
    assert volume[0] == 1.0
    assert volume[1] == 0.0  # observed, no ticket: a true zero
    assert np.isnan(volume[2:4]).all()  # 00:30-01:00 is not in the export: a gap
    assert (volume[4:] == 0.0).all()
    gaps = history[history["volume"].isna()]
    assert gaps["interval_start"].tolist() == [
        START + pd.Timedelta(minutes=30),
        START + pd.Timedelta(minutes=45),
    ]


def test_queues_without_tickets_get_zero_rows_and_regions_kept() -> None:
    grid = interval_grid(START, START + pd.Timedelta(minutes=30), 15)
    history = interval_history(
        tickets([START], [60.0]), grid, by_region=True, queues=[("phone", "en", 1)]
    )
    phone = history[history["channel"] == "phone"]
    assert phone["volume"].tolist() == [0.0, 0.0]
    assert set(history["region"]) == {"eu"}


def test_tickets_outside_the_grid_are_not_counted() -> None:
    grid = interval_grid(START, START + pd.Timedelta(minutes=30), 15)
    created = [START - pd.Timedelta(seconds=1), START + pd.Timedelta(minutes=30)]
    assert interval_history(tickets(created, [1.0, 1.0]), grid)["volume"].sum() == 0


def test_deleted_and_spam_tickets_are_not_demand() -> None:
    grid = interval_grid(START, START + pd.Timedelta(minutes=30), 15)
    created = [START + pd.Timedelta(minutes=m) for m in (1, 2, 3)]
    frame = tickets(created, [100.0, 200.0, 300.0]).assign(status=["solved", "deleted", "spam"])
    history = interval_history(frame, grid)
    assert history["volume"].tolist() == [1.0, 0.0]
    assert history["aht_seconds"].iloc[0] == 100.0


def test_naive_created_at_refused() -> None:
    grid = interval_grid(START, START + pd.Timedelta(minutes=30), 15)
    frame = tickets([START], [1.0])
    frame["created_at"] = frame["created_at"].dt.tz_localize(None)
    with pytest.raises(InputError, match="tz-aware"):
        interval_history(frame, grid)


@settings(max_examples=40, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-3600, max_value=4 * 3600 + 3600), max_size=60),
    interval_min=st.sampled_from([15, 30, 60]),
)
def test_every_ticket_inside_the_span_is_counted_once(
    offsets: list[int], interval_min: int
) -> None:
    # Conservation: the history's volume sums to the number of tickets created in its span,
    # and each ticket lands in floor(created / interval).
    grid = interval_grid(START, START + pd.Timedelta(hours=4), interval_min)
    created = [START + pd.Timedelta(seconds=s) for s in offsets]
    history = interval_history(tickets(created, [1.0] * len(created)), grid)
    inside = [c for c in created if START <= c < START + pd.Timedelta(hours=4)]
    assert history["volume"].sum() == len(inside)
    expected = pd.Series(
        [c.floor(f"{interval_min}min") for c in inside], dtype="datetime64[ns, UTC]"
    )
    expected_counts = expected.value_counts()
    got = history.set_index("interval_start")["volume"]
    for stamp, count in zip(expected_counts.index, expected_counts.to_numpy(), strict=True):
        assert got.loc[pd.Timestamp(stamp)] == count


def test_generated_tickets_conserved_in_history() -> None:
    inputs = GeneratorInputs(
        regions=(
            RegionDemand(
                "eu", "Europe/Amsterdam", "NL", (("en", 1.0),), (("chat", 3000.0), ("web", 800.0))
            ),
            RegionDemand("tw", "Asia/Taipei", "TW", (("zh", 1.0),), (("chat", 2000.0),)),
        ),
        queues=(
            QueueModel("chat", "en", 1, 500.0, 0.15),
            QueueModel("web", "en", 1, 500.0, 0.15),
            QueueModel("chat", "zh", 1, 500.0, 0.15),
            QueueModel("web", "en", 2, 1500.0),
        ),
    )
    start, end = pd.Timestamp("2027-03-01", tz=UTC), pd.Timestamp("2027-03-15", tz=UTC)
    generated = synthetic_tickets(inputs, start, end, np.random.default_rng(11))
    history = interval_history(generated, interval_grid(start, end, 15), by_region=True)
    assert history["volume"].sum() == len(generated)
    per_queue = history.groupby(["region", "channel", "language", "tier"])["volume"].sum()
    direct = generated.groupby(["region", "channel", "language", "tier"]).size().astype(float)
    pd.testing.assert_series_equal(per_queue.sort_index(), direct.sort_index(), check_names=False)


# ---------------------------------------------------------------- history_before


@settings(max_examples=40, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 3 * 24 * 60), min_size=1, max_size=60),
    end_minutes=st.integers(1, 4 * 24 * 60),
)
def test_history_before_counts_every_ticket_before_the_end_once(
    offsets: list[int], end_minutes: int
) -> None:
    created = [START + pd.Timedelta(minutes=m) for m in offsets]
    end = START + pd.Timedelta(minutes=end_minutes)
    before = [c for c in created if c < end]
    frame = tickets(created, [60.0] * len(created))
    step = pd.Timedelta(minutes=15)
    first = min(before, default=end).floor(step)
    if not before or len(pd.date_range(first, end, freq=step, inclusive="left")) < 2:
        with pytest.raises(InputError):
            history_before(frame, end, 15, by_region=False)
        return
    history = history_before(frame, end, 15, by_region=False)
    assert history["volume"].sum() == len(before)
    starts = pd.DatetimeIndex(history["interval_start"])
    assert starts.min() == first
    assert starts.max() < end <= starts.max() + step


def test_history_before_keeps_regions_only_when_asked() -> None:
    frame = tickets([START, START + pd.Timedelta(hours=1)], [60.0, 60.0])
    end = START + pd.Timedelta(hours=2)
    assert "region" in history_before(frame, end, 15, by_region=True)
    assert "region" not in history_before(frame, end, 15, by_region=False)


def test_names_every_region() -> None:
    frame = tickets([START, START + pd.Timedelta(hours=1)], [60.0, 60.0])
    assert names_every_region(frame)
    assert not names_every_region(frame.assign(region=["eu", None]))
    assert not names_every_region(frame.drop(columns=["region"]))
