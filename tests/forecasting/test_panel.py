"""A panel cut into folds equals the panel of the fold's rows (the backtest's shortcut)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.panel import to_panel
from forecasting.timegrid import interval_grid

START = pd.Timestamp("2027-03-01", tz="UTC")


def region_history(seed: int, hours: int, late_region: bool) -> pd.DataFrame:
    """Two queues x two regions, hourly, with gaps; region 'b' of one queue may start late."""
    rng = np.random.default_rng(seed)
    grid = interval_grid(START, START + pd.Timedelta(hours=hours), 60)
    parts = []
    for language in ("en", "de"):
        for region in ("a", "b"):
            y = rng.poisson(5.0, len(grid)).astype(float)
            y[rng.random(len(grid)) < 0.05] = np.nan
            part = pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": "chat",
                    "language": language,
                    "tier": 1,
                    "volume": y,
                    "aht_seconds": rng.uniform(100, 400, len(grid)),
                    "region": region,
                }
            )
            if late_region and language == "de" and region == "b":
                part = part.iloc[hours // 2 :]
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


@settings(max_examples=15, deadline=None)
@given(
    st.integers(0, 10_000),
    st.booleans(),
    st.integers(0, 60),
    st.integers(20, 95),
)
def test_window_and_queue_level_match_to_panel_of_the_rows(
    seed: int, late_region: bool, start: int, length: int
) -> None:
    hours = 160
    frame = region_history(seed, hours, late_region)
    stop = min(start + length, hours)
    panel = to_panel(frame, by_region=True)
    rows = frame[
        (frame["interval_start"] >= panel.grid[start])
        & (frame["interval_start"] < panel.grid[stop])
    ]
    for ours, reference in (
        (panel.window(start, stop), to_panel(rows, by_region=True)),
        # Regions summed after the cut, as to_panel sums the fold's rows (a region without
        # rows there does not make its queue missing).
        (panel.window(start, stop).queue_level(), to_panel(rows, by_region=False)),
    ):
        pd.testing.assert_frame_equal(
            ours.keys.reset_index(drop=True), reference.keys.reset_index(drop=True)
        )
        # A fold's rows may end earlier (absent rows): compare over the reference's span.
        n = len(reference.grid)
        assert ours.grid[0] == reference.grid[0]
        np.testing.assert_array_equal(ours.volume[:, :n], reference.volume)
        np.testing.assert_allclose(ours.aht_s[:, :n], reference.aht_s, rtol=1e-12)
