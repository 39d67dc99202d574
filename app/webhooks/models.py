"""Webhook subscriptions and their deliveries (the outbox, and the delivery log)."""

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints
from sqlalchemy import Column, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.core.personal import Columns, audited, not_audited
from app.core.text import Line
from app.core.types import JSONType, UTCDateTime, new_id, utcnow
from app.events.models import EventType

DeliveryStatus = Literal["pending", "delivered", "failed"]


class Webhook(SQLModel, table=True):
    """A receiver URL and the events it wants. The secret signs every delivery."""

    __tablename__ = "webhooks"
    __audit__: ClassVar[Columns] = audited(
        "webhook", personal=("secret",), plain=("url", "events", "description")
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    url: str = SQLField(max_length=2000)
    events: list[str] = SQLField(sa_column=Column(JSONType, nullable=False))
    description: str = SQLField(default="", max_length=200)
    secret: str = SQLField(max_length=100)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: written with the change, sent and retried by the worker."""

    __tablename__ = "webhook_deliveries"
    __audit__: ClassVar[Columns] = not_audited(
        "the outbox and its delivery log, written with the audited change that emits them",
        plain=(
            "webhook_id",
            "event_id",
            "event_type",
            "body",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "response_status",
            "last_error",
            "delivered_at",
        ),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    webhook_id: uuid.UUID = SQLField(foreign_key="webhooks.id", index=True, ondelete="CASCADE")
    event_id: str = SQLField(max_length=40, index=True)  # the `webhook-id` header, for dedup
    event_type: str = SQLField(max_length=40)
    body: str = SQLField(sa_column=Column(Text, nullable=False))  # the exact bytes signed
    status: str = SQLField(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    last_attempt_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    response_status: int | None = None
    last_error: str | None = SQLField(default=None, max_length=500)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """One attempt at sending a delivery: when, what the receiver answered, how long it took."""

    __tablename__ = "webhook_attempts"
    __audit__: ClassVar[Columns] = not_audited(
        "the delivery log: what a receiver answered, kept with the outbox",
        plain=(
            "delivery_id",
            "number",
            "attempted_at",
            "response_status",
            "error",
            "duration_ms",
        ),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    delivery_id: uuid.UUID = SQLField(
        foreign_key="webhook_deliveries.id", index=True, ondelete="CASCADE"
    )
    number: int
    attempted_at: datetime = SQLField(sa_type=UTCDateTime)
    response_status: int | None = None
    error: str | None = SQLField(default=None, max_length=500)
    duration_ms: int


WebhookUrl = Annotated[
    AnyHttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])
]


class WebhookCreate(BaseModel):
    """A new subscription."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://ats.example.org/hooks/tamis",
                    "events": ["assessment.submitted", "verdict.changed"],
                    "description": "ATS production",
                }
            ]
        },
    )

    url: WebhookUrl
    events: list[EventType] = Field(min_length=1)
    description: Line | None = None


class WebhookPublic(BaseModel):
    """A subscription as listed: without its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    events: list[EventType]
    description: str
    created_at: datetime


class WebhookCreated(WebhookPublic):
    """The creation response: the only time the signing secret is shown."""

    secret: str = Field(description="Signing secret (Standard Webhooks, `whsec_…`); shown once.")


class AttemptPublic(BaseModel):
    """One attempt at a delivery."""

    model_config = ConfigDict(from_attributes=True)

    number: int = Field(ge=1, description="1 for the first attempt.")
    attempted_at: datetime
    response_status: int | None = Field(description="The receiver's status; null if none came.")
    error: str | None = Field(description="Why the attempt failed; null when it succeeded.")
    duration_ms: int = Field(ge=0)


class DeliveryPublic(BaseModel):
    """One delivery and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_id: str
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(DeliveryPublic):
    """One delivery with every attempt, oldest first."""

    attempt_log: list[AttemptPublic]
