"""Forecasting models: the seasonal naive baseline and the contact-centre model."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.aggregate import interval_history
from forecasting.errors import InputError
from forecasting.models import (
    ContactCentre,
    RegionInfo,
    SeasonalNaive,
    ShortHistoryWarning,
    VolumeEvent,
    count_quantiles,
    model_named,
)
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


def test_missing_aht_needs_a_default() -> None:
    grid = interval_grid(ts("2027-01-04"), ts("2027-01-18"), 60)
    history = frame(grid, np.ones(len(grid))).drop(columns="aht_seconds")
    with pytest.raises(InputError, match="no aht_seconds for queue"):
        SeasonalNaive().fit(history)
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
