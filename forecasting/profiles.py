"""Robust estimators over past weeks: the building blocks of the profile models.

A history is cut into a week stack, (series, weeks, intervals of a week), the last week
ending at the history's end, so that row k of every series is the same weekly position.
Each estimator reduces the weeks axis to one value per (series, position), ignoring
missing (NaN) weeks: a median ignores up to half the weeks being outliers, a trimmed mean
drops a share at both ends, an exponentially weighted mean follows a drifting level.
All of them are equivariant to scaling: estimator(c y) = c estimator(y) for c >= 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Literal

import numpy as np

Estimator = Callable[[np.ndarray], np.ndarray]
ProfileKind = Literal["median", "trimmed", "ewm", "mean"]
LevelKind = ProfileKind | Literal["combined"]


def week_stack(y: np.ndarray, week: int, weeks: int) -> np.ndarray:
    """The last `weeks` whole weeks of (series, intervals) `y` as (series, weeks, week).

    Week k = weeks - 1 is the last `week` intervals of the history; fewer weeks are
    returned when the history is shorter.
    """
    n = min(weeks, y.shape[1] // week)
    if n < 1:
        return np.full((y.shape[0], 0, week), np.nan)
    return y[:, y.shape[1] - n * week :].reshape(y.shape[0], n, week)


def nan_median(stack: np.ndarray) -> np.ndarray:
    """Median over axis 1 (weeks), NaN where every week is missing.

    By sorting (NaN sort last) and averaging the middle observed pair: numpy's nanmedian
    goes through masked arrays on small axes, many times slower.
    """
    if stack.shape[1] == 0:
        return np.full((stack.shape[0], *stack.shape[2:]), np.nan)
    ordered = np.sort(stack, axis=1)
    seen = np.isfinite(stack).sum(axis=1, keepdims=True)
    low = np.take_along_axis(ordered, np.maximum(seen - 1, 0) // 2, axis=1)
    high = np.take_along_axis(ordered, np.minimum(seen // 2, stack.shape[1] - 1), axis=1)
    return np.where(seen > 0, (low + high) / 2, np.nan)[:, 0]


def nan_mean(stack: np.ndarray) -> np.ndarray:
    """Mean over axis 1 (weeks), NaN where every week is missing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(stack, axis=1))


def trimmed_mean(stack: np.ndarray, trim: float = 0.2) -> np.ndarray:
    """Mean over axis 1 after dropping `trim` of the observed weeks at each end."""
    if not 0.0 <= trim < 0.5:
        raise ValueError("trim must be in [0, 0.5)")
    ordered = np.sort(stack, axis=1)  # NaN sort last
    seen = np.isfinite(stack).sum(axis=1)
    cut = np.floor(trim * seen).astype(int)
    rank = np.arange(stack.shape[1])[None, :, None]
    keep = (rank >= cut[:, None, :]) & (rank < (seen - cut)[:, None, :])
    total = np.where(keep, np.nan_to_num(ordered), 0.0).sum(axis=1)
    count = keep.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def ew_mean(stack: np.ndarray, halflife_weeks: float) -> np.ndarray:
    """Exponentially weighted mean over axis 1: the last week weighs 1, one half-life back 1/2."""
    if halflife_weeks <= 0:
        raise ValueError("halflife_weeks must be > 0")
    n = stack.shape[1]
    weight = 0.5 ** (np.arange(n)[::-1] / halflife_weeks)
    seen = np.isfinite(stack)
    w = np.where(seen, weight[None, :, None], 0.0)
    total = (w * np.nan_to_num(stack)).sum(axis=1)
    mass = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mass > 0, total / np.where(mass > 0, mass, 1.0), np.nan)


def estimator(kind: ProfileKind, *, trim: float = 0.2, halflife_weeks: float = 1.0) -> Estimator:
    """The estimator of this kind as a function of a (series, weeks, positions) stack."""
    if kind == "median":
        return nan_median
    if kind == "trimmed":
        return lambda stack: trimmed_mean(stack, trim)
    if kind == "ewm":
        return lambda stack: ew_mean(stack, halflife_weeks)
    if kind == "mean":
        return nan_mean
    raise ValueError(f"unknown profile estimator {kind!r}")


def combined_level(stack: np.ndarray, halflife_weeks: float) -> np.ndarray:
    """Mean of the exponentially weighted mean and the median over axis 1 (weeks).

    The weighted mean follows a level or weekday pattern that moved within a week or
    two; the median ignores odd weeks but lags a move by half its window. Their mean
    (a forecast combination) errs less than either alone when neither kind of week
    dominates; NaN where every week is missing.
    """
    return (ew_mean(stack, halflife_weeks) + nan_median(stack)) / 2


def day_shares(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each day's total and its intraday shares, from (..., intervals of a day) counts.

    A day with a missing interval has a NaN total and NaN shares; a day without a
    contact has a zero total and NaN shares (it says nothing of the shape).
    """
    total = days.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total[..., None] > 0, days / total[..., None], np.nan)
    return total, shares


def normalise(shares: np.ndarray) -> np.ndarray:
    """Rows (last axis) scaled to add up to 1; a row without mass becomes uniform."""
    clean = np.nan_to_num(np.maximum(shares, 0.0))
    total = clean.sum(axis=-1, keepdims=True)
    return np.where(total > 0, clean / np.where(total > 0, total, 1.0), 1.0 / shares.shape[-1])


def weekday_ratios(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each day's total over its week's mean open day, and which weekdays are open.

    Args:
        totals: (series, weeks, 7) day totals, NaN where a day is missing.

    Returns:
        (series, weeks, 7) ratios (NaN: missing day or a week without contacts) and a
        (series, 7) mask of the weekdays with contacts on average (the others are closed).
    """
    open_ = np.nan_to_num(nan_mean(totals)) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        week_mean = np.nanmean(np.where(open_[:, None, :], totals, np.nan), axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = np.where(week_mean[..., None] > 0, totals / week_mean[..., None], np.nan)
    return ratios, open_


ALIGN_GAIN = 0.3  # a week is re-aligned only when that cuts its squared distance by 70%


def week_rotations(ratios: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """(series, weeks): by how many open days (0, 1 or -1) to rotate each week to the last.

    A week's ratios are rotated only when that cuts their squared distance to the last
    week's ratios to ALIGN_GAIN of the unrotated distance.

    A source that drops a day (a holiday) without leaving a gap shifts every later
    weekday label by one: the weekly pattern is then rotated among the open days.
    """
    n_s, n_w, _ = ratios.shape
    shifts = np.zeros((n_s, n_w), dtype=int)
    if n_w < 2:
        return shifts
    for i in range(n_s):
        days = np.flatnonzero(open_[i])
        week = ratios[i][:, days]  # (weeks, open days)
        if len(days) < 3 or not np.isfinite(week[-1]).any():
            continue
        turned = np.stack([np.roll(week, k, axis=1) for k in (0, 1, -1)])  # (3, weeks, open)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            dist = np.nanmean((turned - week[-1]) ** 2, axis=2)  # (3, weeks)
        dist = np.where(np.isfinite(dist), dist, np.inf)
        best = np.argmin(dist, axis=0)
        best = np.where(dist[best, np.arange(n_w)] < ALIGN_GAIN * dist[0], best, 0)
        shifts[i] = np.array([0, 1, -1])[best]
    return shifts


def rotated_weeks(values: np.ndarray, open_: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """(series, weeks, 7, ...) values with each week's open days rotated by its shift."""
    out = values.copy()
    for i, w in zip(*np.nonzero(shifts), strict=True):
        days = np.flatnonzero(open_[i])
        out[i, w, days] = np.roll(values[i, w, days], shifts[i, w], axis=0)
    return out
