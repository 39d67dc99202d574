"""Candidates: create, read, filter, update, delete."""

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.candidates.models import Candidate, CandidateCreate, CandidateUpdate, fold, search_text
from app.core.errors import Conflict, NotFound
from app.core.fields import FieldError
from app.core.pagination import paginate
from app.core.types import utcnow
from app.positions import service as positions
from app.webhooks import service as webhooks


def get(session: Session, candidate_id: uuid.UUID, *, lock: bool = False) -> Candidate:
    """The candidate, or NotFound; `lock` holds its row until the transaction ends."""
    candidate = session.get(Candidate, candidate_id, with_for_update=lock, populate_existing=lock)
    if candidate is None:
        raise NotFound(f"no candidate {candidate_id}")
    return candidate


def _store(session: Session, candidate: Candidate) -> Candidate:
    candidate.search_text = search_text(candidate)
    try:
        with session.begin_nested():
            session.add(candidate)
    except IntegrityError as exc:
        raise Conflict(
            f"external_id '{candidate.external_id}' is already used for this position",
            [FieldError("external_id", "already used for this position")],
        ) from exc
    return candidate


def create(session: Session, data: CandidateCreate) -> Candidate:
    """Store a new candidate for an existing position."""
    positions.get(session, data.position_id)
    candidate = _store(session, Candidate(**data.model_dump()))
    webhooks.emit(
        session,
        "candidate.created",
        {"candidate_id": str(candidate.id), "position_id": str(candidate.position_id)},
    )
    return candidate


def update(session: Session, candidate: Candidate, data: CandidateUpdate) -> Candidate:
    """Change the given fields."""
    if candidate.erased_at is not None:
        raise Conflict("the candidate's personal data was erased: the record cannot change")
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None or name in ("email", "external_id", "source"):
            setattr(candidate, name, value)
    candidate.updated_at = utcnow()
    return _store(session, candidate)


def delete(session: Session, candidate: Candidate) -> None:
    """Delete the candidate with their assessments, verdicts and decisions."""
    session.delete(candidate)
    session.flush()


def list_page(
    session: Session,
    *,
    position_id: uuid.UUID | None,
    status: str | None,
    recommendation: str | None,
    text: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Candidate], str | None]:
    """One page of candidates matching the filters, newest first."""
    statement = select(Candidate)
    if position_id is not None:
        statement = statement.where(Candidate.position_id == position_id)
    if status is not None:
        statement = statement.where(Candidate.status == status)
    if recommendation is not None:
        statement = statement.where(Candidate.recommendation == recommendation)
    if text:
        escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(col(Candidate.search_text).like(f"%{escaped}%", escape="\\"))
    return paginate(session, statement, Candidate, limit=limit, cursor=cursor)
