"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 12:39:51.515556
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import app.core.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "positions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("rubric_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "readiness",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_positions_created_at"), ["created_at"], unique=False)

    op.create_table(
        "rubric_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rubric_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rubric_id", "version", name="uq_rubric_versions_version"),
    )
    with op.batch_alter_table("rubric_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rubric_versions_rubric_id"), ["rubric_id"], unique=False
        )

    op.create_table(
        "candidates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("position_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(length=800), nullable=False),
        sa.Column("rubric_version_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["position_id"], ["positions.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["rubric_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("position_id", "external_id", name="uq_candidates_external_id"),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_candidates_position_id"), ["position_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidates_recommendation"), ["recommendation"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_candidates_status"), ["status"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("interviewer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "interviewer_email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "interviewer_email", name="uq_assessments_interviewer"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessments_created_at"), ["created_at"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rubric_version", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_decisions_created_at"), ["created_at"], unique=False)

    op.create_table(
        "assessment_revisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("assessment_id", "revision", name="uq_revisions_number"),
    )
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_revisions_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("rubric_version_id", sa.Uuid(), nullable=False),
        sa.Column("recommendation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["rubric_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verdicts_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdicts_assessment_id"))

    op.drop_table("verdicts")
    with op.batch_alter_table("assessment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_revisions_assessment_id"))

    op.drop_table("assessment_revisions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_created_at"))
        batch_op.drop_index(batch_op.f("ix_decisions_candidate_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_created_at"))
        batch_op.drop_index(batch_op.f("ix_assessments_candidate_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_status"))
        batch_op.drop_index(batch_op.f("ix_candidates_recommendation"))
        batch_op.drop_index(batch_op.f("ix_candidates_position_id"))
        batch_op.drop_index(batch_op.f("ix_candidates_created_at"))

    op.drop_table("candidates")
    with op.batch_alter_table("rubric_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubric_versions_rubric_id"))

    op.drop_table("rubric_versions")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_positions_created_at"))

    op.drop_table("positions")
