"""Shrinkage drawn for one run: the shifts missed, and the off-queue blocks of the rest."""

from __future__ import annotations

import numpy as np

from simulation.model import Agents, BoolArray, FloatArray, IntArray, ShrinkageMode


def missed_periods(agents: Agents, rng: np.random.Generator) -> BoolArray:
    """True for periods missed whole (ABSENCE mode: each shift with its agent's fraction)."""
    period_agent = np.asarray(agents.period_agent)
    if agents.shrinkage_mode != ShrinkageMode.ABSENCE:
        return np.zeros(period_agent.shape[0], dtype=np.bool_)
    shifts, first, index = np.unique(
        np.asarray(agents.period_shift), return_index=True, return_inverse=True
    )
    frac = np.asarray(agents.shrinkage_frac)[period_agent[first]]
    missed = rng.random(shifts.shape[0]) < frac
    return np.asarray(missed[index])


def offqueue_blocks(
    agents: Agents, kept: BoolArray, rng: np.random.Generator
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Off-queue blocks (SPREAD mode): time, agent and length, sorted by time.

    Each kept period owes ``shrinkage_frac x length`` seconds, cut into equal blocks of at
    most `shrinkage_block_s`, each placed uniformly at random where it fits in the period.
    """
    empty = (np.empty(0), np.empty(0, dtype=np.int64), np.empty(0))
    if agents.shrinkage_mode != ShrinkageMode.SPREAD:
        return empty
    agent = np.asarray(agents.period_agent)[kept]
    start = np.asarray(agents.period_start_s)[kept]
    length = np.asarray(agents.period_end_s)[kept] - start
    owed = np.asarray(agents.shrinkage_frac)[agent] * length
    count = np.ceil(owed / agents.shrinkage_block_s - 1e-9).astype(np.int64)
    if count.sum() == 0:
        return empty
    each = np.divide(owed, count, out=np.zeros_like(owed), where=count > 0)
    period = np.repeat(np.arange(agent.shape[0]), count)
    blk_len = each[period]
    blk_time = start[period] + rng.random(period.shape[0]) * (length[period] - blk_len)
    order = np.argsort(blk_time, kind="stable")
    return blk_time[order], agent[period][order], blk_len[order]
