"""Use case: the least-cost headcount per site and skill group that meets every queue's target.

A search over headcount and each queue's staffing uplift (a factor on its required agents:
the roster only puts people on shift up to the requirement, so heads beyond it buy
nothing where the simulation misses a target the Erlang figure says is met). Every
candidate is rostered and simulated (`compare.run_variant`, the one pipeline, on common
random numbers). It starts from the Erlang requirement (each queue's agent-hours shared
over the groups holding its skill, over a head's contract hours, and no fewer than
today's heads: `erlang_start`). Each step tries the heads a short queue's simulated
shortfall implies (`implied_heads`) added to every group holding its skill together and
to each alone, and the short queues' requirements raised by the share of their hours
the shortfall is (`raised_uplift`), with and without those heads; it takes the cheapest
candidate meeting every target, or else the one removing the most contacts short of
target (`weighted_shortfall`) per unit of cost. Then heads are removed and uplifts
lowered one at a time while the targets still hold, cheapest first, keeping the cheapest
answer seen. The candidates of a step run at once on the jobs executor. A step that
serves hardly more contacts in time than the closest answer yet (`PROGRESS_SHARE`)
doubles the next step's heads and rises (a small move can drown in the roster's small
budget); `STALL_STEPS` such steps in a row, or a target still missed after `max_steps`,
end as "infeasible" with the closest answer, the queues still short and why, not hours
of solving.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.simulated import SimulationSettings
from followsun.atomic import check_output_folder, replacing_folder
from followsun.errors import InputError
from followsun.jobs.executor import make_executor
from followsun.services.compare import (
    DecisionSettings,
    Demand,
    VariantResult,
    VariantTask,
    prepare,
    run_variant,
)
from followsun.services.pipeline import PlanSettings, forecast_in_words
from followsun.services.progress import Progress, no_progress
from forecasting.queues import queue_keys
from scenarios.coverage import coverage_mask
from scenarios.loader import load_scenario
from scenarios.rostering import horizon_grid
from scenarios.spec import MAX_STAFFING_UPLIFT, AgentGroup, Scenario, Site
from scenarios.staffing import requirements as staff_requirements

Group = tuple[int, int]
"""A headcount group: (site index, group index) in the scenario."""


@dataclass(frozen=True)
class SizeOptions:
    """What `followsun size` runs: the scenario, the sites to size (all), where to write."""

    scenario: Path
    out: Path
    settings: DecisionSettings
    sites: tuple[str, ...] | None = None
    max_steps: int = 12


@dataclass(frozen=True)
class SizingResult:
    """The sized scenario and how it was found.

    Attributes:
        scenario: the scenario with the headcount found.
        heads: site, tier, skills, heads_now, heads_needed (sizing.csv).
        result: the sized scenario planned, simulated and priced.
        targets_met: every queue meets its target in the simulation.
        evaluations: candidates rostered and simulated.
        steps: steps that added heads (each adds one or more).
        note: why the search stopped, in words.
        uplift: the staffing uplift of each queue the search raised (queue id to factor).
    """

    scenario: Scenario
    heads: pd.DataFrame
    result: VariantResult
    targets_met: bool
    evaluations: int
    steps: int
    note: str
    uplift: dict[str, float] = field(default_factory=dict)


def with_heads(scenario: Scenario, counts: dict[Group, int]) -> Scenario:
    """The scenario with the headcount groups in `counts` set to those counts."""
    sites = []
    for s, site in enumerate(scenario.sites):
        groups = tuple(
            g.model_copy(update={"count": counts.get((s, k), g.count)})
            for k, g in enumerate(site.headcount)
        )
        sites.append(site.model_copy(update={"headcount": groups}))
    return scenario.model_copy(update={"sites": tuple(sites)})


def sized_groups(scenario: Scenario, sites: Sequence[str] | None) -> list[Group]:
    """The headcount groups the search may change: every group of the named sites (all sites).

    Raises:
        InputError: a site named that the scenario does not have, or no group to size.
    """
    ids = [site.id for site in scenario.sites]
    unknown = sorted(set(sites or ()) - set(ids))
    if unknown:
        raise InputError(
            f"--sites: {', '.join(unknown)} not in the scenario (it has {', '.join(ids)})"
        )
    chosen = set(sites or ids)
    groups = [
        (s, k)
        for s, site in enumerate(scenario.sites)
        if site.id in chosen
        for k in range(len(site.headcount))
    ]
    if not groups:
        raise InputError("size: the chosen sites have no headcount groups to size")
    return groups


def erlang_start(
    scenario: Scenario, forecast: pd.DataFrame, weeks: int, groups: Sequence[Group]
) -> dict[Group, int]:
    """Heads per sized group from the Erlang requirement of the horizon's `forecast`.

    Each queue's agent-hours a week go to the groups holding its skill at its tier, in
    proportion to their heads today (evenly if none have any), so a queue only one group
    can take lands on that group; hours falling to groups not being sized stay theirs.
    A group starts at its hours over its site's max_hours_week, rounded up, and never below
    its heads today: the requirement ignores whole shifts, breaks and cover in every open
    interval, so it undershoots a roster, and the search removes heads while targets hold.
    """
    required = staff_requirements(scenario, forecast)
    step_h = scenario.planning.interval_minutes / 60
    keys = ["channel", "language", "tier"]
    per_queue = required.groupby(keys, as_index=False)["agents_required"].sum()
    queue_hours = {
        (f"{row.channel}/{row.language}", int(row.tier)): float(row.agents_required)
        * step_h
        / weeks
        for row in per_queue.itertuples(index=False)
    }
    hours = share_hours(scenario, queue_hours, groups)
    return {
        g: max(
            _group(scenario, g).count,
            math.ceil(h / scenario.sites[g[0]].contract.max_hours_week),
        )
        for g, h in hours.items()
    }


def share_hours(
    scenario: Scenario, queue_hours: dict[tuple[str, int], float], groups: Sequence[Group]
) -> dict[Group, float]:
    """Agent-hours a week per sized group: each (skill, tier)'s hours over its holders.

    Shared in proportion to the holders' heads in `scenario` (evenly if none have any);
    the share of a holder not in `groups` stays its own and is dropped here.
    """
    everyone = [(s, k) for s, site in enumerate(scenario.sites) for k in range(len(site.headcount))]
    hours = dict.fromkeys(groups, 0.0)
    for (skill, tier), total in queue_hours.items():
        holders = [
            g
            for g in everyone
            if _group(scenario, g).tier == tier and skill in _group(scenario, g).skills
        ]
        now = [_group(scenario, g).count for g in holders]
        for g, count in zip(holders, now, strict=True):
            if g in hours:
                share = count / sum(now) if sum(now) else 1 / len(holders)
                hours[g] += share * total
    return hours


REALTIME_CHANNELS = ("phone", "chat")
"""Channels whose contacts need an agent while the queue is open (tickets can wait)."""


def check_reachable(scenario: Scenario, grid: pd.DatetimeIndex) -> None:
    """Refuse, before any solving, a phone or chat queue open when no one can be on shift.

    A queue open in an interval that no shift template of a site holding its skill (nor
    a vendor offering it) reaches cannot meet its target with any headcount.

    Raises:
        InputError: "infeasible: ..." naming the queue, the first such interval and why.
    """
    step = grid[1] - grid[0]
    for queue in scenario.queues:
        if queue.channel not in REALTIME_CHANNELS:
            continue
        reach = np.zeros(len(grid), dtype=bool)
        for site in scenario.sites:
            groups = (*site.headcount, *site.agents)
            if any(g.tier == queue.tier and queue.skill in g.skills for g in groups):
                reach |= _shift_reach(site, grid)
        for vendor in scenario.vendors:
            if vendor.tier == queue.tier and queue.skill in vendor.skills and vendor.max_agents:
                reach |= coverage_mask(vendor.coverage, grid)
        missed = coverage_mask(queue.coverage, grid) & ~reach
        if missed.any():
            first = grid[int(np.argmax(missed))]
            raise InputError(
                f"infeasible: queue {queue.id} is open at {first:%a %Y-%m-%d %H:%M} UTC "
                f"({int(missed.sum()) * step / pd.Timedelta(hours=1):.0f} h in the horizon) when "
                f"no shift of a site with skill {queue.skill} at tier {queue.tier}, nor a "
                "vendor, reaches: no headcount can meet its target; add a shift template or "
                "narrow the queue's hours"
            )


def _shift_reach(site: Site, grid: pd.DatetimeIndex) -> np.ndarray:
    """The grid intervals some shift template of the site can cover on some local day."""
    reach = np.zeros(len(grid), dtype=bool)
    first = (grid[0].tz_convert(site.timezone) - pd.Timedelta(days=1)).date()
    last = grid[-1].tz_convert(site.timezone).date()
    for day in pd.date_range(first, last, freq="D"):
        for template in site.contract.shift_templates:
            start = pd.Timestamp(datetime.combine(day.date(), template.start)).tz_localize(
                site.timezone, ambiguous=False, nonexistent="shift_forward"
            )
            end = start + pd.Timedelta(hours=float(template.hours))
            reach |= (grid >= start) & (grid < end)
    return reach


def shortfall(result: VariantResult) -> float:
    """Points of SLA missing, summed over queues (0 when every target is met)."""
    return float(_missing_points(result.simulated.sla_by_queue).sum())


def weighted_shortfall(table: pd.DataFrame) -> float:
    """Contacts short of target: each queue's missing SLA points times its contacts, summed.

    Weighting by volume ranks a point of a busy queue (US phone) above a point of a
    small one, so a cheap head serving a small queue does not outbid the group that alone
    serves the busy one.
    """
    return float((_missing_points(table) * table["contacts"]).sum())


def _missing_points(table: pd.DataFrame) -> pd.Series:
    level = table["service_level"].fillna(1.0)
    return (table["target"] - level).clip(lower=0.0)


def implied_heads(
    scenario: Scenario, table: pd.DataFrame, weeks: int, groups: Sequence[Group]
) -> dict[Group, int]:
    """Heads to add per sized group holding a short queue's skill, at least one each.

    A queue's shortfall in agent-hours a week is its contacts short of target (`table`:
    sla_by_queue of `scenario` simulated over `weeks`) times its AHT; it is shared over the
    groups holding its skill as the Erlang start shares requirements (`share_hours`), and a
    group's hours over its site's max_hours_week, rounded up, are its heads.
    """
    aht = {(q.skill, q.tier): q.aht_seconds for q in scenario.queues}
    queue_hours: dict[tuple[str, int], float] = {}
    missing = _missing_points(table) * table["contacts"]
    skills = table["channel"].astype(str) + "/" + table["language"].astype(str)
    for skill, tier, short in zip(skills, table["tier"].astype(int), missing, strict=True):
        if short > 0:
            key = (str(skill), int(tier))
            queue_hours[key] = float(short) * aht[key] / 3600 / weeks
    hours = share_hours(scenario, queue_hours, groups)
    return {
        g: max(1, math.ceil(h / scenario.sites[g[0]].contract.max_hours_week))
        for g, h in hours.items()
        if any(
            tier == _group(scenario, g).tier and skill in _group(scenario, g).skills
            for skill, tier in queue_hours
        )
    }


Uplift = dict[str, float]
"""Each queue's staffing uplift (queue id to factor >= 1), every queue of the scenario."""

UPLIFT_RISE = (0.1, 1.0)
"""A step raises a short queue's uplift by its shortfall's share of its hours, within these."""


STALL_STEPS = 3
"""Steps in a row that serve no more contacts in time than the closest answer yet before
the target is called unreachable (one such step may be the roster's budget, not a wall;
each doubles the next step's moves, so the last tries four times the first's)."""

PROGRESS_SHARE = 0.05
"""A step serving fewer than this share of the contacts still short of target counts as
serving none: on a target no headcount reaches, ever more heads keep buying a few
contacts each, and doubling moves would otherwise run the search to its step limit."""

REMOVAL_SLACK = 0.02
"""While removing, a candidate up to this share dearer than the cheapest answer yet is
still followed: a roster solved on a small budget may place one shift more with one head
fewer, and the search should not stop there. The cheapest answer is kept."""


@dataclass(frozen=True)
class Candidate:
    """A point of the search: heads per sized group and every queue's staffing uplift."""

    counts: dict[Group, int]
    uplift: Uplift


def sized_scenario(scenario: Scenario, candidate: Candidate) -> Scenario:
    """The scenario with the candidate's heads and queue uplifts."""
    queues = tuple(
        q.model_copy(update={"staffing_uplift": candidate.uplift.get(q.id, q.staffing_uplift)})
        for q in with_heads(scenario, candidate.counts).queues
    )
    return with_heads(scenario, candidate.counts).model_copy(update={"queues": queues})


def base_hours(scenario: Scenario, forecast: pd.DataFrame, weeks: int) -> dict[str, float]:
    """Each queue's Erlang agent-hours a week without its uplift (the search's yardstick)."""
    required = staff_requirements(scenario, forecast)
    step_h = scenario.planning.interval_minutes / 60
    hours = required.groupby(queue_keys(required), sort=False)["agents_required"].sum()
    factor = {q.id: q.staffing_uplift for q in scenario.queues}
    return {str(q): float(h) * step_h / weeks / factor[str(q)] for q, h in hours.items()}


def short_hours(scenario: Scenario, table: pd.DataFrame, weeks: int) -> dict[str, float]:
    """Agent-hours a week per short queue: its contacts short of target times its AHT."""
    aht = {q.id: q.aht_seconds for q in scenario.queues}
    missing = _missing_points(table) * table["contacts"]
    return {
        str(q): float(m) * aht[str(q)] / 3600 / weeks
        for q, m in zip(queue_keys(table), missing, strict=True)
        if m > 0
    }


def raised_uplift(
    uplift: Uplift, short: dict[str, float], base: dict[str, float], scale: int = 1
) -> Uplift:
    """Each short queue's uplift raised by its shortfall's share of its staffed hours.

    The rise (times `scale`) is kept within `UPLIFT_RISE` and the factor under
    `MAX_STAFFING_UPLIFT`; queues already at the ceiling keep it (the answer equals
    `uplift` when all are).
    """
    low, high = UPLIFT_RISE
    raised = dict(uplift)
    for queue, hours in short.items():
        factor = uplift[queue]
        staffed = factor * base.get(queue, 0.0)
        rise = min(high, max(low, hours / staffed) * scale) if staffed > 0 else high
        raised[queue] = min(MAX_STAFFING_UPLIFT, round(factor * (1 + rise), 2))
    return raised


def lowered_uplifts(uplift: Uplift) -> list[Uplift]:
    """Each raised queue's uplift halved towards 1 (to 1 when within a tenth), one at a time."""
    options = []
    for queue, factor in uplift.items():
        if factor > 1:
            lower = 1.0 if factor - 1 <= 0.1 else round(1 + (factor - 1) / 2, 2)
            options.append({**uplift, queue: lower})
    return options


def step_candidates(
    scenario: Scenario,
    now: Candidate,
    table: pd.DataFrame,
    weeks: int,
    groups: Sequence[Group],
    base: dict[str, float],
    scale: int = 1,
) -> list[Candidate]:
    """A step's candidates, without repeats, each move `scale` times its estimate.

    The implied heads added to every group at once; the short queues' uplift raised with
    those heads and without; then each group's implied heads alone. When no sized group
    holds a short queue's skill, `scale` heads added to each group in turn.
    """
    current = sized_scenario(scenario, now)
    counts = now.counts
    implied = {g: n * scale for g, n in implied_heads(current, table, weeks, groups).items()}
    raised = raised_uplift(now.uplift, short_hours(current, table, weeks), base, scale)
    if implied:
        together = {**counts, **{g: counts[g] + n for g, n in implied.items()}}
        alone = [{**counts, g: counts[g] + n} for g, n in implied.items()]
    else:
        together = counts
        alone = [{**counts, g: counts[g] + scale} for g in groups]
    options = [
        Candidate(together, now.uplift),
        Candidate(together, raised),
        Candidate(counts, raised),
        *(Candidate(c, now.uplift) for c in alone),
    ]
    unique: list[Candidate] = []
    for option in options:
        if option != now and option not in unique:
            unique.append(option)
    return unique


def size_headcount(
    scenario: Scenario,
    demand: Demand,
    plan: PlanSettings,
    simulation: SimulationSettings,
    *,
    sites: Sequence[str] | None = None,
    max_steps: int = 12,
    start: dict[Group, int] | None = None,
    executor: str | None = None,
    max_workers: int | None = None,
    progress: Progress = no_progress,
) -> SizingResult:
    """Search the least-cost headcount and uplifts meeting every target (the module docstring).

    `start` replaces the Erlang start's heads for the groups it names.
    """
    groups = sized_groups(scenario, sites)
    grid = horizon_grid(scenario, plan.start, plan.weeks)
    check_reachable(scenario, grid)
    # The forecast does not depend on the people: fitted once, shared by every candidate.
    fitted = forecast_in_words(scenario, demand.history, grid, plan.model)
    counts = {g: _group(scenario, g).count for g in groups}
    counts.update(erlang_start(scenario, fitted[0], plan.weeks, groups) if start is None else start)
    base = base_hours(scenario, fitted[0], plan.weeks)
    now = Candidate(counts, {q.id: q.staffing_uplift for q in scenario.queues})
    evaluations = 0
    sim_plan = replace(plan, simulation=simulation)

    with make_executor(executor, max_workers) as pool:

        def evaluate(candidates: list[Candidate]) -> list[VariantResult]:
            nonlocal evaluations
            evaluations += len(candidates)
            tasks = [
                VariantTask(sized_scenario(scenario, c), demand, sim_plan, fitted)
                for c in candidates
            ]
            return pool.map(run_variant, tasks)

        progress(0.0, f"Erlang start: {sum(counts.values())} heads")
        (current,) = evaluate([now])
        steps = 0
        idle = 0
        closest = (now, current)
        while shortfall(current) > 0 and steps < max_steps and idle < STALL_STEPS:
            steps += 1
            progress(steps / (max_steps + 4), f"adding heads ({sum(now.counts.values())} now)")
            table = current.simulated.sla_by_queue
            options = step_candidates(scenario, now, table, plan.weeks, groups, base, scale=2**idle)
            results = evaluate(options)
            best = best_step(current, results)
            now, current = options[best], results[best]
            before = weighted_shortfall(closest[1].simulated.sla_by_queue)
            after = weighted_shortfall(current.simulated.sla_by_queue)
            idle = 0 if after < before * (1 - PROGRESS_SHARE) else idle + 1
            if after < before:
                closest = (now, current)
        stalled = idle >= STALL_STEPS
        if shortfall(current) > 0:
            now, current = closest
        met = shortfall(current) == 0
        kept = (now, current)
        while met:
            progress(None, f"removing a head ({sum(now.counts.values())} now)")
            fewer = [
                Candidate({**now.counts, g: now.counts[g] - 1}, now.uplift)
                for g in groups
                if now.counts[g] > 0
            ]
            options = fewer + [Candidate(now.counts, u) for u in lowered_uplifts(now.uplift)]
            if not options:
                break
            results = evaluate(options)
            ceiling = float(kept[1].cost.total) * (1 + REMOVAL_SLACK)
            keep = [
                i
                for i, r in enumerate(results)
                if shortfall(r) == 0 and float(r.cost.total) <= ceiling
            ]
            if not keep:
                break
            cheapest = min(keep, key=lambda i: results[i].cost.total)
            now, current = options[cheapest], results[cheapest]
            if current.cost.total <= kept[1].cost.total:
                kept = (now, current)
        now, current = kept
    progress(1.0, "sized")
    note = _note(current, met, stalled, steps, now.uplift)
    return SizingResult(
        scenario=sized_scenario(scenario, now),
        heads=_heads_table(scenario, now.counts),
        result=current,
        targets_met=met,
        evaluations=evaluations,
        steps=steps,
        note=note,
        uplift={q: f for q, f in now.uplift.items() if f != 1},
    )


def _note(current: VariantResult, met: bool, stalled: bool, steps: int, uplift: Uplift) -> str:
    """Why the search stopped, in words."""
    if met:
        return (
            "every target met; removing any one head or lowering any uplift from here "
            "misses one or costs more"
        )
    short = current.simulated.sla_by_queue
    missing = short[short["service_level"].fillna(1.0) < short["target"]]
    names = ", ".join(
        f"{k} {s:.0%} of {t:.0%} (uplift x{uplift.get(k, 1.0):g})"
        for k, s, t in zip(
            queue_keys(missing), missing["service_level"], missing["target"], strict=True
        )
    )
    if stalled:
        return (
            f"infeasible: after {steps} steps, the last {STALL_STEPS} with neither more heads "
            f"nor a higher requirement serving more contacts in time; still short: {names}. The queue's open hours "
            "that no shift or break leaves staffed, its patience or a vendor's cap may not "
            "let any headcount reach it"
        )
    return (
        f"infeasible: after {steps} steps adding heads and raising requirements, still "
        f"short: {names}; the queues' open hours, the sites' shift templates or the "
        "contracts may not reach them (or --max-steps is too low)"
    )


def best_step(current: VariantResult, results: list[VariantResult]) -> int:
    """The cheapest candidate meeting every target, else the best `_gain`."""
    met = [i for i, r in enumerate(results) if shortfall(r) == 0]
    if met:
        return min(met, key=lambda i: results[i].cost.total)
    return max(range(len(results)), key=lambda i: _gain(current, results[i]))


def _gain(current: VariantResult, candidate: VariantResult) -> tuple[float, float]:
    """Contacts short of target removed per unit of added cost, then the contacts removed."""
    before = weighted_shortfall(current.simulated.sla_by_queue)
    removed = before - weighted_shortfall(candidate.simulated.sla_by_queue)
    added = float(candidate.cost.total - current.cost.total)
    per_cost = removed / added if added > 0 else (math.inf if removed > 0 else removed)
    return (per_cost, removed)


def _group(scenario: Scenario, group: Group) -> AgentGroup:
    return scenario.sites[group[0]].headcount[group[1]]


def _heads_table(scenario: Scenario, counts: dict[Group, int]) -> pd.DataFrame:
    rows = [
        {
            "site": site.id,
            "tier": g.tier,
            "skills": "+".join(sorted(g.skills)),
            "heads_now": g.count,
            "heads_needed": counts.get((s, k), g.count),
        }
        for s, site in enumerate(scenario.sites)
        for k, g in enumerate(site.headcount)
    ]
    return pd.DataFrame(rows)


def write_sizing(out: Path, sizing: SizingResult) -> tuple[Path, Path]:
    """sizing.csv and summary.json (cost, simulated SLA per queue with its interval, targets_met)."""
    csv = out / "sizing.csv"
    table = sizing.result.simulated.sla_by_queue
    sla = {
        key: {
            "service_level": _num(r.service_level),
            "low": _num(r.low),
            "high": _num(r.high),
            "target": r.target,
        }
        for key, r in zip(queue_keys(table), table.itertuples(), strict=True)
    }
    summary = {
        "scenario": sizing.scenario.name,
        "cost": {"total": float(sizing.result.cost.total), "currency": sizing.result.cost.currency},
        "sla": sla,
        "targets_met": sizing.targets_met,
        "staffing_uplift": sizing.uplift,
        "evaluations": sizing.evaluations,
        "note": sizing.note,
    }
    with replacing_folder(out) as staged:
        sizing.heads.to_csv(staged.path / "sizing.csv", index=False)
        text = json.dumps(summary, indent=2) + "\n"
        (staged.path / "summary.json").write_text(text, encoding="utf-8")
    return csv, out / "summary.json"


def _num(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else round(number, 6)


def run_size(
    options: SizeOptions, progress: Progress = no_progress
) -> tuple[SizingResult, Path, Path]:
    """Load the scenario, build its synthetic demand, size it, write sizing.csv and summary.json."""
    check_output_folder(options.out, [options.scenario])
    scenario = load_scenario(options.scenario)
    sized_groups(scenario, options.sites)
    demand, plan, simulation = prepare([scenario], options.settings)
    sizing = size_headcount(
        scenario,
        demand,
        plan,
        simulation,
        sites=options.sites,
        max_steps=options.max_steps,
        executor=options.settings.executor,
        max_workers=options.settings.max_workers,
        progress=progress,
    )
    csv, summary = write_sizing(options.out, sizing)
    return sizing, csv, summary
