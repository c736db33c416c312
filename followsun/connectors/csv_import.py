"""CSV: any helpdesk export into canonical tickets, through a small YAML mapping file.

    source: legacy-desk              # the source name stored on every ticket
    timezone: America/Los_Angeles    # zone of timestamps written without one
    columns:                         # canonical column: the export's column
      ticket_id: Ticket ID
      created_at: Created
      updated_at: Last update        # optional: else the latest of created/replied/solved
      status: Status
      channel: Via
      language: Language             # optional when `defaults` gives it
      first_reply_at: First reply
      solved_at: Solved
      handle_seconds: Handle time
      escalated: Escalated
      csat: Satisfaction
    channels: {"Web form": web, Phone: phone}   # optional: export value -> our channel
    statuses: {Resolved: solved}                # optional: export value -> our status
    csat_values: {good: 1, bad: 0}              # optional: else the column is numeric
    defaults: {language: en, tier: 1}           # for columns the export lacks

The file is read in chunks (`chunk_rows`), each chunk one page: memory holds one chunk
whatever the file's size. A row that cannot be read (no id, an unreadable or
non-existent local time, a non-number) is refused with 'FILE row N' (N counts data rows
from 1) and its reasons, keyed by its ticket id (or 'FILE row N' without one), so a row
fixed in a later export releases its refusal when it imports cleanly. CSV imports keep no cursor: re-running the
same file is idempotent, because tickets are upserted by source and ticket id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from followsun.connectors.base import Page, Reject
from followsun.errors import InputError
from followsun.store import TICKET_COLUMNS
from followsun.store.frames import TICKET_TIMESTAMPS

DEFAULT_CHUNK_ROWS = 50_000
_ZONE_SUFFIX = r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_MAPPABLE = frozenset(TICKET_COLUMNS) - {"source"}
Flag = Callable[[Any, str], None]  # marks the rows of a boolean mask as refused, with a reason
_REQUIRED = ("ticket_id", "created_at", "status", "channel", "language", "tier")


class CsvMapping(BaseModel):
    """A mapping file's contents (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(default="csv", min_length=1)
    timezone: str = "UTC"
    columns: dict[str, str]
    channels: dict[str, str] = Field(default_factory=dict)
    statuses: dict[str, str] = Field(default_factory=dict)
    csat_values: dict[str, float] = Field(default_factory=dict)
    defaults: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"{value!r} is not an IANA time zone such as Europe/Amsterdam"
            ) from exc
        return value

    @field_validator("columns", "defaults")
    @classmethod
    def _canonical(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - _MAPPABLE)
        if unknown:
            raise ValueError(
                f"unknown canonical column(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(c for c in TICKET_COLUMNS if c != 'source')}"
            )
        return value

    def check_complete(self, where: str) -> None:
        """Raise InputError unless every required canonical column has a column or default."""
        missing = [c for c in _REQUIRED if c not in self.columns and c not in self.defaults]
        if "created_at" not in self.columns and "created_at" not in missing:
            missing.insert(0, "created_at")
        if missing:
            raise InputError(
                f"{where}: no column or default for {', '.join(missing)}",
                ["map them under `columns:` or give a value under `defaults:`"],
            )


def load_mapping(path: str | Path) -> CsvMapping:
    """Read and check a CSV mapping file.

    Raises:
        InputError: the file is missing, not YAML, or not a valid mapping (every problem
            named by its key).
    """
    where = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{where}: cannot read the mapping file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{where}: not valid YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a mapping with at least `columns:`")
    try:
        mapping = CsvMapping.model_validate(dict(data))
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise InputError(f"{where}: invalid CSV mapping", problems) from exc
    mapping.check_complete(where)
    return mapping


def map_chunk(
    chunk: pd.DataFrame, mapping: CsvMapping, first_row: int, file_name: str
) -> tuple[pd.DataFrame, list[Reject]]:
    """One chunk of the export (every cell as text) as canonical tickets and refusals.

    Args:
        chunk: rows of the export, every column read as text, empty cells NA.
        mapping: the mapping.
        first_row: the data-row number (from 1) of the chunk's first row.
        file_name: the export's name, for the refusals' keys.

    Returns:
        The canonical tickets (TICKET_COLUMNS, timestamps UTC) of the readable rows, and
        one refusal (all its reasons) per unreadable row.

    Raises:
        InputError: a mapped column is not in the export.
    """
    absent = [f"{k}: {v}" for k, v in mapping.columns.items() if v not in chunk.columns]
    if absent:
        raise InputError(
            f"{file_name}: the mapping names columns the file lacks",
            [*absent, f"columns present: {', '.join(map(str, chunk.columns))}"],
        )
    chunk = chunk.reset_index(drop=True)
    size = len(chunk)
    zone = ZoneInfo(mapping.timezone)
    reasons: list[list[str]] = [[] for _ in range(size)]
    out: dict[str, Any] = {"source": pd.Series([mapping.source] * size, dtype="string")}

    def text(name: str) -> pd.Series | None:
        column = mapping.columns.get(name)
        if column is None:
            return None
        values = chunk[column].astype("string").str.strip()
        return values.mask(values == "")

    def flag(mask: Any, reason: str) -> None:
        for pos in np.flatnonzero(mask):
            reasons[int(pos)].append(reason)

    for name in ("ticket_id", "status", "channel", "language", "region"):
        values = text(name)
        if values is None:
            default = mapping.defaults.get(name)
            values = pd.Series([None if default is None else str(default)] * size, dtype="string")
        elif name in ("channel", "status"):
            table = mapping.channels if name == "channel" else mapping.statuses
            folded = {k.strip().lower(): v for k, v in table.items()}
            values = values.map(
                lambda v, t=folded: v if pd.isna(v) else t.get(v.lower(), v.lower()),
                na_action="ignore",
            ).astype("string")
        if name != "region":
            default = mapping.defaults.get(name)
            if default is not None:
                values = values.fillna(str(default))
            flag(values.isna().to_numpy(), f"{name} is empty")
        out[name] = values
    for name in TICKET_TIMESTAMPS:
        values = text(name)
        if values is None:
            out[name] = pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[ns, UTC]")
            continue
        out[name] = _instants(values, zone, name, flag)
        if name in ("created_at", "updated_at"):
            flag(values.isna().to_numpy(), f"{name} is empty")
    for name in ("tier", "handle_seconds", "csat"):
        out[name] = _numbers(text(name), mapping, name, size, flag)
    out["escalated"] = _flags(text("escalated"), mapping, size, flag)
    if "updated_at" not in mapping.columns:
        # No update time in the export: the latest event it shows stands in for one.
        stamps = pd.concat([out[c] for c in ("created_at", "first_reply_at", "solved_at")], axis=1)
        out["updated_at"] = stamps.max(axis=1).astype("datetime64[ns, UTC]")
    frame = pd.DataFrame({name: out[name] for name in TICKET_COLUMNS})
    bad = np.array([bool(r) for r in reasons], dtype=bool)
    ids = out["ticket_id"]
    rejects = [
        Reject(
            f"{file_name} row {first_row + int(pos)}"
            if pd.isna(ids.iloc[int(pos)])
            else str(ids.iloc[int(pos)]),
            f"{file_name} row {first_row + int(pos)}: " + "; ".join(reasons[int(pos)]),
            {str(k): (None if pd.isna(v) else str(v)) for k, v in chunk.iloc[int(pos)].items()},
        )
        for pos in np.flatnonzero(bad)
    ]
    return frame.loc[~bad].reset_index(drop=True), rejects


def csv_pages(
    path: str | Path, mapping: CsvMapping, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[Page]:
    """The export as pages of `chunk_rows` rows, read one chunk at a time.

    Raises:
        InputError: the file cannot be read, or lacks a mapped column.
    """
    where = Path(path)
    try:
        reader = pd.read_csv(
            where, dtype=str, keep_default_na=False, chunksize=chunk_rows, encoding="utf-8-sig"
        )
        first_row = 1
        with reader:
            for chunk in reader:
                tickets, rejects = map_chunk(chunk, mapping, first_row, where.name)
                first_row += len(chunk)
                yield Page(tickets, rejects, fetched=len(chunk))
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{where}: cannot read the CSV export ({exc})") from exc


def _instants(values: pd.Series, zone: ZoneInfo, name: str, flag: Flag) -> pd.Series:
    """Zoned values as written; naive ones read in the mapping's zone (DST gaps refused)."""
    present = values.notna().to_numpy()
    zoned = values.str.contains(_ZONE_SUFFIX, regex=True).fillna(False).to_numpy(dtype=bool)
    naive = present & ~zoned
    result = pd.to_datetime(values.where(zoned), utc=True, errors="coerce", format="ISO8601")
    result = result.astype("datetime64[ns, UTC]")
    gap = np.zeros(len(values), dtype=bool)
    if naive.any():
        local = pd.to_datetime(values.where(naive), errors="coerce", format="ISO8601")
        utc = _local_to_utc(local.astype("datetime64[ns]"), zone).astype(result.dtype)
        result = result.where(zoned, utc)
        gap = naive & local.notna().to_numpy() & utc.isna().to_numpy()
        flag(gap, f"{name} is ambiguous or does not exist as a local time in {zone.key}")
    flag(present & result.isna().to_numpy() & ~gap, f"{name} is not a readable timestamp")
    return result


def _local_to_utc(local: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Naive local times in `zone` as UTC; NaT where the time is ambiguous or does not exist.

    Localising a million values one by one is slow, so the offset is found once per
    distinct quarter hour (every zone's offset changes on a quarter-hour boundary).
    """
    slots = local.dt.floor("15min")
    unique = pd.DatetimeIndex(slots.dropna().unique())
    localized = unique.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    offset = pd.Series(localized.tz_convert("UTC").tz_localize(None) - unique, index=unique)
    shift = slots.map(offset)
    return (local + shift).dt.tz_localize("UTC")


def _numbers(
    values: pd.Series | None, mapping: CsvMapping, name: str, size: int, flag: Flag
) -> pd.Series:
    if values is None:
        default = mapping.defaults.get(name)
        return pd.Series([np.nan if default is None else float(default)] * size, dtype="float64")
    if name == "csat" and mapping.csat_values:
        table = {k.strip().lower(): v for k, v in mapping.csat_values.items()}
        numbers = values.str.lower().map(table).astype("float64")
    else:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    flag((values.notna() & numbers.isna()).to_numpy(), f"{name} is not a number")
    flag((numbers < 0).to_numpy(), f"{name} is negative")
    if name == "tier":
        default = mapping.defaults.get("tier")
        if default is not None:
            numbers = numbers.fillna(float(default))
        whole = numbers.notna() & (numbers == np.floor(numbers))
        flag((values.notna() & numbers.notna() & ~whole).to_numpy(), "tier is not a whole number")
        flag(numbers.isna().to_numpy() & values.isna().to_numpy(), "tier is empty")
    return numbers


def _flags(values: pd.Series | None, mapping: CsvMapping, size: int, flag: Flag) -> pd.Series:
    if values is None:
        default = mapping.defaults.get("escalated")
        return pd.Series([None if default is None else bool(default)] * size, dtype="boolean")
    lowered = values.str.lower()
    result = lowered.map(
        lambda v: True if v in _TRUE else (False if v in _FALSE else None), na_action="ignore"
    )
    flags = result.astype("boolean")
    flag((values.notna() & flags.isna()).to_numpy(), "escalated is not true or false")
    return flags
