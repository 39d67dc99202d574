"""HTTP endpoint of the event feed: poll instead of receiving webhooks."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.access.policy import P
from app.core.deps import SessionDep, allow
from app.core.errors import problem_responses
from app.core.pagination import MAX_LIMIT
from app.core.routing import ApiRoute
from app.events import service
from app.events.models import CURSOR_PATTERN, EventPage, EventType

router = APIRouter(
    prefix="/events",
    tags=["events"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.WEBHOOKS_MANAGE)],
)


@router.get("", responses=problem_responses(422))
def list_events(
    session: SessionDep,
    after: Annotated[
        str,
        Query(
            pattern=CURSOR_PATTERN,
            description="The `next` (or an event's `cursor`) from the previous read; `0` for "
            "the first event ever.",
        ),
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most 100.")] = 100,
    type: Annotated[
        list[EventType] | None, Query(description="Only these event types (repeatable).")
    ] = None,
) -> EventPage:
    """The events the webhooks carry (ids and outcomes only), in commit order, after `after`.

    Poll with the `next` of the previous answer: every event comes exactly once, in the order
    the changes committed, across restarts and concurrent writers.
    """
    cursor = int(after)
    rows = service.after(session, cursor, limit=limit, types=list(type or []) or None)
    items = [service.to_public(row) for row in rows]
    return EventPage(items=items, next=items[-1].cursor if items else str(cursor))
