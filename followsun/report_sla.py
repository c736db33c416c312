"""The report's service-level tables: simulated SLA per queue and week, beside the analytic estimate.

The headline figures are the simulation's, each with its 95% interval over replications;
the analytic per-interval evaluation stays as a fast estimate and is shown where it
differs from the simulation by more than `GAP_POINTS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from evaluation.analytic import sla_weights
from evaluation.simulated import SimulationResult
from forecasting.queues import QueueKey

GAP_POINTS = 2.0
"""The analytic estimate is shown beside the simulated figure when they differ by more."""


@dataclass(frozen=True)
class SlaFigure:
    """A simulated service level with its 95% interval, and the analytic estimate.

    Attributes:
        label: the queue ('chat-en-t1'), channel, or queue and week.
        target: the target share.
        simulated: mean over replications (NaN when no contact counted).
        low, high: its 95% interval (NaN with one replication).
        analytic: the analytic estimate over the same contacts' intervals (None if absent).
    """

    label: str
    target: float
    simulated: float
    low: float
    high: float
    analytic: float | None = None

    @property
    def differs(self) -> bool:
        """The analytic estimate is more than GAP_POINTS away from the simulated figure."""
        if self.analytic is None or math.isnan(self.simulated):
            return False
        return abs(self.analytic - self.simulated) * 100 > GAP_POINTS

    @property
    def below_target(self) -> bool:
        """The simulated figure misses the target."""
        return not math.isnan(self.simulated) and self.simulated < self.target


def _queue(row: pd.Series) -> str:
    return QueueKey.of(row["channel"], row["language"], row["tier"]).format()


def _analytic(
    outcomes: pd.DataFrame | None, by: tuple[str, ...]
) -> dict[tuple[object, ...], float]:
    """The analytic service level per group, weighted by `sla_weights` (the report's rule)."""
    if outcomes is None or outcomes.empty:
        return {}
    weight = sla_weights(outcomes)
    level = pd.to_numeric(outcomes["service_level"], errors="coerce").fillna(0.0).to_numpy()
    frame = outcomes.loc[:, list(by)].assign(weight=weight, met=weight * level)
    sums = frame.groupby(list(by), sort=True)[["weight", "met"]].sum()
    return {
        (key if isinstance(key, tuple) else (key,)): float(row["met"] / row["weight"])
        for key, row in sums.iterrows()
        if row["weight"] > 0
    }


def queue_figures(
    simulated: SimulationResult, analytic: pd.DataFrame | None = None
) -> tuple[SlaFigure, ...]:
    """Simulated SLA per queue with its interval, and the analytic estimate."""
    estimate = _analytic(analytic, ("channel", "language", "tier"))
    out = []
    for _, row in simulated.sla_by_queue.iterrows():
        key = (row["channel"], row["language"], int(row["tier"]))
        out.append(
            SlaFigure(
                _queue(row),
                float(row["target"]),
                float(row["service_level"]),
                float(row["low"]),
                float(row["high"]),
                estimate.get(key),
            )
        )
    return tuple(out)


def channel_figures(
    simulated: SimulationResult, analytic: pd.DataFrame | None = None
) -> tuple[SlaFigure, ...]:
    """Simulated SLA per channel (its queues' contacts pooled) and the analytic estimate."""
    estimate = _analytic(analytic, ("channel",))
    return tuple(
        SlaFigure(
            str(row["channel"]),
            float(row["target"]),
            float(row["service_level"]),
            float(row["low"]),
            float(row["high"]),
            estimate.get((row["channel"],)),
        )
        for _, row in simulated.sla_by_channel.iterrows()
    )


def week_table(
    simulated: SimulationResult,
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[SlaFigure, ...]], ...]]:
    """Week starts, and per queue its simulated SLA each week (rows of `sla_by_week`)."""
    weeks = simulated.sla_by_week
    starts = sorted(weeks["week_start"].unique())
    labels = tuple(pd.Timestamp(w).strftime("%Y-%m-%d") for w in starts)
    rows = []
    for _, part in weeks.groupby(["channel", "language", "tier"], sort=False):
        ordered = part.set_index("week_start").reindex(starts)
        label = _queue(part.iloc[0])
        rows.append(
            (
                label,
                tuple(
                    SlaFigure(
                        label,
                        float(r["target"]),
                        float(r["service_level"]),
                        float(r["low"]),
                        float(r["high"]),
                    )
                    for _, r in ordered.iterrows()
                ),
            )
        )
    return labels, tuple(rows)
