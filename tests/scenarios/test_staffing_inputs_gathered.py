"""`staffing_inputs` places every forecast row on the grid in one pass, as the per-queue
reindexing it replaced did (issue 30).

`reference_staffing_inputs` is that implementation, kept verbatim; on forecasts of the
reference scenario with missing rows and queues, empty volumes, unusable handle times and
rows in any order, the demand frames must be equal. `reference_queue_keys` likewise for
`forecasting.queues.queue_keys`, which now formats each distinct queue once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.schema import FORECAST, QUEUE_INTERVAL_KEY
from forecasting.timegrid import interval_grid
from scenarios.coverage import coverage_mask
from scenarios.loader import load_scenario
from scenarios.spec import Scenario
from scenarios.staffing import StaffingInputs, _check_grain, queue_policy, staffing_inputs

REFERENCE = load_scenario(
    Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "reference.yaml"
)


def reference_staffing_inputs(
    scenario: Scenario, forecast: pd.DataFrame, volume_column: str = "volume"
) -> StaffingInputs:
    """Map the scenario's queues and a forecast frame onto the staffing inputs.

    Args:
        scenario: the organisation and its queue policies.
        forecast: the forecast frame (interval_start UTC, channel, language, tier,
            volume, volume_p10, volume_p90, aht_seconds).
        volume_column: which forecast column to staff for ('volume', or 'volume_p90'
            for a cautious plan).
    """
    FORECAST.require(forecast, "forecast", (*QUEUE_INTERVAL_KEY, volume_column, "aht_seconds"))
    interval_min = scenario.planning.interval_minutes
    step = pd.Timedelta(minutes=interval_min)
    times = forecast["interval_start"]
    if len(forecast) == 0:
        raise InputError("forecast: no rows")
    _check_grain(times, interval_min)
    grid = interval_grid(times.min(), times.max() + step, interval_min)
    known = {q.id for q in scenario.queues}
    ids = list(queue_keys(forecast, "forecast"))
    unknown = sorted(set(ids) - known)
    if unknown:
        raise InputError(f"forecast: queues {unknown} are not in scenario {scenario.name!r}")
    # One pass over the rows (not one filter per queue): grouped by queue, placed on the grid.
    by_queue = {
        str(queue_id): rows.set_index("interval_start")
        for queue_id, rows in forecast.assign(queue=ids).groupby("queue", sort=False)
    }
    empty = pd.DataFrame({volume_column: [], "aht_seconds": []}, dtype=float)
    volumes: dict[str, np.ndarray] = {}
    ahts: dict[str, np.ndarray] = {}
    for queue in scenario.queues:
        rows = by_queue.get(queue.id, empty)
        volumes[queue.id] = rows[volume_column].astype(float).reindex(grid).fillna(0.0).to_numpy()
        aht = rows["aht_seconds"].astype(float).reindex(grid)
        ahts[queue.id] = aht.where(aht > 0).fillna(queue.aht_seconds).to_numpy()
    forecast_ids = set(ids)
    for queue in sorted(scenario.queues, key=lambda q: q.tier):
        if queue.tier == 1 or queue.id in forecast_ids:
            continue
        for source in scenario.queues:
            if source.escalates_to == queue.id and source.escalation_rate > 0:
                volumes[queue.id] = volumes[queue.id] + source.escalation_rate * volumes[source.id]
    parts = [
        pd.DataFrame(
            {
                "interval_start": grid,
                "channel": q.channel,
                "language": q.language,
                "tier": q.tier,
                "volume": volumes[q.id],
                "aht_seconds": ahts[q.id],
                "open": coverage_mask(q.coverage, grid),
            }
        )
        for q in scenario.queues
    ]
    demand = pd.concat(parts, ignore_index=True)
    return StaffingInputs(
        demand=demand,
        policies=tuple(queue_policy(q) for q in scenario.queues),
        interval_min=interval_min,
    )


def reference_queue_keys(frame: pd.DataFrame, source: str = "frame") -> pd.Series:
    tiers = pd.to_numeric(frame["tier"], errors="coerce")
    bad = tiers.isna() | (tiers != tiers.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{source}: row {row}: tier {frame['tier'].tolist()[row]!r} is not a whole number"
        )
    return (
        frame["channel"].astype(str)
        + "-"
        + frame["language"].astype(str)
        + "-t"
        + tiers.astype("int64").astype(str)
    )


def forecast(seed: int, days: int, share: float, with_tier2: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2027-03-05", periods=days * 96, freq="15min", tz="UTC")
    queues = [q for q in REFERENCE.queues if q.tier == 1 or with_tier2]
    parts = []
    for queue in queues:
        if rng.random() < 0.2:
            continue  # a queue the forecast leaves out
        keep = rng.random(grid.size) < share
        count = int(keep.sum())
        volume = rng.gamma(2.0, 4.0, count)
        volume[rng.random(count) < 0.05] = np.nan
        aht = rng.uniform(60.0, 900.0, count)
        aht[rng.random(count) < 0.1] = rng.choice([0.0, np.nan, -5.0])
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid[keep],
                    "channel": pd.array([queue.channel] * count, dtype="string"),
                    "language": pd.array([queue.language] * count, dtype="string"),
                    "tier": queue.tier,
                    "volume": volume,
                    "volume_p10": volume,
                    "volume_p90": volume * 1.3,
                    "aht_seconds": aht,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(1, 9),
    share=st.floats(0.3, 1.0),
    with_tier2=st.booleans(),
    column=st.sampled_from(["volume", "volume_p90"]),
)
def test_demand_equals_the_per_queue_reindexing(
    seed: int, days: int, share: float, with_tier2: bool, column: str
) -> None:
    frame = forecast(seed, days, share, with_tier2)
    if frame.empty or frame["interval_start"].nunique() < 2:
        return
    got = staffing_inputs(REFERENCE, frame, column)
    expected = reference_staffing_inputs(REFERENCE, frame, column)
    pd.testing.assert_frame_equal(got.demand, expected.demand, check_exact=True)
    assert got.policies == expected.policies
    assert got.interval_min == expected.interval_min
    pd.testing.assert_series_equal(queue_keys(frame), reference_queue_keys(frame))
