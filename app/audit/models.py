"""Audit events. Rows are only ever inserted: the database refuses UPDATE and DELETE on them."""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.personal import Columns, not_audited
from app.core.types import JSONType, UTCDateTime, new_id, utcnow


class AuditEvent(SQLModel, table=True):
    """Who changed which resource, when, through which operation, and which fields."""

    __tablename__ = "audit_events"
    __audit__: ClassVar[Columns] = not_audited(
        "the trail itself; it holds no personal value (see the other declarations)",
        plain=(
            "actor_kind",
            "actor_id",
            "actor_name",
            "actor_role",
            "operation",
            "action",
            "resource_type",
            "resource_id",
            "changes",
        ),
        bookkeeping=("id", "created_at"),
    )
    __table_args__ = (Index("ix_audit_events_resource", "resource_type", "resource_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_kind: str = Field(max_length=20)
    actor_id: str = Field(max_length=64, index=True)
    actor_name: str = Field(max_length=200)
    actor_role: str = Field(max_length=20)
    operation: str = Field(max_length=100)
    action: str = Field(max_length=60)
    resource_type: str = Field(max_length=40)
    resource_id: str = Field(max_length=64)
    changes: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))


class Actor(BaseModel):
    """Who acted."""

    kind: str
    id: str
    name: str
    role: str


class AuditEventPublic(BaseModel):
    """An audit event as the API returns it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f7c1e-7a1c-4f53-9f5e-2a8f3d9c1b11",
                    "at": "2026-11-22T10:15:00Z",
                    "actor": {"kind": "key", "id": "…", "name": "ATS", "role": "integration"},
                    "operation": "update_candidate",
                    "action": "candidate.updated",
                    "resource_type": "candidate",
                    "resource_id": "…",
                    "changes": {
                        "status": {"before": "new", "after": "in_review"},
                        "full_name": {"personal": True},
                    },
                }
            ]
        }
    )

    id: uuid.UUID
    at: datetime
    actor: Actor
    operation: str
    action: str
    resource_type: str
    resource_id: str
    changes: dict[str, Any]
