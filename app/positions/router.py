"""HTTP endpoints for positions: parse, call the service, return."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.deps import LanguageDep, RegistryDep, SessionDep
from app.core.errors import problem_responses
from app.core.pagination import MAX_LIMIT, Page
from app.positions import service
from app.positions.models import PositionCreate, PositionPublic, PositionUpdate

router = APIRouter(prefix="/positions", tags=["positions"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")]
Cursor = Annotated[str | None, Query(description="The `next` value of the previous page.")]


@router.post("", status_code=201, responses=problem_responses(422))
def create_position(
    body: PositionCreate, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> PositionPublic:
    """Open a position, screened with a rubric; readiness answers raise warnings."""
    return service.to_public(service.create(session, registry, body), registry, language)


@router.get("", responses=problem_responses(422))
def list_positions(
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[PositionPublic]:
    """Positions, newest first."""
    rows, following = service.list_page(session, limit=limit, cursor=cursor)
    return Page(items=[service.to_public(p, registry, language) for p in rows], next=following)


@router.get("/{position_id}", responses=problem_responses(404, 422))
def get_position(
    position_id: uuid.UUID, session: SessionDep, registry: RegistryDep, language: LanguageDep
) -> PositionPublic:
    """One position, with the warnings its readiness answers raise."""
    return service.to_public(service.get(session, position_id), registry, language)


@router.patch("/{position_id}", responses=problem_responses(404, 422))
def update_position(
    position_id: uuid.UUID,
    body: PositionUpdate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
) -> PositionPublic:
    """Change a position's title, description or readiness answers."""
    position = service.update(session, registry, service.get(session, position_id), body)
    return service.to_public(position, registry, language)
