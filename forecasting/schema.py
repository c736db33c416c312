"""The frames of the forecasting package, declared once, and their validators.

Long-format frames are the contract between the forecasting steps and with the CLI
files (docs/ARCHITECTURE.md, "Frames"):

- tickets (canonical): one row per helpdesk ticket, timestamps tz-aware UTC;
- contacts: one row per contact as it arrived, with its handle time (what a simulation
  replays; the demo writes them as tickets.csv);
- interval history: one row per queue (and customer region) and UTC interval, with
  `volume` NaN for an interval missing from the export (a gap, never silently zero);
- forecast: one row per queue and UTC interval with the point forecast, its 10% and 90%
  quantiles and the handle time.

`validate_frame` checks a frame read from a CSV file (all columns as text) or built in
memory, and returns a typed copy; every problem is reported with the file, the CSV line
number and what was expected, in one `InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from forecasting.errors import InputError

Kind = Literal["timestamp", "text", "int", "float", "bool"]
QUEUE_KEYS = ("channel", "language", "tier")
QUEUE_INTERVAL_KEY = ("interval_start", *QUEUE_KEYS)
MAX_PROBLEMS = 20  # listed in one error; the rest are counted
_ZONE_SUFFIX = r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass(frozen=True)
class Column:
    """One column of a frame: its name, kind, and whether it must be present and filled."""

    name: str
    kind: Kind
    required: bool = True
    nullable: bool = False
    non_negative: bool = False


@dataclass(frozen=True)
class FrameSchema:
    """A frame's columns and its unique key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The names of the columns that must be present."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """The names of the columns a frame may carry or leave out."""
        return tuple(c.name for c in self.columns if not c.required)

    def require(
        self, frame: pd.DataFrame, source: str, columns: Sequence[str] | None = None
    ) -> None:
        """Raise InputError naming `source` and every required column `frame` lacks.

        Args:
            frame: the frame to check (only its column names are read).
            source: the file or argument the frame came from, named in the message.
            columns: the columns this caller reads, when fewer than the schema requires;
                each must be one of the schema's columns.
        """
        wanted = self.required if columns is None else tuple(columns)
        unknown = [c for c in wanted if c not in self.names]
        if unknown:
            raise ValueError(f"{self.name} schema has no column(s) {', '.join(unknown)}")
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise InputError(
                f"{source}: missing column(s) {', '.join(missing)}; "
                f"expected {self.name} columns {', '.join(wanted)}",
                [f"columns present: {', '.join(map(str, frame.columns)) or 'none'}"],
            )

    def validate(
        self,
        frame: pd.DataFrame,
        source: str = "<frame>",
        *,
        line_offset: int = 2,
        allow_extra: bool = False,
    ) -> pd.DataFrame:
        """Check every column, value and key of `frame`; a typed copy (see `validate_frame`)."""
        return validate_frame(
            frame, self, source=source, line_offset=line_offset, allow_extra=allow_extra
        )

    def empty(self) -> pd.DataFrame:
        """A frame with no rows and every column of the schema, in order."""
        return pd.DataFrame({name: pd.Series(dtype=object) for name in self.names})


QUEUE_INTERVAL_COLUMNS = (
    Column("interval_start", "timestamp"),
    Column("channel", "text"),
    Column("language", "text"),
    Column("tier", "int", non_negative=True),
)
"""The key columns of every per-queue, per-interval frame (QUEUE_INTERVAL_KEY)."""

TICKETS = FrameSchema(
    name="tickets",
    columns=(
        Column("source", "text"),
        Column("ticket_id", "text"),
        Column("created_at", "timestamp"),
        Column("updated_at", "timestamp", nullable=True),
        Column("status", "text"),
        Column("channel", "text"),
        Column("language", "text"),
        Column("tier", "int", non_negative=True),
        Column("first_reply_at", "timestamp", nullable=True),
        Column("solved_at", "timestamp", nullable=True),
        Column("handle_seconds", "float", nullable=True, non_negative=True),
        Column("escalated", "bool"),
        Column("csat", "float", nullable=True, non_negative=True),
        Column("region", "text", required=False, nullable=True),
        # Real-time channels (a call log): who answered, how long the contact queued,
        # whether it gave up first, and the caller's priority class.
        Column("agent_id", "text", required=False, nullable=True),
        Column("wait_seconds", "float", required=False, nullable=True, non_negative=True),
        Column("abandoned", "bool", required=False, nullable=True),
        Column("priority", "int", required=False, nullable=True, non_negative=True),
    ),
    key=("source", "ticket_id"),
)

CONTACTS = FrameSchema(
    name="contacts",
    columns=tuple(
        c
        for c in TICKETS.columns
        if c.name in ("created_at", "channel", "language", "tier", "handle_seconds", "region")
    ),
    key=(),
)
"""One row per contact as it arrived (the demo's tickets.csv; canonical tickets qualify too)."""

HISTORY = FrameSchema(
    name="interval history",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        # NaN volume marks an interval missing from the export (a gap), not a zero.
        Column("volume", "float", nullable=True, non_negative=True),
        Column("aht_seconds", "float", required=False, nullable=True, non_negative=True),
        Column("region", "text", required=False),
    ),
    key=("interval_start", "channel", "language", "tier", "region"),
)

FORECAST = FrameSchema(
    name="forecast",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        Column("volume", "float", non_negative=True),
        Column("volume_p10", "float", non_negative=True),
        Column("volume_p90", "float", non_negative=True),
        # Empty for a queue whose history had no handle time (staffing takes the queue's).
        Column("aht_seconds", "float", nullable=True, non_negative=True),
    ),
    key=QUEUE_INTERVAL_KEY,
)


class _Problems:
    """Collects problems as 'SOURCE line N: column: what' strings, capped for readability."""

    def __init__(self, source: str, line_offset: int) -> None:
        self.source = source
        self.line_offset = line_offset
        self.items: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(f"{self.source}: {message}")

    def add_rows(self, positions: np.ndarray, column: str, what: str, values: pd.Series) -> None:
        for pos in positions:
            value = values.iloc[int(pos)]
            self.add(f"line {int(pos) + self.line_offset}: {column}: {value!r} {what}")

    def raise_if_any(self, schema: FrameSchema) -> None:
        if not self.count:
            return
        extra = self.count - len(self.items)
        items = self.items + ([f"... and {extra} more problems"] if extra > 0 else [])
        raise InputError(f"{self.source}: invalid {schema.name} ({self.count} problems)", items)


def _as_text(values: pd.Series) -> pd.Series:
    """The column as stripped strings with missing values as NA."""
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse_timestamps(values: pd.Series, column: Column, problems: _Problems) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        problems.add(
            f"{column.name}: timestamps have no time zone; expected e.g. 2027-03-08T14:15:00Z"
        )
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    text = _as_text(values)
    present = text.notna().to_numpy()
    zoned = text.str.contains(_ZONE_SUFFIX, regex=True).fillna(False).to_numpy(dtype=bool)
    naive = np.flatnonzero(present & ~zoned)
    problems.add_rows(
        naive, column.name, "has no time zone; expected e.g. 2027-03-08T14:15:00Z", text
    )
    parsed = pd.to_datetime(text.where(zoned), utc=True, errors="coerce", format="ISO8601")
    bad = np.flatnonzero(present & zoned & parsed.isna().to_numpy())
    problems.add_rows(bad, column.name, "is not an ISO 8601 timestamp", text)
    return parsed.astype("datetime64[ns, UTC]")


def _parse_column(values: pd.Series, column: Column, problems: _Problems) -> pd.Series:
    """`values` read as `column`'s kind: timestamps, text or numbers."""
    if column.kind == "timestamp":
        return _parse_timestamps(values, column, problems)
    if column.kind == "text":
        return _as_text(values)
    return _parse_numbers(values, column, problems)


def _parse_numbers(values: pd.Series, column: Column, problems: _Problems) -> pd.Series:
    if column.kind == "bool":
        if pd.api.types.is_bool_dtype(values.dtype):
            return values.astype(bool)
        text = _as_text(values).str.lower()
        mapping = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        out = text.map(mapping)
        bad = np.flatnonzero(text.notna().to_numpy() & out.isna().to_numpy())
        problems.add_rows(bad, column.name, "is not a boolean (true/false)", text)
        return out.astype("boolean")
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.astype(float)
        text = values.astype("string")
    else:
        text = _as_text(values)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        bad = np.flatnonzero(text.notna().to_numpy() & numbers.isna().to_numpy())
        problems.add_rows(bad, column.name, "is not a number", text)
    arr = numbers.to_numpy(dtype=float)
    if column.non_negative:
        neg = np.flatnonzero(arr < 0)
        problems.add_rows(neg, column.name, "is negative; expected 0 or more", text)
    if column.kind == "int":
        frac = np.flatnonzero(np.isfinite(arr) & (arr != np.round(arr)))
        problems.add_rows(frac, column.name, "is not a whole number", text)
    inf = np.flatnonzero(np.isinf(arr))
    problems.add_rows(inf, column.name, "is not finite", text)
    return numbers


def validate_frame(
    frame: pd.DataFrame,
    schema: FrameSchema,
    *,
    source: str = "<frame>",
    line_offset: int = 2,
    allow_extra: bool = False,
) -> pd.DataFrame:
    """Check a frame against `schema` and return a typed copy.

    Timestamps become tz-aware UTC (a naive one is an error), numbers float (`int` columns
    become int64 once known complete), text stays string. Reported: missing or unknown
    columns, naive or unparsable timestamps, non-numeric, negative or fractional values,
    empty cells in non-nullable columns and duplicate keys.

    Args:
        frame: the frame, e.g. read from CSV with every column as text; row positions
            map to CSV lines as `position + line_offset` (header on line 1).
        schema: one of TICKETS, CONTACTS, HISTORY, FORECAST.
        source: the file name used in messages.
        line_offset: CSV line number of the first data row.
        allow_extra: accept columns the schema does not know (kept as they are).

    Raises:
        InputError: listing every problem found (up to MAX_PROBLEMS, then a count).
    """
    problems = _Problems(source, line_offset)
    frame = frame.reset_index(drop=True)
    missing = [name for name in schema.required if name not in frame.columns]
    if missing:
        problems.add(f"missing column(s) {', '.join(missing)}; expected {', '.join(schema.names)}")
    unknown = [str(c) for c in frame.columns if c not in schema.names]
    if unknown and not allow_extra:
        problems.add(
            f"unknown column(s) {', '.join(unknown)}; expected only {', '.join(schema.names)}"
        )
    problems.raise_if_any(schema)

    out: dict[str, pd.Series] = {}
    for column in schema.columns:
        if column.name not in frame.columns:
            continue
        values = frame[column.name]
        parsed = _parse_column(values, column, problems)
        if not column.nullable:
            raw_missing = values.isna().to_numpy() | (
                values.astype("string").str.strip() == ""
            ).fillna(True).to_numpy(dtype=bool)
            empty = np.flatnonzero(raw_missing)
            for pos in empty:
                problems.add(
                    f"line {int(pos) + line_offset}: {column.name}: empty; a value is required"
                )
        out[column.name] = parsed
    for name in frame.columns:
        if name not in out and allow_extra:
            out[str(name)] = frame[name]
    typed = pd.DataFrame(out, index=frame.index)
    key = [k for k in schema.key if k in typed.columns]
    complete = typed[key].notna().all(axis=1).to_numpy()
    duplicated = np.zeros(len(typed), dtype=bool)
    if key:  # a frame without a key (contacts) may hold identical rows
        duplicated = typed.duplicated(subset=key, keep="first").to_numpy() & complete
    if duplicated.any():
        first = typed[complete].drop_duplicates(subset=key, keep="first")
        positions = pd.Series(first.index, index=pd.MultiIndex.from_frame(first[key]))
        for pos in np.flatnonzero(duplicated):
            row = typed.iloc[int(pos)]
            original = positions.loc[tuple(row[key])]
            desc = ", ".join(f"{k}={_show(row[k])}" for k in key)
            problems.add(
                f"line {int(pos) + line_offset}: duplicate of line {int(original) + line_offset} ({desc})"
            )
    problems.raise_if_any(schema)
    for column in schema.columns:
        if column.kind == "int" and column.name in typed and not column.nullable:
            typed[column.name] = typed[column.name].astype("int64")
        if column.kind == "bool" and column.name in typed and not column.nullable:
            typed[column.name] = typed[column.name].astype(bool)
    return typed


def validate_parsed(
    frame: pd.DataFrame, schema: FrameSchema, source: str = "<frame>"
) -> pd.DataFrame | None:
    """`validate_frame`'s typed copy of a clean CSV whose reader parsed the numbers, or None.

    `frame` holds the schema's `float` and `int` columns as float64 (parsed by the CSV
    reader, as `pd.to_numeric` parses text) and every other column as text. Text,
    timestamp and bool columns repeat a few distinct values (a queue's name, an interval
    start per queue), so each distinct value is checked once by the rules of
    `validate_frame`. Anything those rules would report answers None: the caller then
    validates the raw text, for the messages with their lines.
    """
    scratch = _Problems(source, 2)
    out: dict[str, pd.Series] = {}
    keys: dict[str, np.ndarray] = {}
    for column in schema.columns:
        if column.name not in frame.columns:
            if column.required:
                return None
            continue
        values = frame[column.name]
        if column.kind in ("float", "int"):
            if values.dtype != np.float64:
                return None
            arr = values.to_numpy()
            finite = np.isfinite(arr)
            if not (finite.all() or (column.nullable and not np.isinf(arr).any())):
                return None
            if column.non_negative and (arr < 0).any():
                return None
            if column.kind == "int" and (arr[finite] != np.round(arr[finite])).any():
                return None
            parsed = values
            if column.name in schema.key:
                keys[column.name] = pd.factorize(parsed)[0]
        else:
            raw_codes, raw = pd.factorize(values, use_na_sentinel=False)
            distinct = pd.Series(raw, dtype=object)
            checked = _parse_column(distinct, column, scratch)
            if scratch.count or (not column.nullable and checked.isna().any()):
                return None
            parsed = pd.Series(checked.array.take(raw_codes), index=frame.index)
            if column.name in schema.key:
                keys[column.name] = pd.factorize(checked)[0][raw_codes]
        out[column.name] = parsed
    for name in frame.columns:
        if name not in out:
            out[str(name)] = frame[name]
    typed = pd.DataFrame(out, index=frame.index)
    if len(keys) == len(schema.key) and _repeats_a_key([keys[k] for k in schema.key]):
        return None
    for column in schema.columns:
        if column.kind == "int" and column.name in typed and not column.nullable:
            typed[column.name] = typed[column.name].astype("int64")
        if column.kind == "bool" and column.name in typed and not column.nullable:
            typed[column.name] = typed[column.name].astype(bool)
    return typed


def _repeats_a_key(codes: list[np.ndarray]) -> bool:
    """Whether two rows share every key code (codes >= 0: no key value is missing here)."""
    combined = np.zeros(codes[0].size if codes else 0, dtype=np.int64)
    span = 1
    for part in codes:
        size = int(part.max()) + 1 if part.size else 1
        if span * size >= 2**62:
            return bool(pd.DataFrame(codes).T.duplicated().any())
        combined += part.astype(np.int64) * span
        span *= size
    return bool(pd.Series(combined).duplicated().any())


def _show(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with timestamps written ISO 8601 in UTC with a 'Z' (the file contract)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = iso_utc_strings(out[name])
    return out


def iso_utc_strings(stamps: pd.Series) -> pd.Series:
    """`%Y-%m-%dT%H:%M:%SZ` for each instant (NaT stays missing), vectorised in numpy."""
    seconds = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    text = np.char.add(np.datetime_as_string(seconds, unit="s"), "Z").astype(object)
    text[stamps.isna().to_numpy()] = np.nan
    return pd.Series(text, index=stamps.index, name=stamps.name)
