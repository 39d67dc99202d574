"""What every page family shares: the submitted form, field errors, who asks and may they."""

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session, select

from app.access.models import Principal
from app.access.policy import P
from app.assessments.models import Assessment
from app.candidates.models import Candidate
from app.core.errors import Forbidden
from app.scoring.answers import FieldError

Errors = dict[str, str]


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form, as field name -> value (last value wins)."""
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def field_errors(items: list[FieldError]) -> Errors:
    """A problem's field errors, as field -> message."""
    return {e.loc: e.message for e in items}


def validation_errors(exc: ValidationError) -> Errors:
    """A pydantic refusal, as field -> message."""
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}


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
