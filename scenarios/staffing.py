"""From a scenario and a forecast to the staffing stage's inputs, and on to requirements.

* every scenario queue gets a row per interval of the forecast's UTC grid (missing
  rows are zero volume; a missing handle time is the queue's `aht_seconds`);
* `open` comes from the queue's coverage policy (`scenarios.coverage.coverage_mask`);
* a Tier 2 (or 3) queue the forecast does not cover gets the escalations of the queues
  that name it in `escalates_to`: ``escalation_rate x volume`` of each, in the interval
  the contact arrived (escalation delay is not modelled); its AHT is the queue's own;
* each queue's policy takes the target, concurrency, patience, shrinkage and occupancy
  cap from the scenario;
* a skill group is one distinct (tier, skills) of the sites' agent groups, agents and
  vendors: the queues of that tier whose skill it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.schema import FORECAST, QUEUE_INTERVAL_KEY
from forecasting.timegrid import interval_grid
from planner.staffing.requirements import QueuePolicy, staff_queues
from planner.staffing.skill_groups import pool_requirements
from planner.staffing.uplift import uplift_requirements
from scenarios.coverage import coverage_mask
from scenarios.spec import Queue, Scenario

FORECAST_COLUMNS = FORECAST.names
"""The forecast file's columns (`forecasting.schema.FORECAST`)."""


@dataclass(frozen=True)
class StaffingInputs:
    """What `planner.staffing.requirements.staff_queues` needs for one scenario.

    Attributes:
        demand: the demand frame (see `planner.staffing.schema`).
        policies: one policy per scenario queue.
        interval_min: the planning grain in minutes.
    """

    demand: pd.DataFrame
    policies: tuple[QueuePolicy, ...]
    interval_min: int


def queue_policy(queue: Queue) -> QueuePolicy:
    """The staffing policy of one scenario queue."""
    return QueuePolicy(
        channel=queue.channel,
        language=queue.language,
        tier=queue.tier,
        sl_target=queue.target.fraction,
        target_s=queue.target.within_seconds,
        concurrency=queue.concurrency,
        patience_s=queue.patience_seconds,
        shrinkage_frac=queue.shrinkage,
        max_occupancy=queue.max_occupancy,
    )


def staffing_inputs(
    scenario: Scenario, forecast: pd.DataFrame, volume_column: str = "volume"
) -> StaffingInputs:
    """Map the scenario's queues and a forecast frame onto the staffing inputs.

    Args:
        scenario: the organisation and its queue policies.
        forecast: the forecast frame (interval_start UTC, channel, language, tier,
            volume, volume_p10, volume_p90, aht_seconds).
        volume_column: which forecast column to staff for ('volume', or 'volume_p90'
            for a cautious plan).
    """
    FORECAST.require(forecast, "forecast", (*QUEUE_INTERVAL_KEY, volume_column, "aht_seconds"))
    interval_min = scenario.planning.interval_minutes
    step = pd.Timedelta(minutes=interval_min)
    times = forecast["interval_start"]
    if len(forecast) == 0:
        raise InputError("forecast: no rows")
    _check_grain(times, interval_min)
    grid = interval_grid(times.min(), times.max() + step, interval_min)
    known = {q.id for q in scenario.queues}
    ids = queue_keys(forecast, "forecast")
    queue_codes, forecast_ids = pd.factorize(ids)
    unknown = sorted(set(forecast_ids) - known)
    if unknown:
        raise InputError(f"forecast: queues {unknown} are not in scenario {scenario.name!r}")
    # One pass over the rows (not one filter per queue): each row's queue and grid slot.
    slots = grid.get_indexer(pd.DatetimeIndex(times))
    cells = queue_codes.astype(np.int64) * len(grid) + slots
    ordered = np.sort(cells)
    if (ordered[1:] == ordered[:-1]).any():
        row = int(np.flatnonzero(pd.Series(cells).duplicated().to_numpy())[0])
        raise InputError(
            f"forecast: row {row}: a second row for queue {ids.iloc[row]} at "
            f"{times.iloc[row].isoformat()}"
        )
    given_volume = forecast[volume_column].to_numpy(dtype=float)
    given_aht = forecast["aht_seconds"].to_numpy(dtype=float)
    code_of = {str(queue_id): code for code, queue_id in enumerate(forecast_ids)}
    rows_of = np.argsort(queue_codes, kind="stable")
    bounds = np.searchsorted(queue_codes[rows_of], np.arange(len(forecast_ids) + 1))
    volumes: dict[str, np.ndarray] = {}
    ahts: dict[str, np.ndarray] = {}
    for queue in scenario.queues:
        volume = np.zeros(len(grid))
        aht = np.full(len(grid), np.nan)
        code = code_of.get(queue.id)
        if code is not None:
            rows = rows_of[bounds[code] : bounds[code + 1]]
            volume[slots[rows]] = given_volume[rows]
            aht[slots[rows]] = given_aht[rows]
        volumes[queue.id] = np.where(np.isnan(volume), 0.0, volume)
        ahts[queue.id] = np.where(aht > 0, aht, float(queue.aht_seconds))
    in_forecast = set(forecast_ids)
    for queue in sorted(scenario.queues, key=lambda q: q.tier):
        if queue.tier == 1 or queue.id in in_forecast:
            continue
        for source in scenario.queues:
            if source.escalates_to == queue.id and source.escalation_rate > 0:
                volumes[queue.id] = volumes[queue.id] + source.escalation_rate * volumes[source.id]
    queues = scenario.queues
    size = len(grid)
    # Queues often share a coverage policy (a YAML anchor): each distinct one is computed once.
    masks: dict[str, np.ndarray] = {}
    for q in queues:
        if repr(q.coverage) not in masks:
            masks[repr(q.coverage)] = coverage_mask(q.coverage, grid)

    def repeated(values: list[object]) -> np.ndarray:
        labels = np.empty(len(values), dtype=object)
        labels[:] = values
        return np.repeat(labels, size)

    demand = pd.DataFrame(
        {
            "interval_start": grid[np.tile(np.arange(size), len(queues))],
            "channel": repeated([q.channel for q in queues]),
            "language": repeated([q.language for q in queues]),
            "tier": np.repeat(np.array([q.tier for q in queues], dtype=np.int64), size),
            "volume": np.concatenate([volumes[q.id] for q in queues]),
            "aht_seconds": np.concatenate([ahts[q.id] for q in queues]),
            "open": np.concatenate([masks[repr(q.coverage)] for q in queues]),
        },
        copy=False,  # fresh arrays: no need to copy them into consolidated blocks
    )
    return StaffingInputs(
        demand=demand,
        policies=tuple(queue_policy(q) for q in scenario.queues),
        interval_min=interval_min,
    )


def _check_grain(times: pd.Series, interval_min: int) -> None:
    """The forecast must be UTC and on the scenario's planning grain (no silent resampling)."""
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        raise InputError(f"forecast: interval_start must be time-zone aware UTC, got {times.dtype}")
    freq = f"{interval_min}min"
    off = times[times != times.dt.floor(freq)]
    if len(off):
        raise InputError(
            f"forecast: interval_start {off.iloc[0].isoformat()} is not on the scenario's "
            f"{interval_min}-minute grid (planning.interval_minutes)"
        )
    distinct = pd.DatetimeIndex(times.unique()).sort_values()
    if len(distinct) > 1:
        grain = (distinct[1:] - distinct[:-1]).min()
        if grain != pd.Timedelta(minutes=interval_min):
            raise InputError(
                f"forecast: intervals are {grain.total_seconds() / 60:g} minutes apart but the "
                f"scenario plans in {interval_min}-minute intervals; forecast at that grain"
            )


def requirements(
    scenario: Scenario, forecast: pd.DataFrame, volume_column: str = "volume"
) -> pd.DataFrame:
    """Agents required per interval per queue of the scenario (the requirements frame).

    A queue's `staffing_uplift` multiplies its figures (`planner.staffing.uplift`).
    """
    inputs = staffing_inputs(scenario, forecast, volume_column)
    required = staff_queues(inputs.demand, inputs.policies, inputs.interval_min)
    factors = {q.id: q.staffing_uplift for q in scenario.queues if q.staffing_uplift != 1}
    return uplift_requirements(required, factors)


def skill_groups(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Queue ids per skill group, named like 't1:chat/en+web/en' (tier and sorted skills)."""
    kinds = {
        (group.tier, tuple(sorted(group.skills)))
        for site in scenario.sites
        for group in (*site.headcount, *site.agents)
    }
    kinds |= {(vendor.tier, tuple(sorted(vendor.skills))) for vendor in scenario.vendors}
    groups: dict[str, tuple[str, ...]] = {}
    for tier, skills in sorted(kinds):
        queues = tuple(q.id for q in scenario.queues if q.tier == tier and q.skill in skills)
        if queues:
            groups[f"t{tier}:{'+'.join(skills)}"] = queues
    return groups


def pooled_requirements(scenario: Scenario, reqs: pd.DataFrame) -> pd.DataFrame:
    """Pooled and separate agents per skill group per interval (see `planner.staffing.skill_groups`)."""
    policies = tuple(queue_policy(q) for q in scenario.queues)
    return pool_requirements(
        reqs, policies, skill_groups(scenario), scenario.planning.interval_minutes
    )
