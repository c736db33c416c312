"""The frames of the evaluation stages, declared once: staffed heads, outcomes, BPO usage, cost.

Staffed heads (`allocation.staffed_heads` -> `analytic.evaluate`): heads on the roster
serving each queue per UTC interval, breaks removed; `source` is 'roster' or a vendor id.
Outcomes (`analytic.evaluate` -> cost, report, files): the outcomes file's columns,
then `agents_available`, `open` and `sl_censored`.
"""

from __future__ import annotations

from forecasting.schema import QUEUE_INTERVAL_COLUMNS, QUEUE_INTERVAL_KEY, Column, FrameSchema

STAFFED = FrameSchema(
    name="staffed heads",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        Column("agents", "float", non_negative=True),
        Column("source", "text", required=False),
    ),
    key=(*QUEUE_INTERVAL_KEY, "source"),
)

OUTCOMES = FrameSchema(
    name="outcomes",
    columns=(
        *QUEUE_INTERVAL_COLUMNS,
        Column("offered", "float", non_negative=True),
        Column("handled", "float", non_negative=True),
        Column("abandoned", "float", non_negative=True),
        Column("service_level", "float", non_negative=True),
        Column("asa_seconds", "float", non_negative=True),
        Column("backlog", "float", non_negative=True),
        Column("occupancy", "float", non_negative=True),
        Column("agents_available", "float", required=False, non_negative=True),
        Column("open", "bool", required=False),
        Column("sl_censored", "bool", required=False),
    ),
    key=QUEUE_INTERVAL_KEY,
)

VENDOR_USAGE = FrameSchema(
    name="vendor usage",
    columns=(
        Column("vendor_id", "text"),
        Column("interval_start", "timestamp"),
        Column("agents", "float", non_negative=True),
    ),
    key=("vendor_id", "interval_start"),
)

# One row per local date, payer and cost category; amounts are Decimal.
COST_ITEMS = FrameSchema(
    name="daily cost items",
    columns=(
        Column("date", "text"),
        Column("payer_kind", "text"),
        Column("payer", "text"),
        Column("category", "text"),
        Column("amount", "float"),
    ),
    key=("date", "payer_kind", "payer", "category"),
)
