"""How a CP-SAT solve ended, shared by the roster solver and the NRP benchmark model."""

from __future__ import annotations

from typing import Literal

SolveStatus = Literal["optimal", "feasible", "infeasible", "unknown"]
"""'optimal' (proven), 'feasible' (time limit), 'infeasible' (hard rules relaxed or
impossible), 'unknown' (nothing found in time)."""

SOLVED: frozenset[str] = frozenset({"optimal", "feasible"})


def is_solved(status: str) -> bool:
    """Whether the solve returned a result that keeps every hard rule."""
    return status in SOLVED
