from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from followsun.connectors import csv_pages, load_mapping, map_chunk, run_import
from followsun.connectors.csv_import import CsvMapping
from followsun.errors import InputError
from followsun.store import quarantine_count, quarantined, session_scope
from tests.followsun.connectors.helpers import stored

MAPPING = """
source: legacy
timezone: America/Los_Angeles
columns:
  ticket_id: Ticket ID
  created_at: Created
  status: Status
  channel: Via
  first_reply_at: First reply
  solved_at: Solved
  handle_seconds: Handle (s)
  escalated: Escalated
  csat: Rating
channels: {"Web Form": web, Phone: phone, "Live chat": chat}
statuses: {Resolved: solved}
csat_values: {good: 1, bad: 0}
defaults: {language: en, tier: 1}
"""

CSV = """Ticket ID,Created,Status,Via,First reply,Solved,Handle (s),Escalated,Rating
1,2027-03-07 09:00:00,Resolved,Web Form,2027-03-07 09:30:00,2027-03-07 12:00:00,300,no,good
2,2027-03-10T17:00:00Z,Open,phone,,,120,yes,
3,2027-03-14 02:30:00,Open,Live chat,,,,,
4,,Open,Phone,,,,,
5,2027-03-08 10:00:00,Resolved,Email,2027-03-08 10:05:00,2027-03-08 11:00:00,abc,maybe,bad
6,2027-11-07 01:30:00,Open,Phone,,,,,
"""


def write(tmp_path: Path, csv: str = CSV, mapping: str = MAPPING) -> tuple[Path, CsvMapping]:
    (tmp_path / "m.yaml").write_text(mapping)
    (tmp_path / "export.csv").write_text(csv)
    return tmp_path / "export.csv", load_mapping(tmp_path / "m.yaml")


def test_map_chunk_converts_local_times_maps_names_and_refuses_bad_rows(tmp_path: Path) -> None:
    path, mapping = write(tmp_path)
    chunk = pd.read_csv(path, dtype=str, keep_default_na=False)
    tickets, rejects = map_chunk(chunk, mapping, 1, "export.csv")
    rows = tickets.set_index("ticket_id")
    # 2027-03-07 09:00 PST (UTC-8, before the 14 March DST change) is 17:00 UTC.
    assert rows.loc["1", "created_at"] == pd.Timestamp("2027-03-07T17:00:00Z")
    assert rows.loc["1", "updated_at"] == pd.Timestamp("2027-03-07T20:00:00Z")  # latest event
    assert rows.loc["2", "created_at"] == pd.Timestamp("2027-03-10T17:00:00Z")  # zoned: as written
    assert list(rows["channel"]) == ["web", "phone"]
    assert (rows.loc["1", "status"], rows.loc["1", "csat"], rows.loc["1", "language"]) == (
        "solved",
        1.0,
        "en",
    )
    assert bool(rows.loc["2", "escalated"]) is True
    reasons = {r.record_key: r.reason for r in rejects}
    # 02:30 on 14 March 2027 does not exist in Los Angeles (clocks jump 02:00 -> 03:00),
    # 01:30 on 7 November 2027 happens twice (03:00 PDT -> 01:00 PST ... 02:00).
    assert "does not exist" in reasons["3"]
    assert reasons["3"].startswith("export.csv row 3: ")
    assert reasons["4"] == "export.csv row 4: created_at is empty"
    assert reasons["5"] == (
        "export.csv row 5: handle_seconds is not a number; escalated is not true or false"
    )
    assert "ambiguous" in reasons["6"]
    assert rejects[0].payload["Ticket ID"] == "3"


def test_import_in_chunks_is_idempotent_and_counts_quarantine(
    engine: Engine, tmp_path: Path
) -> None:
    path, mapping = write(tmp_path)
    first = run_import(engine, "legacy", csv_pages(path, mapping, chunk_rows=2))
    assert (first.pages, first.fetched, first.quarantined) == (3, 6, 4)
    again = run_import(engine, "legacy", csv_pages(path, mapping, chunk_rows=4))
    assert (again.counts.inserted, again.counts.unchanged) == (0, 2)
    with session_scope(engine) as session:
        assert quarantine_count(session, "legacy") == 4
        assert len(quarantined(session, "legacy")) == 4
    assert list(stored(engine)["ticket_id"]) == ["1", "2"]


def test_a_row_fixed_in_a_later_export_leaves_the_quarantine(
    engine: Engine, tmp_path: Path
) -> None:
    path, mapping = write(tmp_path)
    run_import(engine, "legacy", csv_pages(path, mapping))
    fixed = CSV.replace("4,,Open,Phone", "4,2027-03-09 10:00:00,Open,Phone")
    path, mapping = write(tmp_path, csv=fixed)
    run_import(engine, "legacy", csv_pages(path, mapping))
    with session_scope(engine) as session:
        assert sorted(r.record_key for r in quarantined(session, "legacy")) == ["3", "5", "6"]
    assert list(stored(engine)["ticket_id"]) == ["1", "2", "4"]


def test_mapping_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no column or default for channel"):
        write(
            tmp_path,
            mapping="columns: {ticket_id: a, created_at: b, status: c}\ndefaults: {language: en, tier: 1}\n",
        )
    with pytest.raises(InputError) as bad_zone:
        write(tmp_path, mapping="timezone: Mars/Olympus\ncolumns: {ticket_id: a}\n")
    assert "IANA" in str(bad_zone.value.problems)
    path, mapping = write(tmp_path, csv="Ticket ID,Created\n1,2027-01-01\n")
    with pytest.raises(InputError, match="names columns the file lacks"):
        list(csv_pages(path, mapping))
