"""The whole plan for one scenario: forecast, requirements, roster, outcomes, cost.

A pure function of (scenario, history, settings, actual arrivals): the demo, the web app
and scenario sweeps call it the same way, locally or on a cluster. The chain is assembled
here only; its stages (`fit_forecast`, `evaluate_roster`, `price_roster`) are reused by the
feedback loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from evaluation import analytic
from evaluation.allocation import staffed_frame
from evaluation.cost import CostReport, price_scenario
from evaluation.pooled_staffing import scenario_pooled_requirements
from evaluation.simulated import METHOD as SIMULATED_METHOD
from evaluation.simulated import SimulationResult, SimulationSettings, simulate_plan
from evaluation.workforce import vendor_heads_bought
from followsun.services.progress import Progress, Stages, no_progress
from forecasting.backtest import forecast_accuracy
from forecasting.models import ForecastModel
from forecasting.selection import AutoSelect
from planner.roster.solve import RosterResult, SolveSettings, solve_roster
from scenarios.demand import forecast_model
from scenarios.rostering import horizon_grid, roster_inputs
from scenarios.spec import Scenario
from scenarios.staffing import requirements as staff_requirements

FORECAST_METHODS = {
    "seasonal_naive": "seasonal naive: the same interval one week earlier",
    "contact_centre": (
        "contact-centre model: daily volume (level, trend, day of week, holidays, events) "
        "x intraday profiles by weekday held in each customer region's local time"
    ),
}
STAFFING_METHOD = (
    "Erlang A (Erlang C where no patience is given) for phone; chat as concurrency slots "
    "in one Erlang queue; tickets staffed to their response window on an open-hours clock "
    "with backlog carried; Tier 2 from escalations; heads = agents / (1 - shrinkage)"
)
COST_METHOD = (
    "loaded hourly cost per paid hour, night, weekend and holiday premiums split at local "
    "boundaries, BPO by its price model"
)

ACTUAL_RATES = (
    "; arrival rates: the forecast's intraday shape scaled to each day's actual volume per "
    "queue (daily forecast error counts in full)"
)
FORECAST_RATES = "; arrival rates: the forecast mean"

STAGES = ("forecast", "requirements", "roster", "outcomes", "cost")
SIMULATION_REPLICATIONS = 30
"""Replications of a plan's simulation: 95% intervals of a point or less per queue."""


@dataclass(frozen=True)
class PlanSettings:
    """What to plan and how hard to try.

    Attributes:
        start: first local date of the roster (a Monday for whole weeks).
        weeks: roster horizon in weeks.
        model: forecast model alias: 'auto', 'contact_centre' or 'seasonal_naive'.
        solver: CP-SAT budget.
        simulation: replications and seed of the roster's simulation.
        pooled_simulation: size each skill group by simulation of its pool
            (`evaluation.pooled_staffing`) instead of the sum of its queues' Erlang figures.
    """

    start: date
    weeks: int
    model: str = "auto"
    solver: SolveSettings = field(default_factory=SolveSettings)
    simulation: SimulationSettings = field(
        default_factory=lambda: SimulationSettings(replications=SIMULATION_REPLICATIONS)
    )
    pooled_simulation: bool = False


@dataclass(frozen=True)
class Plan:
    """Every stage's output for one scenario, and how each was computed.

    `outcomes` are the simulated ones (the roster against the contacts, averaged over
    `simulated.replications`); `analytic_outcomes` the per-interval Erlang estimate of the
    same roster. `accuracy` is the forecast against the actual arrivals per queue, when
    they were given.
    """

    scenario: Scenario
    grid: pd.DatetimeIndex
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    roster: RosterResult
    staffed: pd.DataFrame
    outcomes: pd.DataFrame
    cost: CostReport
    methods: tuple[tuple[str, str], ...]
    accuracy: pd.DataFrame | None = None
    simulated: SimulationResult | None = None
    analytic_outcomes: pd.DataFrame | None = None
    vendor_heads: pd.DataFrame | None = None


def plan_scenario(
    scenario: Scenario,
    history: pd.DataFrame,
    settings: PlanSettings,
    *,
    actuals: pd.DataFrame | None = None,
    contacts: pd.DataFrame | None = None,
    fitted: tuple[pd.DataFrame, str] | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Forecast from `history`, staff, roster, then evaluate and price the roster.

    Args:
        scenario: the organisation.
        history: interval history (forecasting.schema.HISTORY columns, with `region` so
            demand follows each customer region's local time); empty only with `fitted`,
            and then no forecast accuracy is reported.
        settings: horizon, model and solver budget.
        actuals: the contacts that really arrive in the horizon (history columns); the
            analytic estimate is evaluated against them, else against the forecast's mean.
        contacts: the same contacts one by one (forecasting.schema.CONTACTS columns); the
            roster is simulated against them, else against contacts drawn from the forecast.
        fitted: `forecast_in_words`' answer for this scenario, `history` and horizon when
            already known (a search over headcount fits it once: it does not depend on
            the people).
        progress: told as each stage starts; each start is a point of cancellation.
    """
    stages = Stages(progress, STAGES)
    grid = horizon_grid(scenario, settings.start, settings.weeks)
    stages.start("forecast")
    forecast, forecast_method = fitted or forecast_in_words(scenario, history, grid, settings.model)
    stages.start("requirements")
    requirements = staff_requirements(scenario, forecast)
    if settings.pooled_simulation:
        requirements = scenario_pooled_requirements(scenario, requirements)
    stages.start("roster")
    inputs = roster_inputs(scenario, requirements, settings.start, settings.weeks)
    roster = solve_roster(inputs, settings.solver)
    stages.start("outcomes")
    vendor_heads = vendor_heads_bought(scenario, roster.coverage)
    arrivals = forecast if actuals is None else analytic.rates_from_actuals(forecast, actuals)
    staffed, analytic_outcomes = evaluate_roster(
        scenario, roster.roster, requirements, arrivals, grid, vendor_heads
    )
    simulated = simulate_plan(
        scenario,
        grid,
        roster.roster,
        settings.simulation,
        tickets=contacts,
        forecast=forecast if contacts is None else None,
        vendor_heads=vendor_heads,
    )
    outcomes = simulated.outcomes
    stages.start("cost")
    cost = price_roster(scenario, roster.roster, outcomes, grid, vendor_heads)
    stages.done()
    methods = (
        ("history", "interval history aggregated from tickets, per customer region"),
        ("forecast", forecast_method),
        ("requirements", STAFFING_METHOD),
        ("roster", _roster_method(roster, settings.solver)),
        ("outcomes", _simulated_method(simulated, contacts is not None)),
        (
            "analytic estimate",
            "the fast estimate beside the simulation: "
            + analytic.METHOD
            + (ACTUAL_RATES if actuals is not None else FORECAST_RATES),
        ),
        ("cost", COST_METHOD),
    )
    accuracy = None
    if actuals is not None and not history.empty:
        accuracy = forecast_accuracy(forecast, actuals, history=history)
    return Plan(
        scenario,
        grid,
        forecast,
        requirements,
        roster,
        staffed,
        outcomes,
        cost,
        methods,
        accuracy,
        simulated,
        analytic_outcomes,
        vendor_heads,
    )


def fit_forecast(
    scenario: Scenario, history: pd.DataFrame, grid: pd.DatetimeIndex, model: str
) -> tuple[pd.DataFrame, ForecastModel]:
    """The scenario's forecast model (alias `model`) fitted on `history`, predicted over `grid`.

    Returns the forecast (FORECAST columns) and the fitted model, which says what it chose.
    """
    fitted = forecast_model(scenario, model).fit(history)
    return fitted.predict(grid), fitted


def evaluate_roster(
    scenario: Scenario,
    roster: pd.DataFrame,
    requirements: pd.DataFrame,
    arrivals: pd.DataFrame,
    grid: pd.DatetimeIndex,
    vendor_heads: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Heads per queue and interval as routing would share them out, and their outcomes.

    Args:
        scenario: the organisation.
        roster: the roster (roster columns: agent_id, site, date_local, shift, tier, skills).
        requirements: the requirements the heads are shared out against.
        arrivals: the contacts the heads face (forecast columns).
        grid: the UTC intervals evaluated.
        vendor_heads: BPO heads per queue and interval, if any.

    Returns:
        The staffed frame (`evaluation.allocation.staffed_frame`) and the outcomes frame.
    """
    staffed = staffed_frame(scenario, roster, requirements, grid, vendor_heads)
    outcomes = analytic.simulate_outcomes(
        scenario, arrivals, staffed, interval_min=scenario.planning.interval_minutes
    )
    return staffed, outcomes


def price_roster(
    scenario: Scenario,
    roster: pd.DataFrame,
    outcomes: pd.DataFrame,
    grid: pd.DatetimeIndex,
    vendor_heads: pd.DataFrame | None = None,
) -> CostReport:
    """The cost of the roster (and the BPO heads used) over the grid's period."""
    usage = None
    if vendor_heads is not None:
        usage = vendor_heads.rename(columns={"vendor": "agents"})[
            ["vendor_id", "interval_start", "agents"]
        ]
    step = grid[1] - grid[0]
    return price_scenario(
        scenario,
        roster,
        outcomes,
        period_start=grid[0].to_pydatetime(),
        period_end=(grid[-1] + step).to_pydatetime(),
        vendor_usage=usage,
    )


def _simulated_method(simulated: SimulationResult, replayed: bool) -> str:
    source = (
        "the horizon's tickets replayed as they arrived"
        if replayed
        else "contacts drawn from the forecast (Poisson)"
    )
    return (
        f"{SIMULATED_METHOD}; {simulated.replications} replications (seed {simulated.seed}) "
        f"against {source}, every SLA with its 95% interval over replications"
    )


def forecast_in_words(
    scenario: Scenario, history: pd.DataFrame, grid: pd.DatetimeIndex, model: str
) -> tuple[pd.DataFrame, str]:
    """`fit_forecast`'s forecast, and the model that made it in words (plain data, picklable)."""
    forecast, fitted = fit_forecast(scenario, history, grid, model)
    return forecast, _forecast_method(fitted, model)


def _forecast_method(model: object, alias: str) -> str:
    if isinstance(model, AutoSelect):
        chosen = model.choice_["model"].value_counts()
        parts = ", ".join(f"{name} for {count} queues" for name, count in chosen.items())
        detail = "; ".join(
            f"{name}: {FORECAST_METHODS.get(str(name), name)}" for name in chosen.index
        )
        return f"chosen per queue by error on the last {model.validation_days} days ({parts}). {detail}"
    return FORECAST_METHODS.get(alias, alias)


def _roster_method(roster: RosterResult, settings: SolveSettings) -> str:
    gap = "n/a" if roster.gap is None else f"{roster.gap:.2%}"
    return (
        f"CP-SAT (OR-tools): one shift template or off per agent per day, coverage per "
        f"queue per interval with shared multi-skilled agents, contracts, rest, weekends, "
        f"nights and fairness; {roster.status}, gap {gap}, {roster.wall_seconds:.0f} s "
        f"on {settings.num_workers} workers"
        + (
            f" (a budget of {settings.time_limit_s:g} units of CP-SAT deterministic time: "
            "reproducible on any load)"
            if settings.deterministic
            else ""
        )
    )
