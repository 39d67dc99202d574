"""The API side of the self-screen: invite a candidate, read the answers with suggestions."""

import uuid

from fastapi import APIRouter, Request, Response

from app.access.policy import P
from app.candidates import service as candidates
from app.core import etag
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import problem_responses
from app.core.routing import ApiRoute
from app.rubric.deps import RegistryDep
from app.screenings import service
from app.screenings.models import ScreeningCreate, ScreeningCreated, ScreeningPublic

router = APIRouter(
    prefix="/candidates",
    tags=["self-screen"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "/{candidate_id}/screenings",
    status_code=201,
    responses=problem_responses(404, 409, 422),
    dependencies=[allow(P.CANDIDATES_WRITE)],
)
def invite(
    candidate_id: uuid.UUID,
    body: ScreeningCreate,
    request: Request,
    session: SessionDep,
    response: Response,
) -> ScreeningCreated:
    """Create a single-use link to the candidate's self-screen; the link is shown this once.

    The link is on the configured public address (`TAMIS_PUBLIC_URL`). A retry with the same
    Idempotency-Key replays the answer without the link, which is never stored."""
    candidate = candidates.get(session, candidate_id, lock=True)
    screening, token = service.create(
        session, candidate, service.rubric_of(session, candidate), body.language, body.valid_days
    )
    response.headers["Location"] = f"/api/v1/candidates/{candidate.id}/screenings"
    created = ScreeningCreated(
        id=screening.id,
        url=service.link(request.app.state.settings.public_url, token),
        expires_at=screening.expires_at,
    )
    etag.of_representation(response, created)
    return created


@router.get(
    "/{candidate_id}/screenings",
    responses=problem_responses(404, 422),
    dependencies=[allow(P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)],
)
def list_screenings(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> list[ScreeningPublic]:
    """The candidate's self-screens, each answer with the red flags its words suggest."""
    candidate = candidates.get(session, candidate_id)
    state = request.app.state
    return [
        service.present(s, registry, state.questionnaires, state.signals, language)
        for s in service.for_candidate(session, candidate.id)
    ]
