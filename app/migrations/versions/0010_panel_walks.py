"""the panel's walks of rules 2, stored when they change

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panel_walks",
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("walk_key", sa.String(length=64), nullable=False),
        sa.Column("possible", app.core.types.JSONType, nullable=False),
        sa.Column("settle", app.core.types.JSONType, nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("candidate_id"),
    )


def downgrade() -> None:
    op.drop_table("panel_walks")
