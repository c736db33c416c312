"""A generated corpus of malformed CSV files given to forecast, staff and roster: no tracebacks.

Every example must end in exit 0, 1 or 2 (the CLI catches only `InputError`, so any
other exception fails the test); roster's solve is replaced by a sentinel, so an input
that reaches it was accepted by every check before the solve.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followsun.cli import main
from followsun.services.plan import reference_scenario_path
from forecasting.schema import FORECAST
from planner.staffing.schema import REQUIREMENTS

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
STAMPS = [
    "2027-03-01T00:00:00Z",
    "2027-03-01T00:15:00Z",
    "2027-03-01T00:07:00Z",
    "2027-03-01T00:15:00",
    "2027-03-01T00:30:00+08:00",
    "2262-04-12T00:00:00Z",
    "1677-09-21T00:00:00Z",
    "2027-02-30T00:00:00Z",
    "",
]
CELL = st.one_of(
    st.sampled_from(STAMPS),
    st.sampled_from(["chat", "web", "phone", "fax", "en", "zh", "xx", "1", "1.5", "0", "-1"]),
    st.sampled_from(["nan", "inf", "1e400", "1e300", "", "?", "true", "3", "0.25"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=6),
)
FORECAST_HEADER = list(FORECAST.names)
REQUIREMENTS_HEADER = list(REQUIREMENTS.required)
HISTORY_HEADER = ["interval_start", "channel", "language", "tier", "volume", "aht_seconds"]


def rows_of(header: list[str]) -> st.SearchStrategy[list[list[str]]]:
    """Rows of hostile cells, sometimes a plausible row to pass the early checks."""
    plausible = ["2027-03-01T00:00:00Z", "chat", "en", "1", "3", "2", "4", "300"]
    row = st.one_of(
        st.lists(CELL, min_size=len(header), max_size=len(header)),
        st.just(plausible[: len(header)]),
        st.lists(CELL, min_size=0, max_size=len(header) + 2),
    )
    return st.lists(row, min_size=0, max_size=6)


def write(path: Path, header: list[str], rows: list[list[str]], drop: int) -> Path:
    """A CSV of `rows` under `header` (less its `drop`-th column when in range)."""
    kept = [c for i, c in enumerate(header) if i != drop]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(kept)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def sentinel_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    def accepted(*_: object, **__: object) -> None:
        raise Accepted

    monkeypatch.setattr("followsun.services.roster.solve_roster", accepted)


class Accepted(Exception):
    """The input reached the solve."""


@SETTINGS
@given(rows=rows_of(FORECAST_HEADER), drop=st.integers(0, 20))
def test_staff_on_malformed_forecasts_exits_cleanly(
    tmp_path: Path, rows: list[list[str]], drop: int
) -> None:
    forecast = write(tmp_path / "f.csv", FORECAST_HEADER, rows, drop)
    args = ["staff", "--scenario", str(reference_scenario_path()), "--forecast", str(forecast)]
    assert main([*args, "--out", str(tmp_path / "r.csv"), "--force"]) in (0, 1, 2)


@SETTINGS
@given(rows=rows_of(REQUIREMENTS_HEADER), drop=st.integers(0, 20))
@pytest.mark.usefixtures("sentinel_solve")
def test_roster_on_malformed_requirements_exits_cleanly(
    tmp_path: Path, rows: list[list[str]], drop: int
) -> None:
    requirements = write(tmp_path / "r.csv", REQUIREMENTS_HEADER, rows, drop)
    args = ["roster", "--scenario", str(reference_scenario_path()), "--requirements"]
    args += [str(requirements), "--start", "2027-03-01", "--weeks", "1"]
    try:
        code = main([*args, "--out", str(tmp_path / "out")])
    except Accepted:
        return
    assert code == 2


@SETTINGS
@given(rows=rows_of(HISTORY_HEADER), drop=st.integers(0, 20), days=st.integers(-2, 10**6))
def test_forecast_on_malformed_histories_exits_cleanly(
    tmp_path: Path, rows: list[list[str]], drop: int, days: int
) -> None:
    history = write(tmp_path / "h.csv", HISTORY_HEADER, rows, drop)
    args = ["forecast", "--history", str(history), "--horizon-days", str(days)]
    args += ["--model", "seasonal_naive", "--out", str(tmp_path / "f.csv"), "--force"]
    assert main(args) in (0, 1, 2)


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_binary_junk_as_a_requirements_file_exits_cleanly(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(raw)
    args = ["staff", "--scenario", str(reference_scenario_path()), "--forecast", str(path)]
    assert main([*args, "--out", str(tmp_path / "o.csv"), "--force"]) in (0, 1, 2)
