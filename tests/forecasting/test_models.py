"""Forecasting models: the seasonal naive baseline and the contact-centre model."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import optimize

from forecasting.aggregate import interval_history
from forecasting.errors import InputError
from forecasting.models import (
    ContactCentre,
    MissingAhtWarning,
    RegionInfo,
    SeasonalNaive,
    ShortHistoryWarning,
    VolumeEvent,
    count_quantiles,
    dirichlet_concentration,
    poisson_regression,
    shrink,
)
from forecasting.registry import model_named
from forecasting.schema import FORECAST, validate_frame
from forecasting.synthetic import GeneratorInputs, QueueModel, RegionDemand, synthetic_tickets
from forecasting.timegrid import interval_grid

UTC = "UTC"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=UTC)


def frame(
    grid: pd.DatetimeIndex,
    volume: np.ndarray,
    *,
    channel: str = "chat",
    tier: int = 1,
    aht: float | np.ndarray = 300.0,
    region: str | None = None,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "interval_start": grid,
            "channel": channel,
            "language": "en",
            "tier": tier,
            "volume": np.asarray(volume, dtype=float),
            "aht_seconds": np.broadcast_to(np.asarray(aht, dtype=float), len(grid)).copy(),
        }
    )
    if region is not None:
        out["region"] = region
    return out


def local_peak_history(tz: str, start: str, end: str, region: str | None) -> pd.DataFrame:
    """20 contacts per 15 minutes at 10:00-11:00 local time, 2 otherwise, every day."""
    grid = interval_grid(ts(start), ts(end), 15)
    local_hour = np.asarray(grid.tz_convert(tz).hour)
    return frame(grid, np.where(local_hour == 10, 20.0, 2.0), region=region)


def peak_utc_hour(forecast: pd.DataFrame, day: str) -> int:
    one = forecast[forecast["interval_start"].dt.date == pd.Timestamp(day).date()]
    return int(one.loc[one["volume"].idxmax(), "interval_start"].hour)


def test_seasonal_naive_repeats_last_week() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    week = np.arange(168, dtype=float) % 24
    history = frame(grid, np.tile(week, 2))
    horizon = interval_grid(ts("2027-01-18"), ts("2027-02-01"), 60)
    forecast = SeasonalNaive().fit(history).predict(horizon)
    validate_frame(forecast, FORECAST)
    assert forecast["volume"].tolist() == list(np.tile(week, 2))
    # A periodic history has zero seasonal differences, so the band collapses on the point.
    assert (forecast["volume_p10"] == forecast["volume"]).all()
    assert (forecast["volume_p90"] == forecast["volume"]).all()


def test_seasonal_naive_skips_a_missing_week() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-25"), 60)
    volume = np.concatenate([np.full(168, 5.0), np.full(168, 7.0), np.full(168, np.nan)])
    horizon = interval_grid(ts("2027-01-25"), ts("2027-01-26"), 60)
    forecast = SeasonalNaive().fit(frame(grid, volume)).predict(horizon)
    # The week before the horizon is a gap: the value comes from two weeks earlier, not 0.
    assert (forecast["volume"] == 7.0).all()


def test_absent_rows_are_gaps_not_zeros() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    history = frame(grid, np.full(len(grid), 4.0))
    history = history[~history["interval_start"].between(ts("2027-01-11"), ts("2027-01-11T05:00Z"))]
    horizon = interval_grid(ts("2027-01-18"), ts("2027-01-18T06:00Z"), 60)
    forecast = SeasonalNaive().fit(history).predict(horizon)
    assert (forecast["volume"] == 4.0).all()


def test_short_history_falls_back_to_daily_season_with_warning() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-07"), 60)
    history = frame(grid, np.tile(np.arange(24.0), 3))
    with pytest.warns(ShortHistoryWarning, match="daily season"):
        model = SeasonalNaive().fit(history)
    forecast = model.predict(interval_grid(ts("2027-01-07"), ts("2027-01-08"), 60))
    assert forecast["volume"].tolist() == list(np.arange(24.0))


def test_less_than_a_day_is_refused() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-04T12:00Z"), 60)
    with pytest.raises(InputError, match="less than one day"):
        SeasonalNaive().fit(frame(grid, np.ones(len(grid))))


def test_contact_centre_profile_moves_with_region_dst() -> None:
    # Europe/Amsterdam goes to summer time on 2027-03-28 (EU Directive 2000/84/EC: last
    # Sunday of March, 01:00 UTC): a 10:00 local peak moves from 09:00 to 08:00 UTC.
    history = local_peak_history("Europe/Amsterdam", "2027-01-25", "2027-03-22", "eu")
    regions = [RegionInfo("eu", "Europe/Amsterdam", "NL")]
    horizon = interval_grid(ts("2027-03-22"), ts("2027-04-05"), 15)
    forecast = ContactCentre(regions).fit(history).predict(horizon)
    assert peak_utc_hour(forecast, "2027-03-25") == 9
    assert peak_utc_hour(forecast, "2027-03-30") == 8
    # Without the region, the profile is held in UTC and does not move.
    utc_model = ContactCentre().fit(history.drop(columns="region"))
    assert peak_utc_hour(utc_model.predict(horizon), "2027-03-30") == 9
    assert any("no region column" in note for note in utc_model.notes_)


def test_region_named_by_iana_zone_needs_no_declaration() -> None:
    history = local_peak_history(
        "America/Los_Angeles", "2027-01-18", "2027-03-08", "America/Los_Angeles"
    )
    horizon = interval_grid(ts("2027-03-08"), ts("2027-03-22"), 15)
    forecast = ContactCentre().fit(history).predict(horizon)
    # US DST starts 2027-03-14: 10:00 PST is 18:00 UTC, 10:00 PDT is 17:00 UTC.
    assert peak_utc_hour(forecast, "2027-03-10") == 18
    assert peak_utc_hour(forecast, "2027-03-17") == 17


def test_unknown_region_is_refused() -> None:
    history = local_peak_history("UTC", "2027-01-04", "2027-01-18", "mars")
    with pytest.raises(InputError, match="region 'mars' has no known time zone"):
        ContactCentre().fit(history)


def quiet_us_history(start: str, end: str) -> pd.DataFrame:
    inputs = GeneratorInputs(
        regions=(
            RegionDemand("us", "America/New_York", "US", (("en", 1.0),), (("chat", 20_000.0),)),
        ),
        queues=(QueueModel("chat", "en", 1, 600.0),),
        dispersion=1e9,
        day_noise_cv=0.0,
        spikes_per_year=0.0,
        holiday_factor=0.35,
    )
    tickets = synthetic_tickets(inputs, ts(start), ts(end), np.random.default_rng(21))
    return interval_history(tickets, interval_grid(ts(start), ts(end), 15), by_region=True)


def daily(forecast: pd.DataFrame, tz: str) -> pd.Series:
    local = forecast["interval_start"].dt.tz_convert(tz).dt.date
    return forecast.groupby(local)["volume"].sum()


def test_contact_centre_forecasts_holiday_dip() -> None:
    # History holds Labor Day, Columbus Day and Veterans Day at 0.35 of normal volume; the
    # horizon holds Thanksgiving, 2026-11-26.
    history = quiet_us_history("2026-08-31", "2026-11-23")
    model = ContactCentre([RegionInfo("us", "America/New_York", "US")]).fit(history)
    forecast = model.predict(interval_grid(ts("2026-11-23T05:00Z"), ts("2026-12-07T05:00Z"), 15))
    per_day = daily(forecast, "America/New_York")
    ratio = per_day[date(2026, 11, 26)] / per_day[date(2026, 12, 3)]
    assert ratio == pytest.approx(0.35, abs=0.08)
    validate_frame(forecast, FORECAST)


def test_events_and_deflection_scale_the_forecast() -> None:
    history = quiet_us_history("2026-08-31", "2026-10-26")
    regions = [RegionInfo("us", "America/New_York", "US")]
    horizon = interval_grid(ts("2026-10-26T04:00Z"), ts("2026-11-02T04:00Z"), 15)
    base = daily(ContactCentre(regions).fit(history).predict(horizon), "America/New_York")
    launch = VolumeEvent("launch", date(2026, 10, 28), date(2026, 10, 28), 0.5)
    levers = ContactCentre(regions, events=[launch], deflection=[("chat", 0.1)]).fit(history)
    scaled = daily(levers.predict(horizon), "America/New_York")
    assert scaled[date(2026, 10, 28)] == pytest.approx(
        base[date(2026, 10, 28)] * 1.5 * 0.9, rel=1e-9
    )
    assert scaled[date(2026, 10, 27)] == pytest.approx(base[date(2026, 10, 27)] * 0.9, rel=1e-9)


def test_tier2_forecast_only_when_history_has_tier2() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    t1 = frame(grid, np.full(len(grid), 3.0))
    horizon = interval_grid(ts("2027-01-18"), ts("2027-01-19"), 60)
    assert set(SeasonalNaive().fit(t1).predict(horizon)["tier"]) == {1}
    both = pd.concat([t1, frame(grid, np.full(len(grid), 1.0), channel="web", tier=2)])
    forecast = ContactCentre().fit(both).predict(horizon)
    assert set(zip(forecast["channel"], forecast["tier"], strict=True)) == {("chat", 1), ("web", 2)}


def test_aht_is_volume_weighted_mean_of_last_weeks() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-02-15"), 60)
    n = len(grid)
    volume = np.where(np.arange(n) % 2 == 0, 1.0, 3.0)
    aht = np.where(np.arange(n) % 2 == 0, 100.0, 500.0)
    aht[: n - 4 * 168] = 9999.0  # older than the 4-week window: ignored
    forecast = (
        SeasonalNaive()
        .fit(frame(grid, volume, aht=aht))
        .predict(interval_grid(ts("2027-02-15"), ts("2027-02-16"), 60))
    )
    # (1 x 100 + 3 x 500) / (1 + 3) = 400 s.
    assert forecast["aht_seconds"].unique().tolist() == [400.0]


def test_missing_aht_is_left_empty_with_a_warning_or_takes_the_default() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    history = frame(grid, np.ones(len(grid))).drop(columns="aht_seconds")
    with pytest.warns(MissingAhtWarning, match="no aht_seconds for queue"):
        empty = (
            SeasonalNaive()
            .fit(history)
            .predict(interval_grid(ts("2027-01-18"), ts("2027-01-19"), 60))
        )
    assert empty["aht_seconds"].isna().all()
    validate_frame(empty, FORECAST)
    forecast = (
        SeasonalNaive(default_aht_s=420.0)
        .fit(history)
        .predict(interval_grid(ts("2027-01-18"), ts("2027-01-19"), 60))
    )
    assert (forecast["aht_seconds"] == 420.0).all()


def test_misaligned_horizon_and_unknown_model_refused() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    model = SeasonalNaive().fit(frame(grid, np.ones(len(grid))))
    with pytest.raises(InputError, match="not aligned"):
        model.predict(interval_grid(ts("2027-01-18T00:15Z"), ts("2027-01-18T06:15Z"), 15))
    with pytest.raises(InputError, match="unknown model 'prophet'"):
        model_named("prophet")


def test_no_nan_and_ordered_band_with_gaps_in_history() -> None:
    history = quiet_us_history("2026-08-31", "2026-10-26")
    history.loc[history.index[100:400], "volume"] = np.nan
    forecast = (
        ContactCentre([RegionInfo("us", "America/New_York", "US")])
        .fit(history)
        .predict(interval_grid(ts("2026-10-26"), ts("2026-11-02"), 15))
    )
    values = forecast[["volume", "volume_p10", "volume_p90", "aht_seconds"]].to_numpy()
    assert np.isfinite(values).all()
    assert (forecast["volume_p10"] <= forecast["volume"]).all()
    assert (forecast["volume"] <= forecast["volume_p90"]).all()


def test_count_quantiles_match_scipy_reference() -> None:
    # Poisson(4): P(X <= 1) = 0.0916, P(X <= 2) = 0.238 so the 10% quantile is 2;
    # P(X <= 6) = 0.889, P(X <= 7) = 0.949 so the 90% quantile is 7 (Poisson tables).
    mean = np.array([4.0])
    assert count_quantiles(mean, mean, 0.1)[0] == 2
    assert count_quantiles(mean, mean, 0.9)[0] == 7
    # Overdispersed: a wider band than the Poisson.
    assert count_quantiles(mean, np.array([12.0]), 0.9)[0] > 7


def test_gap_in_one_region_is_a_gap_for_the_queue() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    east = frame(grid, np.full(len(grid), 2.0), region="America/New_York")
    west = frame(grid, np.where(np.arange(len(grid)) < 168, 1.0, 3.0), region="America/Los_Angeles")
    west.loc[west.index[-168:], "volume"] = np.nan  # the last week of one region is missing
    forecast = (
        SeasonalNaive()
        .fit(pd.concat([east, west]))
        .predict(interval_grid(ts("2027-01-18"), ts("2027-01-19"), 60))
    )
    # Queue total from the first week (2 + 1), not 2 + 0 from the partial last week.
    assert (forecast["volume"] == 3.0).all()


def test_poisson_regression_matches_group_means() -> None:
    # With an intercept and group dummies the Poisson MLE is saturated over the groups:
    # exp(fitted) equals each group's (weighted) mean count (McCullagh & Nelder 1989, 6.2).
    rng = np.random.default_rng(5)
    group = np.repeat(np.arange(3), 40)
    y = rng.poisson(np.array([2.0, 7.0, 0.5])[group]).astype(float)
    x = np.column_stack([np.ones(len(y)), group == 1, group == 2]).astype(float)
    weight = np.where(np.arange(len(y)) % 5 == 0, 0.0, 1.0)  # weight 0 drops a day
    beta = poisson_regression(x, y, weight)
    for g in range(3):
        sel = (group == g) & (weight > 0)
        assert np.exp(x[sel][0] @ beta) == pytest.approx(y[sel].mean(), rel=1e-6)


def test_poisson_prior_keeps_an_effect_without_contacts_finite() -> None:
    # Group 1 (say, a sparse queue's holidays) never has a contact: without a prior its
    # MLE effect is minus infinity. With a N(0, 1) prior on it the penalised score
    # equations are (S0 - n0 e^a) - n1 e^(a + b) = 0 and -n1 e^(a + b) - b = 0, solved
    # here independently with scipy's brentq.
    y = np.array([3.0, 1.0, 2.0, 4.0, 0.0, 0.0])
    x = np.column_stack([np.ones(6), [0, 0, 0, 0, 1, 1]]).astype(float)
    beta = poisson_regression(x, y, np.ones(6), np.array([0.0, 1.0]))

    def b_score(b: float) -> float:
        a = np.log(10.0 / (4 + 2 * np.exp(b)))  # from the intercept's score equation
        return float(-2 * np.exp(a + b) - b)

    b = optimize.brentq(b_score, -50.0, 0.0)
    assert beta[1] == pytest.approx(b, abs=1e-6)
    assert -10 < beta[1] < 0


@given(
    counts=arrays(np.float64, (4, 6), elements=st.integers(0, 50).map(float)),
)
def test_shrink_rows_are_shares_between_own_and_base(counts: np.ndarray) -> None:
    base = np.array([0.1, 0.2, 0.3, 0.2, 0.1, 0.1])
    out = shrink(counts, base, alpha=10.0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    n = counts.sum(axis=1, keepdims=True)
    own = np.where(n > 0, counts / np.where(n > 0, n, 1), base)
    # A posterior mean lies between the row's own shares and the base.
    assert (out >= np.minimum(own, base) - 1e-12).all()
    assert (out <= np.maximum(own, base) + 1e-12).all()
    np.testing.assert_allclose(shrink(counts, base, float("inf")), np.broadcast_to(base, (4, 6)))


def test_dirichlet_concentration_recovers_known_alpha() -> None:
    # Dirichlet-multinomial draws with concentration 200 around a base: the moment
    # estimate is unbiased up to sampling error (Mosimann 1962); multinomial draws
    # (no real difference between groups) give full pooling.
    rng = np.random.default_rng(11)
    base = np.linspace(1, 3, 24)
    base /= base.sum()
    alpha = 200.0
    shares = rng.dirichlet(alpha * base, size=400)
    counts = np.stack([rng.multinomial(2000, p) for p in shares]).astype(float)
    estimate = dirichlet_concentration(counts, base, estimated_base=False)
    assert estimate == pytest.approx(alpha, rel=0.15)
    same = np.stack([rng.multinomial(2000, base) for _ in range(400)]).astype(float)
    assert dirichlet_concentration(same, base, estimated_base=False) > 20 * alpha


def test_sparse_region_borrows_the_channel_shape() -> None:
    # Two regions with the same 10:00 local peak; the thin one (Tokyo, 1 contact a day at
    # random local times but mostly at the peak) gets its peak from the pooled shape.
    rng = np.random.default_rng(3)
    start, end = ts("2027-01-04"), ts("2027-03-01")
    busy = local_peak_history("Europe/Amsterdam", "2027-01-04", "2027-03-01", "Europe/Amsterdam")
    grid = interval_grid(start, end, 15)
    local_hour = np.asarray(grid.tz_convert("Asia/Tokyo").hour)
    thin = frame(grid, rng.poisson(np.where(local_hour == 10, 0.1, 0.01)), region="Asia/Tokyo")
    model = ContactCentre().fit(pd.concat([busy, thin], ignore_index=True))
    row = int(np.flatnonzero(model.panel_.keys["region"] == "Asia/Tokyo")[0])
    tokyo = model.series_[row].profile
    # The pooled shape puts 4 x 20 / (4 x 20 + 92 x 2) = 0.30 of the day at 10:00-11:00.
    assert tokyo[:, 40:44].sum(axis=1) == pytest.approx(np.full(7, 80 / 264), abs=0.06)


def test_dirichlet_concentration_with_a_base_per_group() -> None:
    # One base per group: repeating the common base per row is the same estimate, and
    # groups drawn around two different bases with concentration 200 recover it.
    rng = np.random.default_rng(12)
    base = np.linspace(1, 3, 24)
    base /= base.sum()
    other = base[::-1]
    counts = np.stack(
        [rng.multinomial(2000, rng.dirichlet(200.0 * b)) for b in (base, other) * 200]
    ).astype(float)
    bases = np.stack([base, other] * 200)
    estimate = dirichlet_concentration(counts, bases, estimated_base=False)
    assert estimate == pytest.approx(200.0, rel=0.15)
    same = counts[::2]
    assert dirichlet_concentration(
        same, np.broadcast_to(base, same.shape), estimated_base=False
    ) == dirichlet_concentration(same, base, estimated_base=False)
