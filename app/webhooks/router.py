"""HTTP endpoints for webhook subscriptions and their delivery log."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.access.policy import P
from app.core.deps import SessionDep, allow
from app.core.errors import InvalidInput, problem_responses
from app.core.pagination import MAX_LIMIT, Page
from app.core.routing import ApiRoute
from app.scoring.answers import FieldError
from app.webhooks import destinations, service
from app.webhooks.models import DeliveryPublic, WebhookCreate, WebhookCreated, WebhookPublic

router = APIRouter(
    prefix="/webhooks",
    tags=["webhooks"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.WEBHOOKS_MANAGE)],
)


@router.post("", status_code=201, responses=problem_responses(422))
def create_webhook(body: WebhookCreate, request: Request, session: SessionDep) -> WebhookCreated:
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
    return WebhookCreated.model_validate({**webhook.model_dump(), "secret": webhook.secret})


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
    cursor: str | None = None,
) -> Page[DeliveryPublic]:
    """The delivery log, newest first: status, attempts, the receiver's answer, next attempt."""
    rows, following = service.deliveries(
        session, service.get(session, webhook_id), limit=limit, cursor=cursor
    )
    return Page(items=[DeliveryPublic.model_validate(d) for d in rows], next=following)
