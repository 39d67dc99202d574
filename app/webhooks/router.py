"""HTTP endpoints for webhook subscriptions and their delivery log."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.access.policy import P
from app.core import etag
from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput, problem_responses
from app.core.fields import FieldError
from app.core.pagination import MAX_LIMIT, CursorQuery, Page
from app.core.routing import ApiRoute
from app.events.models import EventType
from app.webhooks import destinations, service
from app.webhooks.models import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookPublic,
)

router = APIRouter(
    prefix="/webhooks",
    tags=["webhooks"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.WEBHOOKS_MANAGE)],
)


@router.post("", status_code=201, responses=problem_responses(422))
def create_webhook(
    body: WebhookCreate, request: Request, session: SessionDep, response: Response
) -> WebhookCreated:
    """Subscribe a URL to events. The response carries the signing secret, shown this once.

    The URL's host must resolve to public addresses only (loopback, private, link-local,
    multicast and reserved addresses are refused, unless the operator allows the host with
    `TAMIS_WEBHOOK_ALLOWED_HOSTS`); it is checked again before every delivery.

    Deliveries are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`): verify them with the `standardwebhooks` package and this secret.
    """
    if request.app.state.settings.env == "production" and body.url.scheme != "https":
        raise InvalidInput(
            "webhook URLs must use https in production",
            [FieldError("url", "must use https in production", ["https"])],
        )
    settings = request.app.state.settings
    allowed = destinations.allowed_hosts(settings.webhook_allowed_hosts)
    webhook = service.create(session, body, allowed)
    response.headers["Location"] = f"/api/v1/webhooks/{webhook.id}"
    created = WebhookCreated.model_validate({**webhook.model_dump(), "secret": webhook.secret})
    etag.of_representation(response, created)
    return created


@router.get("")
def list_webhooks(session: SessionDep) -> list[WebhookPublic]:
    """Every subscription, newest first (secrets are never listed)."""
    return [WebhookPublic.model_validate(w) for w in service.list_all(session)]


@router.get("/{webhook_id}", responses=problem_responses(404, 422))
def get_webhook(webhook_id: uuid.UUID, session: SessionDep) -> WebhookPublic:
    """One subscription."""
    return WebhookPublic.model_validate(service.get(session, webhook_id))


@router.delete("/{webhook_id}", status_code=204, responses=problem_responses(404, 422))
def delete_webhook(webhook_id: uuid.UUID, session: SessionDep) -> Response:
    """Unsubscribe; pending deliveries are dropped with the log."""
    service.delete(session, service.get(session, webhook_id))
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", responses=problem_responses(404, 422))
def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    cursor: CursorQuery = None,
    status: Annotated[DeliveryStatus | None, Query(description="Only this status.")] = None,
    event_type: Annotated[EventType | None, Query(description="Only this event type.")] = None,
) -> Page[DeliveryPublic]:
    """The delivery log, newest first: status, attempts, the receiver's answer, next attempt."""
    rows, following = service.deliveries(
        session,
        service.get(session, webhook_id),
        limit=limit,
        cursor=cursor,
        status=status,
        event_type=event_type,
    )
    return Page(items=[DeliveryPublic.model_validate(d) for d in rows], next=following)


def _detail(session: SessionDep, row: WebhookDelivery) -> DeliveryDetail:
    log = [AttemptPublic.model_validate(a) for a in service.attempts(session, row)]
    return DeliveryDetail.model_validate({**row.model_dump(), "attempt_log": log})


@router.get("/{webhook_id}/deliveries/{delivery_id}", responses=problem_responses(404, 422))
def get_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep
) -> DeliveryDetail:
    """One delivery with every attempt: when, the receiver's status or the error, how long."""
    row = service.delivery(session, service.get(session, webhook_id), delivery_id)
    return _detail(session, row)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    responses=problem_responses(404, 422),
)
def redeliver_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, response: Response
) -> DeliveryDetail:
    """Send a delivery again now, with the same event id and body (receivers de-duplicate on
    `webhook-id`). One more attempt is made; a failed one is not retried further."""
    webhook = service.get(session, webhook_id)
    row = service.redeliver(session, service.delivery(session, webhook, delivery_id))
    response.headers["Location"] = f"/api/v1/webhooks/{webhook.id}/deliveries/{row.id}"
    detail = _detail(session, row)
    etag.of_representation(response, detail)
    return detail
