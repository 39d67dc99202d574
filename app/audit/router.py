"""HTTP endpoint for the audit trail (read only, for admins)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.access.policy import P
from app.audit import service
from app.audit.models import AuditEventPublic
from app.audit.recorder import resources
from app.core.deps import SessionDep, allow
from app.core.errors import problem_responses
from app.core.pagination import MAX_LIMIT, CursorQuery, Page
from app.core.routing import ApiRoute
from app.core.types import IsoDateTime

router = APIRouter(
    prefix="/audit-events",
    tags=["audit"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.AUDIT_READ)],
)
ResourceType = Annotated[
    str | None,
    Query(
        max_length=40,
        description="One of: " + ", ".join(sorted(set(resources().values()))),
    ),
]


@router.get("", responses=problem_responses(422))
def list_audit_events(
    session: SessionDep,
    resource_type: ResourceType = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[IsoDateTime | None, Query(description="From this time on.")] = None,
    until: Annotated[IsoDateTime | None, Query(description="Before this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: CursorQuery = None,
) -> Page[AuditEventPublic]:
    """Every write, newest first: who, when, which operation, which resource, which fields.

    Filter by resource, actor and time. The trail cannot be changed or deleted through the API,
    and the database refuses to update or delete its rows.
    """
    rows, following = service.list_page(
        session,
        resource_type=resource_type,
        resource_id=resource_id,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return Page(items=[service.to_public(r) for r in rows], next=following)
