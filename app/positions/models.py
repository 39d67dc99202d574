"""Positions: the job being hired for, its rubric, and how ready the role is."""

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.core.personal import Columns, audited
from app.core.text import Line, Paragraph
from app.core.types import JSONType, UTCDateTime, new_id, utcnow

Readiness = Literal["yes", "no", "unknown"]


class Position(SQLModel, table=True):
    """A job opening screened with one rubric."""

    __tablename__ = "positions"
    __audit__: ClassVar[Columns] = audited(
        "position", plain=("title", "description", "rubric_id", "readiness", "archived_at")
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    version: int = Field(default=1)  # bumped on every change; the ETag
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=20_000)
    rubric_id: str = Field(max_length=64)
    readiness: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # An archived position takes no new candidates; its candidates and reports stay.
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PositionCreate(BaseModel):
    """A new position. `readiness` answers the rubric's role questions (missing: unknown)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Community manager",
                    "description": "Runs our members' forum and social accounts.",
                    "rubric_id": "social-media-screen",
                    "readiness": {"role_strategic_voice": "yes", "role_autonomy": "no"},
                }
            ]
        },
    )

    title: Line
    description: Paragraph = ""
    rubric_id: str = "social-media-screen"
    readiness: dict[str, Readiness] = {}


class PositionUpdate(BaseModel):
    """Fields to change; the rest stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: Line | None = None
    description: Paragraph | None = None
    readiness: dict[str, Readiness] | None = None


class ReadinessWarning(BaseModel):
    """A role question answered 'no', and what it means for the hire."""

    question_id: str
    text: str


class PositionPublic(BaseModel):
    """A position as the API returns it."""

    id: uuid.UUID
    title: str
    description: str
    rubric_id: str
    readiness: dict[str, Readiness]
    warnings: list[ReadinessWarning]
    created_at: datetime
    updated_at: datetime
