"""A two-queue organisation on a short UTC grid, for the simulation adapter tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evaluation.workforce import Workforce
from scenarios.loader import parse_scenario
from scenarios.spec import Scenario

GRID = pd.date_range("2027-03-08", periods=4, freq="15min", tz="UTC", name="interval_start")
STEP_S = 900.0


def two_queue_scenario(web_open: dict[str, Any] | None = None, **phone: Any) -> Scenario:
    """Phone/en (target 20 s, always open) and web/en (600 s of open time) at Tier 1."""
    always = {"kind": "24x7"}
    return parse_scenario(
        {
            "name": "two-queues",
            "planning": {"interval_minutes": 15, "weeks": 1},
            "sites": [
                {
                    "id": "hq",
                    "name": "HQ",
                    "timezone": "UTC",
                    "country": "GB",
                    "hourly_cost": "30",
                    "contract": {"shift_templates": [{"id": "day", "start": "08:00", "hours": 8}]},
                    "headcount": [{"tier": 1, "count": 2, "skills": ["phone/en", "web/en"]}],
                }
            ],
            "queues": [
                {
                    "channel": "phone",
                    "language": "en",
                    "tier": 1,
                    "target": {"fraction": 0.8, "within_seconds": 20},
                    "aht_seconds": 300,
                    "shrinkage": 0.0,
                    "coverage": always,
                    **phone,
                },
                {
                    "channel": "web",
                    "language": "en",
                    "tier": 1,
                    "target": {"fraction": 0.9, "within_seconds": 600},
                    "aht_seconds": 600,
                    "shrinkage": 0.0,
                    "coverage": web_open or always,
                },
            ],
            "demand": {
                "regions": [
                    {
                        "id": "uk",
                        "timezone": "UTC",
                        "country": "GB",
                        "languages": {"en": 1.0},
                        "weekly_volume": {"phone": 100, "web": 50},
                    }
                ]
            },
        }
    )


def one_agent(
    skills: tuple[bool, ...] = (True, True),
    periods: tuple[tuple[float, float], ...] = ((0.0, 3600.0),),
) -> Workforce:
    """One agent at site hq, on the floor in the given periods."""
    return Workforce(
        agent_ids=("hq-t1-01",),
        groups=("hq",),
        group=np.zeros(1, dtype=np.int64),
        skills=np.array([skills], dtype=bool),
        chat_slots=np.ones(1, dtype=np.int64),
        shrinkage=np.zeros(1),
        handle_factor=np.ones(1),
        one_touch=np.full(1, np.nan),
        period_agent=np.zeros(len(periods), dtype=np.int64),
        period_start_s=np.array([p[0] for p in periods]),
        period_end_s=np.array([p[1] for p in periods]),
        period_shift=np.zeros(len(periods), dtype=np.int64),
    )


def day_roster(scenario: Scenario, days: list[str], template: int = 0) -> pd.DataFrame:
    """Every agent of the scenario on its contract's `template`-th shift on each local day."""
    from datetime import date

    from scenarios.rostering import scenario_agents, shift_option

    grid = pd.date_range("2000-01-01", periods=2, freq="15min", tz="UTC")
    rows = []
    for site in scenario.sites:
        for agent in scenario_agents(site):
            shift = site.contract_of(agent).shift_templates[template]
            for day in days:
                placed = shift_option(agent.id, site, shift, date.fromisoformat(day), grid, {})
                rows.append(
                    {
                        "agent_id": agent.id,
                        "site": site.id,
                        "timezone": site.timezone,
                        "date_local": day,
                        "start_local": placed.start_local,
                        "end_local": placed.end_local,
                        "start_utc": placed.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "end_utc": placed.end_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "shift": shift.id,
                        "tier": agent.tier,
                        "skills": ";".join(agent.skills),
                        "breaks": ";".join(placed.breaks_local),
                    }
                )
    return pd.DataFrame(rows)


def flat_forecast(
    scenario: Scenario, grid: pd.DatetimeIndex, per_interval: float, tiers: tuple[int, ...] = (1,)
) -> pd.DataFrame:
    """`per_interval` contacts expected in every interval of every queue of the given tiers."""
    parts = [
        pd.DataFrame(
            {
                "interval_start": grid,
                "channel": q.channel,
                "language": q.language,
                "tier": q.tier,
                "volume": per_interval,
                "aht_seconds": q.aht_seconds,
            }
        )
        for q in scenario.queues
        if q.tier in tiers
    ]
    return pd.concat(parts, ignore_index=True)
