"""Queueing figures of one interval (Erlang C, or A with patience): for N agents, or the fewest meeting a target."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from forecasting.errors import InputError
from planner.staffing import realtime
from planner.staffing.status import Binding, Status


@dataclass(frozen=True)
class ErlangQuestion:
    """One interval's traffic and either the agents (`agents`) or the target (`sl`).

    Attributes:
        volume: contacts in the interval.
        aht_s: average handle time, seconds.
        interval_min: interval length, minutes.
        agents: agents handling contacts (figures mode), or None.
        sl: service-level target share (required-agents mode), or None.
        target_s: answer-time threshold, seconds.
        patience_s: mean patience, seconds: Erlang A; None: Erlang C.
        max_occupancy: occupancy cap in (0, 1].
    """

    volume: float
    aht_s: float
    interval_min: float
    agents: int | None = None
    sl: float | None = None
    target_s: float = 20.0
    patience_s: float | None = None
    max_occupancy: float = 1.0

    def check(self) -> None:
        """Raise InputError naming every argument out of its range."""
        problems = []
        if not (math.isfinite(self.volume) and self.volume >= 0):
            problems.append(f"--volume {self.volume}: expected a number of contacts >= 0")
        if not (math.isfinite(self.aht_s) and self.aht_s > 0):
            problems.append(f"--aht {self.aht_s}: expected handle seconds > 0")
        if not (math.isfinite(self.interval_min) and self.interval_min > 0):
            problems.append(f"--interval-minutes {self.interval_min}: expected minutes > 0")
        if not (math.isfinite(self.target_s) and self.target_s >= 0):
            problems.append(f"--target-seconds {self.target_s}: expected seconds >= 0")
        if self.agents is not None and self.agents < 0:
            problems.append(f"--agents {self.agents}: expected a count >= 0")
        if self.sl is not None and not 0 <= self.sl <= 1:
            problems.append(f"--sl {self.sl}: expected a share in [0, 1] such as 0.8")
        if self.patience_s is not None and not (
            math.isfinite(self.patience_s) and self.patience_s > 0
        ):
            problems.append(f"--patience-seconds {self.patience_s}: expected seconds > 0")
        if not 0 < self.max_occupancy <= 1:
            problems.append(f"--max-occupancy {self.max_occupancy}: expected a share in (0, 1]")
        if problems:
            raise InputError("bad arguments", problems)


def erlang_figures(question: ErlangQuestion) -> dict[str, Any]:
    """The figures as the `erlang --json` object (ASA null when unbounded).

    Keys: agents, service_level, p_wait, asa_seconds, occupancy, abandon_rate (Erlang A),
    traffic_erlangs, model, status and, in required-agents mode, binding.

    Raises:
        InputError: an argument out of its range.
    """
    question.check()
    interval_s = question.interval_min * 60.0
    status = Status.OK
    binding: Binding | None = None
    agents = question.agents
    if agents is None:
        need = realtime.required_agents(
            question.volume,
            question.aht_s,
            interval_s,
            question.patience_s,
            sl_target=question.sl,
            target_s=question.target_s,
            max_occupancy=question.max_occupancy,
        )
        agents = int(need.agents)
        status = Status(int(need.status))
        binding = Binding(int(need.binding))
    figures = realtime.figures(
        agents, question.volume, question.aht_s, interval_s, question.target_s, question.patience_s
    )
    out: dict[str, Any] = {
        "agents": agents,
        "service_level": float(figures.service_level),
        "p_wait": float(figures.p_wait),
        "asa_seconds": _number(float(figures.asa_seconds)),
        "occupancy": float(figures.occupancy),
    }
    if figures.abandon_rate is not None:
        out["abandon_rate"] = float(figures.abandon_rate)
    model = figures.model
    out |= {
        "traffic_erlangs": question.volume * question.aht_s / interval_s,
        "model": model,
        "status": status.label,
    }
    if binding is not None:
        out["binding"] = binding.label
    return out


def _number(value: float) -> float | None:
    """JSON has no infinity: an unstable queue's ASA is written as null."""
    return float(value) if math.isfinite(value) else None
