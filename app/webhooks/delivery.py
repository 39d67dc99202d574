"""The delivery worker: sends the outbox, signed the Standard Webhooks way, with retries.

Each server process runs one worker thread. A worker *claims* due deliveries by pushing their
next attempt a lease into the future in a short transaction (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several processes never claim the same row; SQLite serialises writers), sends
them outside any transaction, then records the outcome. A process that dies mid-send leaves the
claim to expire, and another attempt follows: delivery is at-least-once, and receivers
de-duplicate on `webhook-id`.

The end of a claim's lease is its fencing token: a worker records an outcome only while the
delivery's next attempt is still the end of its own lease (every later claim moves it). A worker
that stalled past its lease (a long pause, a receiver slower than the timeouts) finds the
delivery claimed again by another, or already delivered; its late outcome is logged and changes
nothing, so it can neither mark a delivery sent by the other as failed nor count one attempt
twice.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine
from sqlmodel import col, select
from standardwebhooks import Webhook as Signer

from app import __version__
from app.core.db import session_scope
from app.core.types import utcnow
from app.webhooks import destinations
from app.webhooks.models import DeliveryAttempt, Webhook, WebhookDelivery

log = logging.getLogger("tamis.webhooks")
LEASE = timedelta(seconds=60)
SEND_TIMEOUT = 10.0
# A claimed batch is sent within its lease even if every receiver times out (5 × 10 s < 60 s),
# so another process never claims a delivery this one is still sending: each goes out once.
BATCH = 5
MAX_DELAY = timedelta(hours=6)
Clock = Callable[[], datetime]  # utcnow, or a test's clock


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: base × 3^(n−1), capped at six hours, for `attempts` tries."""

    base_seconds: float = 5.0
    attempts: int = 12

    def delay(self, failed_attempts: int) -> timedelta:
        """The wait after the `failed_attempts`-th failure."""
        seconds = self.base_seconds * 3 ** max(failed_attempts - 1, 0)
        return min(timedelta(seconds=seconds), MAX_DELAY)


@dataclass(frozen=True)
class _Claimed:
    id: uuid.UUID
    event_id: str
    body: str
    url: str
    secret: str
    lease_until: datetime  # the fencing token: the delivery's next attempt while it is claimed


def claim(engine: Engine, limit: int = BATCH, clock: Clock = utcnow) -> list[_Claimed]:
    """Take up to `limit` due deliveries for this worker for the length of a lease."""
    now = clock()
    with session_scope(engine, readonly=True) as session:
        due = session.exec(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .limit(1)
        ).first()
    if due is None:  # the common case costs one indexed read and no write lock
        return []
    with session_scope(engine) as session:
        rows = session.exec(
            select(WebhookDelivery, Webhook)
            .join(Webhook, col(Webhook.id) == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(col(WebhookDelivery.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).all()
        claimed = []
        lease_until = now + LEASE
        for delivery, webhook in rows:
            delivery.next_attempt_at = lease_until
            session.add(delivery)
            claimed.append(
                _Claimed(
                    delivery.id,
                    delivery.event_id,
                    delivery.body,
                    webhook.url,
                    webhook.secret,
                    lease_until,
                )
            )
        return claimed


def send(
    client: httpx.Client,
    item: _Claimed,
    allowed: frozenset[str] = frozenset(),
    resolve: destinations.Resolver | None = None,
) -> tuple[int | None, str | None]:
    """POST one signed delivery; the response status and an error text (None when 2xx).

    The host is checked again (app/webhooks/destinations.py) and the request goes to the
    address that was checked. The error text says what kind of failure it was, never what the
    network answered in detail (that goes to the server log): the delivery log is readable by
    integration keys and must not map the network behind the server.
    """
    try:
        destination = destinations.check(item.url, allowed, resolve)
    except destinations.DestinationRefused as exc:
        log.warning("webhook delivery %s refused: %s", item.event_id, exc.reason)
        return None, "refused: the destination is not a public address"
    timestamp = utcnow()
    signature = Signer(item.secret).sign(item.event_id, timestamp, item.body)
    headers = {
        "content-type": "application/json",
        "user-agent": f"Tamis-Webhooks/{__version__}",
        "webhook-id": item.event_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature,
    }
    extensions: dict[str, Any] = {}
    if destination.address is not None:
        headers["host"] = urlsplit(item.url).netloc.rsplit("@", 1)[-1]
        extensions["sni_hostname"] = destination.host
    try:
        response = client.post(
            destinations.pinned_url(item.url, destination),
            content=item.body.encode(),
            headers=headers,
            extensions=extensions,
        )
    except httpx.TimeoutException as exc:
        log.info("webhook delivery %s timed out: %r", item.event_id, exc)
        return None, "timed out"
    except httpx.HTTPError as exc:
        log.info("webhook delivery %s failed: %r", item.event_id, exc)
        return None, "could not connect or send"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"the receiver answered {response.status_code}"


def record(
    engine: Engine,
    item: _Claimed,
    status: int | None,
    error: str | None,
    policy: RetryPolicy,
    duration_ms: int = 0,
    clock: Clock = utcnow,
) -> bool:
    """Store the outcome of one attempt (in the attempt log too) and schedule the next if due.

    Only while the claim still holds (see the module's text); False when it was lost."""
    now = clock()
    with session_scope(engine) as session:
        delivery = session.get(WebhookDelivery, item.id, with_for_update=True)
        if delivery is None:  # the webhook was deleted meanwhile
            return False
        if delivery.next_attempt_at != item.lease_until:
            log.warning(
                "webhook delivery %s: the lease ran out before its outcome (%s) was recorded; "
                "another attempt has claimed it or ended it, so this outcome is dropped",
                item.event_id,
                error or status,
            )
            return False
        delivery.attempts += 1
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                attempted_at=now,
                response_status=status,
                error=error,
                duration_ms=duration_ms,
            )
        )
        delivery.last_attempt_at = now
        delivery.response_status = status
        delivery.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", now
        elif delivery.attempts >= policy.attempts:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        session.add(delivery)
    return True


def deliver_due(
    engine: Engine,
    client: httpx.Client,
    policy: RetryPolicy,
    allowed: frozenset[str] = frozenset(),
    clock: Clock = utcnow,
) -> int:
    """One pass: claim, send, record. How many deliveries were attempted."""
    items = claim(engine, clock=clock)
    for item in items:
        started = time.monotonic()
        status, error = send(client, item, allowed)
        duration_ms = int((time.monotonic() - started) * 1000)
        if error:
            log.info("webhook delivery %s to %s failed: %s", item.event_id, item.url, error)
        record(engine, item, status, error, policy, duration_ms, clock)
    return len(items)


class DeliveryWorker:
    """A daemon thread that delivers the outbox every `interval` seconds until stopped."""

    def __init__(
        self,
        engine: Engine,
        policy: RetryPolicy,
        interval: float = 0.5,
        allowed: frozenset[str] = frozenset(),
    ) -> None:
        self.engine, self.policy, self.interval = engine, policy, interval
        self.allowed = allowed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tamis-webhooks", daemon=True)

    def start(self) -> None:
        """Start delivering."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the current pass and stop."""
        self._stop.set()
        self._thread.join(timeout=15)

    def _run(self) -> None:
        with httpx.Client(timeout=SEND_TIMEOUT, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    busy = deliver_due(self.engine, client, self.policy, self.allowed)
                except Exception:  # a database hiccup must not kill the worker
                    log.exception("webhook delivery pass failed")
                    busy = 0
                if not busy:
                    self._stop.wait(self.interval)
