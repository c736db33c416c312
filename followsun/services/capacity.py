"""Use case: a monthly hiring plan per site (`planner.capacity`) from a scenario's demand.

The scenario's requirements for one week (heads on shift per queue and interval, from the
synthetic demand's forecast) become paid agent-hours per UTC hour of the week; they grow
by `growth` a month. Each site reaches the hours of the week its shift templates span and
pays its night and weekend premiums there. Sites named `closed` start with no heads and
pay their opening cost when they open. With `needed_from`, hours no open site reaches are
needed only from that month on: the plan then says when a closed site must open and
when its first hires must be decided ("when must Amsterdam open for 24/7 by month M").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from followsun.atomic import check_output_folder, replacing_folder
from followsun.errors import InputError
from followsun.services.compare import DecisionSettings, prepare
from followsun.services.pipeline import fit_forecast
from followsun.services.progress import Progress, no_progress
from planner.capacity import CapacityInputs, CapacityPlan, CapacitySite, plan_capacity
from scenarios.loader import load_scenario
from scenarios.night import NightWindow
from scenarios.rostering import horizon_grid
from scenarios.spec import Scenario, Site
from scenarios.staffing import requirements as staff_requirements

HOURS_A_WEEK = 168
WEEKS_A_MONTH = 52 / 12
SHORT_TOLERANCE = 1e-6
"""Agent-hours a week below which a month counts as fully served (solver round-off)."""


@dataclass(frozen=True)
class CapacityOptions:
    """What `followsun capacity` plans.

    Attributes:
        scenario: scenario YAML; out: folder for capacity.csv and summary.json.
        months: months planned (12-24 typical).
        growth: demand growth a month (0.02 = 2%).
        lead_months, ramp, attrition, hire_cost: hiring rules (`planner.capacity`).
        closed: sites not open yet; opening_cost: one-off cost per site id.
        needed_from: month from which the scenario's need applies (0: now); before it,
            `current`'s need if given, else only the hours an open site reaches.
        current: the scenario operated today (e.g. the 24/5 reference), for the months
            before `needed_from`.
        settings: horizon start and seed of the demand the requirements come from.
    """

    scenario: Path
    out: Path
    months: int
    settings: DecisionSettings
    growth: float = 0.0
    lead_months: int = 2
    ramp: tuple[float, ...] = (0.5, 0.75)
    attrition: float = 0.015
    hire_cost: float = 0.0
    closed: tuple[str, ...] = ()
    opening_cost: dict[str, float] = field(default_factory=dict)
    needed_from: int = 0
    current: Path | None = None


def weekly_need(
    scenario: Scenario, requirements: pd.DataFrame, week_start: pd.Timestamp
) -> np.ndarray:
    """Paid agent-hours a week per UTC hour of the week (168), from heads on shift.

    Queues are summed: an agent serving two queues is counted in both, so this is an
    upper bound where skills overlap.
    """
    step_h = scenario.planning.interval_minutes / 60
    times = pd.to_datetime(requirements["interval_start"], utc=True)
    hour = ((times - week_start) / pd.Timedelta(hours=1)).astype(int) % HOURS_A_WEEK
    weeks = max(
        1.0, (times.max() - times.min() + pd.Timedelta(hours=step_h)) / pd.Timedelta(weeks=1)
    )
    heads = pd.to_numeric(requirements["scheduled_required"], errors="coerce").fillna(0.0)
    need = np.bincount(hour, weights=heads * step_h, minlength=HOURS_A_WEEK) / round(weeks)
    return need


def site_reach(site: Site, monday: date) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """UTC hours of the week the site's templates span from local `monday`, and their premium.

    The premium per hour is the night and weekend premiums on the loaded hourly cost.
    """
    zone = ZoneInfo(site.timezone)
    week_start = datetime.combine(monday, time(0), tzinfo=ZoneInfo("UTC"))
    night = NightWindow(site.contract.night_start, site.contract.night_end)
    hourly = float(site.hourly_cost)
    premium: dict[int, float] = {}
    for day in range(7):
        local_day = monday + timedelta(days=day)
        for template in site.contract.shift_templates:
            start = datetime.combine(local_day, template.start, tzinfo=zone)
            for k in range(int(template.hours)):
                local = start + timedelta(hours=k)
                band = int((local - week_start).total_seconds() // 3600) % HOURS_A_WEEK
                extra = site.premiums.night * night.contains(local.time())
                extra += site.premiums.weekend * (local.weekday() >= 5)
                premium[band] = max(premium.get(band, 0.0), hourly * extra)
    reach = tuple(sorted(premium))
    return reach, tuple(premium[b] for b in reach)


def check_sites(scenario: Scenario, options: CapacityOptions) -> None:
    """Refuse closed sites or opening costs naming a site the scenario does not have."""
    unknown = sorted(
        (set(options.closed) | set(options.opening_cost)) - {s.id for s in scenario.sites}
    )
    if unknown:
        raise InputError(f"capacity: no site {', '.join(unknown)} in {options.scenario}")


def capacity_inputs(
    scenario: Scenario,
    need_week: np.ndarray,
    options: CapacityOptions,
    need_before: np.ndarray | None = None,
) -> CapacityInputs:
    """The MIP's inputs: the sites, and the need per month grown and phased in.

    Before `options.needed_from` the need is `need_before` when given, else `need_week`
    on the hours an open site reaches.
    """
    check_sites(scenario, options)
    monday = options.settings.start
    sites = []
    for site in scenario.sites:
        reach, premium = site_reach(site, monday)
        closed = site.id in options.closed
        heads = 0 if closed else sum(g.count for g in (*site.headcount, *site.agents))
        sites.append(
            CapacitySite(
                id=site.id,
                monthly_cost=float(site.hourly_cost) * site.contract.max_hours_week * WEEKS_A_MONTH,
                productive_hours=float(site.contract.max_hours_week),
                heads_now=heads,
                open_now=not closed,
                reach=reach,
                opening_cost=options.opening_cost.get(site.id, 0.0),
                premium_per_hour=premium,
                hire_cost=options.hire_cost,
            )
        )
    reached_now = {b for s in sites if s.open_now for b in s.reach}
    later = np.array([b not in reached_now for b in range(HOURS_A_WEEK)])
    before = need_before if need_before is not None else np.where(later, 0.0, need_week)
    months = []
    for m in range(options.months):
        row = (need_week if m >= options.needed_from else before) * (1 + options.growth) ** m
        months.append(tuple(float(v) for v in row))
    return CapacityInputs(
        need=tuple(months),
        sites=tuple(sites),
        lead_months=options.lead_months,
        ramp=options.ramp,
        attrition=options.attrition,
    )


def plan_table(inputs: CapacityInputs, plan: CapacityPlan) -> pd.DataFrame:
    """capacity.csv: month, site, hires (decided that month), heads, open."""
    rows = [
        {
            "month": m,
            "site": site.id,
            "hires": plan.hires[s][m],
            "heads": round(plan.heads[s][m], 2),
            "open": _open_in(plan.opens[s], m),
        }
        for s, site in enumerate(inputs.sites)
        for m in range(len(inputs.need))
    ]
    return pd.DataFrame(rows)


def _open_in(opens: int | None, month: int) -> bool:
    return opens is not None and month >= opens


def answers(inputs: CapacityInputs, plan: CapacityPlan) -> list[str]:
    """When each closed site opens and its first hires are decided, and any shortfall."""
    lines = []
    for s, site in enumerate(inputs.sites):
        if site.open_now:
            continue
        opens = plan.opens[s]
        if opens is None:
            lines.append(f"{site.id} need not open within the {len(inputs.need)} months")
        else:
            decide = opens - inputs.lead_months
            lines.append(
                f"{site.id} opens in month {opens}: its first hires must be decided by month "
                f"{decide} ({inputs.lead_months} months' lead time)"
                + (" - already late: the need starts before a hire can join" if decide < 0 else "")
            )
    short = [m for m, v in enumerate(plan.short) if v > SHORT_TOLERANCE]
    if short:
        lines.append(
            f"infeasible in months {short[0]}-{short[-1]}: hires cannot join in time (lead "
            f"{inputs.lead_months} months) or no site reaches some hours; "
            f"{max(plan.short):,.0f} agent-hours a week short at worst"
        )
    return lines


@dataclass(frozen=True)
class CapacityResult:
    """The plan, the answers in words, whether every need is met in time, the files."""

    plan: CapacityPlan
    answers: tuple[str, ...]
    met: bool
    csv: Path
    summary: Path


def run_capacity(options: CapacityOptions, progress: Progress = no_progress) -> CapacityResult:
    """Requirements from the scenario's demand, the MIP, capacity.csv and summary.json."""
    if not 1 <= options.months <= 60:
        raise InputError(f"--months {options.months}: expected 1 to 60")
    check_output_folder(options.out, [options.scenario, options.current])
    scenario = load_scenario(options.scenario)
    check_sites(scenario, options)
    current = load_scenario(options.current) if options.current is not None else None
    progress(0.0, "forecast and requirements")
    demand, plan_settings, _ = prepare([current or scenario], options.settings)
    grid = horizon_grid(scenario, plan_settings.start, plan_settings.weeks)
    week_start = pd.Timestamp(datetime.combine(options.settings.start, time(0)), tz="UTC")

    def need_of(organisation: Scenario) -> np.ndarray:
        forecast, _ = fit_forecast(organisation, demand.history, grid, plan_settings.model)
        return weekly_need(organisation, staff_requirements(organisation, forecast), week_start)

    before = need_of(current) if current is not None else None
    inputs = capacity_inputs(scenario, need_of(scenario), options, before)
    progress(0.5, f"hiring plan over {options.months} months (MIP)")
    plan = plan_capacity(inputs)
    csv = options.out / "capacity.csv"
    table = plan_table(inputs, plan)
    met = max(plan.short) <= SHORT_TOLERANCE
    said = tuple(answers(inputs, plan))
    summary = {
        "scenario": scenario.name,
        "status": plan.status,
        "cost": round(plan.cost, 2) if met else None,
        "currency": scenario.currency,
        "targets_met": met,
        "opens": {site.id: plan.opens[s] for s, site in enumerate(inputs.sites)},
        "answers": list(said),
    }
    path = options.out / "summary.json"
    with replacing_folder(options.out) as staged:
        table.to_csv(staged.path / "capacity.csv", index=False)
        text = json.dumps(summary, indent=2) + "\n"
        (staged.path / "summary.json").write_text(text, encoding="utf-8")
    progress(1.0, "planned")
    return CapacityResult(plan, said, met, csv, path)
