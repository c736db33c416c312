"""Map a scenario and a requirements frame onto the roster solver's inputs.

Per site, per agent and per local date, every shift template of the agent's contract that
fits the agent's availability is placed on the UTC grid, once per placement of its breaks,
with the site's zone rules for that date (so DST moves the UTC slot, not the local start),
its breaks cut out of the covered intervals, its paid minutes, its night, weekend and
holiday flags, and the agent's wishes it breaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from forecasting.calendars import public_holidays
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from forecasting.timegrid import interval_grid, interval_index, local_span_to_utc, local_to_utc
from planner.roster import (
    ContractRules,
    FairSpread,
    PreviousShift,
    RosterAgent,
    RosterInputs,
    RosterQueue,
    ShiftOption,
    VendorCapacity,
    Weights,
)
from planner.roster.inputs import LATE_END_HOUR
from planner.roster.schema import ROSTER
from planner.staffing.schema import REQUIREMENTS
from scenarios.bpo import prepaid_hours
from scenarios.coverage import coverage_mask
from scenarios.freeze import check_freeze, freeze_options
from scenarios.night import NightWindow
from scenarios.spec import Agent, Contract, Scenario, ShiftTemplate, Site

# A night worker works at least three hours of night time: EU Working Time Directive
# 2003/88/EC, Article 2(4); a shift with that much night time is a night shift here.
NIGHT_SHIFT_MIN_NIGHT_MINUTES = 180
REQUIREMENT_COLUMNS = REQUIREMENTS.required
"""The requirements columns the roster reads (`planner.staffing.schema.REQUIREMENTS`)."""
UNITS_PER_HEAD = 4
WEEKEND_DAYS = frozenset({5, 6})
# This much of the horizon without a requirement row at either end gets a note: longer
# than a weekend without demand (24/5) widened by the sites' time zones.
UNCOVERED_END = pd.Timedelta(days=4)


def scenario_agents(site: Site) -> list[Agent]:
    """The site's agents: the explicit list, else one per head of `headcount`.

    Agents expanded from headcount are named `<site>-t<tier>-<nn>`, numbered per tier.
    """
    if site.agents:
        return list(site.agents)
    agents: list[Agent] = []
    numbers: dict[int, int] = {}
    for group in site.headcount:
        for _ in range(group.count):
            numbers[group.tier] = numbers.get(group.tier, 0) + 1
            agent_id = f"{site.id}-t{group.tier}-{numbers[group.tier]:02d}"
            agents.append(
                Agent(id=agent_id, tier=group.tier, skills=group.skills, contract=group.contract)
            )
    return agents


def contract_rules(contract: Contract) -> ContractRules:
    """The planner's rules (minutes and counts) of a scenario contract."""
    return ContractRules(
        min_minutes_week=round(contract.min_hours_week * 60),
        max_minutes_week=round(contract.max_hours_week * 60),
        max_shifts_week=contract.max_shifts_week,
        max_consecutive_days=contract.max_consecutive_days,
        min_consecutive_days_off=contract.min_consecutive_days_off,
        min_rest_min=round(contract.min_rest_hours * 60),
        max_nights_per_4_weeks=contract.max_nights_per_4_weeks,
        max_weekends_per_4_weeks=contract.max_weekends_per_4_weeks,
    )


def horizon_grid(scenario: Scenario, start: date, weeks: int) -> pd.DatetimeIndex:
    """UTC grid from the first site's local midnight of `start` to the last site's end."""
    step = f"{scenario.planning.interval_minutes}min"
    end = start + timedelta(days=7 * weeks)
    first = min(local_to_utc(start, time(0, 0), s.timezone) for s in scenario.sites)
    last = max(local_to_utc(end, time(0, 0), s.timezone) for s in scenario.sites)
    return interval_grid(first.floor(step), last.ceil(step), scenario.planning.interval_minutes)


def requirements_matrix(
    scenario: Scenario, requirements: pd.DataFrame, grid: pd.DatetimeIndex
) -> tuple[tuple[RosterQueue, ...], np.ndarray, tuple[str, ...]]:
    """Queues, agents required per queue and grid interval, and notes in words.

    Args:
        scenario: the organisation (its queues give the priorities).
        requirements: interval_start (UTC), channel, language, tier, agents_required and
            optionally scheduled_required (heads after shrinkage, used when present).
            Rows outside the grid are left out, with a note (an error when every row
            requiring agents is); missing intervals require nobody, with a note when
            UNCOVERED_END or more at either end of the horizon has no row.
        grid: the UTC horizon grid.

    Raises:
        InputError: missing columns, bad timestamps or values, duplicate rows, rows
            inside the horizon off its interval grid.
    """
    REQUIREMENTS.require(requirements, "requirements")
    frame = requirements.copy()
    try:
        frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True)
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"requirements: interval_start is not an ISO 8601 timestamp ({exc})"
        ) from exc
    column = "scheduled_required" if "scheduled_required" in frame.columns else "agents_required"
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame.index[values.isna() | (values < 0)]
    if len(bad):
        raise InputError(
            f"requirements: {column} must be a number >= 0",
            [f"row {i + 2}: {frame.loc[i, column]!r}" for i in bad[:10]],
        )
    # Coverage units: quarter heads, rounded up (a shared agent covers parts of queues).
    units = values.to_numpy(dtype=float) * UNITS_PER_HEAD
    frame["need"] = np.ceil(units - 1e-6).astype(np.int64)
    frame["tier"] = pd.to_numeric(frame["tier"], errors="coerce")
    if frame["tier"].isna().any():
        raise InputError("requirements: tier must be an integer (1, 2 or 3)")
    frame["queue_id"] = queue_keys(frame, "requirements")
    duplicated = frame.duplicated(["interval_start", "queue_id"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise InputError(
            f"requirements: {int(duplicated.sum())} duplicate rows, e.g. {first['queue_id']} at "
            f"{first['interval_start']:%Y-%m-%dT%H:%M}Z"
        )
    inside = frame["interval_start"].isin(grid)
    wanted = frame["need"] > 0
    if wanted.any() and not (inside & wanted).any():
        times = frame.loc[wanted, "interval_start"]
        raise InputError(
            f"requirements: none of the {int(wanted.sum())} rows requiring agents falls in the "
            f"rostered horizon {grid[0]:%Y-%m-%dT%H:%M}Z to {grid[-1]:%Y-%m-%dT%H:%M}Z; they "
            f"span {times.min():%Y-%m-%dT%H:%M}Z to {times.max():%Y-%m-%dT%H:%M}Z "
            "(check the start date and weeks)"
        )
    within = (frame["interval_start"] >= grid[0]) & (frame["interval_start"] <= grid[-1])
    off_grid = frame.index[within & ~inside]
    if len(off_grid):
        raise InputError(
            f"requirements: interval_start must fall on the {scenario.planning.interval_minutes}"
            "-minute grid of the scenario",
            [
                f"row {i + 2}: {frame.loc[i, 'interval_start']:%Y-%m-%dT%H:%M}Z"
                for i in off_grid[:10]
            ],
        )
    step = pd.Timedelta(minutes=scenario.planning.interval_minutes)
    notes = horizon_notes(frame, inside, wanted, grid, step)
    frame = frame[inside]
    known = {q.id: q for q in scenario.queues}
    queues: list[RosterQueue] = [
        RosterQueue(q.id, q.skill, q.tier, q.priority) for q in scenario.queues
    ]
    extra = frame[~frame["queue_id"].isin(list(known))].drop_duplicates("queue_id")
    for row in extra.sort_values("queue_id").itertuples(index=False):
        queues.append(
            RosterQueue(str(row.queue_id), f"{row.channel}/{row.language}", int(str(row.tier)), 1)
        )
    position = {q.queue_id: i for i, q in enumerate(queues)}
    required = np.zeros((len(queues), len(grid)), dtype=np.int64)
    rows = frame["queue_id"].map(position).to_numpy()
    cols = grid.get_indexer(pd.DatetimeIndex(frame["interval_start"]))
    required[rows, cols] = frame["need"].to_numpy()
    return tuple(queues), required, notes


def horizon_notes(
    frame: pd.DataFrame,
    inside: pd.Series,
    wanted: pd.Series,
    grid: pd.DatetimeIndex,
    step: pd.Timedelta,
) -> tuple[str, ...]:
    """Requirement rows left out of the horizon, and ends of it no row reaches, in words."""
    notes: list[str] = []
    left_out = frame.loc[wanted & ~inside, "interval_start"]
    if len(left_out):
        notes.append(
            f"requirements: {len(left_out)} rows requiring agents, {left_out.min():%Y-%m-%d %H:%M}Z "
            f"to {left_out.max():%Y-%m-%d %H:%M}Z, lie outside the rostered horizon "
            f"({grid[0]:%Y-%m-%d %H:%M}Z to {grid[-1]:%Y-%m-%d %H:%M}Z); not rostered"
        )
    times = frame.loc[inside, "interval_start"]
    if len(times):
        if times.min() - grid[0] >= UNCOVERED_END:
            notes.append(
                f"requirements start at {times.min():%Y-%m-%d %H:%M}Z, after the rostered "
                f"horizon does ({grid[0]:%Y-%m-%d %H:%M}Z): nobody is required before"
            )
        if grid[-1] - times.max() >= UNCOVERED_END:
            notes.append(
                f"requirements end at {times.max() + step:%Y-%m-%d %H:%M}Z, before the rostered "
                f"horizon does ({grid[-1] + step:%Y-%m-%d %H:%M}Z): nobody is required after "
                "(give requirements for every rostered week)"
            )
    return tuple(notes)


def _hhmm(ts: pd.Timestamp, tz: str) -> str:
    return f"{ts.tz_convert(tz):%H:%M}"


def shift_option(
    agent_id: str,
    site: Site,
    template: ShiftTemplate,
    day: date,
    grid: pd.DatetimeIndex,
    holidays: dict[date, str],
    contract: Contract | None = None,
    break_offsets: tuple[int, ...] | None = None,
) -> ShiftOption:
    """One template placed on one local date: UTC span, covered intervals, flags, premium.

    `contract` (the site's by default) sets the night window; `break_offsets` places the
    template's breaks (their first offsets by default).
    """
    tz = site.timezone
    contract = contract or site.contract
    offsets = break_offsets or tuple(b.offset_minutes for b in template.breaks)
    start_utc, end_utc = local_span_to_utc(day, template.start, timedelta(hours=template.hours), tz)
    covered = set(interval_index(grid, start_utc, end_utc))
    breaks_local: list[str] = []
    for brk, offset in zip(template.breaks, offsets, strict=True):
        b_start = start_utc + pd.Timedelta(minutes=offset)
        b_end = b_start + pd.Timedelta(minutes=brk.minutes)
        covered -= set(interval_index(grid, b_start, b_end))
        breaks_local.append(f"{_hhmm(b_start, tz)}-{_hhmm(b_end, tz)}")
    window = NightWindow(contract.night_start, contract.night_end)
    night = window.minutes_within(start_utc, end_utc, day, tz) >= NIGHT_SHIFT_MIN_NIGHT_MINUTES
    weekend = day.weekday() in WEEKEND_DAYS
    holiday = day in holidays
    end_local = end_utc.tz_convert(tz)
    late = not night and (end_local.date() > day or end_local.hour >= LATE_END_HOUR)
    premium = site.premiums
    fraction = night * premium.night + weekend * premium.weekend + holiday * premium.holiday
    return ShiftOption(
        agent_id=agent_id,
        date_local=day,
        template=template.id,
        start_utc=start_utc,
        end_utc=end_utc,
        start_local=_hhmm(start_utc, tz),
        end_local=_hhmm(end_utc, tz),
        covered=tuple(sorted(covered)),
        breaks_local=tuple(breaks_local),
        paid_min=round(template.paid_hours * 60),
        night=night,
        weekend=weekend,
        holiday=holiday,
        premium_hours=template.paid_hours * fraction,
        late=late,
    )


def break_placements(template: ShiftTemplate) -> list[tuple[int, ...]]:
    """Every placement of a template's breaks: one offset per break, in order, not overlapping."""
    placements: list[tuple[int, ...]] = [()]
    for i, brk in enumerate(template.breaks):
        grown = []
        for done in placements:
            for offset in brk.offsets:
                if i and offset < done[-1] + template.breaks[i - 1].minutes:
                    continue
                grown.append((*done, offset))
        placements = grown
    return placements


def shift_options(
    agent_id: str,
    site: Site,
    template: ShiftTemplate,
    day: date,
    grid: pd.DatetimeIndex,
    holidays: dict[date, str],
    contract: Contract | None = None,
) -> list[ShiftOption]:
    """The template on one local date, once per placement of its breaks."""
    return [
        shift_option(agent_id, site, template, day, grid, holidays, contract, offsets or None)
        for offsets in break_placements(template)
    ]


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def available(agent: Agent, template: ShiftTemplate, day: date) -> bool:
    """Whether the shift lies inside one of the agent's availability windows (all if none)."""
    if not agent.availability:
        return True
    start = template.start.hour * 60 + template.start.minute
    end = start + round(template.hours * 60)
    weekday = WEEKDAY_NAMES[day.weekday()]
    for window in agent.availability:
        if weekday not in window.days:
            continue
        lo = window.start.hour * 60 + window.start.minute
        hi = window.end.hour * 60 + window.end.minute
        if hi <= lo:
            hi += 24 * 60
        if lo <= start and end <= hi:
            return True
    return False


def unmet_wishes(agent: Agent, template: ShiftTemplate, day: date) -> float:
    """Wishes a shift breaks (a wished day off, a shift not among the wished ones), weighted."""
    prefs = agent.preferences
    day_off = day in prefs.days_off or WEEKDAY_NAMES[day.weekday()] in prefs.days_off
    other_shift = bool(prefs.shifts) and template.id not in prefs.shifts
    return prefs.weight * (day_off + other_shift)


def check_templates(scenario: Scenario) -> None:
    """Refuse a template that, with the rest rule, cannot fit in a day (bad input)."""
    problems = []
    for site in scenario.sites:
        named = {"contract": site.contract} | {
            f"contracts[{k}]": c for k, c in site.contracts.items()
        }
        for where, contract in named.items():
            problems.extend(_too_long(site, where, contract))
    if problems:
        raise InputError("shift templates longer than the rest rule allows", problems)


def _too_long(site: Site, where: str, contract: Contract) -> list[str]:
    """Templates of one contract that cannot be followed by the minimum rest within a day."""
    problems = []
    rest_h = contract.min_rest_hours
    for template in contract.shift_templates:
        if template.hours + rest_h > 24:
            problems.append(
                f"sites[{site.id}].{where}.shift_templates[{template.id}]: {template.hours:g} h plus "
                f"the {rest_h:g} h minimum rest exceeds 24 h, so it could never be worked on "
                "consecutive days; shorten it or lower min_rest_hours"
            )
    return problems


def previous_shifts(previous: pd.DataFrame, scenario: Scenario) -> tuple[PreviousShift, ...]:
    """A published roster frame (agent_id, site, date_local, shift) as planner input."""
    ROSTER.require(previous, "previous roster", ("agent_id", "date_local", "shift"))
    sites = {s.id for s in scenario.sites}
    agents = {a.id for s in scenario.sites for a in scenario_agents(s)}
    problems = []
    if "site" in previous.columns:
        for site in sorted(set(previous["site"].astype(str)) - sites):
            problems.append(f"unknown site {site!r}; the scenario has {sorted(sites)}")
    for agent in sorted(set(previous["agent_id"].astype(str)) - agents):
        problems.append(f"unknown agent {agent!r}")
    if problems:
        raise InputError("previous roster does not match the scenario", problems[:20])
    return tuple(
        PreviousShift(str(r.agent_id), pd.Timestamp(str(r.date_local)).date(), str(r.shift))
        for r in previous.itertuples(index=False)
    )


def vendor_capacity(
    scenario: Scenario, grid: pd.DatetimeIndex, weights: Weights
) -> tuple[VendorCapacity, ...]:
    """The scenario's vendors as flexible capacity on the grid.

    A per-hour price is weighed against the mean in-house hourly cost (a vendor at half the
    in-house cost costs half of `weights.vendor_hour` per agent-hour); other price models
    count at `weights.vendor_hour`. Quality factors are not applied to heads. The hours a
    monthly minimum already pays for over the grid's period (`scenarios.bpo.prepaid_hours`)
    are prepaid: the roster uses them at no cost before premium in-house hours.
    """
    in_house = sum(float(s.hourly_cost) for s in scenario.sites) / len(scenario.sites)
    out = []
    hours_per_interval = scenario.planning.interval_minutes / 60
    step = pd.Timedelta(minutes=scenario.planning.interval_minutes)
    for vendor in scenario.vendors:
        ratio = float(vendor.price.rate) / in_house if vendor.price.kind == "per_hour" else 1.0
        available = np.flatnonzero(coverage_mask(vendor.coverage, grid))
        prepaid = prepaid_hours(vendor.price, grid[0], grid[-1] + step) if len(grid) else 0.0
        out.append(
            VendorCapacity(
                vendor_id=vendor.id,
                tier=vendor.tier,
                skills=tuple(vendor.skills),
                max_agents=vendor.max_agents,
                available=tuple(int(t) for t in available),
                cost_per_interval=weights.vendor_hour * ratio * hours_per_interval,
                prepaid_intervals=prepaid / hours_per_interval,
            )
        )
    return tuple(out)


def roster_inputs(
    scenario: Scenario,
    requirements: pd.DataFrame,
    start: date,
    weeks: int,
    previous: pd.DataFrame | None = None,
    weights: Weights | None = None,
    sites: Iterable[str] | None = None,
    use_vendors: bool = True,
    freeze_until: datetime | None = None,
) -> RosterInputs:
    """The roster solver's inputs for `weeks` weeks from local date `start` in every site.

    Args:
        scenario: the organisation.
        requirements: see `requirements_matrix`.
        start: first local date rostered (the same calendar date in every site).
        weeks: number of weeks.
        previous: a published roster (columns agent_id, date_local, shift) to stay close to.
        weights: objective weights; by default the scenario's overstaffing weight applies.
        sites: restrict to these site ids (all by default).
        use_vendors: offer the scenario's vendors (BPO) as flexible capacity.
        freeze_until: a local wall time (in each site's zone) before which the `previous`
            roster's shifts are kept exactly (`scenarios.freeze`).

    Raises:
        InputError: unknown site, bad requirements, templates longer than the rest allows,
            a freeze without a previous roster or outside the period.
    """
    if weeks < 1:
        raise InputError(f"weeks must be >= 1, got {weeks}")
    chosen = list(sites) if sites is not None else [s.id for s in scenario.sites]
    known = {s.id for s in scenario.sites}
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise InputError(f"unknown site(s) {unknown}; the scenario has {sorted(known)}")
    check_templates(scenario)
    days = 7 * weeks
    if freeze_until is not None:
        if previous is None:
            raise InputError("--freeze-until needs the published roster it keeps (--previous)")
        check_freeze(freeze_until, start, days)
    grid = horizon_grid(scenario, start, weeks)
    queues, required, notes = requirements_matrix(scenario, requirements, grid)
    dates = [start + timedelta(days=i) for i in range(days)]
    years = {d.year for d in dates} | {(dates[-1] + timedelta(days=1)).year}
    agents: list[RosterAgent] = []
    options: list[ShiftOption] = []
    # Every agent of a site and contract gets the same placements: compute each once.
    placed: dict[tuple[str, int, str, date], list[ShiftOption]] = {}
    for site in scenario.sites:
        if site.id not in chosen:
            continue
        holidays = public_holidays(site.country, years, site.subdivision)
        closed = {d for d in dates if site.opens is not None and d < site.opens}
        for agent in scenario_agents(site):
            contract = site.contract_of(agent)
            off = frozenset(set(agent.time_off) | closed)
            agents.append(
                RosterAgent(
                    agent.id,
                    site.id,
                    site.timezone,
                    agent.tier,
                    tuple(agent.skills),
                    contract_rules(contract),
                    off,
                )
            )
            for day in dates:
                if day in off:
                    continue
                for template in contract.shift_templates:
                    if not available(agent, template, day):
                        continue
                    wishes = unmet_wishes(agent, template, day)
                    key = (site.id, id(contract), template.id, day)
                    if key not in placed:
                        placed[key] = shift_options(
                            "", site, template, day, grid, holidays, contract
                        )
                    options.extend(
                        replace(option, agent_id=agent.id, unmet_wishes=wishes)
                        for option in placed[key]
                    )
    if freeze_until is not None and previous is not None:
        kept_agents, kept_options, frozen_notes = freeze_options(
            agents, options, previous, freeze_until
        )
        agents, options = list(kept_agents), list(kept_options)
        notes = (*notes, *frozen_notes)
    if weights is None:
        base = Weights()
        weights = Weights(overstaffing=base.understaffing * scenario.planning.overstaffing_weight)
    return RosterInputs(
        grid=grid,
        interval_min=scenario.planning.interval_minutes,
        start=start,
        days=days,
        agents=tuple(agents),
        queues=queues,
        required=required,
        options=tuple(options),
        previous=previous_shifts(previous, scenario) if previous is not None else None,
        weights=weights,
        vendors=vendor_capacity(scenario, grid, weights) if use_vendors else (),
        units_per_head=UNITS_PER_HEAD,
        notes=notes,
        fair_spread=FairSpread(
            scenario.planning.fair_night_spread, scenario.planning.fair_weekend_day_spread
        ),
    )


__all__ = [
    "NIGHT_SHIFT_MIN_NIGHT_MINUTES",
    "available",
    "break_placements",
    "check_templates",
    "contract_rules",
    "horizon_grid",
    "previous_shifts",
    "requirements_matrix",
    "roster_inputs",
    "scenario_agents",
    "unmet_wishes",
    "shift_option",
    "shift_options",
    "vendor_capacity",
]
