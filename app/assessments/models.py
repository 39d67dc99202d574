"""Assessments (one interviewer's scorecard), their immutable revisions, and verdict records."""

import uuid
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.i18n import Language
from app.core.personal import Columns, audited, not_audited
from app.core.text import Line, Paragraph, Statement
from app.core.types import JSONType, UTCDateTime, new_id, utcnow
from app.rubric.schemas import RankedRecommendation
from app.scoring.answers import FlagList, NoteText, RaisedFlag, Ratings
from app.scoring.verdict import PanelVerdict, Verdict

AssessmentStatus = Literal["draft", "submitted"]
VerdictCause = Literal["submitted", "amended", "rescored"]


class Assessment(SQLModel, table=True):
    """A scorecard. While a draft it changes in place; once submitted, only by amendment."""

    __tablename__ = "assessments"
    __audit__: ClassVar[Columns] = audited(
        "assessment",
        personal=("interviewer_name", "interviewer_email", "summary"),
        summarised=("answers",),
        plain=("candidate_id", "status", "revision", "submitted_at"),
    )
    __table_args__ = (
        UniqueConstraint("candidate_id", "interviewer_email", name="uq_assessments_interviewer"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    version: int = Field(default=1)  # bumped on every change; the ETag
    candidate_id: uuid.UUID = Field(foreign_key="candidates.id", index=True, ondelete="CASCADE")
    interviewer_name: str = Field(max_length=200)
    interviewer_email: str = Field(max_length=320)
    status: str = Field(default="draft", max_length=20)
    answers: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    summary: str = Field(default="", max_length=20_000)
    revision: int = Field(default=0)  # 0 while a draft; the submitted revision number after
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AssessmentRevision(SQLModel, table=True):
    """A submitted state of an assessment, never changed afterwards."""

    __tablename__ = "assessment_revisions"
    __audit__: ClassVar[Columns] = audited(
        "assessment_revision",
        personal=("summary", "reason"),
        summarised=("answers",),
        plain=("assessment_id", "revision"),
    )
    __table_args__ = (UniqueConstraint("assessment_id", "revision", name="uq_revisions_number"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessments.id", index=True, ondelete="CASCADE")
    revision: int
    answers: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    summary: str = Field(default="", max_length=20_000)
    reason: str | None = Field(default=None, max_length=5_000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VerdictRecord(SQLModel, table=True):
    """Which rubric version scored which revision, and what it said; never changed afterwards."""

    __tablename__ = "verdicts"
    __audit__: ClassVar[Columns] = audited(
        "verdict",
        plain=(
            "assessment_id",
            "revision",
            "rubric_version_id",
            "recommendation",
            "score",
            "coverage",
            "cause",
            "rules_version",
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    assessment_id: uuid.UUID = Field(foreign_key="assessments.id", index=True, ondelete="CASCADE")
    revision: int
    rubric_version_id: uuid.UUID = Field(foreign_key="rubric_versions.id")
    rules_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    recommendation: str = Field(max_length=20)
    score: float
    coverage: float
    cause: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PanelWalk(SQLModel, table=True):
    """What the walks of rules 2 found for a candidate's panel, stored when it changes.

    The costly part of a panel verdict (the recommendations still possible and the criteria
    that would settle them) is worked out when a scorecard is submitted, amended or rescored,
    and read back with the panel verdict instead of being worked out again. `walk_key` names
    the inputs it was found for (`app.scoring.rules.walk_key`): a reader whose inputs differ
    ignores it and makes the walks itself, so a stale row is never shown.
    """

    __tablename__ = "panel_walks"
    __audit__: ClassVar[Columns] = not_audited(
        "derived from the scorecards, whose writes the trail records; no personal data",
        plain=("candidate_id", "walk_key", "possible", "settle"),
    )

    candidate_id: uuid.UUID = Field(
        foreign_key="candidates.id", primary_key=True, ondelete="CASCADE"
    )
    walk_key: str = Field(max_length=64)
    possible: list[str] = Field(sa_column=Column(JSONType, nullable=False))
    settle: list[str] = Field(sa_column=Column(JSONType, nullable=False))


class StoredPanelVerdict(SQLModel, table=True):
    """A candidate's panel verdict, stored as facts (no text) whenever it changes.

    Written at every submission, amendment and rescore (app/verdicts/service.py), under
    `panel_key`: the rules version, the rubric version and the submitted scorecards (id and
    revision, in order) it was worked out from. A reader whose scorecards give another key
    ignores the row and works the verdict out itself, so a stale row is never shown; the texts
    are written from the facts in the reader's language (app/scoring/verdict.py).
    """

    __tablename__ = "panel_verdicts"
    __audit__: ClassVar[Columns] = not_audited(
        "derived from the scorecards, whose writes the trail records",
        personal=("facts",),  # interviewers' names, notes and summaries
        plain=("candidate_id", "panel_key", "rubric_version_id", "rules_version"),
    )

    candidate_id: uuid.UUID = Field(
        foreign_key="candidates.id", primary_key=True, ondelete="CASCADE"
    )
    panel_key: str = Field(max_length=64)
    rubric_version_id: uuid.UUID = Field(foreign_key="rubric_versions.id")
    rules_version: int
    facts: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Interviewer(BaseModel):
    """Who fills in the scorecard."""

    model_config = ConfigDict(extra="forbid")

    name: Line
    email: EmailStr


class AssessmentCreate(BaseModel):
    """A new scorecard for a candidate, saved as a draft or submitted at once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "interviewer": {"name": "Ana Martin", "email": "ana@example.org"},
                    "ratings": {
                        "continuous_learning": 3,
                        "influence_over_audience": 4,
                        "history_of_the_social_web": 3,
                        "hands_on_practice": 3,
                        "conversation_not_promotion": 4,
                        "measures_impact": 3,
                        "knows_creative_cases": 2,
                    },
                    "flags": [{"id": "vanity_metrics", "note": "quoted page views as the result"}],
                    "notes": {"measures_impact": "ties sign-ups to the campaign goal"},
                    "summary": "Thoughtful; weak on cases.",
                    "language": "en",
                    "status": "submitted",
                }
            ]
        },
    )

    interviewer: Interviewer
    ratings: Ratings = {}
    flags: FlagList = []
    notes: dict[str, NoteText] = {}
    overall_recommendation: RankedRecommendation | None = None
    summary: Paragraph = ""  # the interviewer's key take-aways
    language: Language = "en"
    status: AssessmentStatus = "draft"


class AssessmentUpdate(BaseModel):
    """Changes to a draft; `ratings` and `notes` merge key by key (null clears a rating)."""

    model_config = ConfigDict(extra="forbid")

    ratings: Ratings | None = None
    flags: FlagList | None = None
    notes: dict[str, NoteText] | None = None
    overall_recommendation: RankedRecommendation | None = None
    summary: Paragraph | None = None
    language: Language | None = None


class Amendment(BaseModel):
    """A correction to a submitted assessment: a new revision; earlier ones stay readable."""

    model_config = ConfigDict(extra="forbid")

    reason: Statement
    ratings: Ratings | None = None
    flags: FlagList | None = None
    notes: dict[str, NoteText] | None = None
    overall_recommendation: RankedRecommendation | None = None
    summary: Paragraph | None = None


class RevisionPublic(BaseModel):
    """One submitted revision."""

    revision: int
    ratings: Ratings
    flags: list[RaisedFlag]
    notes: dict[str, str]
    overall_recommendation: RankedRecommendation | None = None
    summary: str
    reason: str | None
    created_at: datetime


class AssessmentPublic(BaseModel):
    """A scorecard with its verdict (null while a draft)."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    interviewer: Interviewer
    status: AssessmentStatus
    revision: int
    ratings: Ratings
    flags: list[RaisedFlag]
    notes: dict[str, str]
    overall_recommendation: RankedRecommendation | None
    summary: str
    language: Language
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    verdict: Verdict | None


class CandidateVerdict(PanelVerdict):
    """The panel verdict over a candidate's submitted assessments."""

    candidate_id: uuid.UUID
    assessments: list[uuid.UUID]
