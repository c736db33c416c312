"""Frame schemas: every bad-input case of issue 3 names the file, the CSV line and the problem."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.schema import FORECAST, HISTORY, TICKETS, to_csv_frame, validate_frame

HEADER = "interval_start,channel,language,tier,volume,aht_seconds\n"


def read(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        validate_frame(read(text), HISTORY, source="h.csv")
    assert str(info.value).startswith("h.csv: invalid interval history")
    return info.value.problems


def test_valid_history_is_typed_utc() -> None:
    frame = validate_frame(
        read(
            HEADER
            + "2027-03-08T14:00:00Z,chat,en,1,3,300\n2027-03-08T15:15:00+01:00,chat,en,1,0,\n"
        ),
        HISTORY,
        source="h.csv",
    )
    assert str(frame["interval_start"].dt.tz) == "UTC"
    # 15:15 at +01:00 is 14:15 UTC.
    assert frame["interval_start"].iloc[1] == pd.Timestamp("2027-03-08T14:15:00Z")
    assert frame["tier"].dtype == np.int64
    assert frame["volume"].tolist() == [3.0, 0.0]
    assert np.isnan(frame["aht_seconds"].iloc[1])


def test_naive_timestamp_names_line() -> None:
    found = problems(
        HEADER + "2027-03-08T14:00:00Z,chat,en,1,3,300\n2027-03-08T14:15:00,chat,en,1,3,300\n"
    )
    assert found == [
        "h.csv: line 3: interval_start: '2027-03-08T14:15:00' has no time zone; "
        "expected e.g. 2027-03-08T14:15:00Z"
    ]


def test_unparsable_timestamp() -> None:
    found = problems(HEADER + "yesterdayZ,chat,en,1,3,300\n")
    assert found == ["h.csv: line 2: interval_start: 'yesterdayZ' is not an ISO 8601 timestamp"]


def test_duplicate_interval_names_both_lines() -> None:
    found = problems(
        HEADER + "2027-03-08T14:00:00Z,chat,en,1,3,300\n2027-03-08T15:00:00+01:00,chat,en,1,4,300\n"
    )
    assert len(found) == 1
    assert found[0].startswith(
        "h.csv: line 3: duplicate of line 2 (interval_start=2027-03-08T14:00:00Z"
    )


def test_negative_and_non_numeric_volume() -> None:
    found = problems(
        HEADER + "2027-03-08T14:00:00Z,chat,en,1,-2,300\n2027-03-08T14:15:00Z,chat,en,1,many,300\n"
    )
    assert found == [
        "h.csv: line 3: volume: 'many' is not a number",
        "h.csv: line 2: volume: '-2' is negative; expected 0 or more",
    ]


def test_unknown_and_missing_columns() -> None:
    text = "interval_start,channel,language,tier,calls\n2027-03-08T14:00:00Z,chat,en,1,3\n"
    found = problems(text)
    assert any("missing column(s) volume" in p for p in found)
    assert any("unknown column(s) calls" in p for p in found)


def test_fractional_tier_and_empty_required() -> None:
    found = problems(HEADER + "2027-03-08T14:00:00Z,,en,1.5,3,300\n")
    assert "h.csv: line 2: tier: '1.5' is not a whole number" in found
    assert "h.csv: line 2: channel: empty; a value is required" in found


def test_empty_volume_is_a_gap_not_zero() -> None:
    frame = validate_frame(read(HEADER + "2027-03-08T14:00:00Z,chat,en,1,,\n"), HISTORY)
    assert np.isnan(frame["volume"].iloc[0])


def test_in_memory_naive_datetime_column_refused() -> None:
    frame = pd.DataFrame(
        {
            "interval_start": pd.to_datetime(["2027-03-08 14:00"]),
            "channel": ["chat"],
            "language": ["en"],
            "tier": [1],
            "volume": [1.0],
        }
    )
    with pytest.raises(InputError, match="no time zone"):
        validate_frame(frame, HISTORY)


def test_problem_list_is_capped() -> None:
    rows = "".join(f"2027-03-08T14:{i:02d}:00,chat,en,1,3,300\n" for i in range(30))
    found = problems(HEADER + rows)
    assert len(found) == 21 and found[-1] == "... and 10 more problems"


def test_forecast_round_trip_through_csv() -> None:
    forecast = pd.DataFrame(
        {
            "interval_start": pd.date_range("2027-03-08", periods=2, freq="15min", tz="UTC"),
            "channel": ["chat", "chat"],
            "language": ["en", "en"],
            "tier": [1, 1],
            "volume": [1.5, 2.0],
            "volume_p10": [0.0, 1.0],
            "volume_p90": [3.0, 4.0],
            "aht_seconds": [300.0, 300.0],
        }
    )
    text = to_csv_frame(forecast).to_csv(index=False)
    assert "2027-03-08T00:15:00Z" in text
    back = validate_frame(read(text), FORECAST)
    pd.testing.assert_frame_equal(back, forecast, check_dtype=False)


def test_tickets_schema_booleans() -> None:
    text = (
        ",".join(TICKETS.names[:-1])
        + "\nzendesk,1,2027-03-08T14:00:00Z,,solved,chat,en,1,,,300,maybe,\n"
    )
    with pytest.raises(InputError) as info:
        validate_frame(read(text), TICKETS, source="t.csv")
    assert info.value.problems == [
        "t.csv: line 2: escalated: 'maybe' is not a boolean (true/false)"
    ]
