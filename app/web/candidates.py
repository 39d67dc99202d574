"""The candidates list: search, filters, sorting, pages, "awaiting my scorecard", adding one
(with a warning when they look already added), and withdrawing one."""

import math
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from app.access.models import Principal
from app.access.policy import P
from app.assessments.models import Assessment
from app.candidates import service as candidates
from app.candidates import visibility
from app.candidates.models import (
    Candidate,
    CandidateCreate,
    CandidatePublic,
    CandidateUpdate,
    fold,
)
from app.core.deps import SessionDep
from app.core.errors import Problem
from app.web.common import (
    Errors,
    FormData,
    field_errors,
    need,
    principal_of,
    validation_errors,
)
from app.web.positions import positions_of
from app.web.render import language_of, page
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50
SORTS: dict[str, tuple[Any, Any]] = {
    "newest": (col(Candidate.created_at).desc(), col(Candidate.id).desc()),
    "oldest": (col(Candidate.created_at).asc(), col(Candidate.id).asc()),
    "name": (col(Candidate.search_text).asc(), col(Candidate.id).asc()),
    "updated": (col(Candidate.updated_at).desc(), col(Candidate.id).desc()),
}
OPEN = ("new", "in_review", "advanced")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def search(
    session: Session, params: dict[str, str], principal: Principal
) -> tuple[list[CandidatePublic], int, int, str]:
    """The page of candidates the query asks for, as `principal` sees them (the blind rule),
    the total that match, the page, the sort."""
    statement = select(Candidate)
    if position_id := _uuid(params.get("position_id")):
        statement = statement.where(Candidate.position_id == position_id)
    statement = visibility.filter_statement(
        statement,
        principal,
        status=params.get("status") or None,
        recommendation=params.get("recommendation") or None,
    )
    if text := params.get("q"):
        escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(col(Candidate.search_text).like(f"%{escaped}%", escape="\\"))
    if params.get("view") == "awaiting" and principal.email:
        done = exists().where(
            col(Assessment.candidate_id) == col(Candidate.id),
            col(Assessment.interviewer_email) == principal.email.lower(),
            col(Assessment.status) == "submitted",
        )
        statement = statement.where(col(Candidate.status).in_(OPEN), ~done)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    sort = params.get("sort", "newest")
    sort = sort if sort in SORTS else "newest"
    number = min(_number(params.get("page")), max(1, math.ceil(total / PAGE_SIZE)))
    rows = session.exec(
        statement.order_by(*SORTS[sort]).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return (
        [s.public for s in visibility.show_many(session, rows, principal)],
        int(total),
        number,
        sort,
    )


def _list(
    request: Request,
    session: Session,
    values: dict[str, str],
    errors: Errors,
    status: int,
    duplicates: list[Candidate] | None = None,
) -> HTMLResponse:
    params = dict(request.query_params)
    rows, total, number, sort = search(session, params, principal_of(request))
    titles = {p.id: p.title for p in positions_of(session)}
    every_title = titles | {p.id: p.title for p in positions_of(session, archived=True)}
    pages = max(1, math.ceil(total / PAGE_SIZE))

    def link(**changes: Any) -> str:
        query = {k: v for k, v in params.items() if k not in ("lang", *changes)} | {
            k: str(v) for k, v in changes.items() if v is not None
        }
        return "/candidates?" + "&".join(f"{k}={v}" for k, v in query.items() if v)

    return page(
        request,
        "candidates.html",
        status,
        candidates=rows,
        total=total,
        page_number=number,
        pages=pages,
        first=(number - 1) * PAGE_SIZE + 1,
        last=(number - 1) * PAGE_SIZE + len(rows),
        previous_link=link(page=number - 1) if number > 1 else None,
        next_link=link(page=number + 1) if number < pages else None,
        sort_link=lambda key: link(sort=key, page=None),
        sort=sort,
        sorts=list(SORTS),
        positions=titles,
        every_title=every_title,
        query=params,
        values=values,
        errors=errors,
        duplicates=duplicates or [],
    )


@router.get("/candidates")
def candidates_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Candidates with search, filters, sorting and a badge per recommendation."""
    need(principal_of(request), P.CANDIDATES_READ)
    return _list(request, session, {}, {}, 200)


def _look_alikes(session: Session, data: CandidateCreate) -> list[Candidate]:
    """Candidates of the same position with the same name or email: maybe the same person."""
    name = fold(data.full_name).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    same: Any = col(Candidate.search_text).like(f"{name}%", escape="\\")
    if data.email:
        same = same | (func.lower(col(Candidate.email)) == data.email.lower())
    statement = (
        select(Candidate).where(Candidate.position_id == data.position_id).where(same).limit(5)
    )
    return [c for c in session.exec(statement).all() if c.erased_at is None]


@router.post("/candidates", dependencies=[Csrf])
def add_candidate(request: Request, session: SessionDep, form: FormData) -> Response:
    """Add a candidate to a position; one who looks already added needs a confirmation."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    language = language_of(request)
    fields = {
        "full_name": form.get("full_name", ""),
        "position_id": form.get("position_id", ""),
        "email": form.get("email") or None,
        "external_id": form.get("external_id") or None,
    }
    try:
        data = CandidateCreate.model_validate(fields)
        if not form.get("duplicate_ok") and (twins := _look_alikes(session, data)):
            return _list(request, session, form, {}, 409, duplicates=twins)
        candidate = candidates.create(session, data)
    except ValidationError as exc:
        return _list(request, session, form, validation_errors(exc, language), 422)
    except Problem as exc:
        return _list(request, session, form, field_errors(exc.errors, language), exc.status)
    return RedirectResponse(f"/candidates/{candidate.id}", status_code=303)


@router.post("/candidates/{candidate_id}/withdraw", dependencies=[Csrf])
def withdraw(candidate_id: uuid.UUID, request: Request, session: SessionDep) -> Response:
    """The candidate withdrew: their status says so; everything recorded stays."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    candidate = candidates.get(session, candidate_id, lock=True)
    candidates.update(session, candidate, CandidateUpdate(status="withdrawn"))
    return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)


@router.get("/candidates/{candidate_id}/withdraw")
def withdraw_address(candidate_id: uuid.UUID) -> Response:
    """The form's address opened directly: the candidate's page."""
    return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)
