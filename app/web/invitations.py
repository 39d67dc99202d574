"""Self-screen invitations: a link for the candidate, made from their page, sent by email
when an SMTP server is configured, else shown once to copy."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import SessionDep
from app.screenings import service as screenings
from app.web.candidate import INVITE_COOKIE
from app.web.common import need, principal_of
from app.web.render import language_of
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
VALID_DAYS = 7


@router.get("/candidates/{candidate_id}/screenings")
def invitations_address(candidate_id: uuid.UUID) -> Response:
    """The form's address opened directly (reload, language link): the candidate's page."""
    return RedirectResponse(f"/candidates/{candidate_id}#self-screen", status_code=303)


@router.post("/candidates/{candidate_id}/screenings", dependencies=[Csrf])
def invite(candidate_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """Create a self-screen link in the reader's language; the next page shows it once."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    candidate = candidates.get(session, candidate_id)
    _screening, token = screenings.create(
        session,
        candidate,
        screenings.rubric_of(session, candidate),
        language_of(request),
        VALID_DAYS,
    )
    link = f"{request.base_url}screening/{token}"
    response = RedirectResponse(f"/candidates/{candidate_id}#self-screen", status_code=303)
    # Shown once, on the page this redirect leads to, then forgotten (never in an address).
    response.set_cookie(
        INVITE_COOKIE,
        link,
        max_age=300,
        path=f"/candidates/{candidate_id}",
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.env == "production",
    )
    return response
