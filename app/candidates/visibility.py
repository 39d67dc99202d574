"""What a reader may see of a candidate: the one place the blind-scoring rule meets a candidate.

Blind scoring (app/assessments/access.py): an interviewer who has not submitted their own
assessment of a candidate must learn nothing of the others' work on them. The candidate's stored
`recommendation` is the panel's, its `status` moves as others assess and decide, and its
`version` (the ETag) and `updated_at` change with both. So every representation of a candidate
(the API's detail and list, their filters, the pages, the ETag) is made here, from the reader:

- a reader under the rule sees `recommendation: null`, the status `in_review` (or `withdrawn`,
  which is the candidate's own doing), `updated_at` equal to `created_at`, and an ETag computed
  from that masked representation only;
- the list filters on `recommendation` and `status` match what the reader sees, in SQL.

Roles with `assessments:all` and roles outside BLIND_ROLES see the stored values.
"""

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter
from sqlalchemy import and_, bindparam, case, exists, false, or_
from sqlmodel import Session, col, select

from app.access.models import Principal
from app.access.policy import P
from app.assessments.models import Assessment
from app.candidates.models import Candidate, CandidatePublic
from app.core import etag

_COLUMNS = Candidate.__table__.c  # type: ignore[attr-defined]
# The status a blind reader sees: the candidate's own withdrawal, else "in review".
VISIBLE_WHEN_BLIND = frozenset({"withdrawn"})
BLIND_STATUS = "in_review"


def blind_email(principal: Principal) -> str | None:
    """The email whose submitted assessments lift the rule, when the rule applies; else None.

    A blind principal without an email can never lift it: "" matches no assessment.
    """
    if principal.can(P.ASSESSMENTS_ALL) or not principal.blind:
        return None
    return (principal.email or "").lower()


def _submitted_clause(email: Any) -> Any:
    """SQL: the candidate row has an assessment submitted by `email` (a value or a bound
    parameter; "" matches nothing)."""
    if isinstance(email, str) and not email:
        return false()
    return exists().where(
        col(Assessment.candidate_id) == col(Candidate.id),
        col(Assessment.interviewer_email) == email,
        col(Assessment.status) == "submitted",
    )


def reader_kind(principal: Principal) -> str | None:
    """What the blind-scoring rule makes of the reader, for a query built once per kind:
    None (the rule does not apply), "blind" (lifted by their own submitted assessments) or
    "blind_without_email" (never lifted)."""
    email = blind_email(principal)
    if email is None:
        return None
    return "blind" if email else "blind_without_email"


def reader_values(principal: Principal) -> dict[str, Any]:
    """The bound parameters of a query built by `filter_statement_for` for this reader."""
    email = blind_email(principal)
    return {"reader_email": email} if email else {}


def _submitted_ids(session: Session, email: str, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not email or not ids:
        return set()
    rows = session.exec(
        select(Assessment.candidate_id).where(
            col(Assessment.candidate_id).in_(list(ids)),
            Assessment.interviewer_email == email,
            Assessment.status == "submitted",
        )
    ).all()
    return set(rows)


def filter_statement(
    statement: Any, principal: Principal, *, status: str | None, recommendation: str | None
) -> Any:
    """`statement` over candidates, filtered on what the reader sees of status and verdict."""
    email = blind_email(principal)
    return _filter(statement, email, status=status, recommendation=recommendation)


def filter_statement_for(
    statement: Any, reader: str | None, *, status: Any, recommendation: Any
) -> Any:
    """`filter_statement` for a kind of reader (`reader_kind`), the filters' values and the
    reader's email as bound parameters (`reader_values`): a query built once per kind."""
    email: Any = None
    if reader is not None:
        email = bindparam("reader_email") if reader == "blind" else ""
    return _filter(statement, email, status=status, recommendation=recommendation)


def _filter(statement: Any, email: Any, *, status: Any, recommendation: Any) -> Any:
    if email is None:
        if status is not None:
            statement = statement.where(_COLUMNS.status == status)
        if recommendation is not None:
            statement = statement.where(_COLUMNS.recommendation == recommendation)
        return statement
    seen = _submitted_clause(email)
    if recommendation is not None:
        statement = statement.where(Candidate.recommendation == recommendation, seen)
    if status is not None:
        masked = case(
            (col(Candidate.status).in_(sorted(VISIBLE_WHEN_BLIND)), col(Candidate.status)),
            else_=BLIND_STATUS,
        )
        statement = statement.where(
            or_(and_(seen, col(Candidate.status) == status), and_(~seen, masked == status))
        )
    return statement


def _public(candidate: Any) -> CandidatePublic:
    """A candidate, or a plain row of its columns (read as a mapping: faster), as shown."""
    mapping = getattr(candidate, "_mapping", None)
    return CandidatePublic.model_validate(candidate if mapping is None else dict(mapping))


def _masked(candidate: Candidate) -> CandidatePublic:
    public = _public(candidate)
    status = candidate.status if candidate.status in VISIBLE_WHEN_BLIND else BLIND_STATUS
    return public.model_copy(
        update={"recommendation": None, "status": status, "updated_at": candidate.created_at}
    )


class Shown:
    """A candidate as one reader sees it: the representation and its ETag."""

    def __init__(self, public: CandidatePublic, tag: str) -> None:
        self.public, self.etag = public, tag

    def tag(self, response: Response) -> None:
        """Set the ETag header of this representation."""
        response.headers["ETag"] = self.etag


def _blind_etag(public: CandidatePublic) -> str:
    digest = hashlib.sha256(public.model_dump_json().encode()).hexdigest()[:20]
    return f'"b{digest}"'


def show_many(
    session: Session, candidates: Sequence[Candidate], principal: Principal
) -> list[Shown]:
    """Each candidate as `principal` sees it (one query for the whole page)."""
    email = blind_email(principal)
    if email is None:
        return [Shown(_public(c), etag.etag(c.version)) for c in candidates]
    lifted = _submitted_ids(session, email, [c.id for c in candidates])
    shown = []
    for candidate in candidates:
        if candidate.id in lifted:
            public = _public(candidate)
            shown.append(Shown(public, etag.etag(candidate.version)))
        else:
            public = _masked(candidate)
            shown.append(Shown(public, _blind_etag(public)))
    return shown


_PUBLIC_LIST: TypeAdapter[list[CandidatePublic]] = TypeAdapter(list[CandidatePublic])


def public_many(
    session: Session, candidates: Sequence[Any], principal: Principal
) -> list[CandidatePublic]:
    """Each candidate (or plain row of its columns) as `principal` sees it, without ETags: a
    list's items. A reader outside the rule gets the rows validated in one call."""
    if blind_email(principal) is None:
        # Plain rows are read as dicts: faster for pydantic than reading attributes.
        if all(hasattr(c, "_asdict") for c in candidates):
            return _PUBLIC_LIST.validate_python([c._asdict() for c in candidates])
        return _PUBLIC_LIST.validate_python(candidates, from_attributes=True)
    return [shown.public for shown in show_many(session, candidates, principal)]


def show(session: Session, candidate: Candidate, principal: Principal) -> Shown:
    """The candidate as `principal` sees it."""
    return show_many(session, [candidate], principal)[0]
