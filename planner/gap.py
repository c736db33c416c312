"""The relative gap every roster figure reports: one formula for solver, CLI and benchmarks."""

from __future__ import annotations


def relative_gap(objective: float, bound: float) -> float:
    """|objective - bound| / max(|objective|, 1): how far a solution may be from optimal."""
    return abs(objective - bound) / max(abs(objective), 1.0)
