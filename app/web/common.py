"""What every page family shares: the submitted form, field errors, who asks and may they."""

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session, select

from app.access.models import Principal
from app.access.policy import P
from app.assessments.models import Assessment
from app.candidates.models import Candidate
from app.core.errors import Forbidden
from app.core.i18n import Language, format_number
from app.scoring.answers import FieldError
from app.web.text import TEXT

Errors = dict[str, str]


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form, as field name -> value (last value wins)."""
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


# The services' messages (English, for the API) and the page text that says each to a reader.
SERVICE_MESSAGES = {
    "already used for this position": "duplicate_external_id",
    "already has an assessment of this candidate": "already_assessed",
    "a rating is required to submit": "rating_required",
    "an answer is required to submit": "rating_required",
    "required for this decision": "rationale_required",
}


def field_errors(items: list[FieldError], language: Language) -> Errors:
    """A problem's field errors, as field -> message in the reader's language."""
    words = TEXT[language]
    return {e.loc: words[_key_of(e)] for e in items}


def _key_of(error: FieldError) -> str:
    if error.loc.startswith("notes.") and error.message.startswith("required: red flag"):
        return "note_for_contradiction"
    return SERVICE_MESSAGES.get(error.message, "invalid")


def _pydantic_message(error: Any, language: Language) -> str:
    words = TEXT[language]
    kind, context = error["type"], error.get("ctx") or {}
    field = str(error["loc"][-1]) if error["loc"] else ""
    if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
        return words["required"]
    if kind == "string_too_short":
        return words["too_short"].format(n=context.get("min_length"))
    if kind == "string_too_long":
        return words["too_long"].format(n=format_number(context.get("max_length", 0), language))
    if kind.startswith("uuid") and field == "position_id":
        return words["choose_position"]
    if kind in ("literal_error", "enum"):
        return words["choose_one"]
    if "email" in field:
        return words["invalid_email"]
    return words["invalid"]


def validation_errors(exc: ValidationError, language: Language) -> Errors:
    """A pydantic refusal, as field -> message in the reader's language (never pydantic's)."""
    return {
        ".".join(str(p) for p in e["loc"]): _pydantic_message(e, language) for e in exc.errors()
    }


def need(principal: Principal, *permissions: P) -> None:
    """Refuse unless the principal holds one of `permissions`."""
    if not any(principal.can(p) for p in permissions):
        raise Forbidden(f"the role '{principal.role}' may not do this")


def principal_of(request: Request) -> Principal:
    """The signed-in person of the page."""
    principal: Principal = request.state.principal
    return principal


def own_scorecard(
    session: Session, candidate: Candidate, principal: Principal
) -> Assessment | None:
    """The signed-in interviewer's own scorecard for the candidate, if any."""
    if principal.email is None:
        return None
    return session.exec(
        select(Assessment).where(
            Assessment.candidate_id == candidate.id,
            Assessment.interviewer_email == principal.email.lower(),
        )
    ).first()
