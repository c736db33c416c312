"""The YAML mapping that turns any CSV export into canonical tickets, and its checks.

    source: legacy-desk              # the source name stored on every ticket
    timezone: America/Los_Angeles    # zone of timestamps written without one
    timestamp_format: "%d/%m/%Y %H:%M"   # optional: strptime format, else ISO 8601
    delimiter: ","                   # optional: one character, or `tab`
    encoding: utf-8                  # optional: utf-8 (a BOM is accepted), cp1252, ...
    compression: auto                # optional: auto (from .gz/.zip), none, gzip, zip
    missing_values: ["?", "N/A"]     # optional: cells that mean "no value"
    columns:                         # canonical column: the export's column
      ticket_id: Ticket ID           #   or a template joining columns: "{date}-{call_id}"
      created_at: Created            #   e.g. "{date} {time}" with the timestamp_format
      updated_at: Last update        # optional: else the latest of created/replied/solved
      status: Status
      channel: Via
      language: Language             # optional when `defaults` gives it
      first_reply_at: First reply
      solved_at: Solved              # empty for open tickets (kept, not refused)
      handle_seconds: Handle time
      escalated: Escalated
      csat: Satisfaction
    channels: {"Web form": web, Phone: phone, "*": web}  # export value -> channel; "*": any other
    statuses: {Resolved: solved}                        # export value -> status
    languages: {PE: en, "*": he}                        # export value -> language
    csat_values: {good: 1, bad: 0}                      # optional: else the column is numeric
    defaults: {language: en, tier: 1}                   # for columns the export lacks
    extra: {agent: server}           # optional: carried beside the ticket, not stored

A channel must end as one of the planner's channels: an export value the `channels:`
map does not name (and no "*" catches) is refused, never stored as a new channel.
"""

from __future__ import annotations

import string
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from followsun.errors import InputError
from followsun.store import TICKET_COLUMNS
from scenarios.spec import Channel
from scenarios.yamlfile import read_yaml

CHANNELS: tuple[str, ...] = typing.get_args(Channel)
ANY_VALUE = "*"  # the key of a value map that catches every value it does not name
MAPPABLE = frozenset(TICKET_COLUMNS) - {"source"}
REQUIRED = ("ticket_id", "created_at", "status", "channel", "language", "tier")
MAX_TEMPLATE_COLUMNS = 10
SHIPPED_DIR = Path(__file__).with_name("mappings")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def template_columns(spec: str) -> tuple[str, ...]:
    """The export columns a `columns:` entry reads: itself, or those named in a template."""
    if "{" not in spec:
        return (spec,)
    return tuple(name for _, name, _, _ in string.Formatter().parse(spec) if name is not None)


class CsvMapping(BaseModel):
    """A mapping file's contents (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(default="csv", min_length=1, max_length=100)
    timezone: str = "UTC"
    timestamp_format: str | None = Field(default=None, min_length=2, max_length=100)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    compression: Literal["auto", "none", "gzip", "zip"] = "auto"
    missing_values: tuple[str, ...] = Field(default=(), max_length=100)
    columns: dict[str, str]
    channels: dict[str, str] = Field(default_factory=dict)
    statuses: dict[str, str] = Field(default_factory=dict)
    languages: dict[str, str] = Field(default_factory=dict)
    csat_values: dict[str, float] = Field(default_factory=dict)
    defaults: dict[str, str | int | float | bool] = Field(default_factory=dict)
    extra: dict[str, str] = Field(default_factory=dict, max_length=50)

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

    @field_validator("timestamp_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError(f"{value!r} is not a strptime format such as '%d/%m/%Y %H:%M'")
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        value = _DELIMITER_NAMES.get(value.lower(), value)
        if len(value) != 1 or value in '"\r\n':
            raise ValueError(f"{value!r}: expected one character, or tab")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str) -> str:
        import codecs

        try:
            name = codecs.lookup(value).name
        except LookupError as exc:
            raise ValueError(f"{value!r} is not a text encoding (utf-8, cp1252, ...)") from exc
        return "utf-8-sig" if name == "utf-8" else name

    @field_validator("columns", "defaults")
    @classmethod
    def _canonical(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - MAPPABLE)
        if unknown:
            raise ValueError(
                f"unknown canonical column(s) {', '.join(unknown)}; expected some of "
                f"{', '.join(c for c in TICKET_COLUMNS if c != 'source')}"
            )
        return value

    @field_validator("columns", "extra")
    @classmethod
    def _templates(cls, value: dict[str, str]) -> dict[str, str]:
        for name, spec in value.items():
            try:
                read = template_columns(spec)
            except ValueError as exc:
                raise ValueError(f"{name}: {spec!r} is not a template ({exc})") from exc
            if not read or "" in read or len(read) > MAX_TEMPLATE_COLUMNS:
                raise ValueError(
                    f"{name}: {spec!r}: a template names 1 to {MAX_TEMPLATE_COLUMNS} "
                    "columns in braces, e.g. '{date} {time}'"
                )
        return value

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = sorted({v for v in value.values() if v not in CHANNELS})
        if wrong:
            raise ValueError(f"{', '.join(wrong)}: expected channels among {', '.join(CHANNELS)}")
        return value

    @field_validator("extra")
    @classmethod
    def _extra(cls, value: dict[str, str]) -> dict[str, str]:
        clash = sorted(set(value) & set(TICKET_COLUMNS))
        if clash:
            raise ValueError(f"{', '.join(clash)}: canonical columns go under `columns:`")
        return value

    def check_complete(self, where: str) -> None:
        """Raise InputError unless every required canonical column has a column or default."""
        missing = [c for c in REQUIRED if c not in self.columns and c not in self.defaults]
        if "created_at" not in self.columns and "created_at" not in missing:
            missing.insert(0, "created_at")
        if missing:
            raise InputError(
                f"{where}: no column or default for {', '.join(missing)}",
                ["map them under `columns:` or give a value under `defaults:`"],
            )

    def read_columns(self) -> list[str]:
        """Every export column the mapping reads, in mapping order."""
        names: list[str] = []
        for spec in (*self.columns.values(), *self.extra.values()):
            names += [n for n in template_columns(spec) if n not in names]
        return names


def shipped_mappings() -> dict[str, Path]:
    """The ready-made mappings in the package (`followsun/connectors/mappings`), by name."""
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml"))}


def load_mapping(path: str | Path) -> CsvMapping:
    """Read and check a CSV mapping file, or a shipped one by name (`servicenow-incident`).

    Raises:
        InputError: the file is missing, not UTF-8 YAML, or not a valid mapping (every
            problem named by its key).
    """
    shipped = shipped_mappings()
    if not Path(path).exists() and str(path) in shipped:
        path = shipped[str(path)]
    where = str(path)
    data = read_yaml(Path(path), "mapping file")
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a mapping with at least `columns:`")
    try:
        mapping = CsvMapping.model_validate(dict(data))
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'])) or '(top)'}: {e['msg']}" for e in exc.errors()]
        raise InputError(f"{where}: invalid CSV mapping", problems) from exc
    mapping.check_complete(where)
    return mapping
