"""Candidates: a person screened for a position."""

import unicodedata
import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr
from pydantic import Field as PydanticField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.personal import Columns, audited
from app.core.text import Line
from app.core.types import UTCDateTime, new_id, utcnow
from app.rubric.schemas import Recommendation

CandidateStatus = Literal["new", "in_review", "advanced", "hired", "rejected", "withdrawn"]
# The statuses a client may set; advanced, hired and rejected come only from recorded decisions
# (POST /candidates/{id}/decisions), each with its decider and, when needed, a rationale.
SettableStatus = Literal["new", "in_review", "withdrawn"]
STATUS_HELP = (
    "new, in_review or withdrawn; advanced, hired and rejected come only from a recorded "
    "decision (POST /candidates/{id}/decisions)"
)


class Candidate(SQLModel, table=True):
    """A candidate; `recommendation` is the current panel verdict's, kept for filtering."""

    __tablename__ = "candidates"
    __audit__: ClassVar[Columns] = audited(
        "candidate",
        personal=("full_name", "email", "external_id", "source", "search_text"),
        plain=(
            "position_id",
            "status",
            "recommendation",
            "rubric_version_id",
            "rules_version",
            "rules_version",
            "erased_at",
        ),
    )
    __table_args__ = (
        UniqueConstraint("position_id", "external_id", name="uq_candidates_external_id"),
        # The list pages newest first, filtered by one of these: keyset pagination reads an index.
        Index("ix_candidates_status_page", "status", "created_at", "id"),
        Index("ix_candidates_position_page", "position_id", "created_at", "id"),
        Index("ix_candidates_recommendation_page", "recommendation", "created_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    version: int = Field(default=1)  # bumped on every change; the ETag
    position_id: uuid.UUID = Field(foreign_key="positions.id", index=True, ondelete="RESTRICT")
    full_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    external_id: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=200)
    status: str = Field(default="new", max_length=20, index=True)
    recommendation: str | None = Field(default=None, max_length=20, index=True)
    # Name, email and external id folded for search (case and accents ignored, on every database).
    search_text: str = Field(default="", max_length=800)
    rubric_version_id: uuid.UUID | None = Field(default=None, foreign_key="rubric_versions.id")
    # The scoring rules the candidate is pinned to with the rubric version (see app/verdicts).
    rules_version: int | None = Field(default=None)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: 'Élodie' and 'elodie' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_text(candidate: "Candidate") -> str:
    """The folded text a candidate is found by."""
    return folded_search_text(candidate.full_name, candidate.email, candidate.external_id)


def folded_search_text(full_name: str, email: str | None, external_id: str | None) -> str:
    """The folded text a candidate with this name, email and external id is found by."""
    return fold(" ".join((full_name, email or "", external_id or "")))[:800]


class CandidateCreate(BaseModel):
    """A new candidate for a position."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Zoë Lefèvre-Dubois",
                    "email": "zoe@example.org",
                    "position_id": "6f1c3a52-8a43-4b8e-9a53-1f5f3f0c2b1d",
                    "external_id": "ats-4711",
                    "source": "referral",
                }
            ]
        },
    )

    full_name: Line
    email: EmailStr | None = None
    position_id: uuid.UUID
    external_id: Line | None = None
    source: Line | None = None
    status: SettableStatus = PydanticField(default="new", description=STATUS_HELP)


class CandidateUpdate(BaseModel):
    """Fields to change; the rest stay as they are."""

    model_config = ConfigDict(extra="forbid")

    full_name: Line | None = None
    email: EmailStr | None = None
    external_id: Line | None = None
    source: Line | None = None
    status: SettableStatus | None = PydanticField(default=None, description=STATUS_HELP)


class CandidatePublic(BaseModel):
    """A candidate as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    email: str | None
    position_id: uuid.UUID
    external_id: str | None
    source: str | None
    status: CandidateStatus
    recommendation: Recommendation | None
    created_at: datetime
    updated_at: datetime
    # When the personal data was erased (the name is then empty, email and external id null).
    erased_at: datetime | None = None
