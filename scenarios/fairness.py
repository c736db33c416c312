"""Fairness and wishes of a roster, per agent: what the scheduler reads beside the shifts.

Nights, weekend days, public holidays and late shifts per agent, the spread of each within
a site and tier, and each agent's wishes (wished days off, preferred shifts) with how
many the roster granted.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from scenarios.rostering import WEEKDAY_NAMES, scenario_agents
from scenarios.spec import Scenario

COUNTED = ("nights", "weekend_days", "holidays", "lates")
_FLAGS = {"nights": "night", "weekend_days": "weekend", "holidays": "holiday", "lates": "late"}


def _flag(roster: pd.DataFrame, column: str) -> pd.Series:
    if column not in roster.columns:
        return pd.Series(False, index=roster.index)
    return roster[column].astype(str).str.lower().isin(("true", "1"))


def fairness_by_agent(scenario: Scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """One row per agent of the scenario: site, tier, shifts and each of `COUNTED`."""
    rows = []
    by_agent = {str(a): g for a, g in roster.groupby(roster["agent_id"].astype(str))}
    for site in scenario.sites:
        for agent in scenario_agents(site):
            shifts = by_agent.get(agent.id, roster.iloc[0:0])
            row: dict[str, object] = {
                "agent_id": agent.id,
                "site": site.id,
                "tier": agent.tier,
                "shifts": len(shifts),
            }
            for name, column in _FLAGS.items():
                row[name] = int(_flag(shifts, column).sum())
            rows.append(row)
    return pd.DataFrame(rows, columns=["agent_id", "site", "tier", "shifts", *COUNTED])


def fairness_spread(per_agent: pd.DataFrame) -> pd.DataFrame:
    """Per site and tier: the fewest, most and spread (most - fewest) of each of `COUNTED`."""
    rows = []
    for (site, tier), group in per_agent.groupby(["site", "tier"], sort=True):
        row: dict[str, object] = {"site": site, "tier": tier, "agents": len(group)}
        for name in COUNTED:
            row[f"{name}_min"] = int(group[name].min())
            row[f"{name}_max"] = int(group[name].max())
            row[f"{name}_spread"] = int(group[name].max() - group[name].min())
        rows.append(row)
    return pd.DataFrame(rows)


def wishes_by_agent(
    scenario: Scenario, roster: pd.DataFrame, start: date, days: int
) -> pd.DataFrame:
    """Per agent with wishes: how many wishes the period held and how many were granted.

    A wished day off (weekday or date) inside the period is one wish, granted when the
    agent does not work that date; with preferred shifts, each shift worked is one wish,
    granted when it is one of them.
    """
    worked: dict[str, dict[str, str]] = {}
    for r in roster.itertuples(index=False):
        worked.setdefault(str(r.agent_id), {})[str(r.date_local)[:10]] = str(r.shift)
    dates = [start + timedelta(days=i) for i in range(days)]
    rows = []
    for site in scenario.sites:
        for agent in scenario_agents(site):
            prefs = agent.preferences
            if not prefs.days_off and not prefs.shifts:
                continue
            mine = worked.get(agent.id, {})
            off = [
                d
                for d in dates
                if d in prefs.days_off or WEEKDAY_NAMES[d.weekday()] in prefs.days_off
            ]
            days_off_granted = sum(str(d) not in mine for d in off)
            shift_wishes = len(mine) if prefs.shifts else 0
            shifts_granted = sum(s in prefs.shifts for s in mine.values()) if prefs.shifts else 0
            rows.append(
                {
                    "agent_id": agent.id,
                    "site": site.id,
                    "weight": prefs.weight,
                    "wishes": len(off) + shift_wishes,
                    "granted": days_off_granted + shifts_granted,
                    "days_off_wished": len(off),
                    "days_off_granted": days_off_granted,
                    "shifts_wished": shift_wishes,
                    "shifts_granted": shifts_granted,
                }
            )
    columns = [
        "agent_id",
        "site",
        "weight",
        "wishes",
        "granted",
        "days_off_wished",
        "days_off_granted",
        "shifts_wished",
        "shifts_granted",
    ]
    return pd.DataFrame(rows, columns=columns)


__all__ = ["COUNTED", "fairness_by_agent", "fairness_spread", "wishes_by_agent"]
