"""HTTP endpoints for one assessment: read, edit a draft, submit, amend, revisions."""

import uuid

from fastapi import APIRouter

from app.assessments import service
from app.assessments.models import Amendment, AssessmentPublic, AssessmentUpdate, RevisionPublic
from app.core.deps import LanguageDep, RegistryDep, SessionDep
from app.core.errors import problem_responses

router = APIRouter(prefix="/assessments", tags=["assessments"])


@router.get("/{assessment_id}", responses=problem_responses(404, 422))
def get_assessment(
    assessment_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> AssessmentPublic:
    """One scorecard with its verdict, replayed with the rubric version that scored it."""
    return service.to_public(session, registry, service.get(session, assessment_id), language)


@router.patch("/{assessment_id}", responses=problem_responses(404, 409, 422))
def update_assessment(
    assessment_id: uuid.UUID,
    body: AssessmentUpdate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> AssessmentPublic:
    """Edit a draft. Ratings and notes merge key by key; a null rating clears it."""
    assessment = service.update_draft(session, registry, service.get(session, assessment_id), body)
    return service.to_public(session, registry, assessment, language)


@router.post("/{assessment_id}/submit", responses=problem_responses(404, 409, 422))
def submit_assessment(
    assessment_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> AssessmentPublic:
    """Submit a draft: it is scored and can no longer be edited, only amended."""
    assessment = service.submit(session, registry, service.get(session, assessment_id))
    return service.to_public(session, registry, assessment, language)


@router.post(
    "/{assessment_id}/amendments", status_code=201, responses=problem_responses(404, 409, 422)
)
def amend_assessment(
    assessment_id: uuid.UUID,
    body: Amendment,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> AssessmentPublic:
    """Correct a submitted assessment with a reason; the earlier revision stays readable."""
    assessment = service.amend(session, registry, service.get(session, assessment_id), body)
    return service.to_public(session, registry, assessment, language)


@router.get("/{assessment_id}/revisions", responses=problem_responses(404, 422))
def list_revisions(assessment_id: uuid.UUID, session: SessionDep) -> list[RevisionPublic]:
    """Every submitted revision of the assessment, oldest first."""
    return service.revisions(session, service.get(session, assessment_id))
