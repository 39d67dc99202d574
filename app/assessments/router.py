"""HTTP endpoints for one assessment: read, edit a draft, submit, amend, revisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from sqlmodel import Session

from app.access.models import Principal
from app.access.policy import P
from app.assessments import access, service
from app.assessments.models import (
    Amendment,
    Assessment,
    AssessmentPublic,
    AssessmentUpdate,
    RevisionPublic,
)
from app.candidates import service as candidates
from app.core import etag
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import problem_responses
from app.core.routing import ApiRoute
from app.rubric.deps import RegistryDep

router = APIRouter(
    prefix="/assessments",
    tags=["assessments"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
)
Reader = Annotated[Principal, allow(P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)]


def _for_write(
    session: Session, assessment_id: uuid.UUID, principal: Principal, if_match: str | None
) -> Assessment:
    """The assessment, locked after its candidate (one lock order for every writer), and
    still in the state `If-Match` names."""
    assessment = service.get(session, assessment_id)
    access.check_edit(assessment, principal)
    candidates.get(session, assessment.candidate_id, lock=True)
    assessment = service.get(session, assessment_id, lock=True)
    etag.check(if_match, assessment.version)
    return assessment


@router.get("/{assessment_id}", responses=problem_responses(404, 422))
def get_assessment(
    assessment_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Reader,
    response: Response,
) -> AssessmentPublic:
    """One scorecard with its verdict, replayed with the rubric version that scored it."""
    assessment = service.get(session, assessment_id)
    access.check_view(session, assessment, principal)
    etag.tag(response, assessment)
    return service.to_public(session, registry, assessment, language)


@router.patch("/{assessment_id}", responses=problem_responses(404, 409, 412, 422))
def update_assessment(
    assessment_id: uuid.UUID,
    body: AssessmentUpdate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Reader,
    response: Response,
    if_match: etag.IfMatch = None,
) -> AssessmentPublic:
    """Edit a draft. Ratings and notes merge key by key; a null rating clears it."""
    assessment = _for_write(session, assessment_id, principal, if_match)
    assessment = service.update_draft(session, registry, assessment, body)
    etag.tag(response, assessment)
    return service.to_public(session, registry, assessment, language)


@router.post("/{assessment_id}/submit", responses=problem_responses(404, 409, 412, 422))
def submit_assessment(
    assessment_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Reader,
    response: Response,
    if_match: etag.IfMatch = None,
) -> AssessmentPublic:
    """Submit a draft: it is scored and can no longer be edited, only amended."""
    assessment = _for_write(session, assessment_id, principal, if_match)
    assessment = service.submit(session, registry, assessment, language)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    etag.tag(response, assessment)
    return service.to_public(session, registry, assessment, language)


@router.post(
    "/{assessment_id}/amendments",
    status_code=201,
    responses=problem_responses(404, 409, 412, 422),
)
def amend_assessment(
    assessment_id: uuid.UUID,
    body: Amendment,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Reader,
    response: Response,
    if_match: etag.IfMatch = None,
) -> AssessmentPublic:
    """Correct a submitted assessment with a reason; the earlier revision stays readable."""
    assessment = _for_write(session, assessment_id, principal, if_match)
    assessment = service.amend(session, registry, assessment, body, language)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}/revisions"
    etag.tag(response, assessment)
    return service.to_public(session, registry, assessment, language)


@router.get("/{assessment_id}/revisions", responses=problem_responses(404, 422))
def list_revisions(
    assessment_id: uuid.UUID, session: SessionDep, principal: Reader
) -> list[RevisionPublic]:
    """Every submitted revision of the assessment, oldest first."""
    assessment = service.get(session, assessment_id)
    access.check_view(session, assessment, principal)
    return service.revisions(session, assessment)
