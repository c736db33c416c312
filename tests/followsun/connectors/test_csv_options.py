"""Real exports import without code: the mapping's reading options, value maps, the
shipped ServiceNow and call-log mappings, a summary that adds up, and the dry run."""

from __future__ import annotations

import gzip
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import Engine

from bench.shared_data import shared_folder
from followsun.cli import main
from followsun.connectors import csv_pages, load_mapping, preview_csv, run_import
from followsun.connectors.csv_mapping import shipped_mappings
from followsun.errors import InputError
from followsun.store import quarantined, session_scope
from tests.followsun.connectors.helpers import stored

CONTACT_LOGS = shared_folder("contact-logs", "FOLLOWSUN_CONTACT_LOGS")
UTC = ZoneInfo("UTC")


def utc(local: datetime, zone: str) -> pd.Timestamp:
    """The instant of a local wall-clock time, by zoneinfo (independent of the importer)."""
    return pd.Timestamp(local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC))


def mapping_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_store(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in `tmp_path` against the test store."""
    monkeypatch.setenv("FOLLOWSUN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)


SERVICENOW = """number,opened_at,sys_updated_on,state,contact_type,resolved_at
INC0010001,1/2/2027 9:05,3/2/2027 17:40,Resolved,Phone,3/2/2027 17:40
INC0010002,28/2/2027 23:59,1/3/2027 08:00,In Progress,Email,?
INC0010003,5/3/2027 10:00,5/3/2027 10:00,New,Carrier pigeon,?
INC0010004,?,5/3/2027 10:00,New,Chat,?
"""


def test_servicenow_export_imports_with_the_shipped_mapping(engine: Engine, tmp_path: Path) -> None:
    export = tmp_path / "incident.csv"
    export.write_text(SERVICENOW, encoding="utf-8")
    mapping = load_mapping("servicenow-incident")  # by name: no file to write
    result = run_import(engine, mapping.source, csv_pages(export, mapping))
    frame = stored(engine).set_index("ticket_id")
    # D/M/YYYY: 1/2/2027 is the first of February.
    assert frame.loc["INC0010001", "created_at"] == utc(datetime(2027, 2, 1, 9, 5), "UTC")
    assert frame.loc["INC0010001", "status"] == "solved"
    # An open ticket: its '?' resolved_at is no value, and it is kept, not quarantined.
    assert frame.loc["INC0010002", "status"] == "open"
    assert pd.isna(frame.loc["INC0010002", "solved_at"])
    with session_scope(engine) as session:
        reasons = {r.record_key: r.reason for r in quarantined(session, "servicenow")}
    assert "channel 'carrier pigeon' is not one of phone, chat" in reasons["INC0010003"]
    assert reasons["INC0010004"].endswith("created_at is empty")
    assert "pigeon" not in set(frame["channel"])  # never invented as a channel
    assert (result.counts.inserted, result.quarantined, result.accounted) == (2, 2, 4)


CALLS = [
    # vru+line, call_id, date, vru_entry, vru_exit, q_start, q_exit, outcome, ser_start, ser_exit, ser_time, server
    (
        "AA0101",
        "1",
        "990301",
        "9:00:00",
        "9:00:10",
        "9:00:10",
        "9:01:00",
        "AGENT",
        "9:01:00",
        "9:05:00",
        "240",
        "DANA",
    ),
    (
        "AA0102",
        "1",
        "990301",
        "9:10:00",
        "9:10:05",
        "9:10:05",
        "9:12:00",
        "HANG",
        "0:00:00",
        "0:00:00",
        "0",
        "NO_SERVER",
    ),
    (
        "AA0101",
        "2",
        "990301",
        "9:20:00",
        "9:20:07",
        "0:00:00",
        "0:00:00",
        "AGENT",
        "9:20:07",
        "9:30:07",
        "600",
        "DANA",
    ),
]
HEADER = [
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
]


def call_log_text() -> str:
    lines = ["\t".join(HEADER)]
    for line, call, day, entry, leave, q_in, q_out, outcome, s_in, s_out, s_time, server in CALLS:
        cells = [line, call, "0", "1", "PE" if call == "2" else "PS", day, entry, leave, "5"]
        cells += [q_in, q_out, "50", outcome, s_in, s_out, s_time, server]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("packing", ["gz", "zip", "plain"])
def test_call_log_with_date_and_time_columns_tab_separated_and_compressed(
    tmp_path: Path, packing: str
) -> None:
    text = call_log_text().encode()
    if packing == "gz":
        path = tmp_path / "calls.txt.gz"
        path.write_bytes(gzip.compress(text))
    elif packing == "zip":
        path = tmp_path / "calls.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("calls.txt", text)
    else:
        path = tmp_path / "calls.txt"
        path.write_bytes(text)
    mapping = load_mapping("anonymous-bank-call-log")
    [page] = list(csv_pages(path, mapping))
    assert not page.rejects
    rows = page.tickets.set_index("ticket_id")
    assert list(rows.index) == ["990301-AA0101-1", "990301-AA0102-1", "990301-AA0101-2"]
    served = rows.loc["990301-AA0101-1"]
    # Israel is UTC+2 on 1 March 1999 (summer time began in April).
    assert served["created_at"] == utc(datetime(1999, 3, 1, 9, 0, 10), "Asia/Jerusalem")
    assert served["created_at"] == pd.Timestamp("1999-03-01T07:00:10Z")
    assert served["first_reply_at"] == utc(datetime(1999, 3, 1, 9, 1), "Asia/Jerusalem")
    assert (served["status"], served["channel"], served["language"], served["agent_id"]) == (
        "solved",
        "phone",
        "he",
        "DANA",
    )
    assert (served["wait_seconds"], served["priority"], served["abandoned"]) == (50.0, 1, False)
    abandoned = rows.loc["990301-AA0102-1"]
    assert abandoned["status"] == "abandoned" and abandoned["abandoned"]
    assert pd.isna(abandoned["first_reply_at"]) and pd.isna(abandoned["agent_id"])  # NO_SERVER
    assert rows.loc["990301-AA0101-2", "language"] == "en"  # the PE line
    assert pd.isna(rows.loc["990301-AA0101-2", "queue_start"])  # served at once


def test_a_zip_with_two_files_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calls.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", call_log_text())
        archive.writestr("b.txt", call_log_text())
    with pytest.raises(InputError, match="calls.zip: cannot read the export"):
        list(csv_pages(path, load_mapping("anonymous-bank-call-log")))


def test_a_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calls.txt.gz"
    path.write_bytes(gzip.compress(call_log_text().encode())[:60])
    with pytest.raises(InputError, match="calls.txt.gz"):
        list(csv_pages(path, load_mapping("anonymous-bank-call-log")))


BASIC = """source: s
columns: {ticket_id: id, created_at: at, channel: via}
defaults: {status: open, language: en, tier: 1}
"""


def test_value_map_default_catches_unknown_channels(tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    export.write_text("id,at,via\n1,2027-01-01T10:00Z,Fax\n2,2027-01-01T11:00Z,Chat\n")
    strict = load_mapping(mapping_file(tmp_path, BASIC))
    [page] = list(csv_pages(export, strict))
    assert list(page.tickets["ticket_id"]) == ["2"] and page.rejects[0].record_key == "1"
    lenient = load_mapping(mapping_file(tmp_path, BASIC + 'channels: {Chat: chat, "*": web}\n'))
    [page] = list(csv_pages(export, lenient))
    assert list(page.tickets["channel"]) == ["web", "chat"] and not page.rejects


def test_a_value_map_into_an_unknown_channel_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_mapping(mapping_file(tmp_path, BASIC + "channels: {Fax: pigeon}\n"))
    assert "pigeon: expected channels among phone, chat" in str(caught.value.problems)


def test_empty_file_and_foreign_encoding_are_clear_errors(tmp_path: Path) -> None:
    mapping = load_mapping(mapping_file(tmp_path, BASIC))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        list(csv_pages(empty, mapping))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,at,via\n1,2027-01-01T10:00Z,Caf\u00e9 chat\n".encode("cp1252"))
    with pytest.raises(InputError, match="not utf-8-sig text .*set `encoding:`"):
        list(csv_pages(latin, mapping))
    cp1252 = load_mapping(mapping_file(tmp_path, BASIC + "encoding: cp1252\n"))
    [page] = list(csv_pages(latin, cp1252))
    assert page.rejects[0].payload["via"] == "Caf\u00e9 chat"  # read, then refused as a channel


def test_a_mapping_file_that_is_not_utf8_or_repeats_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(BASIC.replace("source: s", "source: caf\xe9").encode("latin-1"))
    with pytest.raises(InputError, match="line 1: the mapping file is not UTF-8"):
        load_mapping(path)
    with pytest.raises(InputError, match="duplicated key 'source'"):
        load_mapping(mapping_file(tmp_path, BASIC + "source: t\n"))


def test_header_row_absent_columns_are_named(tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    export.write_text("id,at\n1,2027-01-01T10:00Z\n")
    mapping = load_mapping(mapping_file(tmp_path, BASIC))
    with pytest.raises(InputError, match="the mapping names columns the file lacks: via") as caught:
        list(csv_pages(export, mapping))
    assert caught.value.problems == ["columns present: id, at"]


def test_summary_adds_up_with_merged_duplicates(engine: Engine, tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    rows = ["id,at,via,updated"]
    rows += [f"{i % 4},2027-01-01T10:00Z,chat,2027-01-0{1 + i % 3}T10:00Z" for i in range(10)]
    rows += ["x,not a time,chat,2027-01-01T10:00Z"]
    export.write_text("\n".join(rows) + "\n")
    text = BASIC.replace("channel: via}", "channel: via, updated_at: updated}")
    mapping = load_mapping(mapping_file(tmp_path, text))
    first = run_import(engine, "s", csv_pages(export, mapping, chunk_rows=4))
    # 11 rows: 1 refused; 10 readable rows of 4 tickets over 3 chunks of 4, 4, 3 rows:
    # chunk 1 (ids 0 1 2 3) all new, chunk 2 (0 1 2 3) updated or stale, chunk 3 (0 1 x).
    assert first.accounted == first.fetched == 11
    assert first.quarantined == 1 and first.counts.inserted == 4
    again = run_import(engine, "s", csv_pages(export, mapping, chunk_rows=100))
    # One chunk: the 10 readable rows fold into 4 tickets (6 merged), all already stored.
    assert (again.counts.merged, again.counts.unchanged, again.quarantined) == (6, 4, 1)
    assert again.accounted == again.fetched == 11
    assert "6 merged duplicates" in again.summary()


def test_dry_run_shows_rows_and_reasons_and_writes_nothing(
    engine: Engine, tmp_path: Path, in_store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "incident.csv").write_text(SERVICENOW, encoding="utf-8")
    args = ["import", "csv", "incident.csv", "--mapping", "servicenow-incident", "--dry-run"]
    assert main(args) == 1  # half the rows refused: more than the default 5%
    out = capsys.readouterr().out
    assert "INC0010001" in out and "2027-02-01 09:05:00+00:00" in out
    assert "quarantined: incident.csv row 3: channel 'carrier pigeon'" in out
    assert "dry run: 4 records: 2 would be stored, 2 quarantined" in out
    assert stored(engine).empty
    assert main([*args, "--max-quarantined", "0.5"]) == 0


def test_preview_keeps_only_the_first_rows(tmp_path: Path) -> None:
    export = tmp_path / "e.csv"
    export.write_text("id,at,via\n" + "".join(f"{i},2027-01-01T10:00Z,chat\n" for i in range(30)))
    preview = preview_csv(export, load_mapping(mapping_file(tmp_path, BASIC)), rows=5, chunk_rows=7)
    assert list(preview.tickets["ticket_id"]) == ["0", "1", "2", "3", "4"]
    assert (preview.records, preview.quarantined) == (30, 0)


def test_quarantine_list_and_export_without_sql(
    engine: Engine, tmp_path: Path, in_store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "incident.csv").write_text(SERVICENOW, encoding="utf-8")
    main(["import", "csv", "incident.csv", "--mapping", "servicenow-incident", "--quiet"])
    capsys.readouterr()
    assert main(["quarantine", "list", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 quarantined records") and "1 more" in out
    assert main(["quarantine", "export", "--out", "q.csv", "--source", "servicenow"]) == 0
    frame = pd.read_csv(tmp_path / "q.csv")
    assert list(frame.columns) == ["source", "record_key", "seen_at", "reason", "payload"]
    assert sorted(frame["record_key"]) == ["INC0010003", "INC0010004"]
    assert main(["quarantine", "export", "--out", "q.csv"]) == 2  # exists: needs --force
    assert main(["quarantine", "export", "--out", "q.csv", "--force"]) == 0


def test_shipped_mappings_are_valid_and_named() -> None:
    names = set(shipped_mappings())
    assert {"anonymous-bank-call-log", "servicenow-incident"} <= names
    for name in names:
        load_mapping(name)


@pytest.mark.skipif(
    not (CONTACT_LOGS / "january.txt.gz").exists(),
    reason=f"the shared call log is not at {CONTACT_LOGS} (set FOLLOWSUN_CONTACT_LOGS)",
)
def test_the_real_call_log_imports_with_no_code(
    engine: Engine, tmp_path: Path, in_store: None, capsys: pytest.CaptureFixture[str]
) -> None:
    source = CONTACT_LOGS / "january.txt.gz"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        expected = pd.read_csv(handle, sep="\t", dtype=str)
    args = ["import", "csv", str(source), "--mapping", "anonymous-bank-call-log", "--quiet"]
    assert main(args) == 0
    assert f"{len(expected):,} records in 1 page = {len(expected):,} new" in capsys.readouterr().out
    frame = stored(engine)
    assert len(frame) == len(expected)
    outcome = expected["outcome"].map(
        {"AGENT": "solved", "HANG": "abandoned", "PHANTOM": "deleted"}
    )
    assert frame["status"].value_counts().to_dict() == outcome.value_counts().to_dict()
    first = expected.iloc[0]
    local = datetime.strptime(f"{first['date']} {first['vru_exit']}", "%y%m%d %H:%M:%S")
    key = f"{first['date']}-{first['vru+line']}-{first['call_id']}"
    row = frame.set_index("ticket_id").loc[key]
    assert row["created_at"] == utc(local, "Asia/Jerusalem")


def test_real_time_fields_are_read_and_refused_by_name(tmp_path: Path) -> None:
    mapping = load_mapping(
        mapping_file(
            tmp_path,
            "source: pbx\ncolumns:\n  ticket_id: id\n  created_at: at\n  status: st\n"
            "  agent_id: who\n  wait_seconds: wait\n  abandoned: gave_up\n  priority: prio\n"
            "defaults: {channel: phone, language: en, tier: 1}\n",
        )
    )
    export = tmp_path / "calls.csv"
    export.write_text(
        "id,at,st,who,wait,gave_up,prio\n"
        "1,2027-03-01T09:00:00Z,solved,ana,12,no,2\n"
        "2,2027-03-01T09:01:00Z,abandoned,,40,yes,0\n"
        "3,2027-03-01T09:02:00Z,solved,bo,5,perhaps,1.5\n"
        "4,2027-03-01T09:03:00Z,solved,bo,-3,no,1\n"
    )
    [page] = list(csv_pages(export, mapping))
    rows = page.tickets.set_index("ticket_id")
    assert rows.loc["1", ["agent_id", "wait_seconds", "abandoned", "priority"]].tolist() == [
        "ana",
        12.0,
        False,
        2,
    ]
    assert rows.loc["2", "abandoned"] and pd.isna(rows.loc["2", "agent_id"])
    reasons = {r.record_key: r.reason for r in page.rejects}
    assert "abandoned is not true or false" in reasons["3"]
    assert "priority is not a whole number" in reasons["3"]
    assert "wait_seconds is negative" in reasons["4"]
