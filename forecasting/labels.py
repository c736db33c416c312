"""Weekday labels that shift: hedging a forecast against a dropped day in its horizon.

A source that drops a day (a holiday) without leaving a gap, dated by counting days,
moves every later weekday label back by one open day. Going back from the last week, a
past week that matches the weeks after it far better once rotated by one open day marks
such a drop. The drops seen in the history give a rate per open day; a forecast then
expects day h of its horizon to carry the next open day's pattern with the probability
that a drop came before it, 1 - (1 - rate)^h. A history without a drop is left exactly
as it is. Only the direction of a dropped day is hedged: a source that inserts days is
not one we have met.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecasting.models import WEEK_DAYS
from forecasting.profiles import ALIGN_GAIN, weekday_ratios

REFERENCE_WEEKS = 4  # a past week is compared with the median of the 4 aligned weeks after it
NOISE_FACTOR = 4.0  # a mismatch smaller than 4 times what Poisson noise gives is no shift


def _turn(week: np.ndarray, reference: np.ndarray, turn: int, noise: float) -> int:
    """The rotation by one open day (-1 or 1) beyond `turn` that fits `week` far better.

    Far better: its squared distance to `reference` is under ALIGN_GAIN of the unrotated
    one's, and the unrotated one is over NOISE_FACTOR times `noise` (what Poisson counts
    alone would give); 0 when neither does.
    """
    dist = {k: np.nanmean((np.roll(week, turn + k) - reference) ** 2) for k in (0, -1, 1)}
    best = min((-1, 1), key=lambda k: dist[k] if np.isfinite(dist[k]) else np.inf)
    clear = np.isfinite(dist[best]) and dist[0] > NOISE_FACTOR * noise
    return best if clear and dist[best] < ALIGN_GAIN * dist[0] else 0


def dropped_days(totals: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """(series,) how many dropped days shifted the weekday labels inside these weeks.

    Args:
        totals: (series, weeks, 7) day totals, NaN where missing, the last week last.
        open_: (series, 7) the open positions of the week (see `weekday_ratios`).

    Going back from the last week, each week is rotated by the shifts found so far and
    compared with the median of the (up to 4) aligned weeks after it. A further rotation
    by one open day that cuts the squared distance of its weekday ratios to ALIGN_GAIN of
    the unrotated one, in that week and again in one of the two weeks before it (the week
    of a drop mixes both labellings; noise seldom does that twice) and that is not within Poisson noise of the reference (a sparse
    queue's weekday ratios are mostly noise), is a shift: backward (np.roll by -1) for a dropped day, forward
    for an inserted one, which is not counted.
    """
    ratios, _ = weekday_ratios(totals)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        day_mean = np.nanmean(np.where(open_[:, None, :], totals, np.nan), axis=2)
    # Ratio x / m of a Poisson count x around m has variance about 1 / m; a squared
    # distance between two such weeks about 2 / m.
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = np.where(day_mean > 0, 2.0 / day_mean, np.inf)
    n_s, n_w, _ = totals.shape
    drops = np.zeros(n_s, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for i in range(n_s):
            drops[i] = _drops(ratios[i], open_[i], noise[i])
    return drops


def _drops(ratios: np.ndarray, open_: np.ndarray, noise: np.ndarray) -> int:
    """Dropped days in one series' (weeks, 7) ratios (see `dropped_days`)."""
    days = np.flatnonzero(open_)
    weeks = ratios[:, days]
    n_w = len(weeks)
    drops = 0
    if len(days) < 3 or n_w < 3:
        return drops
    aligned = [weeks[-1]]
    turn = 0
    for w in range(n_w - 2, -1, -1):
        if not np.isfinite(weeks[w]).any():
            continue
        recent = np.array(aligned[-REFERENCE_WEEKS:])
        reference = np.median(recent, axis=0)
        if not np.isfinite(reference).all():
            reference = np.nanmedian(recent, axis=0)
        step = _turn(weeks[w], reference, turn, noise[w])
        older = (v for v in (w - 1, w - 2) if v >= 0 and np.isfinite(weeks[v]).any())
        if step and any(_turn(weeks[v], reference, turn, noise[v]) == step for v in older):
            turn += step
            drops += step == -1
        aligned.append(np.roll(weeks[w], turn))
    return drops


def day_totals(y: np.ndarray, per_day: int) -> tuple[np.ndarray, int]:
    """Day totals of the whole weeks ending with the last whole day of `y`.

    Returns:
        (series, weeks, 7) totals and the index (in days from the start of `y`) of the
        stack's first day.
    """
    n_days = y.shape[1] // per_day
    n_weeks = n_days // WEEK_DAYS
    first = n_days - n_weeks * WEEK_DAYS
    days = y[:, first * per_day : n_days * per_day].reshape(len(y), n_weeks * WEEK_DAYS, per_day)
    return days.sum(axis=2).reshape(len(y), n_weeks, WEEK_DAYS), first


def shift_rates(
    y: np.ndarray, start: pd.Timestamp, interval_min: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per series, dropped days per observed open day, and the open weekdays.

    Args:
        y: (series, intervals) counts from `start` (UTC), NaN where missing.
        start: the first interval.
        interval_min: the grain in minutes.

    Returns:
        (series,) rates and a (series, 7) mask of the open weekdays (Monday first) over
        the whole UTC days of `y`.
    """
    per_day = 1440 // interval_min
    midnight = start.ceil("D")
    skip = int((midnight - start) / pd.Timedelta(minutes=interval_min))
    totals, first = day_totals(y[:, skip:], per_day)
    n_s = len(y)
    if totals.shape[1] < 2:
        return np.zeros(n_s), np.ones((n_s, WEEK_DAYS), dtype=bool)
    _, open_ = weekday_ratios(totals)
    drops = dropped_days(totals, open_)
    seen = (np.isfinite(totals) & open_[:, None, :]).sum(axis=(1, 2))
    rate = np.where(seen > 0, drops / np.maximum(seen, 1), 0.0)
    weekday = (midnight.weekday() + first + np.arange(WEEK_DAYS)) % WEEK_DAYS
    by_weekday = np.zeros_like(open_)
    by_weekday[:, weekday] = open_
    return rate, by_weekday


def next_open_offsets(days: pd.DatetimeIndex, open_weekdays: np.ndarray) -> np.ndarray:
    """(series, len(days)) days from each day to each series' next open weekday.

    1 to 7; 7 when the series has no open weekday.
    """
    weekday = days.weekday.to_numpy()
    out = np.full((len(open_weekdays), len(days)), WEEK_DAYS, dtype=int)
    for k in range(WEEK_DAYS - 1, 0, -1):
        is_open = open_weekdays[:, (weekday + k) % WEEK_DAYS]
        out = np.where(is_open, k, out)
    return out


def hedge_grid(grid: pd.DatetimeIndex, open_weekdays: np.ndarray) -> pd.DatetimeIndex:
    """`grid` and the same times on each series' next open day: what `hedged` reads."""
    offsets = np.unique(next_open_offsets(grid.normalize(), open_weekdays))
    parts = [grid, *(grid + pd.Timedelta(days=int(k)) for k in offsets)]
    return pd.DatetimeIndex(np.unique(np.concatenate([p.asi8 for p in parts]))).tz_localize("UTC")


def hedged(
    values: np.ndarray,
    ext: pd.DatetimeIndex,
    grid: pd.DatetimeIndex,
    after: pd.Timestamp,
    rate: np.ndarray,
    open_weekdays: np.ndarray,
) -> np.ndarray:
    """(series, len(grid)) forecasts mixed with the next open day's, by the chance of a drop.

    Args:
        values: (series, len(ext)) forecasts on `ext` (from `hedge_grid(grid, ...)`).
        ext: the times of `values`.
        grid: the times to return.
        after: the history's end; day h counts the open days from it to the day.
        rate: (series,) dropped days per open day (`shift_rates`).
        open_weekdays: (series, 7) open weekdays (closed days are never mixed).

    Day h of the horizon (h = 1 the first open day) takes the next open day's forecast
    with weight 1 - (1 - rate)^h: the chance that a dropped day came before it. With
    rate 0 the forecasts are returned unchanged.
    """
    at = ext.get_indexer(grid)
    out = values[:, at]
    if not np.any(rate > 0):
        return out
    days = grid.normalize()
    first = (after - pd.Timedelta(microseconds=1)).normalize()
    span = pd.date_range(first + pd.Timedelta(days=1), days.max(), freq="D")
    offsets = next_open_offsets(days, open_weekdays)
    is_open = open_weekdays[:, days.weekday.to_numpy()]
    open_span = open_weekdays[:, span.weekday.to_numpy()].cumsum(axis=1)
    h = open_span[:, np.clip(span.get_indexer(days), 0, None)]
    h = np.where(days > first, h, 0)
    weight = np.where(is_open, 1.0 - (1.0 - rate[:, None]) ** h, 0.0)
    later = grid.asi8[None, :] + offsets * pd.Timedelta(days=1).value
    nxt = np.take_along_axis(
        values,
        ext.get_indexer(pd.DatetimeIndex(later.ravel()).tz_localize("UTC")).reshape(later.shape),
        axis=1,
    )
    return (1.0 - weight) * out + weight * nxt
