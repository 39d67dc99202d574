"""The right-of-access export (GDPR art. 15) as a schema: every table row about a candidate."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model
from sqlmodel import SQLModel

from app.assessments.models import Assessment, AssessmentRevision, VerdictRecord
from app.audit.models import AuditEventPublic
from app.candidates.models import CandidatePublic
from app.decisions.models import Decision
from app.screenings.models import Screening


def row_model(table: type[SQLModel], name: str, *exclude: str, **extra: Any) -> type[BaseModel]:
    """A schema of the table's rows as exported: every column but `exclude`, all present."""
    fields: dict[str, Any] = {
        field: (info.annotation, ...)
        for field, info in table.model_fields.items()
        if field not in exclude
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields, **extra)


RevisionExport = row_model(AssessmentRevision, "RevisionExport")
VerdictExport = row_model(VerdictRecord, "VerdictExport")
AssessmentExport = row_model(
    Assessment,
    "AssessmentExport",
    "version",
    revisions=(list[RevisionExport], ...),  # type: ignore[valid-type]
    verdicts=(list[VerdictExport], ...),  # type: ignore[valid-type]
)
DecisionExport = row_model(Decision, "DecisionExport")
ScreeningExport = row_model(Screening, "ScreeningExport", "token_hash")


class PositionRef(BaseModel):
    """The position the candidate applied to."""

    id: str
    title: str


class CandidateDataExport(BaseModel):
    """Everything Tamis holds about one candidate."""

    exported_at: datetime
    candidate: CandidatePublic
    position: PositionRef
    assessments: list[AssessmentExport]  # type: ignore[valid-type]
    decisions: list[DecisionExport]  # type: ignore[valid-type]
    self_screens: list[ScreeningExport]  # type: ignore[valid-type]
    audit_events: list[AuditEventPublic]
