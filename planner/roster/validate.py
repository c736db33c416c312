"""An independent check of a roster frame against the hard rules, in plain pandas.

Shares no code with the model builders: it reads the roster's own columns (UTC instants,
local dates, paid minutes, flags) and the agents' rules, so a wrong builder shows up as a
violation here. Run after every solve and in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner.roster.inputs import RosterInputs
from planner.roster.schema import ROSTER


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: which rule, whose roster, and the evidence in words."""

    rule: str
    agent_id: str
    detail: str


def validate_roster(roster: pd.DataFrame, inputs: RosterInputs) -> tuple[Violation, ...]:
    """Every hard-rule violation in `roster` (empty when it keeps them all).

    Args:
        roster: columns agent_id, date_local (date), start_utc, end_utc (UTC timestamps),
            paid_minutes, night, weekend (as in `schema.ROSTER`).
        inputs: the agents, their rules and time off, and the horizon.

    The contract minimum per week is pro-rated for time off (days off / 7, rounded down).
    """
    found: list[Violation] = []
    agents = {a.agent_id: a for a in inputs.agents}
    frame = roster.copy()
    if frame.empty:
        frame = ROSTER.empty()
        frame["paid_minutes"] = frame["paid_minutes"].astype("int64")
    frame["day"] = [(d - inputs.start).days for d in frame["date_local"]]
    for agent_id in frame["agent_id"].unique():
        if agent_id not in agents:
            found.append(Violation("unknown_agent", str(agent_id), "not among the agents"))
    for agent_id, agent in agents.items():
        mine = frame[frame["agent_id"] == agent_id].sort_values("day")
        rules = agent.rules
        per_day = mine.groupby("day").size()
        for day, n in per_day[per_day > 1].items():
            found.append(Violation("one_shift_per_day", agent_id, f"{n} shifts on day {day}"))
        outside = mine[(mine["day"] < 0) | (mine["day"] >= inputs.days)]
        for day in outside["date_local"]:
            found.append(Violation("horizon", agent_id, f"shift on {day} outside the horizon"))
        for day in mine["date_local"]:
            if day in agent.time_off:
                found.append(Violation("time_off", agent_id, f"works on {day}, a day of time off"))
        if len(mine) > 1:
            by_start = mine.sort_values("start_utc")
            gaps = (
                by_start["start_utc"].iloc[1:].to_numpy() - by_start["end_utc"].iloc[:-1].to_numpy()
            )
            for i, gap in enumerate(gaps):
                minutes = pd.Timedelta(gap).total_seconds() / 60
                if minutes < rules.min_rest_min:
                    found.append(
                        Violation(
                            "min_rest",
                            agent_id,
                            f"{minutes:.0f} min between the shift ending "
                            f"{by_start['end_utc'].iloc[i]} and the next, "
                            f"below {rules.min_rest_min} min",
                        )
                    )
        days = sorted(set(mine["day"]))
        run = 0
        previous = None
        for day in days:
            run = run + 1 if previous is not None and day == previous + 1 else 1
            if run == rules.max_consecutive_days + 1:
                found.append(
                    Violation(
                        "max_consecutive_days",
                        agent_id,
                        f"{run} working days in a row to day {day}",
                    )
                )
            if previous is not None and 1 <= day - previous - 1 < rules.min_consecutive_days_off:
                found.append(
                    Violation(
                        "min_consecutive_days_off",
                        agent_id,
                        f"only {day - previous - 1} days off before day {day}",
                    )
                )
            previous = day
        weeks = -(-inputs.days // 7)
        week_of = mine["day"] // 7
        for w in range(weeks):
            in_week = mine[week_of == w]
            minutes = int(in_week["paid_minutes"].sum())
            if minutes > rules.max_minutes_week:
                found.append(
                    Violation("max_hours_week", agent_id, f"{minutes} paid min in week {w + 1}")
                )
            if len(in_week) > rules.max_shifts_week:
                found.append(
                    Violation("max_shifts_week", agent_id, f"{len(in_week)} shifts in week {w + 1}")
                )
            week_days = [inputs.date_of(d) for d in range(w * 7, min(w * 7 + 7, inputs.days))]
            present = sum(1 for d in week_days if d not in agent.time_off)
            floor = rules.min_minutes_week * present // 7
            if minutes < floor:
                found.append(
                    Violation(
                        "min_hours_week",
                        agent_id,
                        f"{minutes} paid min in week {w + 1}, below {floor}",
                    )
                )
        night_days = pd.Series(0, index=range(inputs.days))
        for day in mine.loc[mine["night"].astype(bool), "day"]:
            if 0 <= day < inputs.days:
                night_days[day] += 1
        window = min(28, inputs.days)
        rolling = night_days.rolling(window).sum().dropna()
        if (rolling > rules.max_nights_per_4_weeks).any():
            found.append(
                Violation(
                    "max_nights",
                    agent_id,
                    f"{int(rolling.max())} nights in {window} days, limit {rules.max_nights_per_4_weeks}",
                )
            )
        weekend_weeks = pd.Series(0, index=range(weeks))
        for w in set(mine.loc[mine["weekend"].astype(bool), "day"] // 7):
            if 0 <= w < weeks:
                weekend_weeks[w] = 1
        span = min(4, weeks)
        rolling_w = weekend_weeks.rolling(span).sum().dropna()
        if (rolling_w > rules.max_weekends_per_4_weeks).any():
            found.append(
                Violation(
                    "max_weekends",
                    agent_id,
                    f"{int(rolling_w.max())} weekends in {span} weeks, limit {rules.max_weekends_per_4_weeks}",
                )
            )
    return tuple(found)
