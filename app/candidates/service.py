"""Candidates: create, read, filter, update, delete."""

import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy import String, bindparam, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.access.models import Principal
from app.access.service import KEY_OK, folded_key_check, settle_key_check
from app.assessments.models import Assessment
from app.candidates import visibility
from app.candidates.models import (
    Candidate,
    CandidateCreate,
    CandidatePublic,
    CandidateUpdate,
    fold,
    search_text,
)
from app.core import idempotency
from app.core.errors import Conflict, NotFound
from app.core.fields import FieldError
from app.core.pagination import page_statement, run_page
from app.core.types import utcnow
from app.decisions.models import Decision
from app.positions import service as positions
from app.screenings.models import Screening
from app.webhooks import service as webhooks

ERASED = (
    "the candidate's personal data was erased: nothing more can be recorded about them "
    "(no assessment, decision, invitation or change)"
)
# Outcomes recorded by decisions: a client's PATCH cannot move a candidate out of one either,
# except to `withdrawn` (the candidate's own choice).
DECIDED = frozenset({"advanced", "hired", "rejected"})


def get(
    session: Session, candidate_id: uuid.UUID, *, lock: bool = False, erased_ok: bool = False
) -> Candidate:
    """The candidate, or NotFound; `lock` holds its row until the transaction ends.

    `lock` is how every write on a candidate reads it, so it is also where an erased candidate
    refuses writes (409), unless `erased_ok` (deleting what is left).
    """
    candidate = session.get(Candidate, candidate_id, with_for_update=lock, populate_existing=lock)
    if candidate is None:
        raise NotFound(f"no candidate {candidate_id}")
    if lock and not erased_ok:
        check_writable(candidate)
    return candidate


def check_writable(candidate: Candidate) -> None:
    """Conflict when the candidate was erased: every write on them answers 409."""
    if candidate.erased_at is not None:
        raise Conflict(ERASED)


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
    check_writable(candidate)
    status = data.status
    if (
        status is not None
        and candidate.status in DECIDED
        and status not in ("withdrawn", candidate.status)
    ):
        raise Conflict(
            f"the status '{candidate.status}' comes from a recorded decision: record another "
            "decision to change it, or set 'withdrawn'",
            [FieldError("status", "only withdrawn after a decision", ["withdrawn"])],
        )
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None or name in ("email", "external_id", "source"):
            setattr(candidate, name, value)
    candidate.updated_at = utcnow()
    return _store(session, candidate)


def delete(session: Session, candidate: Candidate) -> None:
    """Delete a candidate nothing was recorded about yet; Conflict otherwise (erase instead).

    Once there is an assessment, a decision or a self-screen invitation, removing the rows
    would take the audit trail's subject away with them: erasure removes the personal data
    and keeps the anonymous record.
    """
    for model, what in (
        (Assessment, "assessments"),
        (Decision, "decisions"),
        (Screening, "self-screen invitations"),
    ):
        found = session.exec(
            select(model.id).where(model.candidate_id == candidate.id).limit(1)
        ).first()
        if found is not None:
            raise Conflict(
                f"the candidate has {what}: a candidate with a record is not deleted; erase "
                f"their personal data instead (POST /api/v1/candidates/{candidate.id}/erase)"
            )
    session.delete(candidate)
    # Stored responses to earlier requests (Idempotency-Key replays) may hold the name.
    idempotency.forget_mentions(session, str(candidate.id))
    session.flush()


_CANDIDATES = Candidate.__table__  # type: ignore[attr-defined]
_PAGE_COLUMNS = [_CANDIDATES.c[name] for name in ("version", *CandidatePublic.model_fields)]
# For a reader outside blind scoring, the ids come as the driver gives them (text on SQLite):
# pydantic reads them into UUIDs while validating the page, without a Python UUID per value.
_RAW_IDS = [
    type_coerce(c, String).label(c.name) if c.name in ("id", "position_id") else c
    for c in _PAGE_COLUMNS
]


@lru_cache(maxsize=256)
def _page_statement(
    position: bool,
    status: bool,
    recommendation: bool,
    text: bool,
    cursor: bool,
    reader: Any,
    keyed: bool = False,
) -> Any:
    """The page's query for one combination of filters, its values as bound parameters: built
    once, so a request neither builds it nor works out its cache key again. `reader` is what
    the blind-scoring rule makes of the reader (`visibility.reader_kind`); `keyed` adds the
    check of the request's remembered key (app/access `KEY_OK`)."""
    columns = _RAW_IDS if reader is None else _PAGE_COLUMNS
    statement: Any = sa_select(*columns, KEY_OK) if keyed else sa_select(*columns)
    if position:
        statement = statement.where(_CANDIDATES.c.position_id == bindparam("position_id"))
    statement = visibility.filter_statement_for(
        statement,
        reader,
        status=bindparam("status") if status else None,
        recommendation=bindparam("recommendation") if recommendation else None,
    )
    if text:
        statement = statement.where(_CANDIDATES.c.search_text.like(bindparam("text"), escape="\\"))
    return page_statement(statement, _CANDIDATES, cursor=cursor)


def list_page(
    session: Session,
    principal: Principal,
    *,
    position_id: uuid.UUID | None,
    status: str | None,
    recommendation: str | None,
    text: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CandidatePublic], str | None]:
    """One page of candidates matching the filters, newest first, as `principal` sees them.

    The status and recommendation filters match what the reader may see (blind scoring,
    app/candidates/visibility.py), and so do the items.
    """
    # Plain rows of the columns shown (no ORM object to build per row): the page is a hot read.
    reader = visibility.reader_kind(principal)
    key = folded_key_check(session)  # the remembered key is checked by the page's query
    statement = _page_statement(
        position_id is not None,
        status is not None,
        recommendation is not None,
        bool(text),
        bool(cursor),
        reader,
        key is not None,
    )
    values: dict[str, Any] = visibility.reader_values(principal)
    if key is not None:
        values.update(key)
    for name, value in (
        ("position_id", position_id),
        ("status", status),
        ("recommendation", recommendation),
    ):
        if value is not None:
            values[name] = value
    if text:
        escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values["text"] = f"%{escaped}%"
    rows, following = run_page(session, statement, values, limit=limit, cursor=cursor)
    if key is not None:
        settle_key_check(session, rows[0].key_ok if rows else None)
    return visibility.public_many(session, rows, principal), following
