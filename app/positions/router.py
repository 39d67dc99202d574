"""HTTP endpoints for positions: parse, call the service, return."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.access.policy import P
from app.core import etag
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import problem_responses
from app.core.pagination import MAX_LIMIT, CursorQuery, Page
from app.core.routing import ApiRoute
from app.positions import service
from app.positions.models import PositionCreate, PositionPublic, PositionUpdate
from app.rubric.deps import RegistryDep

router = APIRouter(
    prefix="/positions",
    tags=["positions"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
)
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (at most 100).")]
Cursor = CursorQuery


@router.post(
    "",
    status_code=201,
    responses=problem_responses(422),
    dependencies=[allow(P.POSITIONS_WRITE)],
)
def create_position(
    body: PositionCreate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    response: Response,
) -> PositionPublic:
    """Open a position, screened with a rubric; readiness answers raise warnings."""
    position = service.create(session, registry, body)
    etag.tag(response, position)
    response.headers["Location"] = f"/api/v1/positions/{position.id}"
    return service.to_public(position, registry, language)


@router.get("", responses=problem_responses(422), dependencies=[allow(P.POSITIONS_READ)])
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


@router.get(
    "/{position_id}",
    responses=problem_responses(404, 422),
    dependencies=[allow(P.POSITIONS_READ)],
)
def get_position(
    position_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    response: Response,
) -> PositionPublic:
    """One position, with the warnings its readiness answers raise."""
    position = service.get(session, position_id)
    etag.tag(response, position)
    return service.to_public(position, registry, language)


@router.patch(
    "/{position_id}",
    responses=problem_responses(404, 412, 422),
    dependencies=[allow(P.POSITIONS_WRITE)],
)
def update_position(
    position_id: uuid.UUID,
    body: PositionUpdate,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    response: Response,
    if_match: etag.IfMatch = None,
) -> PositionPublic:
    """Change a position's title, description or readiness answers (`If-Match` to be safe)."""
    position = service.get(session, position_id, lock=True)
    etag.check(if_match, position.version)
    position = service.update(session, registry, position, body)
    etag.tag(response, position)
    return service.to_public(position, registry, language)
