"""Frame columns of the roster solver's outputs (the CLI writes them as they are)."""

from __future__ import annotations

# One row per worked shift. Local times are HH:MM in the agent's `timezone`; `date_local`
# is the local date the shift starts on; `breaks` lists local spans 'HH:MM-HH:MM' joined by
# ';'; `skills` joined by ';'; UTC instants are timezone-aware.
# The roster file's columns in the CLI contract (CONTRACTS.md), then the solver's extras.
ROSTER_CONTRACT_COLUMNS: tuple[str, ...] = (
    "agent_id",
    "site",
    "timezone",
    "date_local",
    "start_local",
    "end_local",
    "start_utc",
    "end_utc",
    "shift",
    "tier",
    "skills",
    "breaks",
)
ROSTER_COLUMNS: tuple[str, ...] = (
    *ROSTER_CONTRACT_COLUMNS,
    "paid_minutes",
    "night",
    "weekend",
    "holiday",
)

# One row per UTC interval and queue (`group` is the queue id, e.g. 'chat-en-t1').
# `scheduled` counts working agents (not on a break) who hold the group's skill and tier;
# agents shared between groups count in each. `shortfall` is what stays uncovered once
# shared agents are allocated, so shortfall >= required - scheduled. The solver adds
# `vendor` (BPO heads used) and `in_horizon` (false where the requirement lies outside
# every serving site's dates), so shortfall >= required - scheduled - vendor.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "interval_start",
    "group",
    "required",
    "scheduled",
    "shortfall",
)


def check_columns(frame_columns: object, expected: tuple[str, ...], what: str) -> None:
    """Raise ValueError naming the missing columns of a frame."""
    have = set(list(frame_columns))  # type: ignore[call-overload]
    missing = [c for c in expected if c not in have]
    if missing:
        raise ValueError(f"{what} is missing columns {missing}")
