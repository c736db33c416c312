"""A large CSV read with its numbers parsed by the reader gives what the text validation gives.

The reference is how `read_validated` read every file before (issue 30): every cell as
text, then `FrameSchema.validate`. Files are drawn clean and with the faults the
validation reports (empty cells, text in numbers, negative, fractional tiers, naive or
broken timestamps, duplicate keys, padding, 'nan' and 'inf'): the typed frame, or the
error, must be the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followsun import files
from forecasting.errors import InputError
from forecasting.schema import FORECAST

FAULTS = [
    ("volume", ""),
    ("volume", "abc"),
    ("volume", "-1"),
    ("volume", "nan"),
    ("volume", "inf"),
    ("volume", " 2.5 "),
    ("aht_seconds", ""),
    ("aht_seconds", "nan"),
    ("tier", "1.5"),
    ("tier", "2"),
    ("tier", " 1"),
    ("channel", ""),
    ("channel", " chat "),
    ("language", "en"),
    ("interval_start", "2027-01-04T00:00:00"),
    ("interval_start", "2027-01-04T00:15:00+00:00"),
    ("interval_start", "2027-13-04T00:00:00Z"),
    ("interval_start", ""),
    ("extra", "x"),
]


def reference(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return FORECAST.validate(raw, str(path), allow_extra=True)


def outcome(read: object, path: Path) -> pd.DataFrame | str:
    try:
        return read(path)  # type: ignore[operator,no-any-return]
    except InputError as exc:
        return f"{exc} {exc.problems}"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rows=st.integers(2, 120),
    faults=st.lists(st.sampled_from(FAULTS), max_size=3),
)
def test_parsed_read_equals_the_text_validation(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    rows: int,
    faults: list[tuple[str, str]],
) -> None:
    rng = np.random.default_rng(seed)
    grid = pd.date_range("2027-01-04", periods=rows, freq="15min", tz="UTC")
    volume = rng.gamma(2.0, 3.0, rows)
    frame = pd.DataFrame(
        {
            "interval_start": grid.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": rng.choice(["chat", "web"], rows),
            "language": "en",
            "tier": rng.choice(["1", "2"], rows),
            "volume": [repr(float(v)) for v in volume],
            "volume_p10": [f"{v * 0.8:.4f}" for v in volume],
            "volume_p90": [f"{v * 1.2:.17g}" for v in volume],
            "aht_seconds": [f"{v:.3e}" for v in rng.uniform(60, 900, rows)],
        }
    )
    for column, text in faults:
        frame.loc[int(rng.integers(0, rows)), column] = text
    if "extra" in frame:
        frame["extra"] = frame["extra"].fillna("")
    repeated = rng.random() < 0.2
    if repeated:
        frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    path = tmp_path_factory.mktemp("read") / "forecast.csv"
    frame.to_csv(path, index=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "PARSED_READ_BYTES", 0)
        got = outcome(files.read_forecast, path)
        if not faults and not repeated:
            assert files._read_parsed(path, FORECAST) is not None  # the parsed path was taken
    expected = outcome(lambda p: _with_grain_check(reference(p), p), path)
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
    else:
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _with_grain_check(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """`read_validated`'s checks after validation, unchanged (the grain of the starts)."""
    from forecasting.panel import infer_interval_min

    starts = pd.DatetimeIndex(frame["interval_start"])
    if starts.nunique() > 1:
        infer_interval_min(starts, str(path))
    return frame
