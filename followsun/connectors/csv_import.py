"""CSV: any helpdesk export into canonical tickets, through a small YAML mapping file.

The mapping (`followsun.connectors.csv_mapping`) names the export's columns, zone,
timestamp format, delimiter, encoding, compression, missing-value tokens and value maps.
The file is read in chunks (`chunk_rows`), each chunk one page: memory holds one chunk
whatever the file's size. A row that cannot be read (no id, an unreadable or
non-existent local time, a non-number, a channel the mapping does not name) is refused
with 'FILE row N' (N counts data rows from 1) and its reasons, keyed by its ticket id
(or 'FILE row N' without one), so a row fixed in a later export releases its refusal
when it imports cleanly. CSV imports keep no cursor: re-running the same file is
idempotent, because tickets are upserted by source and ticket id.
"""

from __future__ import annotations

import string
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from followsun.connectors.base import Page, Reject
from followsun.connectors.csv_mapping import (
    ANY_VALUE,
    CHANNELS,
    CsvMapping,
    load_mapping,
    template_columns,
)
from followsun.errors import InputError
from followsun.store import TICKET_COLUMNS
from followsun.store.frames import TICKET_TIMESTAMPS

__all__ = ["CsvMapping", "CsvPreview", "csv_pages", "load_mapping", "map_chunk", "preview_csv"]

DEFAULT_CHUNK_ROWS = 50_000
_ZONE_SUFFIX = r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
Flag = Callable[[Any, str], None]  # marks the rows of a boolean mask as refused, with a reason
_COMPRESSION: dict[str, Literal["infer", "gzip", "zip"] | None] = {
    "auto": "infer",
    "none": None,
    "gzip": "gzip",
    "zip": "zip",
}


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
        The canonical tickets (TICKET_COLUMNS, timestamps UTC, then the mapping's `extra`
        columns as text) of the readable rows, and one refusal (all its reasons) per
        unreadable row.

    Raises:
        InputError: a mapped column is not in the export.
    """
    absent = [name for name in mapping.read_columns() if name not in chunk.columns]
    if absent:
        raise InputError(
            f"{file_name}: the mapping names columns the file lacks: {', '.join(absent)}",
            [f"columns present: {', '.join(map(str, chunk.columns))}"],
        )
    chunk = chunk.reset_index(drop=True)
    size = len(chunk)
    reasons: list[list[str]] = [[] for _ in range(size)]
    out: dict[str, Any] = {"source": pd.Series([mapping.source] * size, dtype="string")}

    def text(name: str) -> pd.Series | None:
        spec = mapping.columns.get(name)
        return None if spec is None else cells(chunk, spec, mapping.missing_values)

    def flag(mask: Any, reason: str) -> None:
        for pos in np.flatnonzero(mask):
            reasons[int(pos)].append(reason)

    for name in ("ticket_id", "status", "channel", "language", "region"):
        out[name] = _labels(name, text(name), mapping, size, flag)
    zone = ZoneInfo(mapping.timezone)
    for name in TICKET_TIMESTAMPS:
        values = text(name)
        if values is None:
            out[name] = pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[ns, UTC]")
            continue
        out[name] = _instants(values, zone, mapping.timestamp_format, name, flag)
        if name in ("created_at", "updated_at"):
            flag(values.isna().to_numpy(), f"{name} is empty")
    for name in ("tier", "handle_seconds", "csat", "wait_seconds", "priority"):
        out[name] = _numbers(text(name), mapping, name, size, flag)
    out["priority"] = out["priority"].round().astype("Int64")
    out["escalated"] = _flags(text("escalated"), mapping, size, flag, "escalated")
    out["agent_id"] = text("agent_id")
    if out["agent_id"] is None:
        out["agent_id"] = pd.Series(pd.NA, index=chunk.index, dtype="string")
    out["abandoned"] = _flags(text("abandoned"), mapping, size, flag, "abandoned")
    if "abandoned" not in mapping.columns:
        # A status that says so is the record of it: abandoned, or answered once replied to.
        gave_up = out["status"].eq("abandoned").fillna(False).to_numpy(dtype=bool)
        answered = out["first_reply_at"].notna().to_numpy() & ~gave_up
        flags = pd.Series(pd.NA, index=chunk.index, dtype="boolean")
        flags[gave_up] = True
        flags[answered] = False
        out["abandoned"] = flags
    if "updated_at" not in mapping.columns:
        # No update time in the export: the latest event it shows stands in for one.
        stamps = pd.concat([out[c] for c in ("created_at", "first_reply_at", "solved_at")], axis=1)
        out["updated_at"] = stamps.max(axis=1).astype("datetime64[ns, UTC]")
    for name, spec in mapping.extra.items():
        out[name] = cells(chunk, spec, mapping.missing_values)
    frame = pd.DataFrame({name: out[name] for name in (*TICKET_COLUMNS, *mapping.extra)})
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


def cells(chunk: pd.DataFrame, spec: str, missing: tuple[str, ...] = ()) -> pd.Series:
    """The text a `columns:` entry reads: one column, or a template joining several.

    Cells are stripped; an empty cell or a missing-value token is NA, and a template is NA
    when any column it joins is.
    """
    parts = {name: _column(chunk[name], missing) for name in template_columns(spec)}
    if "{" not in spec:
        return parts[spec]
    joined = pd.Series("", index=chunk.index, dtype="string")
    for literal, name, _, _ in string.Formatter().parse(spec):
        joined = joined + literal
        if name is not None:
            joined = joined + parts[name].fillna("")
    absent = pd.concat([p.isna() for p in parts.values()], axis=1).any(axis=1)
    return joined.mask(absent)


def _column(values: pd.Series, missing: tuple[str, ...]) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask((text == "") | text.isin(missing))


def _labels(
    name: str, values: pd.Series | None, mapping: CsvMapping, size: int, flag: Flag
) -> pd.Series:
    """A text column through its value map; a channel must end as one of CHANNELS."""
    default = mapping.defaults.get(name)
    if values is None:
        return pd.Series([None if default is None else str(default)] * size, dtype="string")
    table = {"channel": mapping.channels, "status": mapping.statuses, "language": mapping.languages}
    if name in table:
        folded = {k.strip().lower(): v for k, v in table[name].items()}
        other = folded.pop(ANY_VALUE, None)
        values = values.map(
            lambda v: folded.get(v.lower(), v.lower() if other is None else other),
            na_action="ignore",
        ).astype("string")
    if name == "channel":
        unknown = values.notna() & ~values.isin(CHANNELS)
        for value in values[unknown].unique():
            flag(
                (values == value).fillna(False).to_numpy(),
                f"channel {value!r} is not one of {', '.join(CHANNELS)}: map it under `channels:`",
            )
    if name != "region":
        if default is not None:
            values = values.fillna(str(default))
        flag(values.isna().to_numpy(), f"{name} is empty")
    return values


def csv_pages(
    path: str | Path, mapping: CsvMapping, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[Page]:
    """The export as pages of `chunk_rows` rows, read one chunk at a time.

    Raises:
        InputError: the file cannot be read (missing, empty, not text in the mapping's
            encoding, a broken archive, a malformed line), or lacks a mapped column.
    """
    where = Path(path)
    first_row = 1
    try:
        reader = _reader(where, mapping, chunk_rows)
        with reader:
            for chunk in reader:
                tickets, rejects = map_chunk(chunk, mapping, first_row, where.name)
                first_row += len(chunk)
                yield Page(tickets, rejects, fetched=len(chunk))
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{where}: the file is empty (not even a header row)") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where}: near data row {first_row}: not {mapping.encoding} text "
            f"({exc.reason}); set `encoding:` in the mapping (e.g. cp1252) or save it as UTF-8"
        ) from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{where}: a malformed line ({exc})") from exc
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        raise InputError(f"{where}: cannot read the export ({exc})") from exc


def _reader(where: Path, mapping: CsvMapping, chunk_rows: int) -> Any:
    """The chunked pandas reader of the export, reading it as the mapping says."""
    try:
        return pd.read_csv(
            where,
            dtype=str,
            keep_default_na=False,
            chunksize=chunk_rows,
            sep=mapping.delimiter,
            encoding=mapping.encoding,
            compression=_COMPRESSION[mapping.compression],
            encoding_errors="strict",
        )
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        raise  # named by csv_pages
    except ValueError as exc:  # a zip holding several files, or none
        raise InputError(f"{where}: cannot read the export ({exc})") from exc


@dataclass(frozen=True)
class CsvPreview:
    """What importing an export would do, read through without touching the store.

    Attributes:
        tickets: the first tickets as they would be stored (canonical columns, then the
            mapping's `extra` columns).
        rejects: the first refusals, each with its row and reasons.
        records: data rows read.
        quarantined: rows that would be refused.
        reasons: how many rows each reason refuses (a row may have several reasons).
    """

    tickets: pd.DataFrame
    rejects: tuple[Reject, ...]
    records: int
    quarantined: int
    reasons: dict[str, int]


def preview_csv(
    path: str | Path, mapping: CsvMapping, rows: int = 10, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> CsvPreview:
    """Read the whole export as an import would, keeping the first `rows` of each outcome.

    Raises:
        InputError: as `csv_pages`.
    """
    kept: list[pd.DataFrame] = []
    rejects: list[Reject] = []
    reasons: Counter[str] = Counter()
    records = quarantined = held = 0
    for page in csv_pages(path, mapping, chunk_rows):
        records += page.fetched
        quarantined += len(page.rejects)
        if held < rows:
            kept.append(page.tickets.head(rows - held))
            held += len(kept[-1])
        rejects += page.rejects[: max(0, rows - len(rejects))]
        for reject in page.rejects:
            reasons.update(reject.reason.split(": ", 1)[-1].split("; "))
    tickets = (
        pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=list(TICKET_COLUMNS))
    )
    return CsvPreview(tickets, tuple(rejects), records, quarantined, dict(reasons.most_common()))


def _instants(
    values: pd.Series, zone: ZoneInfo, fmt: str | None, name: str, flag: Flag
) -> pd.Series:
    """Zoned values as written; naive ones read in the mapping's zone (DST gaps refused).

    With a strptime `fmt`, every value is read with it (zoned when it has `%z`);
    otherwise as ISO 8601, zoned when it ends in Z or an offset.
    """
    present = values.notna().to_numpy()
    if fmt is None:
        zoned = values.str.contains(_ZONE_SUFFIX, regex=True).fillna(False).to_numpy(dtype=bool)
    else:
        zoned = np.full(len(values), "%z" in fmt, dtype=bool)
    naive = present & ~zoned
    how = "ISO8601" if fmt is None else fmt
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if zoned.any():
        read = pd.to_datetime(values.where(zoned), utc=True, errors="coerce", format=how)
        result = read.astype("datetime64[ns, UTC]")
    gap = np.zeros(len(values), dtype=bool)
    if naive.any():
        local = pd.to_datetime(values.where(naive), errors="coerce", format=how)
        if isinstance(local.dtype, pd.DatetimeTZDtype):
            # pandas read an offset our zone pattern does not ('-0'): not trusted, refused.
            local = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        utc = _local_to_utc(local.astype("datetime64[ns]"), zone).astype(result.dtype)
        result = result.where(zoned, utc)
        gap = naive & local.notna().to_numpy() & utc.isna().to_numpy()
        flag(gap, f"{name} is ambiguous or does not exist as a local time in {zone.key}")
    expected = "ISO 8601" if fmt is None else repr(fmt)
    flag(
        present & result.isna().to_numpy() & ~gap,
        f"{name} is not a readable timestamp ({expected})",
    )
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
    if name in ("tier", "priority"):
        whole = numbers.notna() & (numbers == np.floor(numbers))
        flag(
            (values.notna() & numbers.notna() & ~whole).to_numpy(), f"{name} is not a whole number"
        )
    if name == "tier":
        default = mapping.defaults.get("tier")
        if default is not None:
            numbers = numbers.fillna(float(default))
        flag(numbers.isna().to_numpy() & values.isna().to_numpy(), "tier is empty")
    return numbers


def _flags(
    values: pd.Series | None, mapping: CsvMapping, size: int, flag: Flag, name: str
) -> pd.Series:
    if values is None:
        default = mapping.defaults.get(name)
        return pd.Series([None if default is None else bool(default)] * size, dtype="boolean")
    lowered = values.str.lower()
    result = lowered.map(
        lambda v: True if v in _TRUE else (False if v in _FALSE else None), na_action="ignore"
    )
    flags = result.astype("boolean")
    flag((values.notna() & flags.isna()).to_numpy(), f"{name} is not true or false")
    return flags
