"""Positions: the open ones, and a form to open one."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.access.policy import P
from app.core.deps import RegistryDep, SessionDep
from app.positions import service as positions
from app.positions.models import PositionCreate
from app.web.common import FormData, need, principal_of, validation_errors
from app.web.render import language_of, page
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def positions_of(session: Session) -> list[Any]:
    rows, _ = positions.list_page(session, limit=100, cursor=None)
    return rows


@router.get("/positions")
def positions_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Open positions, and a form to open one."""
    need(principal_of(request), P.POSITIONS_READ)
    return page(request, "positions.html", positions=positions_of(session), values={}, errors={})


@router.post("/positions", dependencies=[Csrf])
def add_position(
    request: Request, session: SessionDep, registry: RegistryDep, form: FormData
) -> Response:
    """Open a position with the shipped rubric."""
    need(principal_of(request), P.POSITIONS_WRITE)
    try:
        positions.create(session, registry, PositionCreate(title=form.get("title", "")))
    except ValidationError as exc:
        return page(
            request,
            "positions.html",
            422,
            positions=positions_of(session),
            values=form,
            errors=validation_errors(exc, language_of(request)),
        )
    return RedirectResponse("/positions", status_code=303)
