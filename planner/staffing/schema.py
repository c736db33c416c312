"""The frames of the staffing stage, declared once and checked at its entry points.

Demand (input of `requirements.staff_queues`): one row per queue per UTC interval.

| column | type | meaning |
|---|---|---|
| interval_start | datetime64[ns/us, UTC] | interval start |
| channel, language | str | the queue's channel and language |
| tier | int | 1 = front line, 2 = escalation |
| volume | float >= 0 | contacts arriving in the interval |
| aht_seconds | float > 0 | average handle seconds (chat: elapsed chat time) |
| open | bool | whether the queue's coverage policy staffs the interval |

Requirements (output; a valid `--requirements` file for `followsun roster`): the demand
key columns plus `queue`, `method`, `agents_required` (agents handling contacts),
`scheduled_required` (heads on shift after shrinkage: the figure the roster covers),
the figures predicted at `agents_required` (`service_level`, `asa_seconds`,
`occupancy`, `p_wait`, `abandon_rate`, `backlog`), `status` and `binding`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.schema import (
    QUEUE_INTERVAL_COLUMNS,
    QUEUE_INTERVAL_KEY,
    QUEUE_KEYS,
    Column,
    FrameSchema,
)

DEMAND = FrameSchema(
    name="demand",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        Column("volume", "float", non_negative=True),
        Column("aht_seconds", "float", non_negative=True),
        Column("open", "bool"),
    ),
    key=QUEUE_INTERVAL_KEY,
)

# Required: what the roster reads from a `--requirements` file; the rest is what
# `staff_queues` writes beside it, in this order.
REQUIREMENTS = FrameSchema(
    name="requirements",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        Column("queue", "text", required=False),
        Column("method", "text", required=False),
        Column("volume", "float", required=False, non_negative=True),
        Column("aht_seconds", "float", required=False, non_negative=True),
        Column("open", "bool", required=False),
        Column("agents_required", "float", non_negative=True),
        Column("scheduled_required", "float", required=False, non_negative=True),
        Column("service_level", "float", required=False, nullable=True),
        Column("asa_seconds", "float", required=False, nullable=True),
        Column("occupancy", "float", required=False, nullable=True),
        Column("p_wait", "float", required=False, nullable=True),
        Column("abandon_rate", "float", required=False, nullable=True),
        Column("backlog", "float", required=False, nullable=True),
        Column("status", "text", required=False),
        Column("binding", "text", required=False),
    ),
    key=QUEUE_INTERVAL_KEY,
)

POOLED = FrameSchema(
    name="pooled requirements",
    columns=(
        Column("interval_start", "timestamp"),
        Column("group", "text"),
        Column("queues", "text"),
        Column("agents_required", "float", non_negative=True),
        Column("agents_required_separate", "float", non_negative=True),
        Column("scheduled_required", "float", non_negative=True),
    ),
    key=("interval_start", "group"),
)


def queue_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's queue as a number, in key order (-1 where a key part is missing)."""
    codes = frame.groupby(list(QUEUE_KEYS), sort=True).ngroup()
    return np.asarray(codes.fillna(-1).to_numpy(dtype=np.int64))


def check_demand(frame: pd.DataFrame, source: str = "demand") -> np.ndarray:
    """Raise InputError unless `frame` has the demand columns, UTC times and unique keys.

    Returns the rows' `queue_codes` (the key check needs them; staffing groups by them).
    """
    DEMAND.require(frame, source)
    problems: list[str] = []
    times = frame["interval_start"]
    if not isinstance(times.dtype, pd.DatetimeTZDtype) or str(times.dt.tz) != "UTC":
        problems.append(f"interval_start: expected UTC timestamps, got dtype {times.dtype}")
    volume = pd.to_numeric(frame["volume"], errors="coerce")
    bad = volume.isna() | (volume < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        problems.append(f"row {row}: volume {frame['volume'].iloc[row]!r} is not a number >= 0")
    aht = pd.to_numeric(frame["aht_seconds"], errors="coerce")
    bad = aht.isna() | ~(aht > 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        problems.append(f"row {row}: aht_seconds {frame['aht_seconds'].iloc[row]!r} is not > 0")
    codes = queue_codes(frame)
    if _may_repeat_a_key(frame, codes):
        dupes = frame.duplicated(list(DEMAND.key))
        if dupes.any():
            row = int(dupes.to_numpy().nonzero()[0][0])
            problems.append(f"row {row}: a second row for the same interval and queue")
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s)", problems)
    return codes


def _may_repeat_a_key(frame: pd.DataFrame, codes: np.ndarray) -> bool:
    """False when no two rows share queue and interval (a count per cell, not a hash of rows).

    True also where the fast count does not apply (a missing key part): the caller then
    finds the repeated row itself.
    """
    if codes.size == 0:
        return False
    times, stamps = pd.factorize(frame["interval_start"])
    if (codes < 0).any() or (times < 0).any():
        return True
    cells = codes.astype(np.int64) * len(stamps) + times
    if (int(codes.max()) + 1) * len(stamps) > 8 * codes.size + 2**20:
        return bool(pd.Series(cells).duplicated().any())
    return bool(np.bincount(cells).max() > 1)
