"""Self-screen invitations: a link for the candidate, made from their page."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import RegistryDep, SessionDep
from app.screenings import service as screenings
from app.web.candidate import candidate_view
from app.web.common import need, principal_of
from app.web.render import language_of
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/candidates/{candidate_id}/screenings", dependencies=[Csrf])
def invite(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """Create a self-screen link in the reader's language and show it once."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    candidate = candidates.get(session, candidate_id)
    _screening, token = screenings.create(
        session, candidate, screenings.rubric_of(session, candidate), language_of(request), 7
    )
    link = f"{request.base_url}screening/{token}"
    return candidate_view(request, session, registry, candidate, invite_link=link)
