"""Chat staffing with concurrency: one agent works several chats at once.

Model: an agent with concurrency c is c independent "slots"; each chat holds one slot
for its elapsed handle time (the chat's AHT *as measured at that concurrency*, so the
slowdown of juggling chats is already in the AHT). The slots form an M/M/m queue
(Erlang C, or Erlang A with patience), m = floor(n c). The agents required are the
slots required divided by c, rounded up.

Limits: slots are assumed independent (an agent's third chat does not slow the other
two beyond what the AHT already records); with fractional c (2.5) the slots of a team
are pooled, which is optimistic for small teams; concurrency does not change with load.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike

from forecasting.errors import InputError
from planner.staffing import erlang_c
from planner.staffing.erlang_c import FloatArray, IntArray, Requirement


def _ratio(concurrency: float) -> Fraction:
    if not np.isfinite(concurrency) or concurrency < 1:
        raise InputError(f"concurrency: expected a number >= 1, got {concurrency!r}")
    return Fraction(repr(float(concurrency))).limit_denominator(1000)


def agents_for_slots(slots: ArrayLike, concurrency: float) -> IntArray:
    """Fewest agents whose ``floor(agents x concurrency)`` slots reach `slots` (exact)."""
    c = _ratio(concurrency)
    m = np.asarray(slots, dtype=np.int64)
    return np.asarray(-((-m * c.denominator) // c.numerator), dtype=np.int64)


def slots_of_agents(agents: ArrayLike, concurrency: float) -> IntArray:
    """Chat slots that `agents` agents offer: ``floor(agents x concurrency)`` (exact)."""
    c = _ratio(concurrency)
    n = np.asarray(agents, dtype=np.int64)
    return np.asarray((n * c.numerator) // c.denominator, dtype=np.int64)


@dataclass(frozen=True)
class ChatStaffing:
    """Agents for a chat queue and the figures predicted at that staffing.

    Attributes:
        requirement: agents required (with status and binding target).
        slots: chat slots those agents offer.
        figures: Erlang C figures of the slots; occupancy is the busy share of slots.
    """

    requirement: Requirement
    slots: IntArray
    figures: erlang_c.ErlangCFigures


def required_agents(
    traffic: ArrayLike,
    aht_s: ArrayLike,
    concurrency: float,
    *,
    sl_target: ArrayLike | None,
    target_s: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> ChatStaffing:
    """Agents for chat traffic (Erlangs of chat time) at a given concurrency.

    Args:
        traffic: chat load in Erlangs: chats per interval x chat AHT / interval seconds.
        aht_s: elapsed handle time of one chat in seconds.
        concurrency: chats an agent handles at once (>= 1).
        sl_target: share of chats to answer within `target_s`, or None.
        target_s: first-response threshold in seconds.
        max_occupancy: cap on the busy share of slots.
    """
    need = erlang_c.required_agents(
        traffic, aht_s, sl_target=sl_target, target_s=target_s, max_occupancy=max_occupancy
    )
    agents = agents_for_slots(need.agents, concurrency)
    slots = slots_of_agents(agents, concurrency)
    figs = erlang_c.figures(slots, traffic, aht_s, target_s)
    return ChatStaffing(
        requirement=Requirement(agents=agents, status=need.status, binding=need.binding),
        slots=slots,
        figures=figs,
    )


def figures(
    agents: ArrayLike, traffic: ArrayLike, aht_s: ArrayLike, concurrency: float, target_s: ArrayLike
) -> erlang_c.ErlangCFigures:
    """Erlang C figures of the slots that `agents` chat agents offer."""
    slots = slots_of_agents(agents, concurrency).astype(float)
    return erlang_c.figures(slots, traffic, aht_s, target_s)


def traffic(volume: ArrayLike, aht_s: ArrayLike, interval_s: float) -> FloatArray:
    """Chat load in Erlangs (slot-seconds per second)."""
    return erlang_c.traffic_erlangs(volume, aht_s, interval_s)
