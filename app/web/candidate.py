"""A candidate's page: details, warnings, verdict, scorecards, decisions, reports."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.access.policy import P
from app.assessments import access
from app.assessments import service as assessments
from app.candidates import service as candidates
from app.candidates.models import Candidate
from app.core.deps import RegistryDep, SessionDep
from app.decisions import service as decisions
from app.positions import service as positions
from app.rubric.store import RubricRegistry
from app.web.common import Errors, need, own_scorecard, principal_of
from app.web.render import language_of, page
from app.web.session import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def candidate_view(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
    invite_link: str | None = None,
) -> HTMLResponse:
    principal = principal_of(request)
    language = language_of(request)
    position = positions.to_public(
        positions.get(session, candidate.position_id), registry, language
    )
    sees_panel = principal.can(P.VERDICTS_READ) and access.sees_panel(
        session, candidate.id, principal
    )
    verdict = assessments.panel(session, registry, candidate, language) if sees_panel else None
    readable = principal.can(P.ASSESSMENTS_ALL) or principal.can(P.ASSESSMENTS_OWN)
    scorecards = (
        access.visible(
            session, candidate.id, assessments.for_candidate(session, candidate.id), principal
        )
        if readable
        else []
    )
    history = (
        [decisions.to_public(d) for d in decisions.history(session, candidate)]
        if principal.can(P.DECISIONS_READ)
        else None
    )
    return page(
        request,
        "candidate.html",
        status,
        candidate=candidate,
        position=position,
        verdict=verdict,
        titles={c.id: c.title for c in verdict.criteria} if verdict else {},
        scorecards=scorecards,
        history=history,
        mine=own_scorecard(session, candidate, principal) if readable else None,
        can_assess=readable and principal.email is not None,
        can_decide=principal.can(P.DECISIONS_WRITE),
        can_report=principal.can(P.REPORTS_READ),
        can_invite=principal.can(P.CANDIDATES_WRITE),
        invite_link=invite_link,
        values=values or {"decided_by": principal.name},
        errors=errors or {},
    )


@router.get("/candidates/{candidate_id}")
def candidate_page(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """A candidate: details, warnings, verdict, scorecards, decisions, reports."""
    need(principal_of(request), P.CANDIDATES_READ)
    return candidate_view(request, session, registry, candidates.get(session, candidate_id))
