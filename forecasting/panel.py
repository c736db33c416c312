"""Interval history as a dense panel: one row per series, one column per UTC interval.

Models work on arrays; the long frame is the contract at their edges. Rows absent from
the history and rows with an empty volume both become NaN here (a gap, never a zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.schema import QUEUE_KEYS
from forecasting.timegrid import ALLOWED_INTERVAL_MIN

NS_PER_MIN = 60_000_000_000


@dataclass(frozen=True)
class Panel:
    """Series x interval arrays over a regular UTC grid.

    Attributes:
        keys: one row per series: `channel`, `language`, `tier` and maybe `region`.
        grid: regular UTC interval starts covering the whole history.
        volume: (series, interval) contacts; NaN where the interval is missing.
        aht_s: (series, interval) mean handle seconds; NaN where unknown.
        interval_min: the grain in minutes.
    """

    keys: pd.DataFrame
    grid: pd.DatetimeIndex
    volume: np.ndarray
    aht_s: np.ndarray
    interval_min: int

    @property
    def by_region(self) -> bool:
        """Whether the series are per customer region."""
        return "region" in self.keys.columns

    def step_ns(self) -> int:
        """The grain in nanoseconds."""
        return self.interval_min * NS_PER_MIN

    def window(self, start: int, stop: int) -> Panel:
        """The intervals [start, stop): a fold's history, as `to_panel` of those rows gives it.

        A series without an observed interval there is left out (as if it had no rows).
        """
        volume = self.volume[:, start:stop]
        seen = ~np.isnan(volume).all(axis=1)
        if seen.all():
            out = Panel(
                self.keys,
                self.grid[start:stop],
                volume,
                self.aht_s[:, start:stop],
                self.interval_min,
            )
            if self.by_region:  # every region is in: the queue totals are the window's too
                out.__dict__["_queues"] = self.queue_level().window(start, stop)
            return out
        return Panel(
            self.keys[seen].reset_index(drop=True),
            self.grid[start:stop],
            volume[seen],
            self.aht_s[seen, start:stop],
            self.interval_min,
        )

    def queue_level(self) -> Panel:
        """Regions summed into queues, as `to_panel(..., by_region=False)` gives them.

        An interval missing (NaN) in any region of a queue is missing for the queue; the
        handle time is the volume-weighted mean over the regions that have one. Computed
        once per panel (the members of a combination share it).
        """
        return self if not self.by_region else self._queues

    @cached_property
    def _queues(self) -> Panel:
        queues, code = queue_index(self.keys)
        volume = sum_rows(self.volume, code, len(queues))
        ok = np.isfinite(self.aht_s) & np.isfinite(self.volume)
        work = sum_rows(np.where(ok, self.aht_s * self.volume, 0.0), code, len(queues))
        weight = sum_rows(np.where(ok, self.volume, 0.0), code, len(queues))
        with np.errstate(invalid="ignore", divide="ignore"):
            aht = np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan)
        return Panel(queues, self.grid, volume, aht, self.interval_min)


def infer_interval_min(starts: pd.DatetimeIndex, source: str = "history") -> int:
    """The grain of a set of interval starts: the greatest common step, 15, 30 or 60 minutes."""
    ns = starts.asi8
    first = int(ns.min()) if len(ns) else 0
    if len(ns) < 2 or int(ns.max()) == first:
        raise InputError(f"{source}: needs at least two intervals to infer the grain")
    # The gcd of the offsets from the first start is the gcd of the steps between starts.
    step_ns = int(np.gcd.reduce(ns - first))
    minutes = step_ns / NS_PER_MIN
    if minutes not in ALLOWED_INTERVAL_MIN:
        raise InputError(
            f"{source}: interval_start values are {minutes:g} minutes apart; "
            f"expected a grain of {ALLOWED_INTERVAL_MIN} minutes"
        )
    if first % step_ns:
        raise InputError(f"{source}: interval_start values are not aligned to {minutes:g} minutes")
    return int(minutes)


def to_panel(history: pd.DataFrame, *, by_region: bool = True, source: str = "history") -> Panel:
    """Pivot a validated interval history into a panel.

    Args:
        history: interval history (forecasting.schema.HISTORY columns, typed).
        by_region: keep regions apart when the history has a `region` column; False sums
            them into queues (an interval missing for any region is missing for the queue).
        source: name used in messages.
    """
    if history.empty:
        raise InputError(f"{source}: the history has no rows")
    starts = pd.DatetimeIndex(history["interval_start"])
    interval_min = infer_interval_min(starts, source)
    step = interval_min * NS_PER_MIN
    lo, hi = starts.asi8.min(), starts.asi8.max()
    grid = pd.DatetimeIndex(np.arange(lo, hi + step, step).astype("datetime64[ns]")).tz_localize(
        "UTC"
    )
    grid.name = "interval_start"
    keys = (
        ["region", *QUEUE_KEYS] if by_region and "region" in history.columns else list(QUEUE_KEYS)
    )
    summed = "region" in history.columns and "region" not in keys
    if summed:
        # Factorise (region, queue) once; queues and their region counts follow from it.
        region_keys, region_code = series_codes(history, ["region", *keys], source)
        series_keys, queue_of_region = series_codes(region_keys, keys, source)
        code = queue_of_region[region_code]
    else:
        series_keys, code = series_codes(history, keys, source)
    pos = (starts.asi8 - lo) // step
    shape = (len(series_keys), len(grid))
    volume = np.full(shape, np.nan)
    aht = np.full(shape, np.nan)
    if summed:
        # Sum regions into queues; NaN in any region leaves the queue's interval missing.
        flat = code * shape[1] + pos
        size = shape[0] * shape[1]
        vol = history["volume"].to_numpy(dtype=float)
        counts = np.bincount(flat, minlength=size).reshape(shape)
        gaps = np.bincount(flat, weights=np.isnan(vol), minlength=size).reshape(shape)
        total = np.bincount(flat, weights=np.nan_to_num(vol), minlength=size).reshape(shape)
        expected = np.bincount(queue_of_region, minlength=shape[0])[:, None]
        volume = np.where((counts == expected) & (gaps == 0), total, np.nan)
        if "aht_seconds" in history.columns:
            a = history["aht_seconds"].to_numpy(dtype=float)
            ok = ~np.isnan(a) & ~np.isnan(vol)
            work = np.bincount(flat[ok], weights=a[ok] * vol[ok], minlength=size).reshape(shape)
            weight = np.bincount(flat[ok], weights=vol[ok], minlength=size).reshape(shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                aht = np.where(weight > 0, work / np.where(weight > 0, weight, 1), np.nan)
    else:
        volume[code, pos] = history["volume"].to_numpy(dtype=float)
        if "aht_seconds" in history.columns:
            aht[code, pos] = history["aht_seconds"].to_numpy(dtype=float)
    return Panel(series_keys, grid, volume, aht, interval_min)


def series_codes(
    frame: pd.DataFrame, keys: list[str], source: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct key combinations of `frame`, sorted, and each row's position among them.

    Each column is factorised on its own and the integer codes combined, which is much
    faster than hashing tuples of strings on millions of rows.
    """
    codes, uniques = [], []
    for key in keys:
        column_codes, column_uniques = pd.factorize(frame[key], sort=True)
        if (column_codes < 0).any():
            raise InputError(f"{source}: empty {key} values")
        codes.append(column_codes)
        uniques.append(column_uniques)
    dims = tuple(len(u) for u in uniques)
    combined = np.ravel_multi_index(tuple(codes), dims)
    present = np.flatnonzero(np.bincount(combined, minlength=int(np.prod(dims))))
    lookup = np.full(int(np.prod(dims)), -1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    parts = np.unravel_index(present, dims)
    series = pd.DataFrame(
        {
            key: pd.Series(np.asarray(u)[part], dtype=frame[key].dtype)
            for key, u, part in zip(keys, uniques, parts, strict=True)
        }
    )
    return series, lookup[combined]


def queue_index(keys: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct queues of series keys and, per series, the row of its queue.

    Keys without a region (a queue-level panel's: distinct and sorted) are their own queues.
    """
    if "region" not in keys.columns:
        return keys[list(QUEUE_KEYS)].reset_index(drop=True), np.arange(len(keys))
    queues = (
        keys[list(QUEUE_KEYS)]
        .drop_duplicates()
        .sort_values(list(QUEUE_KEYS))
        .reset_index(drop=True)
    )
    code = pd.MultiIndex.from_frame(queues).get_indexer(
        pd.MultiIndex.from_frame(keys[list(QUEUE_KEYS)])
    )
    return queues, code


def sum_rows(values: np.ndarray, code: np.ndarray, n_rows: int) -> np.ndarray:
    """Sum the rows of `values` into `n_rows` groups given by `code` (NaN propagates)."""
    out = np.zeros((n_rows, values.shape[1]))
    for row, group in enumerate(code):  # row by row: np.add.at is slow on wide rows
        out[group] += values[row]
    return out
