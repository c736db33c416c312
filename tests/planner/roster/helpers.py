"""Tiny hand-made roster inputs: an hourly UTC grid and agents whose shifts are whole hours."""

from __future__ import annotations

from datetime import date, time, timedelta

import numpy as np
import pandas as pd

from forecasting.queues import QueueKey
from forecasting.timegrid import interval_grid, interval_index, local_span_to_utc
from planner.roster import (
    ContractRules,
    PreviousShift,
    RosterAgent,
    RosterInputs,
    RosterQueue,
    ShiftOption,
    SolveSettings,
    Weights,
)

START = date(2027, 3, 1)  # a Monday
FAST = SolveSettings(time_limit_s=10, num_workers=2, seed=1)
LOOSE = ContractRules(
    min_minutes_week=0,
    max_minutes_week=7 * 24 * 60,
    max_shifts_week=7,
    max_consecutive_days=7,
    min_consecutive_days_off=1,
    min_rest_min=0,
    max_nights_per_4_weeks=28,
    max_weekends_per_4_weeks=4,
)


def grid_for(days: int, tz_pad_days: int = 1, start: date = START) -> pd.DatetimeIndex:
    """Hourly UTC grid from `start` to `start` + days (+ padding for shifts past midnight)."""
    first = pd.Timestamp(start, tz="UTC")
    return interval_grid(first, first + pd.Timedelta(days=days + tz_pad_days), 60)


def option(
    agent_id: str,
    day: date,
    template: str,
    start: time,
    hours: float,
    grid: pd.DatetimeIndex,
    tz: str = "UTC",
    break_at_h: float | None = None,
    night: bool = False,
    holiday: bool = False,
    premium_hours: float = 0.0,
) -> ShiftOption:
    """A shift option placed with the real time model (so DST applies in zone `tz`)."""
    begin, end = local_span_to_utc(day, start, timedelta(hours=hours), tz)
    covered = set(interval_index(grid, begin, end))
    breaks: tuple[str, ...] = ()
    paid = round(hours * 60)
    if break_at_h is not None:
        b0 = begin + pd.Timedelta(hours=break_at_h)
        covered -= set(interval_index(grid, b0, b0 + pd.Timedelta(hours=1)))
        breaks = (f"{b0.tz_convert(tz):%H:%M}-{(b0 + pd.Timedelta(hours=1)).tz_convert(tz):%H:%M}",)
        paid -= 60
    return ShiftOption(
        agent_id=agent_id,
        date_local=day,
        template=template,
        start_utc=begin,
        end_utc=end,
        start_local=f"{begin.tz_convert(tz):%H:%M}",
        end_local=f"{end.tz_convert(tz):%H:%M}",
        covered=tuple(sorted(covered)),
        breaks_local=breaks,
        paid_min=paid,
        night=night,
        weekend=day.weekday() >= 5,
        holiday=holiday,
        premium_hours=premium_hours,
    )


def agent(
    agent_id: str,
    rules: ContractRules = LOOSE,
    skills: tuple[str, ...] = ("chat/en",),
    site: str = "s",
    tz: str = "UTC",
    time_off: frozenset[date] = frozenset(),
    tier: int = 1,
) -> RosterAgent:
    """An agent with loose rules unless told otherwise."""
    return RosterAgent(agent_id, site, tz, tier, skills, rules, time_off)


def daily_options(
    agents: list[RosterAgent],
    days: int,
    grid: pd.DatetimeIndex,
    templates: tuple[tuple[str, time, float], ...] = (("day", time(9), 8),),
    **kwargs: object,
) -> list[ShiftOption]:
    """Every template on every day for every agent (time off excluded)."""
    out = []
    for a in agents:
        for i in range(days):
            day = START + timedelta(days=i)
            if day in a.time_off:
                continue
            for name, start, hours in templates:
                out.append(
                    option(a.agent_id, day, name, start, hours, grid, tz=a.timezone, **kwargs)
                )  # type: ignore[arg-type]
    return out


def demand(grid: pd.DatetimeIndex, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """One queue's requirement: (first hour, end hour, agents) spans from START 00:00 UTC."""
    need = np.zeros(len(grid), dtype=np.int64)
    for lo, hi, n in spans:
        need[lo:hi] = n
    return need


def inputs(
    agents: list[RosterAgent],
    options: list[ShiftOption],
    grid: pd.DatetimeIndex,
    days: int,
    required: dict[str, np.ndarray],
    priorities: dict[str, int] | None = None,
    weights: Weights | None = None,
    previous: list[PreviousShift] | None = None,
    start: date = START,
) -> RosterInputs:
    """Roster inputs over queues named 'channel-language-t1' (skill 'channel/language')."""
    queues = []
    for queue_id in required:
        key = QueueKey.parse(queue_id)
        prio = (priorities or {}).get(queue_id, 1)
        queues.append(RosterQueue(queue_id, f"{key.channel}/{key.language}", key.tier, prio))
    return RosterInputs(
        grid=grid,
        interval_min=60,
        start=start,
        days=days,
        agents=tuple(agents),
        queues=tuple(queues),
        required=np.vstack([required[q] for q in required]),
        options=tuple(options),
        previous=tuple(previous) if previous is not None else None,
        weights=weights or Weights(),
    )


def penalty(result: object, family: str) -> float:
    """Points a family cost in a result (0 when absent)."""
    for item in result.penalties:  # type: ignore[attr-defined]
        if item.family == family:
            return float(item.points)
    return 0.0
