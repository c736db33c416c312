"""Shared demand for the comparison tests: the tiny organisation's week of known tickets."""

from __future__ import annotations

from datetime import date

import pandas as pd

from evaluation.simulated import SimulationSettings
from followsun.services.compare import Demand
from followsun.services.pipeline import PlanSettings
from forecasting.aggregate import history_before, interval_history
from forecasting.schema import CONTACTS
from planner.roster import SolveSettings
from scenarios.rostering import horizon_grid
from scenarios.spec import Scenario
from tests.followsun.services.feedback_data import AS_OF, hourly_tickets, tiny_scenario

START: date = (pd.Timestamp(AS_OF) - pd.Timedelta(weeks=1)).date()
PLAN = PlanSettings(
    start=START,
    weeks=1,
    model="seasonal_naive",
    solver=SolveSettings(time_limit_s=5, num_workers=1, seed=3, deterministic=True),
)
SIMULATION = SimulationSettings(replications=3, seed=11)


def tiny_demand(per_hour: int = 10) -> Demand:
    """Four weeks of history, then a week of actual tickets replayed in the simulation."""
    tickets = hourly_tickets(weeks=5, per_hour=per_hour)
    grid = horizon_grid(tiny_scenario(), START, 1)
    past = tickets[tickets["created_at"] < grid[0]]
    arrived = tickets[tickets["created_at"] >= grid[0]]
    return Demand(
        history=history_before(past, grid[0], 60, by_region=True),
        actuals=interval_history(arrived, grid, by_region=True),
        contacts=arrived[list(CONTACTS.names)].reset_index(drop=True),
    )


def variant(name: str, heads: int = 6) -> Scenario:
    """The tiny organisation renamed, with `heads` Tier 1 agents."""
    base = tiny_scenario()
    site = base.sites[0]
    group = site.headcount[0].model_copy(update={"count": heads})
    return base.model_copy(
        update={"name": name, "sites": (site.model_copy(update={"headcount": (group,)}),)}
    )
