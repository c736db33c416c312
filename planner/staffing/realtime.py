"""Erlang C or Erlang A for a realtime queue: the one place that picks the model.

A queue whose waiting customers have a mean patience abandons, so it is Erlang A; a
queue without one is Erlang C. Staffing, the analytic outcomes and `followsun erlang`
all go through `model_of`, `required_agents` and `figures` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from numpy.typing import ArrayLike

from planner.staffing import erlang_a, erlang_c
from planner.staffing.erlang_c import FloatArray, Requirement

Model = Literal["erlang_c", "erlang_a"]


def model_of(patience_s: float | None) -> Model:
    """'erlang_a' when waiting customers have a mean patience, else 'erlang_c'."""
    return "erlang_c" if patience_s is None else "erlang_a"


@dataclass(frozen=True)
class RealtimeFigures:
    """Predictions at a staffing level, arrays shaped like the inputs.

    Attributes:
        model: the model that produced them.
        abandon_rate: share of offered contacts that abandon; None under Erlang C, where
            nobody abandons and an overloaded queue has no steady state.
    """

    model: Model
    service_level: FloatArray
    p_wait: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    abandon_rate: FloatArray | None


def figures(
    agents: ArrayLike,
    volume: ArrayLike,
    aht_s: ArrayLike,
    interval_s: float,
    target_s: ArrayLike,
    patience_s: float | None,
) -> RealtimeFigures:
    """Service level, waiting, ASA, occupancy (and abandonment) with `agents` serving.

    Args:
        agents: servers (agents, or chat slots) per interval.
        volume: contacts offered per interval.
        aht_s: handle seconds per contact.
        interval_s: interval length in seconds.
        target_s: service-level threshold in seconds.
        patience_s: mean patience of waiting customers (Erlang A), or None (Erlang C).
    """
    if patience_s is None:
        traffic = erlang_c.traffic_erlangs(volume, aht_s, interval_s)
        fc = erlang_c.figures(agents, traffic, aht_s, target_s)
        return RealtimeFigures(
            "erlang_c", fc.service_level, fc.p_wait, fc.asa_seconds, fc.occupancy, None
        )
    fa = erlang_a.figures(agents, volume, aht_s, interval_s, patience_s, target_s)
    return RealtimeFigures(
        "erlang_a", fa.service_level, fa.p_wait, fa.asa_seconds, fa.occupancy, fa.abandon_rate
    )


def required_agents(
    volume: ArrayLike,
    aht_s: ArrayLike,
    interval_s: float,
    patience_s: float | None,
    *,
    sl_target: ArrayLike | None = None,
    target_s: ArrayLike = 20.0,
    asa_target_s: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
    max_occupancy: ArrayLike = 1.0,
) -> Requirement:
    """Smallest agent (or slot) counts meeting the targets under the queue's model.

    Args:
        volume: contacts offered per interval.
        aht_s: handle seconds per contact.
        interval_s: interval length in seconds.
        patience_s: mean patience of waiting customers (Erlang A), or None (Erlang C).
        sl_target: share to answer within `target_s`, or None.
        target_s: service-level threshold in seconds.
        asa_target_s: largest acceptable ASA in seconds (Erlang C only), or None.
        max_abandon: largest acceptable abandonment share (Erlang A only), or None.
        max_occupancy: occupancy cap in (0, 1].

    Raises:
        ValueError: a target the chosen model does not know is given.
    """
    if patience_s is None:
        if max_abandon is not None:
            raise ValueError("max_abandon needs patience_s (Erlang A)")
        return erlang_c.required_agents(
            erlang_c.traffic_erlangs(volume, aht_s, interval_s),
            aht_s,
            sl_target=sl_target,
            target_s=target_s,
            asa_target_s=asa_target_s,
            max_occupancy=max_occupancy,
        )
    if asa_target_s is not None:
        raise ValueError("asa_target_s applies to Erlang C queues (no patience_s)")
    return erlang_a.required_agents(
        volume,
        aht_s,
        interval_s,
        patience_s,
        sl_target=sl_target,
        target_s=target_s,
        max_abandon=max_abandon,
        max_occupancy=max_occupancy,
    )
