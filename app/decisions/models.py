"""Decisions: what a named person decided, with their rationale. The software never decides."""

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel

from app.core.personal import Columns, audited
from app.core.text import Line, Paragraph
from app.core.types import UTCDateTime, new_id, utcnow
from app.rubric.schemas import Recommendation

DecisionKind = Literal["advance", "hire", "reject"]


class Decision(SQLModel, table=True):
    """A recorded human decision, and the recommendation it was taken against."""

    __tablename__ = "decisions"
    __audit__: ClassVar[Columns] = audited(
        "decision",
        personal=("decided_by", "rationale", "principal_name"),
        plain=(
            "candidate_id",
            "decision",
            "recommendation",
            "rubric_version",
            "principal_kind",
            "principal_id",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    candidate_id: uuid.UUID = Field(foreign_key="candidates.id", index=True, ondelete="CASCADE")
    decision: str = Field(max_length=20)
    # Free text: the person the decision is recorded for ("on behalf of"), as the caller says.
    decided_by: str = Field(max_length=200)
    # The authenticated principal that recorded it (an API key, an account, or a command).
    principal_kind: str = Field(default="system", max_length=20)
    principal_id: str = Field(default="unknown", max_length=64)
    principal_name: str = Field(default="", max_length=200)
    rationale: str = Field(default="", max_length=20_000)
    recommendation: str = Field(max_length=20)
    rubric_version: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class DecisionCreate(BaseModel):
    """A decision; going against the advice, or deciding while incomplete, needs a rationale."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "decision": "advance",
                    "decided_by": "Claire Dupont",
                    "rationale": "Strong on measurement; check creative cases in round two.",
                }
            ]
        },
    )

    decision: DecisionKind
    decided_by: Line = PydanticField(
        description="On whose behalf the decision is recorded (free text); the key or account "
        "that records it is kept beside it as `recorded_by`."
    )
    rationale: Paragraph = ""


class RecordedBy(BaseModel):
    """The authenticated principal that recorded a decision."""

    kind: str = PydanticField(description="key, user or system")
    id: str
    name: str


class DecisionPublic(BaseModel):
    """A recorded decision."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    candidate_id: uuid.UUID
    decision: DecisionKind
    decided_by: str
    recorded_by: RecordedBy
    rationale: str
    recommendation: Recommendation
    against_recommendation: bool
    rubric_version: str | None
    created_at: datetime
