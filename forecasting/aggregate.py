"""Canonical tickets to interval history: volume and mean handle time per queue and interval.

A true zero (an interval inside the export's observed span with no ticket) is written as
volume 0; an interval outside every observed span (a gap in the export) is written with
an empty volume (NaN), never silently as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.schema import HISTORY, QUEUE_KEYS, TICKETS
from forecasting.timegrid import as_utc

Span = tuple[datetime | pd.Timestamp, datetime | pd.Timestamp]


NOT_DEMAND = frozenset({"deleted", "spam"})


def grid_step_ns(grid: pd.DatetimeIndex) -> int:
    """The step of a regular UTC grid in nanoseconds (InputError if irregular or tz-naive)."""
    if grid.tz is None:
        raise InputError("the interval grid must be tz-aware UTC")
    if len(grid) < 2:
        raise InputError("the interval grid needs at least two intervals")
    steps = np.diff(grid.asi8)
    if not np.all(steps == steps[0]) or steps[0] <= 0:
        raise InputError("the interval grid must be regular and increasing")
    return int(steps[0])


def observed_mask(grid: pd.DatetimeIndex, observed: Sequence[Span] | None) -> np.ndarray:
    """True for grid intervals lying wholly inside one of the observed [start, end) spans."""
    if observed is None:
        return np.ones(len(grid), dtype=bool)
    step = grid_step_ns(grid)
    starts = grid.asi8
    mask = np.zeros(len(grid), dtype=bool)
    for lo, hi in observed:
        mask |= (starts >= as_utc(lo).value) & (starts + step <= as_utc(hi).value)
    return mask


def interval_history(
    tickets: pd.DataFrame,
    grid: pd.DatetimeIndex,
    *,
    observed: Sequence[Span] | None = None,
    by_region: bool = False,
    queues: Iterable[tuple[str, str, int]] = (),
) -> pd.DataFrame:
    """Count tickets per queue (and customer region) and UTC interval of `grid`.

    Every ticket created inside the grid's span is counted once, in the interval holding
    its `created_at`; `aht_seconds` is the mean `handle_seconds` of those tickets (NaN
    when the interval has none with a handle time). Tickets whose `status` is one of
    NOT_DEMAND (deleted, spam) are not demand and are not counted.

    Args:
        tickets: canonical tickets (forecasting.schema.TICKETS columns).
        grid: regular UTC interval starts; the span is [grid[0], grid[-1] + step).
        observed: the [start, end) spans the export covers; intervals outside them are
            gaps (volume NaN). None: the whole grid was observed.
        by_region: keep the customer `region` column (forecast per region's local time).
        queues: (channel, language, tier) queues to include even without tickets.

    Returns:
        Interval history (forecasting.schema.HISTORY columns): every series times every
        grid interval, sorted by series then `interval_start`.
    """
    read = ("created_at", "channel", "language", "tier", "handle_seconds")
    TICKETS.require(tickets, "tickets", (*read, "region") if by_region else read)
    step = grid_step_ns(grid)
    created = tickets["created_at"]
    if not isinstance(created.dtype, pd.DatetimeTZDtype):
        raise InputError("tickets.created_at must be tz-aware timestamps")
    created_ns = pd.DatetimeIndex(created).tz_convert("UTC").as_unit("ns").asi8
    start_ns = grid.asi8[0]
    position = (created_ns - start_ns) // step
    inside = (created_ns >= start_ns) & (position < len(grid))
    if "status" in tickets:
        inside &= ~tickets["status"].isin(NOT_DEMAND).to_numpy()

    keys = ["region", *QUEUE_KEYS] if by_region else list(QUEUE_KEYS)
    frame = tickets.loc[inside, keys].astype({k: "string" for k in keys if k != "tier"})
    extra = pd.DataFrame(list(queues), columns=list(QUEUE_KEYS))
    if by_region and len(extra):
        regions = frame["region"].dropna().unique()
        extra = extra.merge(pd.DataFrame({"region": regions}), how="cross")
    series = (
        pd.concat([frame, extra.astype({k: "string" for k in extra.columns if k != "tier"})])
        .astype({"tier": "int64"})
        .drop_duplicates()
        .sort_values(keys)
        .reset_index(drop=True)
    )
    code = pd.MultiIndex.from_frame(series[keys]).get_indexer(pd.MultiIndex.from_frame(frame[keys]))
    n_t = len(grid)
    flat = code * n_t + position[inside]
    size = len(series) * n_t
    volume = np.bincount(flat, minlength=size).astype(float)
    handle = tickets.loc[inside, "handle_seconds"].to_numpy(dtype=float)
    has_handle = ~np.isnan(handle)
    handled = np.bincount(flat[has_handle], minlength=size).astype(float)
    handle_sum = np.bincount(flat[has_handle], weights=handle[has_handle], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(handled > 0, handle_sum / np.maximum(handled, 1), np.nan)
    seen = np.tile(observed_mask(grid, observed), len(series))
    volume[~seen] = np.nan
    aht[~seen] = np.nan

    out = series.loc[series.index.repeat(n_t)].reset_index(drop=True)
    out.insert(0, "interval_start", grid.tz_convert("UTC")[np.tile(np.arange(n_t), len(series))])
    out["volume"] = volume
    out["aht_seconds"] = aht
    order = [c for c in HISTORY.names if c in out.columns]
    return out[order]


def names_every_region(tickets: pd.DataFrame) -> bool:
    """Whether every ticket names its customer region, so history can be kept per region."""
    return "region" in tickets and bool(tickets["region"].notna().all())


def history_before(
    tickets: pd.DataFrame, end: pd.Timestamp, interval_min: int, *, by_region: bool
) -> pd.DataFrame:
    """Interval history of the tickets created before `end`, from the first one's interval.

    The one rule for turning a ticket store into a forecast's history: the grid starts at
    the interval of the earliest ticket and ends just before `end`.

    Raises:
        InputError: no ticket before `end`, or less than two intervals of them.
    """
    step = pd.Timedelta(minutes=interval_min)
    created = pd.to_datetime(tickets["created_at"], utc=True)
    past = tickets[(created < end).to_numpy()]
    if past.empty:
        raise InputError(f"no tickets before {end.isoformat()}")
    first = created[created < end].min().floor(step)
    grid = pd.date_range(first, end, freq=step, inclusive="left", name="interval_start")
    if len(grid) < 2:
        raise InputError(f"the imported tickets span less than two intervals before {end}")
    return interval_history(past, grid, by_region=by_region)
