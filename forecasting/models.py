"""Forecasting models behind one interface (statsforecast style).

A model's constructor only stores settings; `fit(history)` learns from an interval
history and returns the model; learned state sits in attributes ending in `_`;
`predict(grid)` returns the forecast frame (forecasting.schema.FORECAST columns) for every
queue of the history over the UTC interval starts of `grid`. Each class has a unique
`alias`, the name used by the CLI and the backtest report.

- `SeasonalNaive`: the value one week earlier (the baseline every report compares with).
- `ContactCentre`: daily volume (trend, day of week, holidays, events) times intraday
  profiles by day of week, held in each customer region's local time and mapped to UTC
  per date, so a region's demand moves with its own DST changes.
- `forecasting.selection.AutoSelect` ('auto'): per queue, the candidate with the lowest
  error on the history's last two weeks.

Both forecast AHT per queue as the volume-weighted mean of the last weeks. Tier 2 queues
are forecast like any other queue when the history has them; deriving Tier 2 from Tier 1
and an escalation rate is the scenario's business.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import ClassVar, Self

import numpy as np
import pandas as pd
from scipy import stats

from forecasting.calendars import public_holidays
from forecasting.errors import InputError
from forecasting.panel import Panel, queue_index, sum_rows, to_panel
from forecasting.schema import FORECAST, QUEUE_KEYS
from forecasting.timegrid import is_iana_zone

DAY_NS = 86_400 * 1_000_000_000
WEEK_DAYS = 7


class ShortHistoryWarning(UserWarning):
    """The history is too short for a season; the model fell back to a simpler one."""


@dataclass(frozen=True)
class RegionInfo:
    """A customer region as the models need it: its zone and its holiday country."""

    id: str
    timezone: str
    country: str | None = None

    def __post_init__(self) -> None:
        if not is_iana_zone(self.timezone):
            raise InputError(f"region {self.id}: {self.timezone!r} is not an IANA time zone")


@dataclass(frozen=True)
class VolumeEvent:
    """A declared event (launch, outage, campaign): volume x (1 + uplift) on local dates."""

    name: str
    start: date
    end: date
    uplift: float
    channels: tuple[str, ...] = ()  # empty: every channel

    def __post_init__(self) -> None:
        if self.end < self.start or self.uplift <= -1:
            raise InputError(f"event {self.name}: needs start <= end and uplift > -1")


def check_horizon(grid: pd.DatetimeIndex, panel: Panel) -> np.ndarray:
    """Positions of `grid` on the history's step (relative to its first interval)."""
    if grid.tz is None:
        raise InputError("the horizon grid must be tz-aware UTC")
    if len(grid) == 0:
        raise InputError("the horizon grid is empty")
    offset = grid.tz_convert("UTC").asi8 - panel.grid.asi8[0]
    step = panel.step_ns()
    if np.any(offset % step):
        raise InputError(
            f"the horizon grid is not aligned to the history's {panel.interval_min}-minute grain"
        )
    return offset // step


def forecast_frame(
    queues: pd.DataFrame,
    grid: pd.DatetimeIndex,
    mean: np.ndarray,
    p10: np.ndarray,
    p90: np.ndarray,
    aht_s: np.ndarray,
) -> pd.DataFrame:
    """Assemble the long forecast frame from (queue, interval) arrays, checking for NaN."""
    if not (np.isfinite(mean).all() and np.isfinite(p10).all() and np.isfinite(p90).all()):
        raise RuntimeError("a model produced a non-finite forecast; this is a bug")
    if not np.isfinite(aht_s).all():
        raise RuntimeError("a model produced a non-finite AHT; this is a bug")
    n_t = len(grid)
    out = queues.loc[queues.index.repeat(n_t), list(QUEUE_KEYS)].reset_index(drop=True)
    out.insert(0, "interval_start", pd.DatetimeIndex(np.tile(grid.tz_convert("UTC"), len(queues))))
    out["volume"] = np.maximum(mean, 0).ravel()
    out["volume_p10"] = np.minimum(np.maximum(p10, 0), np.maximum(mean, 0)).ravel()
    out["volume_p90"] = np.maximum(p90, np.maximum(mean, 0)).ravel()
    out["aht_seconds"] = np.repeat(aht_s, n_t)
    return out[list(FORECAST.names)]


def count_quantiles(mean: np.ndarray, var: np.ndarray, q: float) -> np.ndarray:
    """Quantile `q` of a count with this mean and variance (negative binomial, or Poisson).

    Moment matching: variance above the mean gives a negative binomial with
    n = mean^2 / (var - mean), p = mean / var; otherwise a Poisson.
    """
    mean = np.maximum(mean, 0.0)
    out = np.zeros_like(mean)
    pos = mean > 1e-9
    over = pos & (var > mean * (1 + 1e-9))
    if over.any():
        m, v = mean[over], var[over]
        out[over] = stats.nbinom.ppf(q, m * m / (v - m), m / v)
    poisson = pos & ~over
    if poisson.any():
        out[poisson] = stats.poisson.ppf(q, mean[poisson])
    return out


class ForecastModel(ABC):
    """The interface every model follows."""

    alias: ClassVar[str]

    def __init__(self, *, aht_weeks: int = 4, default_aht_s: float | None = None) -> None:
        if aht_weeks < 1:
            raise InputError("aht_weeks must be at least 1")
        if default_aht_s is not None and default_aht_s <= 0:
            raise InputError("default_aht_s must be > 0")
        self.aht_weeks = aht_weeks
        self.default_aht_s = default_aht_s

    @abstractmethod
    def fit(self, history: pd.DataFrame) -> Self:
        """Learn from an interval history (forecasting.schema.HISTORY columns)."""

    @abstractmethod
    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Forecast every queue over the UTC interval starts of `grid`."""

    def _fit_aht(self, panel: Panel) -> tuple[pd.DataFrame, np.ndarray]:
        """Queues and their AHT: volume-weighted mean over the last `aht_weeks` weeks."""
        queues, code = queue_index(panel.keys)
        steps = self.aht_weeks * WEEK_DAYS * 1440 // panel.interval_min
        vol = panel.volume[:, -steps:]
        aht = panel.aht_s[:, -steps:]
        ok = np.isfinite(vol) & np.isfinite(aht) & (vol > 0)
        work = sum_rows(np.where(ok, vol * np.where(ok, aht, 0), 0), code, len(queues)).sum(axis=1)
        weight = sum_rows(np.where(ok, vol, 0), code, len(queues)).sum(axis=1)
        if (weight == 0).any():
            # Fall back to the whole history before giving up on a queue.
            ok_all = np.isfinite(panel.volume) & np.isfinite(panel.aht_s) & (panel.volume > 0)
            w_all = np.where(ok_all, panel.volume, 0)
            work_all = sum_rows(w_all * np.where(ok_all, panel.aht_s, 0), code, len(queues)).sum(
                axis=1
            )
            weight_all = sum_rows(w_all, code, len(queues)).sum(axis=1)
            work = np.where(weight == 0, work_all, work)
            weight = np.where(weight == 0, weight_all, weight)
        with np.errstate(invalid="ignore", divide="ignore"):
            aht_s = np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan)
        missing = np.flatnonzero(np.isnan(aht_s))
        if len(missing):
            if self.default_aht_s is None:
                names = ", ".join(_queue_name(queues.iloc[i]) for i in missing)
                raise InputError(
                    f"history has no aht_seconds for queue(s) {names}; add the column or set a default AHT"
                )
            aht_s[missing] = self.default_aht_s
        return queues, aht_s


def _queue_name(row: pd.Series) -> str:
    return f"{row['channel']}/{row['language']}/t{row['tier']}"


def _check_observed(panel: Panel) -> None:
    empty = np.flatnonzero(np.isnan(panel.volume).all(axis=1))
    if len(empty):
        names = ", ".join(_queue_name(panel.keys.iloc[i]) for i in empty)
        raise InputError(f"history: no observed volume at all for {names}")


class SeasonalNaive(ForecastModel):
    """The volume of the same interval one season (a week) earlier; the baseline.

    A missing earlier value is taken from the season before it. Quantiles come from the
    empirical seasonal differences, widened with the square root of the seasons ahead.
    With less than one season of history it falls back to a daily season and warns.
    """

    alias: ClassVar[str] = "seasonal_naive"

    def __init__(self, season_days: int = 7, **kwargs: float | int | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        if season_days < 1:
            raise InputError("season_days must be at least 1")
        self.season_days = season_days

    def fit(self, history: pd.DataFrame) -> Self:
        """Keep the queue-level history and its seasonal differences."""
        panel = to_panel(history, by_region=False)
        _check_observed(panel)
        per_day = 1440 // panel.interval_min
        season = self.season_days * per_day
        n_t = panel.volume.shape[1]
        if n_t < season:
            if n_t < per_day:
                raise InputError(
                    f"history covers {n_t} intervals, less than one day; cannot forecast"
                )
            warnings.warn(
                f"history covers {n_t / per_day:.1f} days, less than a {self.season_days}-day season: "
                "using a daily season",
                ShortHistoryWarning,
                stacklevel=2,
            )
            season = per_day
        self.panel_ = panel
        self.season_ = season
        self.queues_, self.aht_s_ = self._fit_aht(panel)
        y = panel.volume
        diff = y[:, season:] - y[:, :-season] if n_t > season else np.full((len(y), 1), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q10 = np.nanquantile(diff, 0.1, axis=1)
            q90 = np.nanquantile(diff, 0.9, axis=1)
        self.residual_q10_ = np.nan_to_num(q10, nan=0.0)
        self.residual_q90_ = np.nan_to_num(q90, nan=0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            self.series_mean_ = np.nan_to_num(np.nanmean(y, axis=1), nan=0.0)
        return self

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """The value one season before each interval (the latest observed one)."""
        panel = self.panel_
        pos = check_horizon(grid, panel)
        y = panel.volume
        n_t = y.shape[1]
        season = self.season_
        back = np.maximum(1, -(-(pos - (n_t - 1)) // season))
        idx = pos - back * season
        value = np.full((len(y), len(pos)), np.nan)
        ahead = back.astype(float)
        for _ in range(max(1, n_t // season + 1)):
            valid = (idx >= 0) & (idx < n_t)
            take = np.where(valid, idx, 0)
            fresh = np.where(valid[None, :], y[:, take], np.nan)
            fill = np.isnan(value) & ~np.isnan(fresh)
            value[fill] = fresh[fill]
            if not np.isnan(value).any():
                break
            idx = idx - season
        value = np.where(np.isnan(value), self.series_mean_[:, None], value)
        widen = np.sqrt(np.broadcast_to(ahead, value.shape))
        p10 = value + self.residual_q10_[:, None] * widen
        p90 = value + self.residual_q90_[:, None] * widen
        return forecast_frame(self.queues_, grid, value, p10, p90, self.aht_s_)


@dataclass(frozen=True)
class _LocalCalendar:
    """A series' UTC intervals read in its customers' local time."""

    day: np.ndarray  # local date as days since the epoch
    weekday: np.ndarray
    slot: np.ndarray  # local time of day // interval_min


def _local_calendar(grid: pd.DatetimeIndex, tz: str, interval_min: int) -> _LocalCalendar:
    local = grid.tz_convert(tz)
    day = local.tz_localize(None).normalize().asi8 // DAY_NS
    slot = (np.asarray(local.hour) * 60 + np.asarray(local.minute)) // interval_min
    return _LocalCalendar(np.asarray(day), np.asarray(local.weekday), np.asarray(slot))


def _day_dates(days: np.ndarray) -> list[date]:
    return list(pd.to_datetime(days * DAY_NS).date)


@dataclass(frozen=True)
class _SeriesFit:
    """What the contact-centre model learned for one series."""

    tz: str
    country: str | None
    coef: np.ndarray  # intercept, years, 6 weekday effects, holiday (log(daily + 1) scale)
    smear: float  # mean of exp(residual): back-transform bias correction
    origin_day: int  # day number of the trend's time zero
    profile: np.ndarray  # (7, slots per day) shares of the day's volume
    phi: float  # negative-binomial overdispersion: var = mu + phi mu^2


class ContactCentre(ForecastModel):
    """Daily volume x intraday profile by weekday, in each customer region's local time.

    Per series (region x queue when the history carries `region`, else queue in UTC):
    log(daily + 1) is regressed on a trend, day of week and a public-holiday flag over
    complete local days (spike days beyond 3.5 robust deviations are dropped and the fit
    repeated); declared events multiply the forecast and are left out of the fit.
    Intraday shares per local weekday come from the last `profile_weeks` weeks, shrunk
    towards the all-days profile for thin series and lightly smoothed. Region forecasts
    are summed into queues; quantiles come from a negative binomial whose dispersion is
    measured in-sample.

    Args:
        regions: zone and holiday country of each region id found in the history
            (a region value that is itself an IANA zone needs no entry).
        country: holiday country for queue-level series (history without `region`).
        events: declared events for the forecast horizon (and to skip in the history).
        deflection: (channel, share) pairs: self-service takes this share of the channel's
            forecast volume (a lever on the future, not seen in the history).
        profile_weeks: weeks of history the intraday profiles are drawn from.
        profile_shrink: contacts at which a weekday's own profile and the all-days profile
            weigh equally (thin series lean on the pooled shape).
        trend_min_days: complete days needed before a trend is fitted.
    """

    alias: ClassVar[str] = "contact_centre"

    def __init__(
        self,
        regions: Sequence[RegionInfo] = (),
        *,
        country: str | None = None,
        events: Sequence[VolumeEvent] = (),
        deflection: Sequence[tuple[str, float]] = (),
        profile_weeks: int = 8,
        profile_shrink: float = 500.0,
        trend_min_days: int = 56,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(aht_weeks=aht_weeks, default_aht_s=default_aht_s)
        if profile_weeks < 1:
            raise InputError("profile_weeks must be at least 1")
        self.regions = tuple(regions)
        self.country = country
        self.events = tuple(events)
        if any(not 0.0 <= share <= 1.0 for _, share in deflection):
            raise InputError("deflection shares must be in [0, 1]")
        self.deflection = tuple(deflection)
        self.profile_weeks = profile_weeks
        self.profile_shrink = profile_shrink
        self.trend_min_days = trend_min_days

    def _zone(self, region: str | None) -> tuple[str, str | None]:
        if region is None:
            return "UTC", self.country
        for info in self.regions:
            if info.id == region:
                return info.timezone, info.country
        if is_iana_zone(region):
            return region, None
        raise InputError(
            f"history: region {region!r} has no known time zone; use IANA zone names as regions "
            "(e.g. Europe/Amsterdam) or declare the region (its id, zone and country)"
        )

    def fit(self, history: pd.DataFrame) -> Self:
        """Fit the daily model and intraday profiles of every series."""
        panel = to_panel(history, by_region=True)
        _check_observed(panel)
        self.panel_ = panel
        self.queues_, self.aht_s_ = self._fit_aht(panel)
        _, self.series_queue_ = queue_index(panel.keys)
        self.notes_: list[str] = []
        if not panel.by_region:
            self.notes_.append(
                "history has no region column: intraday profiles are held in UTC, so no customer "
                "DST shift is modelled"
            )
        calendars: dict[str, _LocalCalendar] = {}
        fits = []
        for i in range(len(panel.keys)):
            region = str(panel.keys.iloc[i]["region"]) if panel.by_region else None
            tz, country = self._zone(region)
            if tz not in calendars:
                calendars[tz] = _local_calendar(panel.grid, tz, panel.interval_min)
            channel = str(panel.keys.iloc[i]["channel"])
            fits.append(
                self._fit_series(
                    panel.volume[i], calendars[tz], tz, country, channel, panel.interval_min
                )
            )
        self.series_: list[_SeriesFit] = fits
        return self

    def _event_factor(self, days: np.ndarray, channel: str) -> np.ndarray:
        factor = np.ones(len(days))
        if not self.events:
            return factor
        dates = np.array(_day_dates(days))
        for ev in self.events:
            if ev.channels and channel not in ev.channels:
                continue
            factor = np.where(
                (dates >= ev.start) & (dates <= ev.end), factor * (1 + ev.uplift), factor
            )
        return factor

    def _holiday_flags(self, days: np.ndarray, country: str | None) -> np.ndarray:
        if country is None or len(days) == 0:
            return np.zeros(len(days))
        dates = _day_dates(days)
        table = public_holidays(country, sorted({d.year for d in dates}))
        return np.array([d in table for d in dates], dtype=float)

    def _design(self, days: np.ndarray, origin_day: int, holiday: np.ndarray) -> np.ndarray:
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        x = np.zeros((len(days), 9))
        x[:, 0] = 1.0
        x[:, 1] = (days - origin_day) / 365.25
        for wd in range(1, 7):
            x[:, 1 + wd] = weekday == wd
        x[:, 8] = holiday
        return x

    def _fit_series(
        self,
        y: np.ndarray,
        cal: _LocalCalendar,
        tz: str,
        country: str | None,
        channel: str,
        interval_min: int,
    ) -> _SeriesFit:
        per_day = 1440 // interval_min
        days, inverse, counts = np.unique(cal.day, return_inverse=True, return_counts=True)
        daily = np.bincount(inverse, weights=np.nan_to_num(y), minlength=len(days))
        gaps = np.bincount(inverse, weights=np.isnan(y).astype(float), minlength=len(days))
        # A complete local day: no gap and at least 23 hours of intervals (DST days count).
        complete = (gaps == 0) & (counts >= per_day - 60 // interval_min)
        holiday = self._holiday_flags(days, country)
        events = self._event_factor(days, channel)
        usable = complete & (events == 1.0)
        n_days = int(usable.sum())
        if n_days < 1:
            raise InputError("history has no complete local day for a series; cannot forecast")
        origin_day = int(days[usable].max())
        x = self._design(days, origin_day, holiday)
        columns = np.ones(9, dtype=bool)
        if n_days < self.trend_min_days:
            columns[1] = False
        if n_days < 2 * WEEK_DAYS:
            columns[2:8] = False
            warnings.warn(
                f"{n_days} complete days of history: no day-of-week effect (daily-only model)",
                ShortHistoryWarning,
                stacklevel=3,
            )
        if holiday[usable].sum() < 1:
            columns[8] = False
        target = np.log1p(daily)
        keep = usable.copy()
        coef = np.zeros(9)
        for _ in range(2):
            xs = x[keep][:, columns]
            sol, *_ = np.linalg.lstsq(xs, target[keep], rcond=None)
            coef[:] = 0.0
            coef[columns] = sol
            resid = target - x @ coef
            mad = np.median(np.abs(resid[usable] - np.median(resid[usable]))) * 1.4826
            if mad <= 0:
                break
            keep = usable & (np.abs(resid) <= 3.5 * mad)
        resid = target[keep] - x[keep] @ coef
        smear = float(np.mean(np.exp(resid))) if len(resid) else 1.0

        # Intraday shares per local weekday over the last profile_weeks weeks.
        last_day = days[usable].max()
        recent_days = usable & (holiday == 0) & (days > last_day - self.profile_weeks * WEEK_DAYS)
        in_profile = recent_days[inverse]
        weekday = cal.weekday
        slot = cal.slot
        sums = np.zeros((7, per_day))
        np.add.at(sums, (weekday[in_profile], slot[in_profile]), y[in_profile])
        totals = sums.sum(axis=1, keepdims=True)
        all_days = sums.sum(axis=0, keepdims=True)
        all_share = (
            all_days / all_days.sum() if all_days.sum() > 0 else np.full((1, per_day), 1 / per_day)
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.where(totals > 0, sums / np.where(totals > 0, totals, 1), all_share)
        # Thin weekdays lean on the all-days shape.
        weight = totals / (totals + self.profile_shrink)
        share = weight * own + (1 - weight) * all_share
        share = 0.25 * np.roll(share, 1, axis=1) + 0.5 * share + 0.25 * np.roll(share, -1, axis=1)
        share = share / share.sum(axis=1, keepdims=True)

        # Dispersion in-sample on the profile window: var = mu + phi mu^2.
        fitted_daily = np.maximum(np.expm1(x @ coef) * smear, 0) * events
        mu = fitted_daily[inverse] * share[weekday, slot]
        window = in_profile & ~np.isnan(y)
        num = np.sum((y[window] - mu[window]) ** 2 - mu[window])
        den = np.sum(mu[window] ** 2)
        phi = float(max(num / den, 0.0)) if den > 0 else 0.0
        return _SeriesFit(tz, country, coef, smear, origin_day, share, phi)

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Forecast each series in its local time, then sum series into queues."""
        panel = self.panel_
        check_horizon(grid, panel)
        n_s = len(self.series_)
        mean = np.zeros((n_s, len(grid)))
        var = np.zeros((n_s, len(grid)))
        calendars: dict[str, _LocalCalendar] = {}
        for i, fit in enumerate(self.series_):
            if fit.tz not in calendars:
                calendars[fit.tz] = _local_calendar(grid, fit.tz, panel.interval_min)
            cal = calendars[fit.tz]
            days, inverse = np.unique(cal.day, return_inverse=True)
            channel = str(panel.keys.iloc[i]["channel"])
            x = self._design(days, fit.origin_day, self._holiday_flags(days, fit.country))
            daily = np.maximum(np.expm1(x @ fit.coef) * fit.smear, 0) * self._event_factor(
                days, channel
            )
            daily = daily * (1 - dict(self.deflection).get(channel, 0.0))
            mu = daily[inverse] * fit.profile[cal.weekday, cal.slot]
            mean[i] = mu
            var[i] = mu + fit.phi * mu * mu
        n_q = len(self.queues_)
        q_mean = sum_rows(mean, self.series_queue_, n_q)
        q_var = sum_rows(var, self.series_queue_, n_q)
        p10 = count_quantiles(q_mean, q_var, 0.1)
        p90 = count_quantiles(q_mean, q_var, 0.9)
        return forecast_frame(self.queues_, grid, q_mean, p10, p90, self.aht_s_)


MODELS: Mapping[str, type[ForecastModel]] = MappingProxyType(
    {m.alias: m for m in (SeasonalNaive, ContactCentre)}
)
AUTO = "auto"  # forecasting.selection.AutoSelect: per-queue choice by backtest
MODEL_ALIASES = (*sorted(MODELS), AUTO)


def model_named(alias: str, **settings: object) -> ForecastModel:
    """A model by its alias: 'seasonal_naive', 'contact_centre' or 'auto'."""
    if alias == AUTO:
        from forecasting.selection import AutoSelect  # selection builds on this module

        return AutoSelect(**settings)  # type: ignore[arg-type]
    try:
        cls = MODELS[alias]
    except KeyError:
        raise InputError(
            f"unknown model {alias!r}; expected one of {', '.join(MODEL_ALIASES)}"
        ) from None
    return cls(**settings)  # type: ignore[arg-type]
