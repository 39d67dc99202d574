"""the rules version of every verdict, and the one a candidate is pinned to

Verdicts stored before this revision were made by rules version 1: they keep it, and so does every
candidate already pinned to a rubric version, so that nothing they show changes until `rescore`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rules_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_version", sa.Integer(), nullable=True))
    op.execute("UPDATE candidates SET rules_version = 1 WHERE rubric_version_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
