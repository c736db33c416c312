"""The trimmed combination: which members it keeps, and that it stays a mean of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.combination import Combination
from forecasting.errors import InputError
from forecasting.models import SeasonalNaive
from forecasting.schema import FORECAST, validate_frame
from forecasting.timegrid import interval_grid
from forecasting.weekly import MeanOfWeeks

START = pd.Timestamp("2027-01-04", tz="UTC")  # a Monday
PER_DAY = 24
MEMBERS = (SeasonalNaive, MeanOfWeeks)


def history(volume: dict[str, np.ndarray]) -> pd.DataFrame:
    """Hourly history of one queue per language from START."""
    parts = []
    for language, y in volume.items():
        grid = interval_grid(START, START + pd.Timedelta(hours=len(y)), 60)
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": "chat",
                    "language": language,
                    "tier": 1,
                    "volume": y,
                    "aht_seconds": 300.0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def horizon(weeks: int) -> pd.DatetimeIndex:
    first = START + pd.Timedelta(weeks=weeks)
    return interval_grid(first, first + pd.Timedelta(days=7), 60)


def test_a_member_clearly_worse_on_the_folds_is_left_out_per_queue() -> None:
    """On a queue growing week by week, last week's copy errs by one week's growth and
    the mean of four weeks by 2.5 weeks': only the copy is kept. On a queue repeating one
    week exactly both are exact on the folds, so both are kept (their mean)."""
    weeks = 14
    week = np.tile(np.sin(np.linspace(0, np.pi, PER_DAY)) + 0.5, 7)
    growing = np.concatenate([(10.0 + 2.0 * k) * week for k in range(weeks)])
    frame = history({"en": growing, "de": np.tile(10.0 * week, weeks)})
    grid = horizon(weeks)
    keys = ["language", "interval_start"]
    trimmed = Combination(MEMBERS).fit(frame).predict(grid).sort_values(keys)
    validate_frame(trimmed, FORECAST)
    plain = Combination(MEMBERS, trim=None).fit(frame).predict(grid).sort_values(keys)
    members = [m().fit(frame).predict(grid).sort_values(keys) for m in MEMBERS]
    en = trimmed["language"].to_numpy() == "en"
    np.testing.assert_allclose(trimmed["volume"][en], members[0]["volume"][en], rtol=1e-12)
    mean = (members[0]["volume"].to_numpy() + members[1]["volume"].to_numpy()) / 2
    np.testing.assert_allclose(plain["volume"], mean, rtol=1e-12)
    np.testing.assert_allclose(trimmed["volume"][~en], mean[~en], rtol=1e-12)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.0, 1.0))
def test_the_combination_is_a_mean_of_its_members_and_keeps_its_band_ordered(
    seed: int, trim: float
) -> None:
    """Whatever it keeps, each interval lies between the members' forecasts and p10 <=
    volume <= p90 (a convex combination of ordered quantiles)."""
    rng = np.random.default_rng(seed)
    weeks = 10
    hours = weeks * 7 * PER_DAY
    frame = history(
        {
            lang: rng.poisson(mean * (1 + np.sin(np.arange(hours) / 4))).astype(float)
            for lang, mean in (("en", 20.0), ("ja", 0.5))
        }
    )
    grid = horizon(weeks)
    keys = ["language", "interval_start"]
    # Unhedged: the hedge against dropped days mixes in other days (tests/forecasting/test_labels.py).
    out = (
        Combination(MEMBERS, trim=trim, hedge_shifts=False)
        .fit(frame)
        .predict(grid)
        .sort_values(keys)
    )
    members = np.stack(
        [m().fit(frame).predict(grid).sort_values(keys)["volume"].to_numpy() for m in MEMBERS]
    )
    volume = out["volume"].to_numpy()
    assert (volume >= members.min(axis=0) - 1e-9).all()
    assert (volume <= members.max(axis=0) + 1e-9).all()
    assert (out["volume_p10"] <= out["volume"] + 1e-9).all()
    assert (out["volume"] <= out["volume_p90"] + 1e-9).all()


def test_a_negative_trim_is_refused() -> None:
    with pytest.raises(InputError, match="trim"):
        Combination(MEMBERS, trim=-0.1)
