"""security hardening: who recorded a decision; personal values out of the audit trail

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:10:00

Decisions keep the authenticated principal that recorded them beside the free-text
`decided_by`. Columns that are now declared personal (a candidate's `source`, an account's
`name`) had their values written to the audit trail: they are replaced by `{"personal": true}`,
the trail's append-only guard being lifted for this one statement and put back.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Resource -> the fields whose values the trail must no longer hold.
NOW_PERSONAL = {"candidate": ("source",), "user": ("name",)}
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "principal_kind", sa.String(length=20), nullable=False, server_default="system"
            )
        )
        batch_op.add_column(
            sa.Column(
                "principal_id", sa.String(length=64), nullable=False, server_default="unknown"
            )
        )
        batch_op.add_column(
            sa.Column("principal_name", sa.String(length=200), nullable=False, server_default="")
        )
    _scrub_audit()


def _scrub_audit() -> None:
    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Uuid()),
        sa.column("resource_type", sa.String()),
        sa.column("changes", JSON),
    )
    rows = bind.execute(
        sa.select(events.c.id, events.c.resource_type, events.c.changes).where(
            events.c.resource_type.in_(list(NOW_PERSONAL))
        )
    ).all()
    updates: list[dict[str, Any]] = []
    for row in rows:
        changes = dict(row.changes or {})
        touched = False
        for field in NOW_PERSONAL[row.resource_type]:
            if field in changes and changes[field] != {"personal": True}:
                changes[field] = {"personal": True}
                touched = True
        if touched:
            updates.append({"row_id": row.id, "scrubbed": changes})
    if not updates:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
    statement = (
        sa.update(events)
        .where(events.c.id == sa.bindparam("row_id"))
        .values(changes=sa.bindparam("scrubbed", type_=JSON))
    )
    bind.execute(statement, updates)
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("principal_name")
        batch_op.drop_column("principal_id")
        batch_op.drop_column("principal_kind")
