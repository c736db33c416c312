"""The models on the real call-centre series, read in place beside the checkout.

Skips, saying where it looked, when the series is absent (it is not ours to copy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.forecasting_real import FILE, bank_history, data_dir, fit_score
from forecasting.registry import model_named


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    path = data_dir() / FILE
    if not path.exists():
        pytest.skip(f"{path} not found (outside the repository; set FOLLOWSUN_BENCHMARKS_DIR)")
    return bank_history(path)


@pytest.mark.slow
def test_robust_profile_beats_the_weekly_naive_with_a_calibrated_band(
    history: pd.DataFrame,
) -> None:
    """Held-out last two weeks, and on average over it and the windows 1-3 weeks earlier."""
    ratios = []
    for back in (0, 7, 14, 21):
        ours, band, _ = fit_score(model_named("robust_profile"), history, back)
        naive, _, _ = fit_score(model_named("seasonal_naive"), history, back)
        ratios.append(ours / naive)
        if back == 0:
            assert 0.75 <= band <= 0.85  # p10-p90 holds 80% +- 5% of the open intervals
    assert ratios[0] < 1.0
    assert float(np.mean(ratios)) < 0.95


def test_history_is_the_calls_summed_to_15_minutes(history: pd.DataFrame) -> None:
    raw = pd.read_csv(data_dir() / FILE)
    assert history["volume"].sum() == raw["calls"].sum()  # nothing lost or doubled
    assert len(history) % 96 == 0  # whole days, closed hours and weekends as zeros
    assert history["interval_start"].dt.minute.isin([0, 15, 30, 45]).all()
