"""Use case: a monthly hiring plan per site (`planner.capacity`) from a scenario's demand.

The scenario's requirements for one week (heads on shift per queue and interval, from the
synthetic demand's forecast) become paid agent-hours per UTC hour of the week; they grow
by `growth` a month. Each site reaches the hours of the week its shift templates span and
pays its night and weekend premiums there; its contract limits each head to one hour a
week in each hour of the week, and to its nights and weekends per 4 weeks
(`contract_limits`), so the hours a site can cover, and at which price, are its own. Sites named `closed` start with no heads and
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
from forecasting.queues import QueueKey, queue_keys
from planner.capacity import (
    CapacityGroup,
    CapacityInputs,
    CapacityPlan,
    CapacitySite,
    SkillNeed,
    plan_capacity,
)
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
) -> dict[str, np.ndarray]:
    """Paid agent-hours a week per UTC hour of the week (168) per queue, from heads on shift.

    Queues are kept apart, so only agents holding a queue's skill serve it; an agent able
    to serve two queues may be counted in both, an upper bound where skills overlap.
    Every scenario queue has an entry (zeros without requirements).
    """
    step_h = scenario.planning.interval_minutes / 60
    times = pd.to_datetime(requirements["interval_start"], utc=True)
    hour = (((times - week_start) / pd.Timedelta(hours=1)).astype(int) % HOURS_A_WEEK).to_numpy()
    weeks = max(
        1.0, (times.max() - times.min() + pd.Timedelta(hours=step_h)) / pd.Timedelta(weeks=1)
    )
    heads = pd.to_numeric(requirements["scheduled_required"], errors="coerce").fillna(0.0)
    hours_on_shift = heads.to_numpy(dtype=float) * step_h
    keys = queue_keys(requirements).to_numpy()
    need = {}
    for queue in scenario.queues:
        key = QueueKey.of(queue.channel, queue.language, queue.tier).format()
        mine = keys == key
        hours = np.bincount(
            hour[mine], weights=hours_on_shift[mine], minlength=HOURS_A_WEEK
        ) / round(weeks)
        need[key] = hours
    return need


@dataclass(frozen=True)
class SkillGroup:
    """Heads of one site with one tier and skill set: who the capacity plan hires."""

    site: str
    tier: int
    skills: tuple[str, ...]
    heads: int

    @property
    def id(self) -> str:
        """'t1 chat/en+web/en'."""
        return f"t{self.tier} " + "+".join(self.skills)


def skill_groups(site: Site) -> tuple[SkillGroup, ...]:
    """A site's headcount groups and named agents, merged by tier and skill set."""
    heads: dict[tuple[int, tuple[str, ...]], int] = {}
    for group in site.headcount:
        key = (group.tier, tuple(sorted(group.skills)))
        heads[key] = heads.get(key, 0) + group.count
    for agent in site.agents:
        key = (agent.tier, tuple(sorted(agent.skills)))
        heads[key] = heads.get(key, 0) + 1
    return tuple(SkillGroup(site.id, t, k, n) for (t, k), n in sorted(heads.items()))


def skill_classes(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Queues merged by who can serve them: class id to its queue ids.

    Queues served by the same skill groups are one class for the MIP (their hours are
    interchangeable); the class id joins its queue ids ('chat-en-t1+web-en-t1').
    """
    by_servers: dict[frozenset[tuple[str, str]], list[str]] = {}
    for queue in scenario.queues:
        servers = frozenset(
            (g.site, g.id)
            for site in scenario.sites
            for g in skill_groups(site)
            if g.tier == queue.tier and queue.skill in g.skills
        )
        key = QueueKey.of(queue.channel, queue.language, queue.tier).format()
        by_servers.setdefault(servers, []).append(key)
    return {"+".join(keys): tuple(keys) for keys in by_servers.values()}


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


@dataclass(frozen=True)
class ContractLimits:
    """A site's per-head limits in the MIP's hours of the week (`planner.capacity.CapacitySite`).

    Attributes:
        night_bands, weekend_bands: UTC hours of the week that are local night (the
            contract's night window) and local Saturday or Sunday, among those it reaches.
        night_hours: a head's most hours a week at night: its nights per 4 weeks over 4,
            times the most night hours one shift template holds.
        weekend_hours: its weekends per 4 weeks over 4, times two days of the longest
            template.
    """

    night_bands: frozenset[int]
    night_hours: float
    weekend_bands: frozenset[int]
    weekend_hours: float


def contract_limits(site: Site, monday: date) -> ContractLimits:
    """The night and weekend limits of the site's contract on the hours of the week."""
    zone = ZoneInfo(site.timezone)
    week_start = datetime.combine(monday, time(0), tzinfo=ZoneInfo("UTC"))
    contract = site.contract
    night = NightWindow(contract.night_start, contract.night_end)
    nights: set[int] = set()
    weekend: set[int] = set()
    night_per_shift = 0
    for day in range(7):
        local_day = monday + timedelta(days=day)
        for template in contract.shift_templates:
            start = datetime.combine(local_day, template.start, tzinfo=zone)
            in_night = 0
            for k in range(int(template.hours)):
                local = start + timedelta(hours=k)
                band = int((local - week_start).total_seconds() // 3600) % HOURS_A_WEEK
                if night.contains(local.time()):
                    nights.add(band)
                    in_night += 1
                if local.weekday() >= 5:
                    weekend.add(band)
            night_per_shift = max(night_per_shift, in_night)
    longest = max(float(t.hours) for t in contract.shift_templates)
    week = float(contract.max_hours_week)
    return ContractLimits(
        night_bands=frozenset(nights),
        night_hours=min(week, contract.max_nights_per_4_weeks / 4 * night_per_shift),
        weekend_bands=frozenset(weekend),
        weekend_hours=min(week, contract.max_weekends_per_4_weeks / 4 * 2 * longest),
    )


def check_sites(scenario: Scenario, options: CapacityOptions) -> None:
    """Refuse closed sites or opening costs naming a site the scenario does not have."""
    unknown = sorted(
        (set(options.closed) | set(options.opening_cost)) - {s.id for s in scenario.sites}
    )
    if unknown:
        raise InputError(f"capacity: no site {', '.join(unknown)} in {options.scenario}")


def capacity_inputs(
    scenario: Scenario,
    need_week: dict[str, np.ndarray],
    options: CapacityOptions,
    need_before: dict[str, np.ndarray] | None = None,
    today: Scenario | None = None,
) -> CapacityInputs:
    """The MIP's inputs: the sites' skill groups, and each skill class's need grown and phased in.

    A skill class is the queues the same groups serve (`skill_classes`); a group serves
    the classes whose queues' tier and skill it holds. Before `options.needed_from` the
    need is `need_before` when given, else `need_week` on the hours an open site reaches.
    Heads now are `today`'s (the organisation operated now) where given, group by group
    (site, tier and skills), else the scenario's own.
    """
    check_sites(scenario, options)
    monday = options.settings.start
    classes = skill_classes(scenario)
    now = {
        (g.site, g.id): g.heads for site in (today or scenario).sites for g in skill_groups(site)
    }
    sites = []
    for site in scenario.sites:
        reach, premium = site_reach(site, monday)
        limits = contract_limits(site, monday)
        closed = site.id in options.closed
        groups = tuple(
            CapacityGroup(
                id=g.id,
                heads_now=0 if closed else now.get((site.id, g.id), 0),
                serves=frozenset(
                    c for c, queues in classes.items() if any(_holds(g, q) for q in queues)
                ),
            )
            for g in _groups_then_and_now(site, today)
        )
        sites.append(
            CapacitySite(
                id=site.id,
                monthly_cost=float(site.hourly_cost) * site.contract.max_hours_week * WEEKS_A_MONTH,
                productive_hours=float(site.contract.max_hours_week),
                heads_now=sum(g.heads_now for g in groups),
                open_now=not closed,
                reach=reach,
                opening_cost=options.opening_cost.get(site.id, 0.0),
                premium_per_hour=premium,
                hire_cost=options.hire_cost,
                groups=groups,
                band_hours=1.0,  # a band is one hour of the week
                night_bands=limits.night_bands,
                night_hours=limits.night_hours,
                weekend_bands=limits.weekend_bands,
                weekend_hours=limits.weekend_hours,
            )
        )
    reached_now = {b for s in sites if s.open_now for b in s.reach}
    later = np.array([b not in reached_now for b in range(HOURS_A_WEEK)])
    zero = np.zeros(HOURS_A_WEEK)

    def summed(need: dict[str, np.ndarray], queues: tuple[str, ...]) -> np.ndarray:
        return sum((need.get(q, zero) for q in queues), zero)

    skills = []
    for class_id, queues in classes.items():
        week = summed(need_week, queues)
        before = (
            summed(need_before, queues) if need_before is not None else np.where(later, 0.0, week)
        )
        months = []
        for m in range(options.months):
            row = (week if m >= options.needed_from else before) * (1 + options.growth) ** m
            months.append(tuple(float(v) for v in row))
        skills.append(SkillNeed(class_id, tuple(months)))
    return CapacityInputs(
        need=tuple(tuple(0.0 for _ in range(HOURS_A_WEEK)) for _ in range(options.months)),
        sites=tuple(sites),
        lead_months=options.lead_months,
        ramp=options.ramp,
        attrition=options.attrition,
        skills=tuple(skills),
    )


def _groups_then_and_now(site: Site, today: Scenario | None) -> tuple[SkillGroup, ...]:
    """The site's skill groups in the scenario, and any group only today's site has."""
    groups = {(g.tier, g.skills): g for g in skill_groups(site)}
    for now in today.sites if today is not None else ():
        if now.id == site.id:
            for g in skill_groups(now):
                groups.setdefault((g.tier, g.skills), g)
    return tuple(groups[key] for key in sorted(groups))


def _holds(group: SkillGroup, queue_id: str) -> bool:
    key = QueueKey.parse(queue_id)
    return key.tier == group.tier and f"{key.channel}/{key.language}" in group.skills


def plan_table(inputs: CapacityInputs, plan: CapacityPlan) -> pd.DataFrame:
    """capacity.csv: month, site, group (tier and skills), hires (decided that month), heads, open."""
    opens = {site.id: plan.opens[s] for s, site in enumerate(inputs.sites)}
    rows = [
        {
            "month": m,
            "site": site_id,
            "group": group_id,
            "hires": plan.group_hires[g][m],
            "heads": round(plan.group_heads[g][m], 2),
            "open": _open_in(opens[site_id], m),
        }
        for g, (site_id, group_id) in enumerate(plan.groups)
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
    for g, (site_id, group_id) in enumerate(plan.groups):
        hired = sum(plan.group_hires[g])
        if hired:
            first = next(m for m, h in enumerate(plan.group_hires[g]) if h)
            lines.append(
                f"{site_id} {group_id}: {hired} hires over the plan, the first decided in "
                f"month {first}"
            )
    short = [m for m, v in enumerate(plan.short) if v > SHORT_TOLERANCE]
    if short:
        which = [
            f"{class_id} ({max(rows):,.0f})"
            for class_id, rows in plan.short_by_class
            if max(rows) > SHORT_TOLERANCE
        ]
        lines.append(
            f"infeasible in months {short[0]}-{short[-1]}: hires cannot join in time (lead "
            f"{inputs.lead_months} months) or no site with the skill reaches some hours; "
            f"{max(plan.short):,.0f} agent-hours a week short at worst, by skill class: "
            + ", ".join(which)
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

    def need_of(organisation: Scenario) -> dict[str, np.ndarray]:
        forecast, _ = fit_forecast(organisation, demand.history, grid, plan_settings.model)
        return weekly_need(organisation, staff_requirements(organisation, forecast), week_start)

    before = need_of(current) if current is not None else None
    inputs = capacity_inputs(scenario, need_of(scenario), options, before, current)
    progress(0.5, f"hiring plan over {options.months} months (MIP)")
    limit = options.settings.time_limit_s
    plan = plan_capacity(inputs) if limit is None else plan_capacity(inputs, limit)
    csv = options.out / "capacity.csv"
    table = plan_table(inputs, plan)
    met = max(plan.short) <= SHORT_TOLERANCE
    said = tuple(answers(inputs, plan))
    summary = {
        "scenario": scenario.name,
        "status": plan.status,
        "cost": round(plan.cost, 2) if met else None,
        "objective": round(plan.cost, 2),
        "bound": round(plan.bound, 2),
        "gap": round(plan.gap, 6),
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
