"""Subscriptions, and the outbox: `emit` writes one delivery per subscribed webhook in the
transaction of the change, so an event exists exactly when the change does.

Payloads carry ids and outcomes, never personal data: a receiver fetches the rest with its key,
and an erasure leaves nothing behind in the delivery log.
"""

import base64
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.core import idempotency
from app.core.errors import InvalidInput, NotFound
from app.core.fields import FieldError
from app.core.pagination import paginate
from app.core.types import utcnow
from app.events import service as events
from app.events.models import EventType
from app.webhooks import destinations
from app.webhooks.models import DeliveryAttempt, Webhook, WebhookCreate, WebhookDelivery

SUBSCRIPTIONS = "tamis_webhook_subscriptions"


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create(
    session: Session,
    data: WebhookCreate,
    allowed: frozenset[str] = frozenset(),
    resolve: destinations.Resolver | None = None,
) -> Webhook:
    """A new subscription with a fresh secret; InvalidInput when its host is not public."""
    try:
        destinations.check(str(data.url), allowed, resolve)
    except destinations.DestinationRefused as exc:
        raise InvalidInput(
            f"the webhook URL is refused: {exc.reason}",
            [FieldError("url", exc.reason)],
        ) from exc
    webhook = Webhook(
        url=str(data.url),
        events=list(dict.fromkeys(data.events)),
        description=data.description or "",
        secret=new_secret(),
    )
    session.add(webhook)
    session.flush()
    idempotency.withhold(session, "secret")  # shown once, never in a stored replay
    return webhook


def get(session: Session, webhook_id: uuid.UUID) -> Webhook:
    """The subscription, or NotFound."""
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound(f"no webhook {webhook_id}")
    return webhook


def list_all(session: Session) -> list[Webhook]:
    """Every subscription, newest first."""
    return list(session.exec(select(Webhook).order_by(col(Webhook.created_at).desc())).all())


def delete(session: Session, webhook: Webhook) -> None:
    """Remove a subscription with its pending deliveries and log."""
    session.delete(webhook)
    session.flush()


def deliveries(
    session: Session,
    webhook: Webhook,
    *,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    event_type: str | None = None,
) -> tuple[list[WebhookDelivery], str | None]:
    """The webhook's deliveries, newest first, by status and event type when given."""
    statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    if event_type is not None:
        statement = statement.where(WebhookDelivery.event_type == event_type)
    return paginate(session, statement, WebhookDelivery, limit=limit, cursor=cursor)


def delivery(session: Session, webhook: Webhook, delivery_id: uuid.UUID) -> WebhookDelivery:
    """One delivery of the webhook, or NotFound."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.webhook_id != webhook.id:
        raise NotFound(f"no delivery {delivery_id} for webhook {webhook.id}")
    return row


def attempts(session: Session, row: WebhookDelivery) -> list[DeliveryAttempt]:
    """Every attempt at a delivery, oldest first."""
    statement = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == row.id)
    return list(session.exec(statement.order_by(col(DeliveryAttempt.number))).all())


def redeliver(session: Session, row: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery again now (same event id and body), whatever its state."""
    row.status = "pending"
    row.next_attempt_at = utcnow()
    row.delivered_at = None
    session.add(row)
    session.flush()
    return row


_WEBHOOKS: Table = Webhook.__table__  # type: ignore[attr-defined]
_SUBSCRIBED = sa_select(_WEBHOOKS.c.id, _WEBHOOKS.c.events)


def _subscriptions(session: Session, *, flush: bool) -> list[Any]:
    """Every webhook's (id, events), read once per transaction (a submission emits two events).

    Read on the session's connection (no ORM execute path), unless `flush` and the session has
    changes: then as the ORM's read, which flushes them first (autoflush)."""
    rows: list[Any] | None = session.info.get(SUBSCRIPTIONS)
    if rows is None:
        if flush and (session.new or session.dirty or session.deleted):
            read = session.exec(select(Webhook.id, Webhook.events)).all()
        else:
            read = session.connection().execute(_SUBSCRIBED).all()
        rows = session.info[SUBSCRIPTIONS] = list(read)
    return rows


def emit(session: Session, event_type: EventType, data: dict[str, Any]) -> str:
    """Record `event_type` in the event feed and queue it for every webhook that wants it; the
    event id (the `webhook-id` header, and `id` in the body)."""
    now = utcnow()
    event_id = f"msg_{uuid.uuid4().hex}"
    events.record(session, event_id, event_type, now, data)
    # Read once per transaction (a submission emits two events), without flushing the change.
    rows = _subscriptions(session, flush=False)
    targets = [webhook_id for webhook_id, events in rows if event_type in events]
    if not targets:
        return event_id
    body = json.dumps(
        {"id": event_id, "type": event_type, "timestamp": now.isoformat(), "data": data},
        default=str,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    for webhook_id in targets:
        session.add(
            WebhookDelivery(
                webhook_id=webhook_id,
                event_id=event_id,
                event_type=event_type,
                body=body,
                next_attempt_at=now,
            )
        )
    return event_id


def emit_rows(
    session: Session, event_type: EventType, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """As `emit`, for writers that insert with SQLAlchemy Core (bulk import): the event goes to
    the feed the same way, and the outbox rows are returned for the caller to insert in its
    transaction instead of being added to the session."""
    now = utcnow()
    event_id = f"msg_{uuid.uuid4().hex}"
    events.record(session, event_id, event_type, now, data)
    rows = _subscriptions(session, flush=True)
    targets = [webhook_id for webhook_id, kinds in rows if event_type in kinds]
    if not targets:
        return []
    body = json.dumps(
        {"id": event_id, "type": event_type, "timestamp": now.isoformat(), "data": data},
        default=str,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return [
        {
            "id": uuid.uuid4(),
            "webhook_id": webhook_id,
            "event_id": event_id,
            "event_type": event_type,
            "body": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_attempt_at": None,
            "response_status": None,
            "last_error": None,
            "created_at": now,
            "delivered_at": None,
        }
        for webhook_id in targets
    ]
