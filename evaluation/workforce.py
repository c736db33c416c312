"""Who can serve what, and when: the roster's agents and the BPO heads bought, as a simulation sees them.

Each agent is a whole person with skills (queue x tier), chat slots, shrinkage, and the
periods it is on the floor: its shifts less its breaks, in seconds from the horizon start.
BPO vendor heads (the solver's `vendor` coverage) become agents of the vendor, available
in the intervals the heads were bought, with the vendor's handle-time factor and
one-touch rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting.errors import InputError
from forecasting.queues import QueueKey
from forecasting.timegrid import local_to_utc
from planner.roster.schema import ROSTER
from scenarios.coverage import coverage_mask
from scenarios.spec import Queue, Scenario, Vendor

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ROSTER_COLUMNS = (
    "agent_id",
    "site",
    "timezone",
    "date_local",
    "start_utc",
    "end_utc",
    "tier",
    "skills",
)
"""Roster columns the simulation reads (CONTRACTS.md roster; `breaks` optional)."""


@dataclass(frozen=True)
class Workforce:
    """Agents and their availability.

    Attributes:
        agent_ids: one id per agent (vendor heads are '<vendor>-<n>').
        groups: reporting groups (site ids, then vendor ids).
        group: each agent's position in `groups`.
        skills: (agents x queues) True where the agent may serve the queue.
        chat_slots: chats an agent holds at once.
        shrinkage: share of on-floor time taken off queue (meetings, training, absence).
        handle_factor: multiplies the handle time of every contact the agent serves.
        one_touch: share of the agent's contacts resolved without escalation (NaN: the
            queue's own rate applies).
        period_agent, period_start_s, period_end_s: on-floor periods, sorted by agent then
            start, not overlapping within an agent.
        period_shift: the shift (roster row, or a vendor head's bought span) of each period.
    """

    agent_ids: tuple[str, ...]
    groups: tuple[str, ...]
    group: IntArray
    skills: NDArray[np.bool_]
    chat_slots: IntArray
    shrinkage: FloatArray
    handle_factor: FloatArray
    one_touch: FloatArray
    period_agent: IntArray
    period_start_s: FloatArray
    period_end_s: FloatArray
    period_shift: IntArray

    @property
    def size(self) -> int:
        """Number of agents."""
        return len(self.agent_ids)

    def available_s(self) -> FloatArray:
        """On-floor seconds per agent."""
        out = np.zeros(self.size)
        np.add.at(out, self.period_agent, self.period_end_s - self.period_start_s)
        return out


def serves(queue: Queue, tier: int, skills: set[str] | frozenset[str] | tuple[str, ...]) -> bool:
    """Whether an agent of `tier` with `skills` may take the queue's contacts."""
    return queue.tier == tier and queue.skill in skills


def vendor_handle_factor(vendor: Vendor) -> float:
    """A vendor agent's handle time relative to in-house: its `aht_factor`, else 1 / quality."""
    return vendor.aht_factor if vendor.aht_factor is not None else 1.0 / vendor.quality_factor


def agent_slots(position: int, concurrency: float) -> int:
    """Chat slots of the `position`-th agent of a pool, so the first k hold floor(k x c) in all."""
    return max(1, math.floor((position + 1) * concurrency) - math.floor(position * concurrency))


def _clock(text: str, what: str) -> time:
    try:
        hh, mm = str(text).strip().split(":")
        return time(int(hh), int(mm))
    except ValueError as exc:
        raise InputError(f"roster: {what}: {text!r} is not a local time HH:MM") from exc


def break_spans(
    breaks: object, day: date, start_local: time, zone: str
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """UTC spans of a roster row's breaks ('HH:MM-HH:MM' local spans joined by ';').

    A break whose local start is before the shift's start falls on the next local day.
    """
    if not isinstance(breaks, str) or not breaks.strip():
        return []
    spans = []
    for part in breaks.split(";"):
        lo, _, hi = part.partition("-")
        b_start, b_end = _clock(lo, "breaks"), _clock(hi, "breaks")
        first = day + timedelta(days=1) if b_start < start_local else day
        last = first + timedelta(days=1) if b_end <= b_start else first
        spans.append((local_to_utc(first, b_start, zone), local_to_utc(last, b_end, zone)))
    return spans


def roster_workforce(
    scenario: Scenario,
    roster: pd.DataFrame,
    grid: pd.DatetimeIndex,
    vendor_heads: pd.DataFrame | None = None,
    concurrency: Mapping[QueueKey, float] | None = None,
) -> Workforce:
    """The roster's agents (and bought BPO heads) on the grid's horizon.

    Args:
        scenario: queues (skills, concurrency, shrinkage), sites and vendors.
        roster: one row per shift (ROSTER_COLUMNS, `breaks` optional, `start_local`
            used to place breaks when present).
        grid: the UTC outcomes grid; periods are clipped to it.
        vendor_heads: optional interval_start (UTC), group (queue id), vendor (heads
            used) and vendor_id: the roster solver's BPO coverage.
        concurrency: chats at once per chat queue observed in actuals, in place of the
            scenario's `concurrency`.
    """
    ROSTER.require(roster, "roster", ROSTER_COLUMNS)
    sites = [s.id for s in scenario.sites]
    unknown = sorted(set(roster["site"].astype(str)) - set(sites))
    if unknown:
        raise InputError(
            f"roster: sites {unknown} are not in the scenario (known: {sorted(sites)})"
        )
    origin = grid[0]
    horizon_s = (grid[-1] + (grid[1] - grid[0]) - origin).total_seconds()
    ids: list[str] = []
    group: list[int] = []
    skill_rows: list[NDArray[np.bool_]] = []
    periods: list[tuple[int, float, float, int]] = []
    by_agent = roster.assign(
        start_ts=pd.to_datetime(roster["start_utc"], utc=True),
        end_ts=pd.to_datetime(roster["end_utc"], utc=True),
    )
    if by_agent["start_ts"].isna().any() or by_agent["end_ts"].isna().any():
        bad = int(
            np.flatnonzero((by_agent["start_ts"].isna() | by_agent["end_ts"].isna()).to_numpy())[0]
        )
        raise InputError(f"roster: row {bad}: start_utc/end_utc is not an ISO 8601 UTC time")
    shift_no = -1
    for agent_id, shifts in by_agent.groupby("agent_id", sort=True):
        first = shifts.iloc[0]
        tier = int(first["tier"])
        skills = frozenset(str(first["skills"]).split(";"))
        position = len(ids)
        ids.append(str(agent_id))
        group.append(sites.index(str(first["site"])))
        skill_rows.append(np.array([serves(q, tier, skills) for q in scenario.queues]))
        for shift in shifts.to_dict(orient="records"):
            shift_no += 1
            for a, b in on_floor(shift, origin, horizon_s):
                periods.append((position, a, b, shift_no))
    skills_m = np.array(skill_rows, dtype=bool).reshape(len(ids), len(scenario.queues))
    groups = [*sites]
    one_touch = [math.nan] * len(ids)
    factor = [1.0] * len(ids)
    if vendor_heads is not None:
        for vendor, per_head in _vendor_agents(scenario, vendor_heads, grid):
            groups.append(vendor.id)
            row_skills = np.array([serves(q, vendor.tier, vendor.skills) for q in scenario.queues])
            skills_m = np.vstack([skills_m, np.repeat(row_skills[None, :], len(per_head), axis=0)])
            for k, spans in enumerate(per_head):
                position = len(ids)
                ids.append(f"{vendor.id}-{k + 1:02d}")
                group.append(len(groups) - 1)
                factor.append(vendor_handle_factor(vendor))
                one_touch.append(
                    math.nan if vendor.one_touch_rate is None else vendor.one_touch_rate
                )
                for a, b in spans:
                    shift_no += 1
                    periods.append((position, a, b, shift_no))
    slots = chat_slots(scenario, skills_m, concurrency or {})
    return _assemble(scenario, ids, groups, group, skills_m, slots, factor, one_touch, periods)


def on_floor(
    shift: Mapping[Any, Any], origin: pd.Timestamp, horizon_s: float
) -> list[tuple[float, float]]:
    """A roster row's shift less its breaks, in seconds from `origin`, clipped to the horizon."""
    start: pd.Timestamp = shift["start_ts"]
    end: pd.Timestamp = shift["end_ts"]
    zone = str(shift["timezone"])
    spans = [(start, end)]
    if "breaks" in shift:
        start_local = (
            _clock(str(shift["start_local"]), "start_local")
            if "start_local" in shift
            else start.tz_convert(zone).time()
        )
        day = pd.Timestamp(str(shift["date_local"])).date()
        for b_lo, b_hi in break_spans(shift["breaks"], day, start_local, zone):
            spans = _cut(spans, b_lo, b_hi)
    out = []
    for lo, hi in spans:
        a = max((lo - origin).total_seconds(), 0.0)
        b = min((hi - origin).total_seconds(), horizon_s)
        if b > a:
            out.append((a, b))
    return out


def _cut(
    spans: list[tuple[pd.Timestamp, pd.Timestamp]], lo: pd.Timestamp, hi: pd.Timestamp
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    out = []
    for a, b in spans:
        if hi <= a or lo >= b:
            out.append((a, b))
            continue
        if a < lo:
            out.append((a, lo))
        if hi < b:
            out.append((hi, b))
    return out


def vendor_heads_bought(scenario: Scenario, coverage: pd.DataFrame) -> pd.DataFrame | None:
    """BPO heads per queue and interval from the roster's coverage (its `vendor` column).

    The solver reports heads bought per queue, not per vendor: they are the scenario's one
    vendor's (None when no heads were bought).
    """
    if not scenario.vendors or "vendor" not in coverage:
        return None
    heads = pd.to_numeric(coverage["vendor"], errors="coerce").fillna(0.0)
    used = coverage.assign(vendor=heads)[heads > 0]
    if used.empty:
        return None
    if len(scenario.vendors) > 1:
        raise InputError("coverage: BPO heads cannot be attributed with more than one vendor")
    return used.assign(
        interval_start=pd.to_datetime(used["interval_start"], utc=True),
        vendor_id=scenario.vendors[0].id,
    )


def _vendor_agents(
    scenario: Scenario, vendor_heads: pd.DataFrame, grid: pd.DatetimeIndex
) -> list[tuple[Vendor, list[list[tuple[float, float]]]]]:
    """Per vendor, the on-floor periods of each head: head k works where > k heads were bought."""
    if len(vendor_heads) == 0:
        return []
    known = {v.id: v for v in scenario.vendors}
    step = grid[1] - grid[0]
    step_s = step.total_seconds()
    times = pd.to_datetime(vendor_heads["interval_start"], utc=True)
    pos = ((times - grid[0]) / step).to_numpy(dtype=float)
    out = []
    for vendor_id, rows in vendor_heads.assign(_pos=pos).groupby("vendor_id", sort=True):
        vendor = known.get(str(vendor_id))
        if vendor is None:
            raise InputError(f"coverage: vendor {vendor_id!r} is not in the scenario")
        heads = np.zeros(len(grid))
        keep = (rows["_pos"] >= 0) & (rows["_pos"] < len(grid))
        np.add.at(
            heads,
            rows.loc[keep, "_pos"].to_numpy(dtype=np.int64),
            rows.loc[keep, "vendor"].to_numpy(dtype=float),
        )
        heads = np.where(coverage_mask(vendor.coverage, grid), np.floor(heads + 0.5), 0.0)
        per_head = []
        for k in range(int(heads.max()) if heads.size else 0):
            on = heads > k
            edges = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            per_head.append(
                [(float(a * step_s), float(b * step_s)) for a, b in zip(starts, ends, strict=True)]
            )
        out.append((vendor, per_head))
    return out


def _merged(table: FloatArray) -> FloatArray:
    """Rows (agent, start, end, shift) sorted, an agent's overlapping periods made one.

    A person booked twice at once (overlapping shifts in a hand-made roster) is still one
    person: the union of the periods counts, under the first shift's number.
    """
    table = table[np.lexsort((table[:, 1], table[:, 0]))]
    keep: list[FloatArray] = []
    for row in table:
        if keep and keep[-1][0] == row[0] and row[1] < keep[-1][2]:
            keep[-1][2] = max(keep[-1][2], row[2])
        else:
            keep.append(row.copy())
    return np.array(keep, dtype=float).reshape(-1, 4)


def chat_slots(
    scenario: Scenario, skills: NDArray[np.bool_], observed: Mapping[QueueKey, float]
) -> list[int]:
    """Chat slots per agent, from the highest concurrency of its chat queues.

    The concurrency observed in actuals wins over the scenario's; agents of one
    concurrency share it out by `agent_slots`.
    """
    concurrency = np.array(
        [
            observed.get(q.key, q.concurrency) if q.channel == "chat" else 1.0
            for q in scenario.queues
        ]
    )
    pool_position: dict[float, int] = {}
    slots = []
    for mine in skills:
        c = max(1.0, float(concurrency[mine].max())) if mine.any() else 1.0
        slots.append(agent_slots(pool_position.get(c, 0), c))
        pool_position[c] = pool_position.get(c, 0) + 1
    return slots


def _assemble(
    scenario: Scenario,
    ids: list[str],
    groups: list[str],
    group: list[int],
    skills: NDArray[np.bool_],
    slots: list[int],
    factor: list[float],
    one_touch: list[float],
    periods: list[tuple[int, float, float, int]],
) -> Workforce:
    shrink = np.array([q.shrinkage for q in scenario.queues])
    shrinkage = [
        float(shrink[mine].mean()) if mine.any() else float(shrink.mean()) for mine in skills
    ]
    table = _merged(np.array(periods, dtype=float).reshape(-1, 4))
    return Workforce(
        agent_ids=tuple(ids),
        groups=tuple(groups),
        group=np.array(group, dtype=np.int64),
        skills=skills,
        chat_slots=np.array(slots, dtype=np.int64),
        shrinkage=np.array(shrinkage),
        handle_factor=np.array(factor),
        one_touch=np.array(one_touch),
        period_agent=table[:, 0].astype(np.int64),
        period_start_s=table[:, 1].copy(),
        period_end_s=table[:, 2].copy(),
        period_shift=table[:, 3].astype(np.int64),
    )
