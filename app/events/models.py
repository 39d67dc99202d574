"""One event of the feed: what the webhooks carry (ids and outcomes), numbered in commit order."""

from datetime import datetime
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.core.personal import Columns, not_audited
from app.core.types import JSONType, UTCDateTime

EventType = Literal[
    "candidate.created",
    "assessment.submitted",
    "verdict.changed",
    "decision.recorded",
    "candidate.erased",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
# A cursor is the decimal position of the last event read (0: before the first event).
CURSOR_PATTERN = r"^(0|[1-9][0-9]{0,18})$"


class Event(SQLModel, table=True):
    """An event; `seq` is given when its transaction commits, so it follows commit order."""

    __tablename__ = "events"
    __audit__: ClassVar[Columns] = not_audited(
        "the event feed, written in the transaction of the audited change it reports",
        plain=("type", "occurred_at", "data"),
        bookkeeping=("seq", "id"),
    )
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = SQLField(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    id: str = SQLField(max_length=40, unique=True)  # the `webhook-id` of its deliveries
    type: str = SQLField(max_length=40)
    occurred_at: datetime = SQLField(sa_type=UTCDateTime)
    data: dict[str, Any] = SQLField(sa_column=Column(JSONType, nullable=False))


class EventPublic(BaseModel):
    """An event as the feed and the webhooks carry it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cursor": "42",
                    "id": "msg_5b0c0a4e9f7d4a7fa4b1c1e0d2f3a4b5",
                    "type": "assessment.submitted",
                    "timestamp": "2026-11-22T10:00:00Z",
                    "data": {
                        "assessment_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                        "candidate_id": "1c7a9b1e-2f0d-4f63-9a55-6b0a3e1c9b11",
                        "revision": 1,
                    },
                }
            ]
        }
    )

    cursor: str = Field(
        pattern=CURSOR_PATTERN, description="Pass as `after` to read the events after this one."
    )
    id: str = Field(description="The event id; also the `webhook-id` header of its deliveries.")
    type: EventType
    timestamp: datetime
    data: dict[str, Any] = Field(description="Ids and outcomes, never personal data.")


class EventPage(BaseModel):
    """Events in commit order, and the cursor to poll with next (the same when none is new)."""

    items: list[EventPublic]
    next: str = Field(pattern=CURSOR_PATTERN, examples=["42"])
