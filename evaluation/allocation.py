"""Which queue the rostered agents serve, interval by interval (skill-based routing).

The roster says who works when; the outcomes stage needs agents per queue. Agents who
hold several skills are shared: in each interval, agents whose skills are rarest are
placed first, each group in proportion to the queues' remaining requirement, and agents
beyond every requirement are spread over the open queues they can serve in proportion to
those queues' requirement (evenly where none is required). Allocations are fractional:
they are expected heads, as routing moves agents between queues within an interval.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.schema import STAFFED
from forecasting.errors import InputError
from forecasting.queues import queue_keys
from scenarios.coverage import coverage_mask
from scenarios.rostering import scenario_agents, shift_options
from scenarios.spec import Scenario


@dataclass(frozen=True)
class AgentClass:
    """Agents who can serve the same queues: a tier and a set of skills."""

    tier: int
    skills: frozenset[str]
    queues: tuple[int, ...]  # positions in scenario.queues


def working_by_class(
    scenario: Scenario, roster: pd.DataFrame, grid: pd.DatetimeIndex
) -> tuple[tuple[AgentClass, ...], np.ndarray]:
    """Agents at work (not on a break) per class and grid interval.

    Args:
        scenario: the organisation (sites, templates, queues).
        roster: one row per shift: agent_id, site, date_local, shift, tier, skills
            (';'-joined).
        grid: the UTC interval grid.

    Returns:
        The classes and a (classes x intervals) array of heads at work.
    """
    counts: dict[tuple[int, frozenset[str]], np.ndarray] = defaultdict(lambda: np.zeros(len(grid)))
    sites = {site.id: site for site in scenario.sites}
    contracts = {
        agent.id: site.contract_of(agent)
        for site in scenario.sites
        for agent in scenario_agents(site)
    }
    for row in roster.itertuples(index=False):
        site = sites.get(str(row.site))
        if site is None:
            raise InputError(f"roster: agent {row.agent_id} is at unknown site {row.site!r}")
        contract = contracts.get(str(row.agent_id), site.contract)
        template = next((t for t in contract.shift_templates if t.id == row.shift), None)
        if template is None:
            raise InputError(f"roster: site {site.id} has no shift template {row.shift!r}")
        day = pd.Timestamp(str(row.date_local)).date()
        placed = shift_options(str(row.agent_id), site, template, day, grid, {}, contract)
        breaks = getattr(row, "breaks", None)
        option = next(
            (p for p in placed if isinstance(breaks, str) and ";".join(p.breaks_local) == breaks),
            placed[0],
        )
        key = (int(str(row.tier)), frozenset(str(row.skills).split(";")))
        counts[key][list(option.covered)] += 1
    classes = []
    rows = []
    for (tier, skills), heads in sorted(
        counts.items(), key=lambda kv: (kv[0][0], sorted(kv[0][1]))
    ):
        served = tuple(
            q
            for q, queue in enumerate(scenario.queues)
            if queue.tier == tier and queue.skill in skills
        )
        classes.append(AgentClass(tier, skills, served))
        rows.append(heads)
    return tuple(classes), np.array(rows).reshape(len(classes), len(grid))


def allocate(
    classes: tuple[AgentClass, ...],
    working: np.ndarray,
    required: np.ndarray,
    open_mask: np.ndarray,
) -> np.ndarray:
    """Heads per queue and interval from heads per class (see the module docstring).

    Args:
        classes: the agent classes, with the queues each can serve.
        working: (classes x intervals) heads at work.
        required: (queues x intervals) heads required.
        open_mask: (queues x intervals) True where the queue is open.

    Returns:
        (queues x intervals) heads; each class's heads are conserved wherever it can
        serve an open queue, and no head goes to a queue its class cannot serve.
    """
    need = np.where(open_mask, required, 0.0).astype(float)
    alloc = np.zeros_like(need)
    surplus = np.zeros_like(working, dtype=float)
    order = sorted(range(len(classes)), key=lambda c: len(classes[c].queues))
    for c in order:
        queues = list(classes[c].queues)
        if not queues:
            continue
        heads = working[c].astype(float)
        wanted = need[queues]
        total = wanted.sum(axis=0)
        give = np.minimum(heads, total)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, wanted * (give / total), 0.0)
        alloc[queues] += share
        need[queues] -= share
        surplus[c] = heads - give
    for c in order:
        queues = list(classes[c].queues)
        if not queues:
            continue
        is_open = open_mask[queues]
        weight = np.where(is_open, required[queues], 0.0).astype(float)
        total = weight.sum(axis=0)
        even = is_open / np.maximum(is_open.sum(axis=0), 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            split = np.where(total > 0, weight / total, even)
        alloc[queues] += split * surplus[c]
    return alloc


def staffed_frame(
    scenario: Scenario,
    roster: pd.DataFrame,
    requirements: pd.DataFrame,
    grid: pd.DatetimeIndex,
    vendor_heads: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rostered (and BPO) heads per queue and interval, the outcomes stage's `staffed` input.

    Args:
        scenario: the organisation.
        roster: the solved roster (see `working_by_class`).
        requirements: interval_start, channel, language, tier and scheduled_required (or
            agents_required).
        grid: the UTC horizon grid.
        vendor_heads: optional interval_start, group (queue id), vendor heads used, and
            vendor_id.

    Returns:
        Columns of `schema.STAFFED`; `source` is 'roster' or the vendor id.
    """
    queue_ids = [q.id for q in scenario.queues]
    column = "scheduled_required" if "scheduled_required" in requirements else "agents_required"
    keyed = requirements.assign(
        queue=queue_keys(requirements, "requirements"),
        interval_start=pd.to_datetime(requirements["interval_start"], utc=True),
    )
    table = keyed.pivot_table(index="queue", columns="interval_start", values=column, aggfunc="sum")
    required = table.reindex(index=queue_ids, columns=grid).fillna(0.0).to_numpy(dtype=float)
    open_mask = np.array([coverage_mask(q.coverage, grid) for q in scenario.queues])
    classes, working = working_by_class(scenario, roster, grid)
    heads = allocate(classes, working, required, open_mask)
    frames = [_long(scenario, grid, heads, "roster")]
    if vendor_heads is not None and len(vendor_heads):
        used = vendor_heads.assign(
            interval_start=pd.to_datetime(vendor_heads["interval_start"], utc=True)
        )
        for vendor_id, part in used.groupby("vendor_id"):
            pivot = part.pivot_table(
                index="group", columns="interval_start", values="vendor", aggfunc="sum"
            )
            matrix = pivot.reindex(index=queue_ids, columns=grid).fillna(0.0).to_numpy(dtype=float)
            frames.append(_long(scenario, grid, matrix, str(vendor_id)))
    return pd.concat(frames, ignore_index=True)


def _long(
    scenario: Scenario, grid: pd.DatetimeIndex, heads: np.ndarray, source: str
) -> pd.DataFrame:
    parts = [
        pd.DataFrame(
            {
                "interval_start": grid,
                "channel": q.channel,
                "language": q.language,
                "tier": q.tier,
                "agents": heads[i],
                "source": source,
            }
        )
        for i, q in enumerate(scenario.queues)
    ]
    return pd.concat(parts, ignore_index=True)[list(STAFFED.names)]
