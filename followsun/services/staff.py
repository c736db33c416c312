"""Staff a forecast file: agents required per queue and interval, written as requirements CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.pooled_staffing import scenario_pooled_requirements
from followsun.atomic import check_output_file
from followsun.files import read_forecast, write_requirements
from forecasting.errors import InputError
from scenarios.loader import load_scenario
from scenarios.staffing import requirements

# Requirement statuses of intervals whose target cannot be met.
UNMET = ("unreachable", "capped")


@dataclass(frozen=True)
class StaffRun:
    """The requirements written, and those of their intervals that cannot meet the target."""

    requirements: pd.DataFrame
    unmet: pd.DataFrame


def staff_forecast(
    scenario_path: Path,
    forecast_path: Path,
    out: Path,
    volume_column: str = "volume",
    pooled_simulation: bool = False,
    *,
    force: bool = False,
) -> StaffRun:
    """Staff every queue of the scenario for the forecast's `volume_column`; write `out`.

    With `pooled_simulation` each skill group's realtime rows are cut to the heads its
    pool needs in simulation (`evaluation.pooled_staffing`).

    Raises:
        InputError: a bad scenario or forecast file, naming the file and line, or an
            `out` that is an input or exists without `force`.
    """
    check_output_file(out, force=force, inputs=[scenario_path, forecast_path])
    scenario = load_scenario(scenario_path)
    forecast = read_forecast(forecast_path)
    _require_handle_times(forecast, forecast_path)
    try:
        reqs = requirements(scenario, forecast, volume_column)
    except InputError as exc:
        raise InputError(f"{forecast_path}: {exc}", exc.problems) from exc
    if pooled_simulation:
        reqs = scenario_pooled_requirements(scenario, reqs)
    write_requirements(reqs, out)
    return StaffRun(reqs, reqs[reqs["status"].isin(UNMET)])


def _require_handle_times(forecast: pd.DataFrame, path: Path) -> None:
    """Staffing divides by handle time: every row needs one above zero."""
    zero = np.flatnonzero(forecast["aht_seconds"].to_numpy(dtype=float) <= 0)
    if zero.size:
        # CSV line numbers: the header is line 1.
        problems = [f"{path}: line {int(k) + 2}: aht_seconds: expected > 0" for k in zero[:5]]
        raise InputError(f"{path}: {zero.size} row(s) without a handle time", problems)
