"""The candidates list: search, filters, a badge per recommendation, and adding one."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.access.policy import P
from app.candidates import service as candidates
from app.candidates.models import CandidateCreate
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
from app.web.render import page
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _list(
    request: Request, session: Session, values: dict[str, str], errors: Errors, status: int
) -> HTMLResponse:
    params = request.query_params
    rows, following = candidates.list_page(
        session,
        position_id=_uuid(params.get("position_id")),
        status=params.get("status") or None,
        recommendation=params.get("recommendation") or None,
        text=params.get("q") or None,
        limit=50,
        cursor=params.get("cursor"),
    )
    titles = {p.id: p.title for p in positions_of(session)}
    return page(
        request,
        "candidates.html",
        status,
        candidates=rows,
        following=following,
        positions=titles,
        query=dict(params),
        values=values,
        errors=errors,
    )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@router.get("/candidates")
def candidates_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Candidates with search, filters and a badge per recommendation."""
    need(principal_of(request), P.CANDIDATES_READ)
    return _list(request, session, {}, {}, 200)


@router.post("/candidates", dependencies=[Csrf])
def add_candidate(request: Request, session: SessionDep, form: FormData) -> Response:
    """Add a candidate to a position."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    fields = {
        "full_name": form.get("full_name", ""),
        "position_id": form.get("position_id", ""),
        "email": form.get("email") or None,
        "external_id": form.get("external_id") or None,
    }
    try:
        candidate = candidates.create(session, CandidateCreate.model_validate(fields))
    except ValidationError as exc:
        return _list(request, session, form, validation_errors(exc), 422)
    except Problem as exc:
        return _list(request, session, form, field_errors(exc.errors), exc.status)
    return RedirectResponse(f"/candidates/{candidate.id}", status_code=303)
