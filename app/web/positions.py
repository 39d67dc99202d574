"""Positions: the list, opening one with its description and the readiness questions (the
rubric's role questions, with the warning a "no" raises), a page per position to edit it,
and archiving."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.access.policy import P
from app.core.deps import SessionDep
from app.core.errors import Problem
from app.positions import service as positions
from app.positions.models import Position, PositionCreate, PositionUpdate
from app.rubric.deps import RegistryDep
from app.rubric.store import RubricRegistry
from app.web.common import Errors, FormData, field_errors, need, principal_of, validation_errors
from app.web.render import language_of, page
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RUBRIC = "social-media-screen"


def positions_of(session: Session, *, archived: bool = False) -> list[Any]:
    """Open positions (or the archived ones), newest first."""
    statement = select(Position).order_by(col(Position.created_at).desc()).limit(500)
    statement = statement.where(
        col(Position.archived_at).is_not(None) if archived else col(Position.archived_at).is_(None)
    )
    return list(session.exec(statement).all())


def _readiness(form: dict[str, str], registry: RubricRegistry, rubric_id: str) -> dict[str, str]:
    rubric = registry.current.get(rubric_id)
    questions = rubric.role_questions if rubric else []
    return {
        q.id: form[f"readiness.{q.id}"]
        for q in questions
        if form.get(f"readiness.{q.id}") in ("yes", "no", "unknown")
    }


def _list(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    values: dict[str, str],
    errors: Errors,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "positions.html",
        status,
        positions=positions_of(session),
        archived=positions_of(session, archived=True),
        questions=registry.current[RUBRIC].role_questions if RUBRIC in registry.current else [],
        values=values,
        errors=errors,
    )


@router.get("/positions")
def positions_page(request: Request, session: SessionDep, registry: RegistryDep) -> HTMLResponse:
    """Open positions, archived ones, and a form to open one."""
    need(principal_of(request), P.POSITIONS_READ)
    return _list(request, session, registry, {}, {})


@router.post("/positions", dependencies=[Csrf])
def add_position(
    request: Request, session: SessionDep, registry: RegistryDep, form: FormData
) -> Response:
    """Open a position with the shipped rubric, its description and readiness answers."""
    need(principal_of(request), P.POSITIONS_WRITE)
    language = language_of(request)
    try:
        position = positions.create(
            session,
            registry,
            PositionCreate(
                title=form.get("title", ""),
                description=form.get("description", ""),
                readiness=_readiness(form, registry, RUBRIC),
            ),
        )
    except ValidationError as exc:
        return _list(request, session, registry, form, validation_errors(exc, language), 422)
    except Problem as exc:
        return _list(request, session, registry, form, field_errors(exc.errors, language), 422)
    return RedirectResponse(f"/positions/{position.id}", status_code=303)


def _detail(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    position: Position,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    language = language_of(request)
    rubric = registry.current.get(position.rubric_id)
    shown = values or {
        "title": position.title,
        "description": position.description,
        **{f"readiness.{k}": v for k, v in position.readiness.items()},
    }
    return page(
        request,
        "position.html",
        status,
        position=position,
        public=positions.to_public(position, registry, language),
        questions=rubric.role_questions if rubric else [],
        values=shown,
        errors=errors or {},
        notice=notice,
    )


@router.get("/positions/{position_id}")
def position_page(
    position_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    saved: str | None = None,
) -> HTMLResponse:
    """A position: its description, readiness answers and warnings, and a form to edit them."""
    need(principal_of(request), P.POSITIONS_READ)
    position = positions.get(session, position_id)
    return _detail(request, session, registry, position, notice="saved" if saved else None)


@router.post("/positions/{position_id}", dependencies=[Csrf])
def edit_position(
    position_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Change the title, description or readiness answers."""
    need(principal_of(request), P.POSITIONS_WRITE)
    language = language_of(request)
    position = positions.get(session, position_id, lock=True)
    try:
        positions.update(
            session,
            registry,
            position,
            PositionUpdate(
                title=form.get("title", ""),
                description=form.get("description", ""),
                readiness=_readiness(form, registry, position.rubric_id),
            ),
        )
    except ValidationError as exc:
        errors = validation_errors(exc, language)
    except Problem as exc:
        errors = field_errors(exc.errors, language)
    else:
        return RedirectResponse(f"/positions/{position_id}?saved=1", status_code=303)
    return _detail(request, session, registry, position, form, errors, 422)


@router.post("/positions/{position_id}/archive", dependencies=[Csrf])
def archive_position(
    position_id: uuid.UUID, request: Request, session: SessionDep, form: FormData
) -> Response:
    """Archive the position (or bring it back with `restore`)."""
    need(principal_of(request), P.POSITIONS_WRITE)
    position = positions.get(session, position_id, lock=True)
    positions.archive(session, position, archived=not form.get("restore"))
    return RedirectResponse(f"/positions/{position_id}", status_code=303)


@router.get("/positions/{position_id}/archive")
def archive_address(position_id: uuid.UUID) -> Response:
    """The form's address opened directly: the position's page."""
    return RedirectResponse(f"/positions/{position_id}", status_code=303)
