"""HTTP endpoints for a candidate's personal data: erasure and the right-of-access export."""

import uuid

from fastapi import APIRouter

from app.access.policy import P
from app.candidates import service as candidates
from app.candidates.models import CandidatePublic
from app.core.deps import SessionDep, allow
from app.core.errors import problem_responses
from app.core.routing import ApiRoute
from app.privacy import service
from app.privacy.models import CandidateDataExport

router = APIRouter(
    prefix="/candidates",
    tags=["privacy"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.CANDIDATES_PRIVACY)],
)


@router.post("/{candidate_id}/erase", responses=problem_responses(404, 409, 422))
def erase_candidate(candidate_id: uuid.UUID, session: SessionDep) -> CandidatePublic:
    """Erase the candidate's personal data (GDPR art. 17) from every table.

    Name, email, external id, every note, summary, amendment reason and decision rationale about
    them go; the anonymous ratings, flags, verdicts and decisions stay for statistics. The audit
    trail records the erasure, and `candidate.erased` is sent to the webhooks.
    """
    candidate = candidates.get(session, candidate_id, lock=True)
    return CandidatePublic.model_validate(service.erase(session, candidate))


@router.get("/{candidate_id}/export", responses=problem_responses(404, 422))
def export_candidate(candidate_id: uuid.UUID, session: SessionDep) -> CandidateDataExport:
    """Everything Tamis holds about the candidate, as JSON (right of access, GDPR art. 15)."""
    data = service.export(session, candidates.get(session, candidate_id))
    return CandidateDataExport.model_validate(data)
