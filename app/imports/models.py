"""One line of an assessment import, and the import's report."""

import functools
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field
from pydantic.networks import validate_email

from app.assessments.models import AssessmentStatus
from app.core.i18n import Language
from app.core.text import Line, Paragraph
from app.rubric.schemas import RankedRecommendation
from app.scoring.answers import FlagList, NoteText, Ratings

LINE_EXAMPLE: dict[str, Any] = {
    "candidate": {
        "position_id": "6f1c3a52-8a43-4b8e-9a53-1f5f3f0c2b1d",
        "external_id": "ats-4711",
        "full_name": "Zoë Lefèvre-Dubois",
        "email": "zoe@example.org",
    },
    "interviewer": {"name": "Ana Martin", "email": "ana@example.org"},
    "ratings": {"measures_impact": 3, "hands_on_practice": 4},
    "flags": [{"id": "vanity_metrics", "note": "quoted page views as the result"}],
    "notes": {"measures_impact": "ties sign-ups to the campaign goal"},
    "summary": "Thoughtful; weak on cases.",
    "submitted_at": "2025-03-14T10:30:00Z",
}


@functools.lru_cache(maxsize=4096)
def _email(value: str) -> str:
    """The address as EmailStr normalises it; a history names few interviewers many times, and
    checking an address costs more than the rest of its line (a refused one is not cached)."""
    return validate_email(value)[1]


# The same check and result as EmailStr (pydantic's `validate_email`), remembered per address.
KnownEmail = Annotated[str, AfterValidator(_email), Field(json_schema_extra={"format": "email"})]


class ImportedInterviewer(BaseModel):
    """Who filled in the scorecard (as `interviewer` of an assessment)."""

    model_config = ConfigDict(extra="forbid")

    name: Line
    email: KnownEmail


class ImportedCandidate(BaseModel):
    """A candidate named by the HR tool's id within a position: found, else created.

    `external_id` is what makes a second line (another interviewer) and a retried import find
    the same candidate instead of creating a twin.
    """

    model_config = ConfigDict(extra="forbid")

    position_id: uuid.UUID
    external_id: Line
    full_name: Line
    email: EmailStr | None = None
    source: Line | None = None


class ImportLine(BaseModel):
    """One assessment of an import: for an existing candidate (`candidate_id`) or for one
    found or created by `candidate` (position and external id); exactly one of the two."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [LINE_EXAMPLE]})

    candidate_id: uuid.UUID | None = None
    candidate: ImportedCandidate | None = None
    interviewer: ImportedInterviewer
    ratings: Ratings = {}
    flags: FlagList = []
    notes: dict[str, NoteText] = {}
    overall_recommendation: RankedRecommendation | None = None
    summary: Paragraph = ""
    language: Language = "en"
    status: AssessmentStatus = Field(
        default="submitted", description="submitted (the default for history) or draft"
    )
    submitted_at: AwareDatetime | None = Field(
        default=None,
        description="When it was submitted (ISO 8601 with a time zone; not in the future); "
        "default: the time of the import. Only for a submitted assessment.",
    )


class LineError(BaseModel):
    """A field at fault on one line (RFC 9457 `errors` member, with the line number)."""

    line: int = Field(description="1-based line number in the file", examples=[3])
    loc: str = Field(examples=["ratings.measures_impact"])
    message: str = Field(examples=["rating 7 is off the scale 1–4"])
    valid: list[str | int] | None = Field(default=None, examples=[[1, 2, 3, 4]])


class ImportReport(BaseModel):
    """What an import did: lines imported, lines refused and why (each refused line's fields)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "atomic": False,
                    "lines": 3,
                    "imported": 2,
                    "refused": 1,
                    "candidates_created": 1,
                    "errors": [
                        {
                            "line": 2,
                            "loc": "ratings.measures_impact",
                            "message": "rating 7 is off the scale 1–4",
                            "valid": [1, 2, 3, 4, "not_observed"],
                        }
                    ],
                }
            ]
        }
    )

    atomic: bool
    lines: int = Field(description="non-blank lines read")
    imported: int
    refused: int
    candidates_created: int
    errors: list[LineError]
    errors_truncated: bool = Field(
        default=False, description="true when more errors were found than listed (1,000)"
    )
    outcome: Literal["complete", "rolled_back"] = "complete"
