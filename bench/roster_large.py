"""Roster solver on the issue-5 large organisation: 500 agents, 3 sites, 8 skill groups.

San Jose (200), Amsterdam (140) and Taipei (160) follow the sun: each site works its local
07:00-23:00 (San Jose 06:00-22:00) with four 9-hour templates, so the three windows cover
the whole UTC day without night shifts. English queues are open 24/7; German, Chinese and
Japanese queues keep their customers' extended hours every day. Agents hold one to three
skills in the mixes of the example scenarios, so skill groups overlap within and across
sites. Contracts follow the example scenarios (32-40 h a week, 5 shifts, two days off in
a row, 10-11 h rest, at most 2 weekends in 4).

Requirements: each queue's coverage policy times a daily shape (its customers' local
business hours weigh most; weekends 60% of weekdays), scaled so that the queue's demand is
85% of the paid hours its skilled agents can give it (an agent's 40 h are split evenly
over the queues it serves), rounded to whole heads with at least one head while open.
May 2027: no DST change inside the horizon in any site.

The section solves it with followsun for 300 s on 2 workers (recording the progress
timeline), the naive CP-SAT model of bench/roster.py for 120 s, and pyworkforce's shift
scheduler per skill group with the same 300 s (see bench/roster.py for both peers).
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from bench.roster import (
    comparison_lines,
    contract_floor,
    pyworkforce_version,
    roster_outcome,
    shift_count_problems,
    site_capacity,
    solve_naive,
    solve_shift_counts,
)
from forecasting.timegrid import local_to_utc
from planner.gap import relative_gap
from planner.roster import (
    RosterInputs,
    RosterResult,
    SolveSettings,
    build_index,
    build_model,
    solve_roster,
)
from scenarios.coverage import coverage_mask
from scenarios.loader import parse_scenario
from scenarios.rostering import horizon_grid, roster_inputs
from scenarios.spec import Scenario

START = date(2027, 5, 3)  # a Monday
WEEKS = 4
INTERVAL_MIN = 15
LOAD = 0.85  # required agent-hours over paid agent-hours
WEEKEND_FACTOR = 0.6

_BREAK = [{"offset_minutes": 240, "minutes": 60}]


def _templates(starts: dict[str, str]) -> list[dict[str, Any]]:
    return [{"id": k, "start": v, "hours": 9, "breaks": _BREAK} for k, v in starts.items()]


def _contract(rest_hours: float, starts: dict[str, str]) -> dict[str, Any]:
    return {
        "min_hours_week": 32,
        "max_hours_week": 40,
        "max_shifts_week": 5,
        "max_consecutive_days": 5,
        "min_consecutive_days_off": 2,
        "min_rest_hours": rest_hours,
        "max_nights_per_4_weeks": 8,
        "max_weekends_per_4_weeks": 2,
        "shift_templates": _templates(starts),
    }


SITES: list[dict[str, Any]] = [
    {
        "id": "sjc",
        "name": "San Jose",
        "timezone": "America/Los_Angeles",
        "country": "US",
        "subdivision": "CA",
        "hourly_cost": "78.00",
        "premiums": {"night": 0.10, "weekend": 0.15, "holiday": 1.0},
        "contract": _contract(
            10, {"early": "06:00", "day": "08:00", "mid": "10:00", "late": "13:00"}
        ),
        "headcount": [
            {"tier": 1, "count": 70, "skills": ["chat/en", "phone/en", "web/en"]},
            {"tier": 1, "count": 50, "skills": ["chat/en", "web/en"]},
            {"tier": 1, "count": 40, "skills": ["phone/en"]},
            {"tier": 2, "count": 40, "skills": ["web/en"]},
        ],
    },
    {
        "id": "ams",
        "name": "Amsterdam",
        "timezone": "Europe/Amsterdam",
        "country": "NL",
        "hourly_cost": "58.00",
        "premiums": {"night": 0.25, "weekend": 0.50, "holiday": 1.0},
        "contract": _contract(
            11, {"early": "07:00", "day": "09:00", "mid": "11:00", "late": "14:00"}
        ),
        "headcount": [
            {"tier": 1, "count": 45, "skills": ["chat/en", "web/en"]},
            {"tier": 1, "count": 35, "skills": ["chat/en", "phone/en", "chat/de"]},
            {"tier": 1, "count": 35, "skills": ["chat/de", "chat/en"]},
            {"tier": 2, "count": 25, "skills": ["web/en"]},
        ],
    },
    {
        "id": "tpe",
        "name": "Taipei",
        "timezone": "Asia/Taipei",
        "country": "TW",
        "hourly_cost": "32.00",
        "premiums": {"night": 0.20, "weekend": 0.34, "holiday": 1.0},
        "contract": _contract(
            11, {"early": "07:00", "day": "09:00", "mid": "11:00", "late": "14:00"}
        ),
        "headcount": [
            {"tier": 1, "count": 40, "skills": ["chat/en", "web/en", "chat/zh"]},
            {"tier": 1, "count": 40, "skills": ["chat/zh", "chat/ja"]},
            {"tier": 1, "count": 25, "skills": ["chat/ja", "chat/en"]},
            {"tier": 1, "count": 25, "skills": ["phone/en", "chat/en"]},
            {"tier": 2, "count": 30, "skills": ["web/en", "web/zh"]},
        ],
    },
]

_ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_EN_CUSTOMERS = (
    ("America/New_York", 0.45),
    ("America/Los_Angeles", 0.15),
    ("Europe/London", 0.25),
    ("Asia/Singapore", 0.15),
)


def _queue(
    channel: str, language: str, tier: int, priority: int, coverage: dict[str, Any]
) -> dict[str, Any]:
    realtime = channel in ("chat", "phone")
    return {
        "channel": channel,
        "language": language,
        "tier": tier,
        "target": {"fraction": 0.8, "within_seconds": 30 if realtime else 14400},
        "aht_seconds": 600 if realtime else 900,
        "priority": priority,
        "coverage": coverage,
    }


def _hours(zone: str, open_: str, close: str) -> dict[str, Any]:
    return {"kind": "hours", "timezone": zone, "days": _ALL_DAYS, "open": open_, "close": close}


QUEUES: list[dict[str, Any]] = [
    _queue("chat", "en", 1, 3, {"kind": "24x7"}),
    _queue("phone", "en", 1, 4, {"kind": "24x7"}),
    _queue("web", "en", 1, 2, {"kind": "24x7"}),
    _queue("web", "en", 2, 2, {"kind": "24x7"}),
    _queue("chat", "de", 1, 3, _hours("Europe/Berlin", "08:00", "20:00")),
    _queue("chat", "zh", 1, 3, _hours("Asia/Taipei", "08:00", "22:00")),
    _queue("chat", "ja", 1, 3, _hours("Asia/Tokyo", "08:00", "22:00")),
    _queue("web", "zh", 2, 2, _hours("Asia/Taipei", "08:00", "22:00")),
]

# Whose local clock shapes each queue's day (zone, share of its volume).
CUSTOMERS: dict[str, tuple[tuple[str, float], ...]] = {
    "chat-en-t1": _EN_CUSTOMERS,
    "phone-en-t1": _EN_CUSTOMERS,
    "web-en-t1": _EN_CUSTOMERS,
    "web-en-t2": _EN_CUSTOMERS,
    "chat-de-t1": (("Europe/Berlin", 1.0),),
    "chat-zh-t1": (("Asia/Taipei", 1.0),),
    "chat-ja-t1": (("Asia/Tokyo", 1.0),),
    "web-zh-t2": (("Asia/Taipei", 1.0),),
}

# Relative contact rate by local hour: quiet nights, a business-hours plateau, evenings.
HOURLY = np.array(
    [0.25, 0.2, 0.2, 0.2, 0.25, 0.3, 0.45, 0.65, 0.85, 1.0, 1.0, 1.0]
    + [0.95, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7, 0.6, 0.5, 0.45, 0.35, 0.3]
)


def twin(
    site: dict[str, Any], id_: str, name: str, zone: str, country: str, subdivision: str | None
) -> dict[str, Any]:
    """A site like `site` (contract, skill mixes, headcount) in another office and zone."""
    out = {**site, "id": id_, "name": name, "timezone": zone, "country": country}
    out.pop("subdivision", None)
    if subdivision is not None:
        out["subdivision"] = subdivision
    return out


def scaled(site: dict[str, Any], factor: float) -> dict[str, Any]:
    """`site` with every headcount group `factor` times as large (rounded, at least 1)."""
    groups = [{**g, "count": max(1, round(g["count"] * factor))} for g in site["headcount"]]
    return {**site, "headcount": groups}


def _sites_2000() -> list[dict[str, Any]]:
    """The three sites at twice their size, and a twin of each in a neighbouring zone."""
    sjc, ams, tpe = SITES
    twins = [
        twin(sjc, "aus", "Austin", "America/Chicago", "US", "TX"),
        twin(ams, "dub", "Dublin", "Europe/Dublin", "IE", None),
        twin(tpe, "mnl", "Manila", "Asia/Manila", "PH", None),
    ]
    return [scaled(s, 2) for s in (sjc, ams, tpe, *twins)]


# The next size up (issue 31): 2,000 agents in 6 sites, the same queues and rules.
SITES_2000: list[dict[str, Any]] = _sites_2000()


def large_scenario(sites: list[dict[str, Any]] | None = None) -> Scenario:
    """The large organisation (by default the 500-agent one) as a validated scenario."""
    sites = SITES if sites is None else sites
    agents = sum(g["count"] for s in sites for g in s["headcount"])
    data: dict[str, Any] = {
        "name": f"large-{agents}",
        "description": f"Synthetic {agents}-agent, {len(sites)}-site, 8-queue follow-the-sun "
        "organisation.",
        "planning": {"interval_minutes": INTERVAL_MIN, "weeks": WEEKS, "solver_seconds": 300},
        "sites": sites,
        "queues": QUEUES,
        "demand": {
            "regions": [
                {
                    "id": "americas",
                    "timezone": "America/New_York",
                    "country": "US",
                    "languages": {"en": 1.0},
                    "weekly_volume": {"chat": 6000, "phone": 2500, "web": 4000},
                },
                {
                    "id": "emea",
                    "timezone": "Europe/Berlin",
                    "country": "DE",
                    "languages": {"en": 0.6, "de": 0.4},
                    "weekly_volume": {"chat": 4000},
                },
                {
                    "id": "apac",
                    "timezone": "Asia/Taipei",
                    "country": "TW",
                    "languages": {"zh": 0.6, "ja": 0.4},
                    "weekly_volume": {"chat": 3500},
                },
            ]
        },
    }
    return parse_scenario(data, "bench.roster_large")


def paid_intervals(scenario: Scenario, weeks: int = WEEKS) -> dict[str, float]:
    """Agent-intervals each queue can get: every agent's maximum paid hours split evenly."""
    per_hour = 60 / scenario.planning.interval_minutes
    out = {q.id: 0.0 for q in scenario.queues}
    for site in scenario.sites:
        hours = site.contract.max_hours_week * weeks
        for group in site.headcount:
            mine = [
                q.id for q in scenario.queues if q.skill in group.skills and q.tier == group.tier
            ]
            for qid in mine:
                out[qid] += group.count * hours * per_hour / len(mine)
    return out


def shape(grid: pd.DatetimeIndex, customers: tuple[tuple[str, float], ...]) -> np.ndarray:
    """Relative demand per grid interval: the customers' local hour and weekday."""
    out = np.zeros(len(grid))
    for zone, share in customers:
        local = grid.tz_convert(zone)
        hour = HOURLY[local.hour.to_numpy()]
        weekend = np.where(local.dayofweek.to_numpy() >= 5, WEEKEND_FACTOR, 1.0)
        out += share * hour * weekend
    return out


def large_requirements(
    scenario: Scenario, start: date = START, weeks: int = WEEKS, load: float = LOAD
) -> pd.DataFrame:
    """Heads required per queue and interval (see the module docstring)."""
    grid = horizon_grid(scenario, start, weeks)
    # Demand only where some site can work: from the earliest first shift start to the
    # latest last shift end (the grid runs from the first site's midnight to the last's).
    lo, hi = shift_span(scenario, start, weeks)
    reachable = (grid >= lo) & (grid < hi)
    supply = paid_intervals(scenario, weeks)
    frames = []
    for queue in scenario.queues:
        open_ = coverage_mask(queue.coverage, grid) & reachable
        weight = shape(grid, CUSTOMERS[queue.id]) * open_
        scale = load * supply[queue.id] / weight.sum()
        heads = np.where(open_, np.maximum(1, np.round(scale * weight)), 0).astype(int)
        keep = heads > 0
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": grid[keep],
                    "channel": queue.channel,
                    "language": queue.language,
                    "tier": queue.tier,
                    "agents_required": heads[keep],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def shift_span(scenario: Scenario, start: date, weeks: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC instants of the earliest shift start and the latest shift end in the horizon."""
    last = start + timedelta(days=7 * weeks - 1)
    starts, ends = [], []
    for site in scenario.sites:
        for t in site.contract.shift_templates:
            starts.append(local_to_utc(start, t.start, site.timezone))
            ends.append(local_to_utc(last, t.start, site.timezone) + pd.Timedelta(hours=t.hours))
    return min(starts), max(ends)


# --- the benchmark section -----------------------------------------------------------------

SECONDS = 300.0
NAIVE_SECONDS = 120.0
WORKERS = 2
FIRST_TARGET_S = 60.0
GAP_TARGET = 0.03


@dataclass(frozen=True)
class Case:
    """One size of the large organisation and what its section measures."""

    sites: list[dict[str, Any]]
    seconds: float = SECONDS
    first_target_s: float = FIRST_TARGET_S
    gap_target: float = GAP_TARGET
    title: str = "large organisation"
    peers: bool = True  # the naive CP-SAT model and pyworkforce beside followsun
    marks: tuple[float, ...] = ()  # more times to give the gap at, besides the first target
    target: str = (
        "Target (issue 5): first feasible roster within 60 s, gap under 3% within 5 minutes."
    )


def large_inputs(sites: list[dict[str, Any]] | None = None) -> tuple[RosterInputs, float]:
    """The large organisation's roster inputs and the seconds taken to build them."""
    began = time.perf_counter()
    scenario = large_scenario(sites)
    inputs = roster_inputs(scenario, large_requirements(scenario), START, WEEKS)
    return inputs, time.perf_counter() - began


def at_time(
    timeline: list[tuple[float, float, float]], seconds: float
) -> tuple[float, float, float] | None:
    """The last (seconds, objective, bound) reported at or before `seconds`, if any."""
    before = [point for point in timeline if point[0] <= seconds]
    return before[-1] if before else None


def _gap_of(point: tuple[float, float, float]) -> float:
    _, objective, bound = point
    return relative_gap(objective, bound)


def _gap_text(point: tuple[float, float, float] | None) -> str:
    if point is None:
        return "no search solution reported yet"
    _, objective, bound = point
    if not math.isfinite(bound) or bound <= 0:
        return f"unknown: no bound above 0 yet (objective {objective:,.0f}, at {point[0]:.0f} s)"
    return f"{_gap_of(point):.2%} (objective {objective:,.0f}, bound {bound:,.0f}, at {point[0]:.0f} s)"


def run() -> str:
    """Solve the 500-agent organisation three ways and return the Markdown section."""
    return section(Case(SITES))


def section(case: Case) -> str:
    """Solve one size of the large organisation (with its peers if asked): Markdown."""
    seconds, first_target, gap_target = case.seconds, case.first_target_s, case.gap_target
    inputs, prep = large_inputs(case.sites)
    index = build_index(inputs)
    began = time.perf_counter()
    v, _terms = build_model(inputs, index)
    model_s = time.perf_counter() - began
    n_vars, n_cons = len(v.model.proto.variables), len(v.model.proto.constraints)
    del v
    timeline: list[tuple[float, float, float]] = []
    loads: list[float] = []

    def progress(s: float, o: float, b: float) -> None:
        timeline.append((s, o, b))
        loads.append(os.getloadavg()[0])

    ours = solve_roster(
        inputs,
        SolveSettings(time_limit_s=seconds, num_workers=WORKERS, seed=0, on_progress=progress),
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours_obj = ours.objective if ours.objective is not None else float("nan")
    extra = sum(p.points for p in ours.penalties if p.family.startswith("fairness"))
    ours_cmp = ours_obj - extra
    first = ours.first_solution_seconds
    shortfall = float(ours.coverage["shortfall"].sum()) if not ours.coverage.empty else 0.0
    required = inputs.required.sum() / inputs.units_per_head
    paid = sum(a.rules.max_minutes_week for a in inputs.agents) * inputs.weeks
    paid_intervals = paid / inputs.interval_min
    sites = sorted({a.site for a in inputs.agents})
    first_ok = first is not None and first <= first_target
    gap_ok = ours.gap is not None and ours.gap < gap_target
    lines = [
        f"## Roster solver, {case.title} (CP-SAT)",
        "",
        f"Synthetic organisation (bench/roster_large.py): {len(inputs.agents)} agents in "
        f"{len(sites)} sites ({', '.join(sites)}), {len(inputs.queues)} skill groups, "
        f"{len(index.classes)} agent classes, {inputs.days} days from {inputs.start} at "
        f"{inputs.interval_min} min ({len(inputs.grid):,} intervals), 24/7 English, "
        f"{len(inputs.options):,} shift options, {required:,.0f} required agent-intervals "
        f"({required / paid_intervals:.0%} of the agents' maximum paid hours). "
        f"Inputs built in {prep:.1f} s; model {n_vars:,} variables and {n_cons:,} constraints "
        f"built in {model_s:.1f} s. {seconds:g} s limit, {WORKERS} workers, seed 0."
        + (
            f" Peak memory (RSS) by the end of followsun's solve {rss_mb:,.0f} MB; load average "
            f"{min(loads):.1f} to {max(loads):.1f} during it."
            if not case.peers and loads
            else ""
        ),
        "",
        "| measure | followsun | target |",
        "|---|---|---|",
        f"| first feasible roster | {_seconds(first)} | under {first_target:g} s: "
        f"{'met' if first_ok else 'missed'} |",
        f"| first progress report | {_seconds(timeline[0][0] if timeline else None)} | |",
        f"| gap at {first_target:g} s | {_gap_at(timeline, first_target)} | |",
        *[f"| gap at {m:g} s | {_gap_at(timeline, m)} | |" for m in case.marks if m < seconds],
        f"| gap at {seconds:g} s (final) | {_pct(ours.gap)} "
        f"(objective {ours_obj:,.0f}, bound {ours.bound:,.0f}) | under {gap_target:.0%}: "
        f"{'met' if gap_ok else 'missed'} |",
        f"| status, wall | {ours.status}, {ours.wall_seconds:.1f} s | |",
        f"| shifts, hard violations | {len(ours.roster):,}, {len(ours.violations)}"
        f"{_by_rule(ours)} | 0 violations |",
        f"| shortfall | {shortfall:,.0f} agent-intervals ({shortfall / required:.2%}) | |",
        "",
        "Objective by family (points): "
        + ", ".join(f"{p.family} {p.points:,.0f}" for p in ours.penalties)
        + ". The first feasible roster is the starting roster handed to CP-SAT once its "
        "allocations and slacks are completed; the timeline has the progress reports "
        "(seconds, objective, bound) with a better roster and some of those with a better "
        "bound, from the starting roster to the search's solutions. A "
        "bound is known only at a report, so a gap at a time uses the last report before it. "
        "Timeline: "
        + (", ".join(f"{s:.0f} s {o:,.0f}/{b:,.0f}" for s, o, b in _thin(timeline)) or "none")
        + ".",
        "",
    ]
    if not case.peers:
        lines += [case.target]
        return "\n".join(lines) + "\n"
    naive = solve_naive(inputs, NAIVE_SECONDS, WORKERS)
    problems = shift_count_problems(inputs)
    peer, peer_sites = solve_shift_counts(problems, inputs, seconds, WORKERS)
    naive_at = at_time(timeline, NAIVE_SECONDS)
    lines += [
        f"### Beside a straightforward CP-SAT formulation ({NAIVE_SECONDS:g} s)",
        "",
        f"The naive model of bench/roster.py on the same inputs, {NAIVE_SECONDS:g} s of search "
        f"(not {seconds:g} s: it keeps the whole bench within minutes) after "
        f"{naive.build:.0f} s of model building; followsun's figures at the same point come "
        "from its timeline (fairness excluded from its objective for the ratio).",
        "",
        "| model | status | objective | bound | gap | first solution | wall s |",
        "|---|---|---|---|---|---|---|",
        f"| followsun at {NAIVE_SECONDS:g} s | - | "
        + (
            f"{naive_at[1]:,.0f} | {naive_at[2]:,.0f} | {_gap_of(naive_at):.2%}"
            if naive_at
            else "- | - | -"
        )
        + f" | {_seconds(first)} | {NAIVE_SECONDS:.1f} |",
        f"| followsun at {seconds:g} s | {ours.status} | {ours_obj:,.0f} | {ours.bound:,.0f} | "
        f"{_pct(ours.gap)} | {_seconds(first)} | {ours.wall_seconds:.1f} |",
        f"| naive CP-SAT | {naive.status.lower()} | {naive.objective:,.0f} | "
        f"{naive.bound:,.0f} | {_pct(naive.gap)} | {_seconds(naive.first)} after build | "
        f"{naive.build + naive.wall:.1f} with build |",
        "",
        _naive_ratio(naive.objective, ours_cmp, naive.wall + naive.build, ours.wall_seconds),
        "",
        "### Beside pyworkforce's shift scheduler (shift counts)",
        "",
        f"pyworkforce {pyworkforce_version()} `MinAbsDifference`, one problem per skill group on UTC days, "
        f"{seconds:g} s in all split evenly over the {len(problems)} groups, {WORKERS} workers.",
        "",
        *comparison_lines(
            roster_outcome(inputs, ours),
            peer,
            peer_sites,
            site_capacity(inputs),
            len(problems),
            contract_floor(inputs),
        ),
        "",
        case.target
        + " The naive model rounds fractional requirements up to whole heads, so its bound "
        "belongs to a slightly harder problem and is shown for its size, not as a bound here.",
    ]
    return "\n".join(lines) + "\n"


def _by_rule(result: RosterResult) -> str:
    rules = Counter(v.rule for v in result.violations)
    return f" ({', '.join(f'{r} {n}' for r, n in sorted(rules.items()))})" if rules else ""


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2%}"


def _gap_at(timeline: list[tuple[float, float, float]], seconds: float) -> str:
    """The gap at a time, or the first report after it when the search had none yet."""
    point = at_time(timeline, seconds)
    if point is not None or not timeline:
        return _gap_text(point)
    return f"no report before {seconds:g} s (presolve); first report {_gap_text(timeline[0])}"


def _seconds(value: float | None) -> str:
    return "none" if value is None else f"{value:.1f} s"


def _thin(
    timeline: list[tuple[float, float, float]], keep: int = 12
) -> list[tuple[float, float, float]]:
    """The first and last points, every better roster, and bound reports: `keep` in all, or
    every roster and `keep` // 2 bound reports when the rosters alone are more."""
    if len(timeline) <= keep:
        return timeline
    rosters = {0, len(timeline) - 1} | {
        i for i in range(1, len(timeline)) if timeline[i][1] < timeline[i - 1][1]
    }
    others = [i for i in range(len(timeline)) if i not in rosters]
    room = min(len(others), max(keep // 2, keep - len(rosters)))
    step = len(others) / room if room else 0.0
    bounds = {others[int(k * step)] for k in range(room)}
    return [timeline[i] for i in sorted(rosters | bounds)]


def _naive_ratio(naive_obj: float, ours_cmp: float, naive_wall: float, ours_wall: float) -> str:
    if math.isnan(naive_obj):
        return (
            f"The naive model found no roster in {naive_wall:.0f} s with its build "
            f"(followsun: a roster in {ours_wall:.0f} s); no objective ratio."
        )
    return (
        f"Objective ratio naive / followsun (same families): {naive_obj / ours_cmp:.2f}; "
        f"wall ratio naive (with build) / followsun: {naive_wall / ours_wall:.2f}."
    )


if __name__ == "__main__":
    print(run())
