"""The candidate report as data: one model, rendered as JSON, HTML and PDF alike."""

import uuid
from datetime import datetime

from pydantic import BaseModel

from app.core.i18n import Language
from app.rubric.schemas import Recommendation
from app.scoring.verdict import AttributedNote


class ReportCandidate(BaseModel):
    """Who is screened."""

    id: uuid.UUID
    full_name: str
    email: str | None
    external_id: str | None
    status: str
    status_label: str
    erased: bool


class ReportPosition(BaseModel):
    """The position, with the warnings its readiness answers raise."""

    id: uuid.UUID
    title: str
    warnings: list[str]


class ReportVerdict(BaseModel):
    """The panel verdict, with its reasons in order."""

    recommendation: Recommendation
    recommendation_label: str
    score: float
    coverage: float
    agreement: float | None
    reasons: list[str]
    calibration: list[str]  # criterion titles


class ReportCriterion(BaseModel):
    """One criterion: every interviewer's rating, the panel's, its anchor and the notes."""

    id: str
    title: str
    group: str
    group_label: str
    ratings: dict[str, int | None]  # interviewer -> rating
    combined: int | None
    anchor: str | None
    notes: list[AttributedNote]
    needs_calibration: bool


class ReportFlag(BaseModel):
    """A red flag raised, by whom, with the notes and the source it comes from."""

    id: str
    title: str
    severity: str
    severity_label: str
    raised_by: list[str]
    notes: list[AttributedNote]
    verify: str
    source: str


class ReportDecision(BaseModel):
    """A recorded decision."""

    decision: str
    decision_label: str
    decided_by: str
    rationale: str
    recommendation_label: str
    against_recommendation: bool
    created_at: datetime


class CandidateReport(BaseModel):
    """Everything a hiring manager reads about one candidate."""

    language: Language
    generated_at: datetime
    rubric_id: str
    rubric_version: str
    scale_min: int
    scale_max: int
    candidate: ReportCandidate
    position: ReportPosition
    interviewers: list[str]
    verdict: ReportVerdict
    criteria: list[ReportCriterion]
    flags: list[ReportFlag]
    decisions: list[ReportDecision]
    labels: dict[str, str]
    # Each interviewer's key take-aways (the assessment's summary), by name.
    summaries: list[AttributedNote] = []
