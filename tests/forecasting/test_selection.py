"""Automatic model choice per queue by backtest error."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.aggregate import interval_history
from forecasting.backtest import backtest
from forecasting.combination import Combination
from forecasting.daily import DailyLevel
from forecasting.errors import InputError
from forecasting.models import ContactCentre, RegionInfo, SeasonalNaive
from forecasting.panel import to_panel
from forecasting.registry import model_named
from forecasting.schema import FORECAST, validate_frame
from forecasting.selection import MIN_TRAIN_DAYS, AutoSelect, choose, fold_error, members_of
from forecasting.synthetic import GeneratorInputs, QueueModel, RegionDemand, synthetic_tickets
from forecasting.timegrid import interval_grid
from forecasting.weekly import MeanOfWeeks

US = RegionInfo("us", "America/New_York", "US")


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def history() -> pd.DataFrame:
    """chat: an irregular week repeated exactly (the weekly naive is perfect on it);
    web: smooth Poisson arrivals (the naive copies last week's noise, the model does not)."""
    start, end = "2026-06-01", "2026-09-28"
    grid = interval_grid(ts(start), ts(end), 15)
    week = np.random.default_rng(1).integers(0, 30, size=672).astype(float)
    chat = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "volume": np.tile(week, len(grid) // 672),
            "aht_seconds": 300.0,
            "region": "us",
        }
    )
    inputs = GeneratorInputs(
        regions=(
            RegionDemand("us", "America/New_York", "US", (("en", 1.0),), (("web", 20_000.0),)),
        ),
        queues=(QueueModel("web", "en", 1, 600.0),),
        dispersion=1e9,
        day_noise_cv=0.0,
        spikes_per_year=0.0,
    )
    tickets = synthetic_tickets(inputs, ts(start), ts(end), np.random.default_rng(2))
    web = interval_history(tickets, grid, by_region=True)
    return pd.concat([chat, web], ignore_index=True)


def test_auto_picks_the_better_model_per_queue() -> None:
    model = AutoSelect((SeasonalNaive, lambda: ContactCentre([US]))).fit(history())
    chosen = dict(zip(model.choice_["channel"], model.choice_["model"], strict=True))
    assert chosen == {"chat": "seasonal_naive", "web": "contact_centre"}
    horizon = interval_grid(ts("2026-09-28"), ts("2026-09-29"), 15)
    forecast = model.predict(horizon)
    validate_frame(forecast, FORECAST)
    naive = SeasonalNaive().fit(history()).predict(horizon)
    chat = forecast[forecast["channel"] == "chat"]["volume"].to_numpy()
    assert np.array_equal(chat, naive[naive["channel"] == "chat"]["volume"].to_numpy())


def test_short_history_uses_first_candidate_and_says_so() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    frame = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": "chat",
            "language": "en",
            "tier": 1,
            "volume": 2.0,
            "aht_seconds": 300.0,
        }
    )
    model = model_named("auto").fit(frame)
    assert isinstance(model, AutoSelect)
    assert set(model.choice_["model"]) == {"seasonal_naive"}
    assert "too short to validate" in model.notes_[0]


def test_auto_is_never_worse_than_the_baseline_on_its_folds() -> None:
    """Re-scoring the folds auto saw: per queue, its choice's error <= seasonal naive's."""
    rng = np.random.default_rng(11)
    grid = interval_grid(ts("2026-06-01"), ts("2026-08-31"), 60)
    hour = np.asarray(grid.hour)
    parts = []
    for language, mean in (("en", 30.0), ("ja", 0.3), ("de", 4.0)):
        level = mean * np.where((hour >= 8) & (hour < 18), 1.0, 0.1)
        level = level * rng.gamma(5.0, 0.2, size=len(grid) // 24).repeat(24)  # noisy days
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": "chat",
                    "language": language,
                    "tier": 1,
                    "volume": rng.poisson(level).astype(float),
                    "aht_seconds": 300.0,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    model = AutoSelect(validation_days=7, folds=4, train_weeks=4).fit(frame)
    # Every candidate refitted on each fold's last 4 weeks, the combination included.
    result = backtest(
        frame,
        model.candidates,
        horizon_days=7,
        folds=4,
        min_train_days=MIN_TRAIN_DAYS,
        train_days=28,
    )
    baseline = fold_error(result.forecasts["seasonal_naive"], result.actuals)
    languages = result.queues["language"].tolist()
    for _, row in model.choice_.iterrows():
        q = languages.index(row["language"])
        members = members_of(row["model"])
        chosen = sum(result.forecasts[m] for m in members) / len(members)
        assert fold_error(chosen[:, q : q + 1], result.actuals[:, q : q + 1])[0] <= baseline[q]
    forecast = model.predict(interval_grid(ts("2026-08-31"), ts("2026-09-02"), 60))
    validate_frame(forecast, FORECAST)
    assert (forecast["volume_p10"] <= forecast["volume"]).all()


def test_auto_averages_a_combinations_members_instead_of_refitting_it() -> None:
    """The folds of a combination of candidates are the mean of its members' folds, as
    refitting it would give, so auto chooses as if it had refitted it."""
    frame = history().drop(columns="region")  # one region per queue
    model = AutoSelect(validation_days=7, folds=2, train_weeks=6)
    aliases = [factory().alias for factory in model.candidates]
    derived = model._backtest(to_panel(frame), frame, aliases, 2)
    refitted = backtest(
        frame,
        model.candidates,
        horizon_days=7,
        folds=2,
        min_train_days=MIN_TRAIN_DAYS,
        train_days=42,
    )
    np.testing.assert_allclose(
        derived.forecasts["combination"], refitted.forecasts["combination"], rtol=1e-9
    )
    pd.testing.assert_frame_equal(choose(derived, aliases), choose(refitted, aliases))


def test_backtest_fits_each_fold_on_its_bounded_window() -> None:
    """With train_days, a fold sees only those days: the mean of 4 weeks, which reads the
    last 28 days, forecasts the same as on the whole history; a window shorter than the
    minimum training span is refused."""
    frame = history()
    full = backtest(frame, [MeanOfWeeks], horizon_days=7, folds=3)
    bounded = backtest(frame, [MeanOfWeeks], horizon_days=7, folds=3, train_days=28)
    np.testing.assert_allclose(
        bounded.forecasts["mean_4_weeks"], full.forecasts["mean_4_weeks"], rtol=1e-12
    )
    with pytest.raises(InputError, match="train_days"):
        backtest(frame, [SeasonalNaive], horizon_days=7, folds=1, train_days=7)


def test_every_alias_builds_its_model() -> None:
    from forecasting.aliases import MODEL_ALIASES
    from forecasting.registry import MODELS, STATISTICAL_ALIASES

    assert set(MODEL_ALIASES) == {*MODELS, *STATISTICAL_ALIASES, "auto"}
    for alias in MODELS:
        assert model_named(alias).alias == alias


@settings(max_examples=8, deadline=None)
@given(
    st.integers(0, 2**31),
    st.lists(st.floats(0.05, 50.0), min_size=1, max_size=3),
    st.floats(0.0, 1.0),
)
def test_auto_is_never_worse_than_the_baseline_on_random_histories(
    seed: int, means: list[float], day_noise: float
) -> None:
    """On any history, every queue's choice errs no more than seasonal naive on the folds
    (re-scored by refitting every candidate, the combination included)."""
    rng = np.random.default_rng(seed)
    grid = interval_grid(ts("2026-06-01"), ts("2026-07-27"), 60)
    hour = np.asarray(grid.hour)
    weekday = np.asarray(grid.weekday)
    parts = []
    for k, mean in enumerate(means):
        level = mean * np.where((hour >= 8) & (hour < 18), 1.0, 0.2) * (1.0 + 0.3 * (weekday == k))
        noise = rng.gamma(1 / max(day_noise, 1e-3) ** 2, max(day_noise, 1e-3) ** 2, len(grid) // 24)
        volume = rng.poisson(level * noise.repeat(24)).astype(float)
        parts.append(
            pd.DataFrame(
                {
                    "interval_start": grid,
                    "channel": "chat",
                    "language": f"l{k}",
                    "tier": 1,
                    "volume": volume,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)  # volume only
    candidates = (
        SeasonalNaive,
        MeanOfWeeks,
        DailyLevel,
        partial(Combination, (MeanOfWeeks, DailyLevel)),
    )
    model = AutoSelect(candidates, validation_days=7, folds=3, train_weeks=4).fit(frame)
    result = backtest(
        frame, candidates, horizon_days=7, folds=3, min_train_days=MIN_TRAIN_DAYS, train_days=28
    )
    baseline = fold_error(result.forecasts["seasonal_naive"], result.actuals)
    languages = result.queues["language"].tolist()
    for _, row in model.choice_.iterrows():
        q = languages.index(row["language"])
        members = members_of(row["model"])
        chosen = sum(result.forecasts[m] for m in members) / len(members)
        error = fold_error(chosen[:, q : q + 1], result.actuals[:, q : q + 1])[0]
        assert error <= baseline[q] * (1 + 1e-9)
    forecast = model.predict(interval_grid(ts("2026-07-27"), ts("2026-07-29"), 60))
    assert forecast["aht_seconds"].isna().all()
    assert (forecast["volume_p10"] <= forecast["volume"]).all()
