"""Tickets of real-time channels: the agent, the queue wait, abandoned, the caller's priority.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 02:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("agent_id", sa.String()),
    ("wait_seconds", sa.Float()),
    ("abandoned", sa.Boolean()),
    ("priority", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
