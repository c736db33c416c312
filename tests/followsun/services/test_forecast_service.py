"""The forecast service's handle-time rule for volume-only queues."""

from __future__ import annotations

import numpy as np
import pandas as pd

from followsun.services.forecast import fill_aht


def forecast(aht: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interval_start": pd.Timestamp("2027-01-04", tz="UTC"),
            "channel": "chat",
            "language": ["en", "ja", "de"],
            "tier": 1,
            "volume": 1.0,
            "volume_p10": 0.0,
            "volume_p90": 2.0,
            "aht_seconds": aht,
        }
    )


def test_flag_first_then_scenario_queue_else_left_empty() -> None:
    frame = forecast([300.0, np.nan, np.nan])
    by_queue = {("chat", "ja", 1): 600.0}
    flagged, _ = fill_aht(frame, 250.0, by_queue)
    assert flagged["aht_seconds"].tolist() == [300.0, 250.0, 250.0]
    filled, messages = fill_aht(frame, None, by_queue)
    assert filled["aht_seconds"].tolist()[:2] == [300.0, 600.0]
    assert np.isnan(filled["aht_seconds"].iloc[2])
    assert messages[0] == "aht_seconds of chat/ja/t1 taken from the scenario's queues"
    assert "chat/de/t1: their aht_seconds is left empty" in messages[1]
    untouched, none = fill_aht(forecast([1.0, 2.0, 3.0]), 99.0, {})
    assert untouched["aht_seconds"].tolist() == [1.0, 2.0, 3.0] and none == []
