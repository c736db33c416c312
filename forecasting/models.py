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
Other models: `forecasting.weekly` (mean / median of past weeks, robust profiles),
`forecasting.combination`, `forecasting.selection` ('auto'), `forecasting.statistical`;
`forecasting.registry` builds any of them by alias.

Every model forecasts AHT per queue as the volume-weighted mean of the last weeks, or
leaves it empty (NaN, with a `MissingAhtWarning`) for a queue whose history has none. Tier 2 queues
are forecast like any other queue when the history has them; deriving Tier 2 from Tier 1
and an escalation rate is the scenario's business.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
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


class MissingAhtWarning(UserWarning):
    """Some queue's history has no handle time: its forecast `aht_seconds` is left empty."""


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
    """Assemble the long forecast frame from (queue, interval) arrays, checking for NaN.

    Only `aht_s` may hold NaN: a queue without any handle time in its history.
    """
    if not (np.isfinite(mean).all() and np.isfinite(p10).all() and np.isfinite(p90).all()):
        raise RuntimeError("a model produced a non-finite forecast; this is a bug")
    if np.isinf(aht_s).any():
        raise RuntimeError("a model produced an infinite AHT; this is a bug")
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
    by_region: ClassVar[bool] = False  # fit_panel reads region series (else queue totals)

    def __init__(self, *, aht_weeks: int = 4, default_aht_s: float | None = None) -> None:
        if aht_weeks < 1:
            raise InputError("aht_weeks must be at least 1")
        if default_aht_s is not None and default_aht_s <= 0:
            raise InputError("default_aht_s must be > 0")
        self.aht_weeks = aht_weeks
        self.default_aht_s = default_aht_s

    def fit(self, history: pd.DataFrame) -> Self:
        """Learn from an interval history (forecasting.schema.HISTORY columns)."""
        return self.fit_panel(to_panel(history, by_region=self.by_region))

    def fit_panel(self, panel: Panel) -> Self:
        """Learn from a panel of the history (region series when it has regions).

        Backtests cut one panel into folds instead of pivoting the history once per fold;
        a model without it is fitted on the history frame instead (`fits_panels`).
        """
        raise NotImplementedError(f"{type(self).__name__} fits history frames only")

    @abstractmethod
    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Forecast every queue over the UTC interval starts of `grid`."""

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """The (queue, interval) expected volume over `grid`, queues sorted by key.

        What a backtest scores: models override it to skip their quantiles.
        """
        n_t = len(grid)
        return self.predict(grid)["volume"].to_numpy(dtype=float).reshape(-1, n_t)

    @classmethod
    def fits_panels(cls) -> bool:
        """Whether the model learns from a panel (`fit_panel`), so folds can share one."""
        return cls.fit_panel is not ForecastModel.fit_panel

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
                names = ", ".join(queue_name(queues.iloc[i]) for i in missing)
                warnings.warn(
                    f"history has no aht_seconds for queue(s) {names}: their aht_seconds is "
                    "left empty",
                    MissingAhtWarning,
                    stacklevel=3,
                )
            else:
                aht_s[missing] = self.default_aht_s
        return queues, aht_s


def queue_name(row: pd.Series) -> str:
    """A queue as people read it: channel/language/tN."""
    return f"{row['channel']}/{row['language']}/t{row['tier']}"


def check_observed(panel: Panel) -> None:
    """Refuse a history in which some series has no observed interval at all."""
    empty = np.flatnonzero(np.isnan(panel.volume).all(axis=1))
    if len(empty):
        names = ", ".join(queue_name(panel.keys.iloc[i]) for i in empty)
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

    def fit_panel(self, panel: Panel) -> Self:
        """Keep the queue-level history and its seasonal differences."""
        panel = panel.queue_level()
        check_observed(panel)
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
        value, ahead = self._value(grid)
        widen = np.sqrt(np.broadcast_to(ahead, value.shape))
        p10 = value + self.residual_q10_[:, None] * widen
        p90 = value + self.residual_q90_[:, None] * widen
        return forecast_frame(self.queues_, grid, value, p10, p90, self.aht_s_)

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """The value one season before each interval, without the band."""
        return np.maximum(self._value(grid)[0], 0.0)

    def _value(self, grid: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """The (queue, interval) values one season back and the seasons ahead of each."""
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
        return value, ahead


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


@lru_cache(maxsize=64)
def _holiday_flags(days: bytes, country: str) -> np.ndarray:
    """1.0 on the public holidays of `country` among the days (int64 epoch days, as bytes).

    Cached: every series of a country and zone shares its days.
    """
    dates = _day_dates(np.frombuffer(days, dtype=np.int64))
    table = public_holidays(country, sorted({d.year for d in dates}))
    return np.array([d in table for d in dates], dtype=float)


@dataclass(frozen=True)
class _SeriesFit:
    """What the contact-centre model learned for one series."""

    tz: str
    country: str | None
    coef: np.ndarray  # intercept, years, 6 weekday effects, holiday (log of expected daily)
    origin_day: int  # day number of the trend's time zero
    profile: np.ndarray  # (7, slots per day) shares of the day's volume
    phi: float  # negative-binomial overdispersion: var = mu + phi mu^2


@dataclass(frozen=True)
class _SeriesDraft:
    """A series' daily fit and raw intraday counts, before profiles are pooled."""

    tz: str
    country: str | None
    coef: np.ndarray
    origin_day: int
    sums: np.ndarray  # (7, slots per day) contacts in the profile window
    y: np.ndarray  # the series' volume per interval (NaN: missing)
    inverse: np.ndarray  # each interval's position among the series' local days
    in_profile: np.ndarray  # intervals inside the profile window
    fitted_daily: np.ndarray  # expected volume per local day (events applied)


N_COEF = 9
# Normal(0, 1) prior on the log weekday and holiday effects (none on level and trend).
EFFECT_PRIOR_PRECISION = (0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)


def poisson_regression(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    prior_precision: np.ndarray | None = None,
    iterations: int = 30,
) -> np.ndarray:
    """Coefficients of a weighted Poisson regression with log link (IRLS).

    The Poisson likelihood gives unbiased expected counts even for sparse series where a
    least-squares fit of log counts would be biased, and stays consistent under
    overdispersion (quasi-Poisson). Days of weight 0 are ignored; a series with no
    contact at all gets an intercept of log(1e-9).

    Args:
        x: (days, coefficients) design.
        y: (days,) counts.
        weight: (days,) weight of each day in the likelihood.
        prior_precision: (coefficients,) precision of a zero-mean normal prior on each
            coefficient (0: none). A weak prior keeps an effect seen only on days without
            a contact (a sparse queue's holidays) finite instead of minus infinity, and
            is negligible wherever the data inform the effect.
        iterations: IRLS iterations at most.
    """
    w0 = np.asarray(weight, dtype=float)
    total = float(np.sum(w0 * y))
    beta = np.zeros(x.shape[1])
    if total <= 0:
        beta[0] = np.log(1e-9)
        return beta
    beta[0] = np.log(total / np.sum(w0))
    # A tiny ridge keeps a column without data (a weekday never seen) solvable.
    ridge = 1e-10 * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    prior = np.diag(np.zeros(x.shape[1]) if prior_precision is None else prior_precision)
    for _ in range(iterations):
        eta = np.clip(x @ beta, -30.0, 30.0)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        w = w0 * mu
        xtw = x.T * w
        new = np.linalg.solve(xtw @ x + prior + ridge * max(float(w.sum()), 1.0), xtw @ z)
        if np.max(np.abs(new - beta)) < 1e-8:
            beta = new
            break
        beta = new
    return beta


def dirichlet_concentration(counts: np.ndarray, base: np.ndarray, estimated_base: bool) -> float:
    """Empirical-Bayes concentration alpha of group profiles around a base profile.

    Method of moments for the Dirichlet-multinomial: each group's chi-square against the
    base has expectation (S - 1)(n + alpha) / (1 + alpha), S slots, n the group's count.
    Pooling the groups: alpha = (N - R) / (R - G), R the summed chi-squares over S - 1,
    N the total count and G the number of groups. R <= G (no more spread than sampling
    noise) means the groups share the base: alpha = inf; R >= N means no pooling.

    Args:
        counts: (groups, slots) contacts.
        base: (slots,) shares adding up to 1, or (groups, slots): one base per group.
        estimated_base: the base is the groups' own pooled shape (one fewer degree of
            freedom: chi-squares are scaled by G / (G - 1)).
    """
    n = counts.sum(axis=1)
    groups = counts[n > 0]
    bases = np.broadcast_to(base, counts.shape)[n > 0]
    n = n[n > 0]
    g = len(n)
    if g == 0 or (estimated_base and g < 2):
        return float("inf")
    slots = bases > 0
    expected = n[:, None] * np.where(slots, bases, 1.0)
    chi2 = np.sum(np.where(slots, (groups - expected) ** 2 / expected, 0.0))
    r = chi2 / max(round(float(slots.sum(axis=1).mean())) - 1, 1)
    if estimated_base:
        r *= g / (g - 1)
    big_n = float(n.sum())
    if r <= g:
        return float("inf")
    if r >= big_n:
        return 0.0
    return float((big_n - r) / (r - g))


def shrink(counts: np.ndarray, base: np.ndarray, alpha: float) -> np.ndarray:
    """Posterior mean shares (counts + alpha base) / (n + alpha) of each row of `counts`."""
    if np.isinf(alpha):
        return np.broadcast_to(base, counts.shape).copy()
    n = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (counts + alpha * base) / (n + alpha)
    return np.where(n + alpha > 0, out, base)


def smooth_cyclic(share: np.ndarray) -> np.ndarray:
    """Light [1/4, 1/2, 1/4] smoothing across adjacent intervals (cyclic), renormalised."""
    out = 0.25 * np.roll(share, 1, axis=-1) + 0.5 * share + 0.25 * np.roll(share, -1, axis=-1)
    total = out.sum(axis=-1, keepdims=True)
    return np.where(total > 0, out / np.where(total > 0, total, 1), 1 / share.shape[-1])


def pooled_profiles(sums: Sequence[np.ndarray], group: Sequence[object]) -> list[np.ndarray]:
    """Intraday shares (7, slots) per series, pooled by empirical Bayes in two levels.

    1. Each series' all-days shape is shrunk toward its group's pooled shape (series of
       the same channel and tier, all in their own local time), with a concentration
       estimated from how much the group's series differ beyond sampling noise.
    2. Each weekday's shape is shrunk toward the series' all-days shape, likewise with a
       concentration estimated from the series' own weekdays.
    The result is lightly smoothed across adjacent intervals.
    """
    per_day = sums[0].shape[1]
    all_days = np.stack([s.sum(axis=0) for s in sums])  # (series, slots)
    codes = pd.factorize(pd.Series([str(g) for g in group]))[0]
    series_shape = np.empty_like(all_days)
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        pooled = all_days[members].sum(axis=0)
        if pooled.sum() <= 0:
            series_shape[members] = 1 / per_day
            continue
        base = smooth_cyclic(pooled / pooled.sum())
        alpha = dirichlet_concentration(all_days[members], base, estimated_base=True)
        series_shape[members] = shrink(all_days[members], base, alpha)
    out = []
    for i, s in enumerate(sums):
        base = series_shape[i]
        alpha = dirichlet_concentration(s, base, estimated_base=True)
        out.append(smooth_cyclic(shrink(s, base, alpha)))
    return out


class ContactCentre(ForecastModel):
    """Daily volume x intraday profile by weekday, in each customer region's local time.

    Per series (region x queue when the history carries `region`, else queue in UTC):
    daily volume is a Poisson regression (log link) on a trend, day of week and a
    public-holiday flag of the region's country over complete local days (spike days
    beyond 3.5 robust deviations of the Pearson residual are dropped and the fit
    repeated; old days can be down-weighted with a half-life); declared events multiply
    the forecast and are left out of the fit. Intraday shares per local weekday come
    from the last `profile_weeks` weeks, pooled by empirical Bayes (weekday toward the
    series' all-days shape, that toward the shape of its channel and tier over all
    regions, each as far as the data shows no real difference) and lightly smoothed.
    Region forecasts are summed into queues; quantiles come from a negative binomial
    whose dispersion is measured in-sample.

    Args:
        regions: zone and holiday country of each region id found in the history
            (a region value that is itself an IANA zone needs no entry).
        country: holiday country for queue-level series (history without `region`).
        events: declared events for the forecast horizon (and to skip in the history).
        deflection: (channel, share) pairs: self-service takes this share of the channel's
            forecast volume (a lever on the future, not seen in the history).
        profile_weeks: weeks of history the intraday profiles are drawn from.
        level_halflife_days: half-life in days of the weight of past days in the daily
            fit (None: every day weighs the same).
        trend_min_days: complete days needed before a trend is fitted.
    """

    alias: ClassVar[str] = "contact_centre"
    by_region: ClassVar[bool] = True

    def __init__(
        self,
        regions: Sequence[RegionInfo] = (),
        *,
        country: str | None = None,
        events: Sequence[VolumeEvent] = (),
        deflection: Sequence[tuple[str, float]] = (),
        profile_weeks: int = 26,
        level_halflife_days: float | None = None,
        trend_min_days: int = 56,
        aht_weeks: int = 4,
        default_aht_s: float | None = None,
    ) -> None:
        super().__init__(aht_weeks=aht_weeks, default_aht_s=default_aht_s)
        if profile_weeks < 1:
            raise InputError("profile_weeks must be at least 1")
        if level_halflife_days is not None and level_halflife_days <= 0:
            raise InputError("level_halflife_days must be > 0")
        self.regions = tuple(regions)
        self.country = country
        self.events = tuple(events)
        if any(not 0.0 <= share <= 1.0 for _, share in deflection):
            raise InputError("deflection shares must be in [0, 1]")
        self.deflection = tuple(deflection)
        self.profile_weeks = profile_weeks
        self.level_halflife_days = level_halflife_days
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

    def fit_panel(self, panel: Panel) -> Self:
        """Fit the daily model and intraday profiles of every series."""
        check_observed(panel)
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
        drafts = []
        for i in range(len(panel.keys)):
            region = str(panel.keys.iloc[i]["region"]) if panel.by_region else None
            tz, country = self._zone(region)
            if tz not in calendars:
                calendars[tz] = _local_calendar(panel.grid, tz, panel.interval_min)
            channel = str(panel.keys.iloc[i]["channel"])
            drafts.append(
                self._fit_series(
                    panel.volume[i], calendars[tz], tz, country, channel, panel.interval_min
                )
            )
        groups = list(zip(panel.keys["channel"], panel.keys["tier"], strict=True))
        shares = pooled_profiles([d.sums for d in drafts], groups)
        self.series_: list[_SeriesFit] = [
            self._finish_series(d, share, calendars[d.tz])
            for d, share in zip(drafts, shares, strict=True)
        ]
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
        return _holiday_flags(np.asarray(days, dtype=np.int64).tobytes(), country).copy()

    def _design(self, days: np.ndarray, origin_day: int, holiday: np.ndarray) -> np.ndarray:
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        x = np.zeros((len(days), N_COEF))
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
    ) -> _SeriesDraft:
        """Daily model of one series and its raw intraday counts (profiles come later)."""
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
        columns = np.ones(N_COEF, dtype=bool)
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
        weight = np.where(usable, self._day_weights(days, origin_day), 0.0)
        prior = np.asarray(EFFECT_PRIOR_PRECISION)[columns]
        coef = poisson_regression(x[:, columns], daily, weight, prior)
        for _ in range(2):
            # Spike days (outages) beyond 3.5 robust deviations of the Pearson residual
            # are dropped and the fit repeated.
            full = np.zeros(N_COEF)
            full[columns] = coef
            mu = np.exp(x @ full)
            pearson = (daily - mu) / np.sqrt(np.maximum(mu, 1e-9))
            r = pearson[usable]
            mad = np.median(np.abs(r - np.median(r))) * 1.4826
            if mad <= 0:
                break
            keep = usable & (np.abs(pearson) <= 3.5 * mad)
            coef = poisson_regression(x[:, columns], daily, np.where(keep, weight, 0.0), prior)
        full = np.zeros(N_COEF)
        full[columns] = coef

        # Intraday counts per local weekday over the last profile_weeks weeks, leaving
        # out holidays, events, incomplete days and spike intervals.
        last_day = days[usable].max()
        recent_days = usable & (holiday == 0) & (days > last_day - self.profile_weeks * WEEK_DAYS)
        in_profile = recent_days[inverse] & ~np.isnan(y)
        sums = np.zeros((WEEK_DAYS, per_day))
        np.add.at(sums, (cal.weekday[in_profile], cal.slot[in_profile]), y[in_profile])
        return _SeriesDraft(
            tz, country, full, origin_day, sums, y, inverse, in_profile, np.exp(x @ full) * events
        )

    def _day_weights(self, days: np.ndarray, origin_day: int) -> np.ndarray:
        """Exponential down-weighting of old days in the daily fit (1 = no decay)."""
        if self.level_halflife_days is None:
            return np.ones(len(days))
        return np.asarray(0.5 ** ((origin_day - days) / self.level_halflife_days), dtype=float)

    def _finish_series(
        self, draft: _SeriesDraft, share: np.ndarray, cal: _LocalCalendar
    ) -> _SeriesFit:
        """Dispersion in-sample on the profile window: var = mu + phi mu^2."""
        y, window = draft.y, draft.in_profile
        mu = draft.fitted_daily[draft.inverse] * share[cal.weekday, cal.slot]
        num = np.sum((y[window] - mu[window]) ** 2 - mu[window])
        den = np.sum(mu[window] ** 2)
        phi = float(max(num / den, 0.0)) if den > 0 else 0.0
        return _SeriesFit(draft.tz, draft.country, draft.coef, draft.origin_day, share, phi)

    def predict(self, grid: pd.DatetimeIndex) -> pd.DataFrame:
        """Forecast each series in its local time, then sum series into queues."""
        q_mean, q_var = self._queue_moments(grid)
        p10 = count_quantiles(q_mean, q_var, 0.1)
        p90 = count_quantiles(q_mean, q_var, 0.9)
        return forecast_frame(self.queues_, grid, q_mean, p10, p90, self.aht_s_)

    def predict_mean(self, grid: pd.DatetimeIndex) -> np.ndarray:
        """Each queue's expected volume over `grid`, without the band."""
        return self._queue_moments(grid)[0]

    def _queue_moments(self, grid: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """(queue, interval) mean and variance: each series in its local time, summed."""
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
            daily = np.exp(np.clip(x @ fit.coef, -30.0, 30.0)) * self._event_factor(days, channel)
            daily = daily * (1 - dict(self.deflection).get(channel, 0.0))
            mu = daily[inverse] * fit.profile[cal.weekday, cal.slot]
            mean[i] = mu
            var[i] = mu + fit.phi * mu * mu
        n_q = len(self.queues_)
        return sum_rows(mean, self.series_queue_, n_q), sum_rows(var, self.series_queue_, n_q)
