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

import pandas as pd

from forecasting.errors import InputError

KEY_COLUMNS = ("interval_start", "channel", "language", "tier")
DEMAND_COLUMNS = (*KEY_COLUMNS, "volume", "aht_seconds", "open")
REQUIREMENT_COLUMNS = (
    *KEY_COLUMNS,
    "queue",
    "method",
    "volume",
    "aht_seconds",
    "open",
    "agents_required",
    "scheduled_required",
    "service_level",
    "asa_seconds",
    "occupancy",
    "p_wait",
    "abandon_rate",
    "backlog",
    "status",
    "binding",
)
POOLED_COLUMNS = (
    "interval_start",
    "group",
    "queues",
    "agents_required",
    "agents_required_separate",
    "scheduled_required",
)


def queue_id(channel: str, language: str, tier: int) -> str:
    """The queue key used across the project, e.g. 'chat-en-t1'."""
    return f"{channel}-{language}-t{int(tier)}"


def check_demand(frame: pd.DataFrame, source: str = "demand") -> None:
    """Raise InputError unless `frame` has the demand columns, UTC times and unique keys."""
    missing = [c for c in DEMAND_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing columns {missing}; expected {list(DEMAND_COLUMNS)}")
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
    dupes = frame.duplicated(list(KEY_COLUMNS))
    if dupes.any():
        row = int(dupes.to_numpy().nonzero()[0][0])
        problems.append(f"row {row}: a second row for the same interval and queue")
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s)", problems)
