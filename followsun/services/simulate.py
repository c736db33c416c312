"""Use case: simulate a roster against contacts and write outcomes.csv and summary.json.

`simulate_files` reads the scenario, the roster (and the BPO coverage beside it), the
contacts (tickets replayed as they arrived, or a forecast drawn from) and optional actual
tickets to calibrate from, runs `evaluation.simulated.simulate_roster`, and writes the
outcomes per interval and queue and a summary with every SLA figure's 95% interval.
"""

from __future__ import annotations

import json
import math
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.calibration import Calibration, calibrate
from evaluation.simulated import Mapper, SimulationResult, SimulationSettings, simulate_plan
from evaluation.workforce import vendor_heads_bought
from followsun.jobs.executor import make_executor
from followsun.services.progress import Progress, no_progress, within
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.schema import CONTACTS, FORECAST, TICKETS, FrameSchema, to_csv_frame
from planner.roster.schema import COVERAGE, ROSTER
from scenarios.loader import load_scenario
from scenarios.rostering import horizon_grid
from scenarios.spec import Scenario


@dataclass(frozen=True)
class SimulateInputs:
    """The files of one `followsun simulate` run.

    Attributes:
        scenario: scenario YAML.
        roster: roster CSV (CONTRACTS.md roster).
        out: folder to write outcomes.csv and summary.json into.
        tickets: contacts CSV to replay (created_at, channel, language, tier,
            handle_seconds, region); or
        forecast: forecast CSV to draw contacts from.
        coverage: the roster solver's coverage.csv with BPO heads (`vendor` column), or
            None for none; `coverage_beside_roster` finds roster.csv's sibling.
        calibrate_from: canonical tickets CSV whose handle times, patience and escalation
            replace the scenario's assumptions.
    """

    scenario: Path
    roster: Path
    out: Path
    tickets: Path | None = None
    forecast: Path | None = None
    coverage: Path | None = None
    calibrate_from: Path | None = None


@dataclass(frozen=True)
class SimulateOutput:
    """What a run wrote, and its result."""

    outcomes_csv: Path
    summary_json: Path
    result: SimulationResult
    notes: tuple[str, ...]


def coverage_beside_roster(roster: Path) -> Path | None:
    """The coverage.csv the roster command wrote beside `roster`, if there is one."""
    candidate = roster.with_name("coverage.csv")
    return candidate if candidate.is_file() else None


def simulate_files(
    inputs: SimulateInputs,
    settings: SimulationSettings,
    progress: Progress = no_progress,
    executor: str | None = None,
) -> SimulateOutput:
    """Read the files, simulate, write outcomes.csv and summary.json into `inputs.out`.

    `executor` runs the replications on a `followsun.jobs` executor (`thread`, `local`,
    `dask://HOST:PORT`); by default they run one after another in this process.
    """
    if (inputs.tickets is None) == (inputs.forecast is None):
        raise InputError("give exactly one of --tickets (contacts to replay) or --forecast")
    progress(0.0, "reading the inputs")
    scenario = load_scenario(inputs.scenario)
    roster = _read_validated(inputs.roster, ROSTER)
    if len(roster) == 0:
        raise InputError(f"{inputs.roster}: no shifts; expected one row per shift")
    vendor_heads = None
    if inputs.coverage is not None:
        vendor_heads = vendor_heads_bought(scenario, _read_validated(inputs.coverage, COVERAGE))
    calibration = None
    if inputs.calibrate_from is not None:
        calibration = calibrate(_read_validated(inputs.calibrate_from, TICKETS))
    notes: list[str] = []
    tickets = forecast = None
    if inputs.forecast is not None:
        forecast = _read_validated(inputs.forecast, FORECAST)
        grid = _grid_of(pd.DatetimeIndex(forecast["interval_start"]), scenario)
    else:
        assert inputs.tickets is not None
        tickets = _read_validated(inputs.tickets, CONTACTS)
        grid = roster_horizon(roster, scenario)
        step = grid[1] - grid[0]
        left_out = int(
            ((tickets["created_at"] < grid[0]) | (tickets["created_at"] >= grid[-1] + step)).sum()
        )
        if left_out:
            notes.append(
                f"{left_out} of {len(tickets)} tickets arrived outside the roster's horizon "
                f"{grid[0].isoformat()} to {(grid[-1] + step).isoformat()} and were left out"
            )
    progress(0.1, f"simulating {settings.replications} replication(s)")
    files = {
        "roster": inputs.roster,
        "tickets": inputs.tickets,
        "forecast": inputs.forecast,
        "coverage": inputs.coverage,
    }
    with ExitStack() as stack:
        mapper: Mapper = map
        if executor is not None:
            pool = stack.enter_context(make_executor(executor))
            mapper = partial(pool.map, progress=within(progress, 0.1, 0.9))
        try:
            result = simulate_plan(
                scenario,
                grid,
                roster,
                settings,
                tickets=tickets,
                forecast=forecast,
                vendor_heads=vendor_heads,
                calibration=calibration,
                mapper=mapper,
            )
        except InputError as exc:
            raise _naming_file(exc, files) from exc
    progress(0.9, "writing outcomes.csv and summary.json")
    inputs.out.mkdir(parents=True, exist_ok=True)
    outcomes_csv = inputs.out / "outcomes.csv"
    to_csv_frame(result.outcomes).to_csv(outcomes_csv, index=False, float_format="%.6g")
    summary = summary_dict(scenario, result, calibration) | {"notes": notes}
    summary_json = inputs.out / "summary.json"
    summary_json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    progress(1.0, "done")
    return SimulateOutput(outcomes_csv, summary_json, result, tuple(notes))


def roster_horizon(roster: pd.DataFrame, scenario: Scenario) -> pd.DatetimeIndex:
    """The roster's planning horizon: whole weeks from its first local date, as planned.

    The same grid the pipeline evaluates (`scenarios.rostering.horizon_grid`: from the
    first site's local midnight of the first date to the last site's after the last
    week), so a plan's roster and tickets simulate here as they did in the plan.
    """
    days = pd.to_datetime(roster["date_local"].astype(str), errors="coerce")
    if days.isna().any():
        row = int(days.isna().to_numpy().nonzero()[0][0])
        raise InputError(f"roster: line {row + 2}: date_local is not a date YYYY-MM-DD")
    first, last = days.min().date(), days.max().date()
    weeks = (last - first).days // 7 + 1
    return horizon_grid(scenario, first, weeks)


def summary_dict(
    scenario: Scenario, result: SimulationResult, calibration: Calibration | None = None
) -> dict[str, Any]:
    """summary.json: SLA per queue, channel and week with 95% intervals, waits, occupancy."""

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        out = []
        for row in frame.to_dict(orient="records"):
            out.append({str(k): _plain(v) for k, v in row.items()})
        return out

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(queue=queue_keys(frame))[["queue", *frame.columns]]

    return {
        "scenario": scenario.name,
        "method": result.method,
        "replications": result.replications,
        "seed": result.seed,
        "contacts_per_replication": round(result.contacts, 1),
        "horizon": {
            "start": _plain(result.outcomes["interval_start"].min()),
            "end": _plain(result.outcomes["interval_start"].max()),
        },
        "calibrated": calibration is not None,
        "sla": {
            "by_queue": records(keyed(result.sla_by_queue)),
            "by_channel": records(result.sla_by_channel),
            "by_week": records(keyed(result.sla_by_week)),
        },
        "first_response_seconds": records(keyed(result.first_response)),
        "occupancy": {
            "by_site": records(result.occupancy_by_group.rename(columns={"group": "site"})),
            "by_agent": records(result.occupancy_by_agent.rename(columns={"group": "site"})),
        },
    }


def _plain(value: object) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    return value


def _naming_file(exc: InputError, files: dict[str, Path | None]) -> InputError:
    """The error with its 'roster:' (etc.) prefix replaced by the file it is about."""
    message = exc.args[0] if exc.args else str(exc)
    for what, path in files.items():
        if path is not None and message.startswith(f"{what}:"):
            return InputError(f"{path}:" + message.removeprefix(f"{what}:"), exc.problems)
    return exc


def _grid_of(times: pd.DatetimeIndex, scenario: Scenario) -> pd.DatetimeIndex:
    step = pd.Timedelta(minutes=scenario.planning.interval_minutes)
    if len(times) == 0:
        raise InputError("forecast: no rows")
    return pd.date_range(
        times.min().floor(step),
        times.max().floor(step) + step,
        freq=step,
        inclusive="left",
        name="interval_start",
    )


def _read_validated(path: Path, schema: FrameSchema) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from exc
    return schema.validate(raw, str(path), allow_extra=True)
