"""The models on the real call-centre series, read in place beside the checkout.

Skips, saying where it looked, when the series is absent (it is not ours to copy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.forecasting_real import FILE, bank_days, bank_history, data_dir, fit_score
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


def test_bank_calendar_skips_the_us_federal_holidays_of_2003() -> None:
    """164 weekdays from Monday 3 March 2003 without Memorial Day, Independence Day,
    Labor Day and Columbus Day (the 2003 federal calendar) end on Wednesday 22 October."""
    days = bank_days(164)
    assert len(days) == 164 and (days.weekday < 5).all()
    skipped = pd.bdate_range(days[0], days[-1]).difference(days)
    assert [d.date().isoformat() for d in skipped] == [
        "2003-05-26",
        "2003-07-04",
        "2003-09-01",
        "2003-10-13",
    ]
    assert days[-1] == pd.Timestamp("2003-10-22")
    assert bank_days(164, skip_holidays=False)[-1] == pd.Timestamp("2003-10-16")
