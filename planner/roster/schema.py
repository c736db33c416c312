"""The frames of the roster solver's outputs, declared once (the CLI writes them as they are)."""

from __future__ import annotations

from forecasting.schema import Column, FrameSchema

# One row per worked shift. Local times are HH:MM in the agent's `timezone`; `date_local`
# is the local date the shift starts on; `breaks` lists local spans 'HH:MM-HH:MM' joined by
# ';'; `skills` joined by ';'; UTC instants are timezone-aware. The columns up to `breaks`
# are the roster file users script against (never renamed or dropped); the solver's extras follow.
ROSTER = FrameSchema(
    name="roster",
    columns=(
        Column("agent_id", "text"),
        Column("site", "text"),
        Column("timezone", "text"),
        Column("date_local", "text"),
        Column("start_local", "text"),
        Column("end_local", "text"),
        Column("start_utc", "timestamp"),
        Column("end_utc", "timestamp"),
        Column("shift", "text"),
        Column("tier", "int", non_negative=True),
        Column("skills", "text"),
        Column("breaks", "text", required=False, nullable=True),
        Column("paid_minutes", "int", required=False, non_negative=True),
        Column("night", "bool", required=False),
        Column("weekend", "bool", required=False),
        Column("holiday", "bool", required=False),
        Column("late", "bool", required=False),
    ),
    key=("agent_id", "start_utc"),
)
ROSTER_CONTRACT_COLUMNS = ROSTER.names[: ROSTER.names.index("breaks") + 1]

# One row per UTC interval and queue (`group` is the queue id, e.g. 'chat-en-t1').
# `scheduled` counts working agents (not on a break) who hold the group's skill and tier;
# agents shared between groups count in each. `shortfall` is what stays uncovered once
# shared agents are allocated, so shortfall >= required - scheduled. The solver adds
# `vendor` (BPO heads used) and `in_horizon` (false where the requirement lies outside
# every serving site's dates), so shortfall >= required - scheduled - vendor.
COVERAGE = FrameSchema(
    name="coverage",
    columns=(
        Column("interval_start", "timestamp"),
        Column("group", "text"),
        Column("required", "float", non_negative=True),
        Column("scheduled", "float", non_negative=True),
        Column("shortfall", "float", non_negative=True),
        Column("vendor", "float", required=False, non_negative=True),
        Column("in_horizon", "bool", required=False),
    ),
    key=("interval_start", "group"),
)
