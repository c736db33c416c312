"""Absences of agents generated from a scenario's headcount: no foreign key to `agents`.

An absence names an agent id: a stored agent's, or one a scenario generates from its
headcount (`<site>-t<tier>-<nn>`, stable), which is not in the `agents` table. The
service checks the id against either when the absence is added.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.drop_constraint("fk_absences_agent_id_agents", type_="foreignkey")


def downgrade() -> None:
    # Absences of agents not in `agents` cannot keep the key: they go first.
    op.execute("DELETE FROM absences WHERE agent_id NOT IN (SELECT agent_id FROM agents)")
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_absences_agent_id_agents",
            "agents",
            ["agent_id"],
            ["agent_id"],
            ondelete="CASCADE",
        )
