"""The compiled CSV writer gives the bytes pandas writes, or declines the frame.

Reference: `to_csv_frame(frame).to_csv(index=False, float_format=...)`, what `write_csv`
did before (issue 30). Floats are drawn over every magnitude, with the values printf
rounds by a tie (x.5 in the last digit), NaN, infinities and signed zeros.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from followsun import csv_fast
from forecasting.schema import to_csv_frame

TIES = [0.5, 2.5, 1234565.0, 1234575.0, 0.000125, 1.0000005, 99999.95, 999999.5, 9999995.0]
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, 1.7976931348623157e308, 1e-5, 1e16]


def floats(rng: np.random.Generator, rows: int, precision: int) -> np.ndarray:
    """Values over every magnitude, some with few digits, some near rounding ties."""
    scale = 10.0 ** rng.integers(-12, 14, rows)
    values = rng.random(rows) * scale * np.where(rng.random(rows) < 0.3, -1, 1)
    short = np.round(rng.random(rows) * 1000, int(rng.integers(0, 4)))
    near_tie = (np.floor(rng.random(rows) * 10**precision) + 0.5) * 10.0 ** rng.integers(-8, 4)
    pick = rng.integers(0, 5, rows)
    out = np.select([pick == 0, pick == 1, pick == 2], [values, short, near_tie], values)
    special = rng.random(rows) < 0.1
    out[special] = rng.choice(np.array(SPECIAL + TIES), special.sum())
    return out


def reference(frame: pd.DataFrame, float_format: str, path: Path) -> bytes:
    to_csv_frame(frame).to_csv(path, index=False, float_format=float_format)
    return path.read_bytes()


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(1, 400),
    precision=st.integers(1, 7),
)
def test_written_bytes_equal_pandas(tmp_path_factory, seed: int, rows: int, precision: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    folder = tmp_path_factory.mktemp("csv")
    stamps = pd.Series(
        pd.date_range("1999-12-31 23:45", periods=rows, freq="15min", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 2, rows), unit="s")
    )
    stamps[rng.random(rows) < 0.05] = pd.NaT
    text = pd.Series(rng.choice(np.array(["chat", "web", "ζ-ja", ""], dtype=object), rows))
    text[rng.random(rows) < 0.1] = None
    frame = pd.DataFrame(
        {
            "interval_start": stamps,
            "queue": text,
            "tier": rng.integers(-(2**63), 2**63 - 1, rows, dtype=np.int64, endpoint=True),
            "small": rng.integers(0, 3, rows),
            "open": rng.random(rows) < 0.5,
            "volume": floats(rng, rows, precision),
            "agents": floats(rng, rows, precision),
            "label": pd.Series(rng.choice(["ok", "closed"], rows), dtype="string"),
        }
    )
    float_format = f"%.{precision}g"
    written = folder / "fast.csv"
    assert csv_fast.write(frame, written, float_format, min_rows=0)
    assert written.read_bytes() == reference(frame, float_format, folder / "pandas.csv")


def test_ties_and_extremes_are_printf_s(tmp_path: Path) -> None:
    values = np.array(TIES + SPECIAL + [-v for v in TIES + SPECIAL])
    frame = pd.DataFrame({"a": values, "b": values[::-1]})
    for precision in range(1, 8):
        fmt = f"%.{precision}g"
        assert csv_fast.write(frame, tmp_path / "fast.csv", fmt, min_rows=0)
        assert (tmp_path / "fast.csv").read_bytes() == reference(frame, fmt, tmp_path / "p.csv")


def test_frames_it_cannot_render_exactly_are_declined(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    base = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]})
    assert not csv_fast.write(base, out, None, min_rows=0)  # pandas' own float repr
    assert not csv_fast.write(base, out, "%.4f", min_rows=0)
    assert not csv_fast.write(base, out, "%.6g", min_rows=3)  # small: pandas
    assert not csv_fast.write(base.assign(b=["x,y", "z"]), out, "%.6g", min_rows=0)  # quoting
    assert not csv_fast.write(base.assign(b=[1, "z"]), out, "%.6g", min_rows=0)  # mixed objects
    assert not csv_fast.write(
        base.assign(b=[np.datetime64("2027-01-01")] * 2), out, "%.6g", min_rows=0
    )
    assert not out.exists()
