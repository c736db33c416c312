"""A generated corpus of malformed CSV exports, mappings and API pages: no tracebacks.

Every example must end in `InputError` (the whole input refused, naming the file) or in
pages whose rows are all accounted for: each data row becomes a ticket, a refusal, or a
duplicate merged into a ticket, and every stored channel is one of the planner's.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followsun.connectors import csv_pages, freshdesk, load_mapping, zendesk
from followsun.connectors.base import RecordError, parse_instant
from followsun.connectors.csv_mapping import CHANNELS
from followsun.errors import InputError

SETTINGS = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MAPPING = """source: corpus
timezone: America/Los_Angeles
missing_values: ["?"]
columns:
  ticket_id: id
  created_at: "{day} {time}"
  status: state
  channel: via
  solved_at: solved
  handle_seconds: handle
  escalated: escalated
  csat: csat
channels: {Phone: phone, Web: web}
defaults: {language: en, tier: 1}
"""
HEADER = ["id", "day", "time", "state", "via", "solved", "handle", "escalated", "csat"]
# Any text a file can hold, but a bare CR: pandas' writer leaves it unquoted, so it
# would end the line.
CELL = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=8),
    st.sampled_from(["?", "", "2027-03-14", "02:30:00", "01:30", "Phone", "Fax", "1e400", "-1"]),
    st.sampled_from(
        ["2027-11-07T01:30:00", "2027-03-10T17:00:00Z", "nan", "yes", "maybe", "\u00e9"]
    ),
    st.integers(-(10**20), 10**20).map(str),
)


def _mapping(tmp_path: Path) -> Any:
    path = tmp_path / "m.yaml"
    if not path.exists():
        path.write_text(MAPPING, encoding="utf-8")
    return load_mapping(path)


def _read(path: Path, mapping: Any) -> tuple[int, int, list[pd.DataFrame]]:
    records = refused = 0
    frames = []
    for page in csv_pages(path, mapping, chunk_rows=7):
        records += page.fetched
        refused += len(page.rejects)
        frames.append(page.tickets)
        assert len(page.tickets) + len(page.rejects) == page.fetched
    return records, refused, frames


@SETTINGS
@given(rows=st.lists(st.lists(CELL, min_size=len(HEADER), max_size=len(HEADER)), max_size=20))
def test_hostile_cells_are_tickets_or_refusals(tmp_path: Path, rows: list[list[str]]) -> None:
    mapping = _mapping(tmp_path)
    path = tmp_path / "cells.csv"
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False)
    try:
        records, _, frames = _read(path, mapping)
    except InputError as exc:
        assert "cells.csv" in str(exc)
        return
    assert records == len(rows)
    for frame in frames:
        assert set(frame["channel"]) <= set(CHANNELS)
        assert frame["created_at"].notna().all()


@SETTINGS
@given(raw=st.binary(max_size=300), packed=st.booleans())
def test_binary_junk_is_an_input_error_or_read(tmp_path: Path, raw: bytes, packed: bool) -> None:
    mapping = _mapping(tmp_path)
    path = tmp_path / ("junk.csv.gz" if packed else "junk.csv")
    path.write_bytes(gzip.compress(raw) if packed and raw[:1] != b"x" else raw)
    try:
        _read(path, mapping)
    except InputError as exc:
        assert "junk.csv" in str(exc)


MAPPING_KEYS = [
    "source", "timezone", "timestamp_format", "delimiter", "encoding", "compression",
    "missing_values", "columns", "channels", "statuses", "languages", "csat_values",
    "defaults", "extra", "unknown",
]  # fmt: skip
JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@SETTINGS
@given(
    changes=st.dictionaries(st.sampled_from(MAPPING_KEYS), JSONISH, max_size=4),
    drop=st.lists(st.sampled_from(MAPPING_KEYS), max_size=2),
)
def test_damaged_mappings_are_input_errors_or_usable(
    tmp_path: Path, changes: dict[str, Any], drop: list[str]
) -> None:
    data = {**yaml.safe_load(MAPPING), **changes}
    for key in drop:
        data.pop(key, None)
    path = tmp_path / "damaged.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    try:
        mapping = load_mapping(path)
    except InputError as exc:
        assert "damaged.yaml" in str(exc)
        return
    export = tmp_path / "one.csv"
    export.write_text(",".join(HEADER) + "\n1,2027-03-01,09:00,open,Phone,?,60,no,1\n")
    try:
        _read(export, mapping)
    except InputError as exc:
        assert "one.csv" in str(exc)


TICKET_FIELDS = [
    "id", "created_at", "updated_at", "status", "via", "requester_id", "tags",
    "custom_fields", "group_id", "satisfaction_rating", "source", "priority", "stats",
    "type", "language",
]  # fmt: skip


@SETTINGS
@given(
    tickets=st.lists(
        st.one_of(JSONISH, st.dictionaries(st.sampled_from(TICKET_FIELDS), JSONISH, max_size=8)),
        max_size=5,
    ),
    extra=st.dictionaries(st.sampled_from(["metric_sets", "users", "after_cursor"]), JSONISH),
)
def test_hostile_api_pages_are_tickets_or_refusals(
    tickets: list[Any], extra: dict[str, Any]
) -> None:
    for vendor in ("zendesk", "freshdesk"):
        try:
            if vendor == "zendesk":
                rows, rejects = zendesk.map_page(
                    {"tickets": tickets, **extra}, zendesk.ZendeskMapping(), "zd"
                )
            else:
                rows, rejects = freshdesk.map_page(tickets, freshdesk.FreshdeskMapping(), "fd")
        except RecordError:
            continue  # the whole answer refused: the import stops with the reason
        assert len(rows) + len(rejects) == len(tickets)
        assert {row["channel"] for row in rows} <= set(CHANNELS)


@pytest.mark.parametrize("seconds", [1e20, -1e20, float("inf"), float("nan")])
def test_epoch_seconds_beyond_the_calendar_are_refused_not_raised(seconds: float) -> None:
    with pytest.raises(RecordError, match="created_at"):
        parse_instant(seconds, "created_at")
