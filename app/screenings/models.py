"""Self-screen invitations and the candidate's answers."""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Column
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.core.i18n import Language
from app.core.personal import Columns, audited
from app.core.types import JSONType, UTCDateTime, new_id, utcnow


class Screening(SQLModel, table=True):
    """A single-use link sent to a candidate; only the SHA-256 of its token is kept."""

    __tablename__ = "screenings"
    __audit__: ClassVar[Columns] = audited(
        "screening",
        personal=("token_hash", "responses"),
        plain=("candidate_id", "rubric_id", "language", "expires_at", "used_at"),
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    candidate_id: uuid.UUID = SQLField(foreign_key="candidates.id", index=True, ondelete="CASCADE")
    rubric_id: str = SQLField(max_length=64)
    token_hash: str = SQLField(max_length=64, unique=True)
    language: str = SQLField(max_length=2)
    expires_at: datetime = SQLField(sa_type=UTCDateTime)
    used_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # Question id -> the candidate's answer: personal data, cleared by an erasure.
    responses: dict[str, Any] = SQLField(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ScreeningCreate(BaseModel):
    """An invitation: in the candidate's language, valid for some days."""

    model_config = ConfigDict(extra="forbid")

    language: Language = "fr"
    valid_days: int = Field(default=7, ge=1, le=30)


class ScreeningCreated(BaseModel):
    """The link to send: its token is shown this once."""

    id: uuid.UUID
    url: str
    expires_at: datetime


class AnswerWithSuggestions(BaseModel):
    """One answer and the red flags its words suggest."""

    question_id: str
    question: str
    answer: str
    suggestions: list[Any]


class ScreeningPublic(BaseModel):
    """An invitation, and the answers once given (never the token)."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    language: Language
    status: str  # pending, answered, expired
    expires_at: datetime
    used_at: datetime | None
    answers: list[AnswerWithSuggestions]
