"""The roster simulated against contacts: outcomes per interval and queue, and their spread.

`simulate_roster` replays contacts (tickets as they arrived, or draws from a forecast)
against the roster's agents in the discrete-event engine (`simulation`), once per
replication with its own seed, and returns the outcomes frame averaged over replications
with SLA per queue, channel and week as a mean and a 95% interval over replications.

Replication r draws from ``numpy.random.SeedSequence([seed, r])``: two scenarios run with
the same seed see the same contacts and patience draws (common random numbers), so their
difference is not noise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evaluation import engine
from evaluation.calibration import Calibration
from evaluation.contacts import (
    ContactTable,
    contacts_from_forecast,
    contacts_from_tickets,
    draw_patience,
    queue_positions,
)
from evaluation.interval_outcomes import (
    Horizon,
    Served,
    Tally,
    horizon_of,
    outcomes_frame,
    tally,
    verdicts,
)
from evaluation.workforce import Workforce, roster_workforce
from forecasting.errors import InputError
from planner import cancellation
from scenarios.spec import Scenario
from simulation.replications import estimate

FloatArray = NDArray[np.float64]
WEEK_S = 7 * 86_400.0
FIRST_RESPONSE_QUANTILES = (0.5, 0.8, 0.9, 0.95)

METHOD = (
    "discrete-event simulation of the roster: every agent a whole person on shift less "
    "breaks, shrinkage as off-queue time, skill-based routing by queue priority then "
    "arrival, longest-idle agent first; phone with patience, chat in concurrency slots, "
    "email and web waiting through closed hours on the open-hours clock"
)
"""The method written beside simulated outcomes."""

Mapper = Callable[[Callable[[int], "Replication"], Iterable[int]], Iterable["Replication"]]


@dataclass(frozen=True)
class SimulationSettings:
    """How many replications, from which seed, and how contacts are drawn.

    Attributes:
        replications: independent runs (>= 1); intervals need at least 2.
        seed: base seed; replication r uses SeedSequence([seed, r]).
        dispersion: over-dispersion d of contacts drawn from a forecast: count variance
            ``volume + d x volume^2`` (a gamma-mixed Poisson); 0 is Poisson.
        shrinkage_mode: 'spread' (off-queue time taken in short spells over the day) or
            'absence' (whole shifts lost).
    """

    replications: int = 10
    seed: int = 0
    dispersion: float = 0.0
    shrinkage_mode: str = "spread"

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise InputError(f"replications must be >= 1, got {self.replications}")
        if self.shrinkage_mode not in ("spread", "absence"):
            raise InputError(
                f"shrinkage mode must be 'spread' or 'absence', got {self.shrinkage_mode!r}"
            )


@dataclass(frozen=True)
class ContactSource:
    """Where contacts come from: fixed replayed contacts, or a forecast to draw from."""

    replay: ContactTable | None = None
    forecast: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if (self.replay is None) == (self.forecast is None):
            raise InputError("give either contacts to replay or a forecast to draw from")


@dataclass(frozen=True)
class Replication:
    """One replication: its tally per interval and per-contact and per-agent figures."""

    tally: Tally
    served: Served
    counted: NDArray[np.bool_]
    met: NDArray[np.bool_]
    wait_s: FloatArray
    busy_s: FloatArray
    on_queue_s: FloatArray


@dataclass(frozen=True)
class SimulationResult:
    """Outcomes and their spread over replications.

    Attributes:
        outcomes: the outcomes frame (`evaluation.schema.OUTCOMES`), averaged over
            replications cell by cell.
        sla_by_queue: channel, language, tier, target, service_level (mean), low, high
            (95% interval over replications), contacts (counted per replication, mean).
        sla_by_channel: channel, target (the strictest of its queues), service_level, low,
            high, contacts: contacts of every queue of the channel pooled.
        sla_by_week: week_start (UTC), channel, language, tier, target, service_level,
            low, high, contacts; weeks run from the horizon start, a tail shorter than
            half a week counted in the last.
        first_response: channel, language, tier and the wall-clock wait quantiles of
            answered contacts (columns p50, p80, p90, p95, seconds) over every replication.
        occupancy_by_group: group (site or vendor), occupancy, low, high.
        occupancy_by_agent: agent_id, group, occupancy (busy over on-queue time, every
            replication pooled; NaN for an agent never on queue).
        replications, seed: as run.
        contacts: contacts simulated per replication (mean).
        method: what was simulated.
    """

    outcomes: pd.DataFrame
    sla_by_queue: pd.DataFrame
    sla_by_channel: pd.DataFrame
    sla_by_week: pd.DataFrame
    first_response: pd.DataFrame
    occupancy_by_group: pd.DataFrame
    occupancy_by_agent: pd.DataFrame
    replications: int
    seed: int
    contacts: float
    method: str = METHOD


def interval95(samples: FloatArray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of a share over replications, within [0, 1].

    NaNs are left out and one replication has no interval. With few replications the
    t-interval can reach past 0 or 1; a share cannot, so the interval stops there.
    """
    figure = estimate(samples)
    low, high = np.clip([figure.low, figure.high], 0.0, 1.0)  # NaN stays NaN
    return (figure.mean, float(low), float(high))


def simulate_roster(
    scenario: Scenario,
    grid: pd.DatetimeIndex,
    workforce: Workforce,
    source: ContactSource,
    settings: SimulationSettings = SimulationSettings(),
    *,
    calibration: Calibration | None = None,
    mapper: Mapper = map,
) -> SimulationResult:
    """Simulate the roster's agents against the contacts, once per replication.

    Args:
        scenario: queues (modes, targets, priorities, coverage, patience, escalation).
        grid: the UTC outcomes grid (the horizon: its first interval to its last's end).
        workforce: the agents (`evaluation.workforce.roster_workforce`).
        source: contacts to replay, or a forecast to draw them from.
        settings: replications, seed, dispersion, shrinkage mode.
        calibration: actuals' patience and handle times replace the scenario's assumptions.
        mapper: a `map`-like callable running the replications: the built-in `map` in
            this process, or a `followsun.jobs` executor's `map` (threads, processes, Dask).
    """
    if len(grid) < 2:
        raise InputError("the simulation horizon needs at least two intervals")
    horizon = horizon_of(scenario, grid, workforce)
    escalation = engine.escalation_queues(scenario, _listed(scenario, source))
    model = SimulationModel(scenario, horizon, workforce, source, settings, escalation, calibration)
    runs = list(mapper(partial(run_replication, model), range(settings.replications)))
    outcomes = outcomes_frame(scenario, horizon, [run.tally for run in runs])
    return _result(scenario, grid, workforce, runs, settings, outcomes)


@dataclass(frozen=True)
class SimulationModel:
    """Everything one replication needs, picklable, so processes or Dask can run them."""

    scenario: Scenario
    horizon: Horizon
    workforce: Workforce
    source: ContactSource
    settings: SimulationSettings
    escalation: NDArray[np.int64]
    calibration: Calibration | None


def run_replication(model: SimulationModel, r: int) -> Replication:
    """Replication `r`: draw its contacts and patience, simulate, tally."""
    cancellation.current().check()
    scenario, horizon, settings = model.scenario, model.horizon, model.settings
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, r]))
    if model.source.replay is not None:
        contacts = model.source.replay
    else:
        assert model.source.forecast is not None
        contacts = contacts_from_forecast(
            scenario,
            model.source.forecast,
            horizon.grid,
            rng,
            dispersion=settings.dispersion,
            calibration=model.calibration,
        )
    patience = draw_patience(scenario, contacts.queue, rng, model.calibration)
    served, busy_s, on_queue_s = engine.run(
        scenario,
        contacts,
        patience,
        model.workforce,
        horizon.open_mask,
        horizon.step_s,
        seed=int(rng.integers(2**31)),
        escalation=model.escalation,
        shrinkage_mode=settings.shrinkage_mode,
        calibration=model.calibration,
    )
    v = verdicts(scenario, served, horizon.open_mask, horizon.step_s)
    counts = tally(scenario, horizon, served, v, model.workforce)
    return Replication(counts, served, v.counted, v.met, v.wait_s, busy_s, on_queue_s)


def _listed(scenario: Scenario, source: ContactSource) -> NDArray[np.bool_]:
    """Queues that have contacts of their own in the source."""
    n = len(scenario.queues)
    if source.replay is not None:
        return np.bincount(source.replay.queue, minlength=n) > 0
    assert source.forecast is not None
    rows = source.forecast[pd.to_numeric(source.forecast["volume"], errors="coerce") > 0]
    return np.bincount(queue_positions(scenario, rows, "forecast"), minlength=n) > 0


def _result(
    scenario: Scenario,
    grid: pd.DatetimeIndex,
    workforce: Workforce,
    runs: list[Replication],
    settings: SimulationSettings,
    outcomes: pd.DataFrame,
) -> SimulationResult:
    by_queue, by_channel, by_week = _sla_tables(scenario, grid, runs)
    by_group, by_agent = _occupancy(workforce, runs)
    return SimulationResult(
        outcomes=outcomes,
        sla_by_queue=by_queue,
        sla_by_channel=by_channel,
        sla_by_week=by_week,
        first_response=_first_response(scenario, runs),
        occupancy_by_group=by_group,
        occupancy_by_agent=by_agent,
        replications=len(runs),
        seed=settings.seed,
        contacts=float(np.mean([run.served.queue.size for run in runs])),
    )


def _figure(values: FloatArray, contacts: FloatArray) -> dict[str, float]:
    """A service level's mean and 95% interval over replications, and its contacts."""
    mean, low, high = interval95(values)
    return {"service_level": mean, "low": low, "high": high, "contacts": float(contacts.mean())}


def _sla_tables(
    scenario: Scenario, grid: pd.DatetimeIndex, runs: list[Replication]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """SLA per queue, per channel (its queues' contacts pooled) and per queue and week."""
    queues = scenario.queues
    nq = len(queues)
    # Whole weeks from the horizon start; a tail shorter than half a week joins the last.
    span_s = (grid[-1] - grid[0]).total_seconds() + (grid[1] - grid[0]).total_seconds()
    weeks = max(1, round(span_s / WEEK_S))
    counted = np.zeros((len(runs), nq, weeks))
    met = np.zeros((len(runs), nq, weeks))
    for r, run in enumerate(runs):
        week = np.minimum((run.served.arrival_s // WEEK_S).astype(np.int64), weeks - 1)
        cell = run.served.queue * weeks + week
        counted[r] = np.bincount(cell[run.counted], minlength=nq * weeks).reshape(nq, weeks)
        met[r] = np.bincount(cell[run.met], minlength=nq * weeks).reshape(nq, weeks)

    def share(m: FloatArray, c: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(m / c, dtype=float)

    keys = [
        {"channel": q.channel, "language": q.language, "tier": q.tier, "target": q.target.fraction}
        for q in queues
    ]
    c_q, m_q = counted.sum(axis=2), met.sum(axis=2)
    by_queue = [k | _figure(share(m_q[:, i], c_q[:, i]), c_q[:, i]) for i, k in enumerate(keys)]
    by_channel = []
    for channel in sorted({q.channel for q in queues}):
        sel = [i for i, q in enumerate(queues) if q.channel == channel]
        c, m = c_q[:, sel].sum(axis=1), m_q[:, sel].sum(axis=1)
        target = max(queues[i].target.fraction for i in sel)
        by_channel.append({"channel": channel, "target": target} | _figure(share(m, c), c))
    by_week = [
        {"week_start": grid[0] + pd.Timedelta(weeks=w)}
        | k
        | _figure(share(met[:, i, w], counted[:, i, w]), counted[:, i, w])
        for w in range(weeks)
        for i, k in enumerate(keys)
    ]
    return pd.DataFrame(by_queue), pd.DataFrame(by_channel), pd.DataFrame(by_week)


def _first_response(scenario: Scenario, runs: list[Replication]) -> pd.DataFrame:
    """Wall-clock wait quantiles of the answered contacts per queue, over every replication."""
    rows = []
    for i, q in enumerate(scenario.queues):
        waits = np.concatenate(
            [run.wait_s[(run.served.queue == i) & np.isfinite(run.wait_s)] for run in runs]
        )
        values = (
            np.quantile(waits, FIRST_RESPONSE_QUANTILES)
            if waits.size
            else np.full(len(FIRST_RESPONSE_QUANTILES), np.nan)
        )
        rows.append(
            {"channel": q.channel, "language": q.language, "tier": q.tier}
            | {
                f"p{round(p * 100)}": float(v)
                for p, v in zip(FIRST_RESPONSE_QUANTILES, values, strict=True)
            }
        )
    return pd.DataFrame(rows)


def _occupancy(workforce: Workforce, runs: list[Replication]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Busy share of on-queue time per site (or vendor) with its interval, and per agent."""
    busy = np.stack([run.busy_s for run in runs])
    on_queue = np.stack([run.on_queue_s for run in runs])
    groups = []
    for g, name in enumerate(workforce.groups):
        sel = workforce.group == g
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = busy[:, sel].sum(axis=1) / on_queue[:, sel].sum(axis=1)
        mean, low, high = interval95(occ)
        groups.append({"group": name, "occupancy": mean, "low": low, "high": high})
    total_on = on_queue.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        agent = np.where(total_on > 0, busy.sum(axis=0) / total_on, np.nan)
    by_agent = pd.DataFrame(
        {
            "agent_id": list(workforce.agent_ids),
            "group": [workforce.groups[g] for g in workforce.group],
            "occupancy": agent,
        }
    )
    return pd.DataFrame(groups), by_agent


def simulate_plan(
    scenario: Scenario,
    grid: pd.DatetimeIndex,
    roster: pd.DataFrame,
    settings: SimulationSettings = SimulationSettings(),
    *,
    tickets: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    vendor_heads: pd.DataFrame | None = None,
    calibration: Calibration | None = None,
    mapper: Mapper = map,
) -> SimulationResult:
    """A roster frame simulated against tickets (replayed) or a forecast (drawn from).

    Args:
        scenario: the organisation.
        grid: the UTC outcomes grid; tickets and forecast rows outside it are left out.
        roster: one row per shift (`evaluation.workforce.ROSTER_COLUMNS`, breaks).
        settings: replications, seed, dispersion, shrinkage mode.
        tickets: contacts as they arrived (forecasting.schema.CONTACTS columns), or
        forecast: interval_start, channel, language, tier, volume, aht_seconds.
        vendor_heads: BPO heads bought (interval_start, group, vendor, vendor_id).
        calibration: estimates from actual tickets.
        mapper: runs the replications.
    """
    observed = calibration.concurrency if calibration is not None else None
    workforce = roster_workforce(scenario, roster, grid, vendor_heads, observed)
    if tickets is not None:
        source = ContactSource(replay=contacts_from_tickets(scenario, tickets, grid))
    else:
        source = ContactSource(forecast=forecast)
    return simulate_roster(
        scenario, grid, workforce, source, settings, calibration=calibration, mapper=mapper
    )
