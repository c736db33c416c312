"""A stored run's files (the demo's folder) read back for the pages, through their schemas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from followsun.files import read_csv
from followsun.store.runs import RunRecord
from forecasting.schema import FORECAST, HISTORY, FrameSchema

TIME_COLUMNS = ("interval_start",)


def run_folder(run: RunRecord) -> Path | None:
    """The folder the run wrote, when it still exists."""
    if not run.outputs_location:
        return None
    folder = Path(run.outputs_location)
    return folder if folder.is_dir() else None


def run_frame(run: RunRecord, name: str, schema: FrameSchema) -> pd.DataFrame | None:
    """`name` (e.g. 'forecast.csv') from the run's folder with UTC instants, or None if absent."""
    folder = run_folder(run)
    if folder is None or not (folder / name).is_file():
        return None
    frame = read_csv(folder / name, schema)
    for column in TIME_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def history_and_forecast(
    run: RunRecord,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """The run's history, forecast and actuals frames (each None when its file is absent)."""
    return (
        run_frame(run, "history.csv", HISTORY),
        run_frame(run, "forecast.csv", FORECAST),
        run_frame(run, "actuals.csv", HISTORY),
    )
