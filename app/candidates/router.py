"""HTTP endpoints for candidates, their assessments, panel verdict and decisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.assessments import service as assessments
from app.assessments.models import AssessmentCreate, AssessmentPublic, CandidateVerdict
from app.candidates import service
from app.candidates.models import CandidateCreate, CandidatePublic, CandidateStatus, CandidateUpdate
from app.core.deps import LanguageDep, RegistryDep, SessionDep
from app.core.errors import problem_responses
from app.core.pagination import MAX_LIMIT, Page
from app.decisions import service as decisions
from app.decisions.models import DecisionCreate, DecisionPublic
from app.rubric.schemas import Recommendation

router = APIRouter(prefix="/candidates", tags=["candidates"])


@router.post("", status_code=201, responses=problem_responses(404, 409, 422))
def create_candidate(body: CandidateCreate, session: SessionDep) -> CandidatePublic:
    """Add a candidate to a position. `external_id` (the HR tool's id) is unique per position."""
    return CandidatePublic.model_validate(service.create(session, body))


@router.get("", responses=problem_responses(422))
def list_candidates(
    session: SessionDep,
    position_id: uuid.UUID | None = None,
    status: CandidateStatus | None = None,
    recommendation: Recommendation | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name, email or external id.")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
    ] = 20,
    cursor: Annotated[
        str | None, Query(description="The `next` value of the previous page.")
    ] = None,
) -> Page[CandidatePublic]:
    """Candidates, newest first, filtered by position, status, recommendation and text."""
    rows, following = service.list_page(
        session,
        position_id=position_id,
        status=status,
        recommendation=recommendation,
        text=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[CandidatePublic.model_validate(c) for c in rows], next=following)


@router.get("/{candidate_id}", responses=problem_responses(404, 422))
def get_candidate(candidate_id: uuid.UUID, session: SessionDep) -> CandidatePublic:
    """One candidate."""
    return CandidatePublic.model_validate(service.get(session, candidate_id))


@router.patch("/{candidate_id}", responses=problem_responses(404, 409, 422))
def update_candidate(
    candidate_id: uuid.UUID, body: CandidateUpdate, session: SessionDep
) -> CandidatePublic:
    """Change a candidate's details or status."""
    candidate = service.update(session, service.get(session, candidate_id), body)
    return CandidatePublic.model_validate(candidate)


@router.delete("/{candidate_id}", status_code=204, responses=problem_responses(404, 422))
def delete_candidate(candidate_id: uuid.UUID, session: SessionDep) -> Response:
    """Delete a candidate with their assessments, verdicts and decisions."""
    service.delete(session, service.get(session, candidate_id))
    return Response(status_code=204)


@router.post(
    "/{candidate_id}/assessments", status_code=201, responses=problem_responses(404, 409, 422)
)
def create_assessment(
    candidate_id: uuid.UUID,
    body: AssessmentCreate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> AssessmentPublic:
    """Start an interviewer's scorecard (a draft), or submit it at once with `status: submitted`."""
    candidate = service.get(session, candidate_id)
    assessment = assessments.create(session, registry, candidate, body)
    return assessments.to_public(session, registry, assessment, language)


@router.get("/{candidate_id}/assessments", responses=problem_responses(404, 422))
def list_assessments(
    candidate_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> list[AssessmentPublic]:
    """The candidate's scorecards, drafts included."""
    candidate = service.get(session, candidate_id)
    return [
        assessments.to_public(session, registry, a, language)
        for a in assessments.for_candidate(session, candidate.id)
    ]


@router.get("/{candidate_id}/verdict", responses=problem_responses(404, 422))
def get_verdict(
    candidate_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> CandidateVerdict:
    """The panel verdict over the submitted assessments, with calibration needs and agreement."""
    return assessments.panel(session, registry, service.get(session, candidate_id), language)


@router.post("/{candidate_id}/rescore", responses=problem_responses(404, 422))
def rescore(
    candidate_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> CandidateVerdict:
    """Score the submitted assessments again with the current rubric; earlier verdicts are kept."""
    candidate = service.get(session, candidate_id)
    assessments.rescore(session, registry, candidate)
    return assessments.panel(session, registry, candidate, language)


@router.post("/{candidate_id}/decisions", status_code=201, responses=problem_responses(404, 422))
def record_decision(
    candidate_id: uuid.UUID,
    body: DecisionCreate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> DecisionPublic:
    """Record a person's decision; against the advice, or while incomplete, give a rationale."""
    candidate = service.get(session, candidate_id)
    return decisions.to_public(decisions.record(session, registry, candidate, body, language))


@router.get("/{candidate_id}/decisions", responses=problem_responses(404, 422))
def list_decisions(candidate_id: uuid.UUID, session: SessionDep) -> list[DecisionPublic]:
    """The candidate's decisions, oldest first."""
    candidate = service.get(session, candidate_id)
    return [decisions.to_public(d) for d in decisions.history(session, candidate)]
