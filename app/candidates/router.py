"""HTTP endpoints for candidates, their assessments, panel verdict and decisions."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.access.models import Principal
from app.access.policy import P
from app.assessments import access
from app.assessments import service as assessments
from app.assessments.models import AssessmentCreate, AssessmentPublic, CandidateVerdict
from app.candidates import service, visibility
from app.candidates.models import CandidateCreate, CandidatePublic, CandidateStatus, CandidateUpdate
from app.core import etag
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import NotFound, problem_responses
from app.core.pagination import MAX_LIMIT, CursorQuery, Page
from app.core.routing import ApiRoute, folds_key_check
from app.decisions import service as decisions
from app.decisions.models import DecisionCreate, DecisionPublic
from app.rubric.deps import RegistryDep
from app.rubric.schemas import Recommendation
from app.verdicts import service as verdicts

router = APIRouter(
    prefix="/candidates",
    tags=["candidates"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
)


@router.post(
    "",
    status_code=201,
    responses=problem_responses(404, 409, 422),
    dependencies=[allow(P.CANDIDATES_WRITE)],
)
def create_candidate(
    body: CandidateCreate, session: SessionDep, response: Response
) -> CandidatePublic:
    """Add a candidate to a position. `external_id` (the HR tool's id) is unique per position."""
    candidate = service.create(session, body)
    session.flush()
    etag.tag(response, candidate)
    response.headers["Location"] = f"/api/v1/candidates/{candidate.id}"
    return CandidatePublic.model_validate(candidate)


@router.get("", responses=problem_responses(422))
@folds_key_check
def list_candidates(
    session: SessionDep,
    principal: Annotated[Principal, allow(P.CANDIDATES_READ)],
    position_id: uuid.UUID | None = None,
    status: CandidateStatus | None = None,
    recommendation: Recommendation | None = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in name, email or external id.")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")
    ] = 20,
    cursor: CursorQuery = None,
) -> Page[CandidatePublic]:
    """Candidates, newest first, filtered by position, status, recommendation and text.

    An interviewer sees a candidate's recommendation, outcome status and changes only once
    their own assessment of them is submitted (blind scoring); the filters follow the same rule."""
    rows, following = service.list_page(
        session,
        principal,
        position_id=position_id,
        status=status,
        recommendation=recommendation,
        text=q,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=rows, next=following)


@router.get("/{candidate_id}", responses=problem_responses(404, 422))
def get_candidate(
    candidate_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, allow(P.CANDIDATES_READ)],
) -> CandidatePublic:
    """One candidate; the `ETag` header goes back in `If-Match` to change it safely.

    Under blind scoring, an interviewer who has not submitted sees no recommendation, the
    status `in_review` (or `withdrawn`) and an ETag of that view only."""
    shown = visibility.show(session, service.get(session, candidate_id), principal)
    shown.tag(response)
    return shown.public


@router.patch(
    "/{candidate_id}",
    responses=problem_responses(404, 409, 412, 422),
    dependencies=[allow(P.CANDIDATES_WRITE)],
)
def update_candidate(
    candidate_id: uuid.UUID,
    body: CandidateUpdate,
    session: SessionDep,
    response: Response,
    if_match: etag.IfMatch = None,
) -> CandidatePublic:
    """Change a candidate's details or status; with `If-Match`, only if unchanged since read."""
    candidate = service.get(session, candidate_id, lock=True)
    etag.check(if_match, candidate.version)
    candidate = service.update(session, candidate, body)
    session.flush()
    etag.tag(response, candidate)
    return CandidatePublic.model_validate(candidate)


@router.delete(
    "/{candidate_id}",
    status_code=204,
    responses=problem_responses(404, 409, 412, 422),
    dependencies=[allow(P.CANDIDATES_WRITE)],
)
def delete_candidate(
    candidate_id: uuid.UUID, session: SessionDep, if_match: etag.IfMatch = None
) -> Response:
    """Delete a candidate entered by mistake; once an assessment, decision or self-screen
    invitation exists, the answer is 409: erase their personal data instead."""
    candidate = service.get(session, candidate_id, lock=True, erased_ok=True)
    etag.check(if_match, candidate.version)
    service.delete(session, candidate)
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
    principal: Annotated[Principal, allow(P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)],
    response: Response,
) -> AssessmentPublic:
    """Start an interviewer's scorecard (a draft), or submit it at once with `status: submitted`.

    An interviewer's key writes in its own name: `interviewer.email` must be the key's email.
    """
    access.check_author(str(body.interviewer.email), principal)
    candidate = service.get(session, candidate_id, lock=True)
    assessment = assessments.create(session, registry, candidate, body, language)
    response.headers["Location"] = f"/api/v1/assessments/{assessment.id}"
    etag.tag(response, assessment)
    return assessments.to_public(session, registry, assessment, language)


@router.get("/{candidate_id}/assessments", responses=problem_responses(404, 422))
def list_assessments(
    candidate_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Annotated[Principal, allow(P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)],
) -> list[AssessmentPublic]:
    """The candidate's scorecards, drafts included; an interviewer sees the others' only after
    submitting their own (blind scoring)."""
    candidate = service.get(session, candidate_id)
    rows = assessments.for_candidate(session, candidate.id)
    return [
        assessments.to_public(session, registry, a, language)
        for a in access.visible(session, candidate.id, rows, principal)
    ]


@router.get("/{candidate_id}/verdict", responses=problem_responses(404, 422))
@folds_key_check
def get_verdict(
    candidate_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    principal: Annotated[Principal, allow(P.VERDICTS_READ)],
) -> CandidateVerdict:
    """The panel verdict over the submitted assessments, with calibration needs and agreement.

    An interviewer sees it only after submitting their own assessment (blind scoring)."""
    candidate = verdicts.pinned(session, candidate_id)  # a plain row: a hot read
    if candidate is None:
        raise NotFound(f"no candidate {candidate_id}")
    access.check_verdict(session, candidate.id, principal)
    return verdicts.panel(session, registry, candidate, language)


@router.post(
    "/{candidate_id}/rescore",
    responses=problem_responses(404, 409, 422),
    dependencies=[allow(P.ASSESSMENTS_ALL)],
)
def rescore(
    candidate_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    response: Response,
) -> CandidateVerdict:
    """Score the submitted assessments again with the current rubric; earlier verdicts are kept.

    The `ETag` is the candidate's after the rescore (for `If-Match` on the candidate)."""
    candidate = service.get(session, candidate_id, lock=True)
    verdicts.rescore(session, registry, candidate)
    etag.tag(response, candidate)
    return verdicts.panel(session, registry, candidate, language)


@router.post(
    "/{candidate_id}/decisions",
    status_code=201,
    responses=problem_responses(404, 409, 422),
    dependencies=[allow(P.DECISIONS_WRITE)],
)
def record_decision(
    candidate_id: uuid.UUID,
    body: DecisionCreate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    response: Response,
) -> DecisionPublic:
    """Record a person's decision; against the advice, or while incomplete, give a rationale."""
    candidate = service.get(session, candidate_id, lock=True)
    decision = decisions.record(session, registry, candidate, body, language)
    response.headers["Location"] = f"/api/v1/candidates/{candidate.id}/decisions"
    public = decisions.to_public(decision)
    etag.of_representation(response, public)
    return public


@router.get(
    "/{candidate_id}/decisions",
    responses=problem_responses(404, 422),
    dependencies=[allow(P.DECISIONS_READ)],
)
def list_decisions(candidate_id: uuid.UUID, session: SessionDep) -> list[DecisionPublic]:
    """The candidate's decisions, oldest first."""
    candidate = service.get(session, candidate_id)
    return [decisions.to_public(d) for d in decisions.history(session, candidate)]
