"""Frame columns the store reads and writes, and their conversion to and from rows.

Frames at the store's edge follow their schemas (docs/ARCHITECTURE.md, "Frames"). Timestamp columns are tz-aware
(`datetime64[ns, UTC]` on the way out); naive ones are refused, because a naive time is
not an instant. Values are kept to the microsecond (the databases' precision).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from followsun.errors import InputError
from forecasting.schema import TICKETS
from planner.roster.schema import ROSTER_CONTRACT_COLUMNS

# What the store keeps of each frame (the schemas are declared in the domain packages).
TICKET_KEY = TICKETS.key
TICKET_COLUMNS = TICKETS.names
TICKET_REQUIRED = TICKET_COLUMNS[: TICKET_COLUMNS.index("tier") + 1]
TICKET_TIMESTAMPS = tuple(c.name for c in TICKETS.columns if c.kind == "timestamp")

FORECAST_FIGURES = ("volume", "volume_p10", "volume_p90", "aht_seconds")
REQUIREMENT_FIGURES = ("agents_required", "method")

ROSTER_COLUMNS = ROSTER_CONTRACT_COLUMNS


def require_no_nulls(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise InputError listing the first rows with an empty value in a required column."""
    problems = []
    for column in columns:
        empty = frame.index[frame[column].isna().to_numpy()]
        if len(empty):
            shown = ", ".join(map(str, empty[:5]))
            problems.append(f"{column}: empty in {len(empty)} row(s), e.g. rows {shown}")
    if problems:
        raise InputError(f"{what}: required values are missing", problems)


def utc_values(frame: pd.DataFrame, column: str, what: str) -> list[datetime | None]:
    """A tz-aware timestamp column as UTC `datetime`s (None where empty).

    Raises:
        InputError: the column is not a tz-aware datetime column.
    """
    series = frame[column]
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        raise InputError(
            f"{what}: column {column} must hold timezone-aware timestamps, got {series.dtype}",
            ["parse it with pd.to_datetime(..., utc=True) or tz_localize its zone first"],
        )
    floored = series.dt.tz_convert("UTC").dt.floor("us")
    return [None if pd.isna(v) else v.to_pydatetime() for v in floored]


def str_values(frame: pd.DataFrame, column: str) -> list[str | None]:
    """A column as Python strings (None where empty); integer ids become their digits."""
    return [None if _isna(v) else str(v) for v in frame[column].tolist()]


def int_values(frame: pd.DataFrame, column: str, what: str) -> list[int]:
    """An integer-valued column as Python ints.

    Raises:
        InputError: a value is empty or not a whole number.
    """
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() | (numbers != np.floor(numbers))
    if bad.any():
        rows = ", ".join(map(str, frame.index[bad.to_numpy()][:5]))
        raise InputError(f"{what}: column {column} must hold whole numbers (rows {rows})")
    return [int(v) for v in numbers.tolist()]


def float_values(frame: pd.DataFrame, column: str, what: str) -> list[float | None]:
    """A numeric column as Python floats (None where empty).

    Raises:
        InputError: a value is not a number.
    """
    numbers = pd.to_numeric(frame[column], errors="coerce")
    bad = numbers.isna() & frame[column].notna()
    if bad.any():
        rows = ", ".join(map(str, frame.index[bad.to_numpy()][:5]))
        raise InputError(f"{what}: column {column} must hold numbers (rows {rows})")
    return [None if pd.isna(v) else float(v) for v in numbers.tolist()]


def bool_values(frame: pd.DataFrame, column: str, what: str) -> list[bool | None]:
    """A boolean column as Python bools (None where empty).

    Raises:
        InputError: a value is neither true nor false.
    """
    values: list[bool | None] = []
    for i, v in zip(frame.index, frame[column].tolist(), strict=True):
        if _isna(v):
            values.append(None)
        elif isinstance(v, bool | np.bool_) or v in (0, 1):
            values.append(bool(v))
        else:
            raise InputError(f"{what}: column {column} must be true or false (row {i}: {v!r})")
    return values


def date_values(frame: pd.DataFrame, column: str, what: str) -> list[date]:
    """A local-date column (dates, timestamps or ISO strings) as `date`s.

    Raises:
        InputError: a value is not a date.
    """
    try:
        parsed = pd.to_datetime(frame[column].astype(str), format="%Y-%m-%d", exact=False)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what}: column {column} must hold dates YYYY-MM-DD ({exc})") from exc
    return [v.date() for v in parsed]


def json_scalar(value: Any) -> Any:
    """A cell as a JSON-ready scalar (numpy numbers to Python, timestamps to ISO 8601).

    NaN and infinities become None: JSON, and PostgreSQL's json type, have no such numbers.
    """
    if _isna(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    """A JSON-ready copy of nested dicts and lists, each leaf through `json_scalar`."""
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return json_scalar(value)


def extra_values(frame: pd.DataFrame, known: Sequence[str]) -> list[dict[str, Any] | None]:
    """The columns beyond `known` as one JSON object per row (None when there are none)."""
    extra = [c for c in frame.columns if c not in known]
    if not extra:
        return [None] * len(frame)
    records = frame[extra].to_dict("records")
    return [{str(k): json_scalar(v) for k, v in r.items()} for r in records]


def columns_to_rows(columns: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Equal-length value lists, one per column, as one dict per row."""
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def utc_series(values: Sequence[datetime | None] | pd.Series) -> pd.Series:
    """UTC datetimes (None for missing) as a `datetime64[ns, UTC]` series (converted at once)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    stamps = pd.DatetimeIndex(pd.to_datetime(series, utc=True))
    return pd.Series(stamps, dtype="datetime64[ns, UTC]")


def with_extra(frame: pd.DataFrame, extras: Sequence[dict[str, Any] | None]) -> pd.DataFrame:
    """`frame` with the stored extra columns spread back out, in first-seen order."""
    names: dict[str, None] = {}
    for extra in extras:
        if extra:
            names.update(dict.fromkeys(extra))
    for name in names:
        frame[name] = [None if e is None else e.get(name) for e in extras]
    return frame


def _isna(value: Any) -> bool:
    if value is None:
        return True
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))
