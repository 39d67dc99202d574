"""The event feed: events are written with the change, numbered when it commits.

Why at commit: on PostgreSQL a sequence value is taken when a row is inserted, and two writers
may commit in the other order, so a poller that read event 7 could miss an event 6 committed just
after. Here the events of a transaction wait in the session and are inserted in `before_commit`,
under a transaction-level advisory lock held until the transaction ends: numbers are taken in
commit order, and a transaction is visible before the next one can take a number (PostgreSQL
makes a commit visible before it releases its locks). On SQLite one writer at a time commits,
so the row id is the commit order already. A feed read therefore never sees event N+1 before N.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.events.models import Event, EventPublic

PENDING = "tamis_pending_events"
# The advisory lock that orders the feed's writers (an arbitrary constant, "tamis-ev").
FEED_LOCK = 0x74616D69732D6576
EVENTS_TABLE = Event.__table__  # type: ignore[attr-defined]
_INSERT = insert(EVENTS_TABLE)
_FEED_LOCKED = text("SELECT pg_advisory_xact_lock(:key)")


def record(
    session: Session, event_id: str, event_type: str, at: datetime, data: dict[str, Any]
) -> None:
    """Add an event to the feed when (and only if) the session's transaction commits."""
    session.info.setdefault(PENDING, []).append(
        {"id": event_id, "type": event_type, "occurred_at": at, "data": data}
    )


def _write_pending(session: OrmSession) -> None:
    rows = session.info.pop(PENDING, None)
    if not rows:
        return
    # Core statements, on the session's connection: the ORM's execute path adds nothing to them.
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_FEED_LOCKED, {"key": FEED_LOCK})
    connection.execute(_INSERT, rows)


def _drop_pending(session: OrmSession) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Number and write the pending events of every session at commit; idempotent."""
    if not event.contains(OrmSession, "before_commit", _write_pending):
        event.listen(OrmSession, "before_commit", _write_pending)
        event.listen(OrmSession, "after_rollback", _drop_pending)


def after(
    session: Session, cursor: int, *, limit: int, types: list[str] | None = None
) -> list[Event]:
    """The events after `cursor`, in commit order."""
    statement = select(Event).where(col(Event.seq) > cursor)
    if types:
        statement = statement.where(col(Event.type).in_(types))
    return list(session.exec(statement.order_by(col(Event.seq)).limit(limit)).all())


def to_public(row: Event) -> EventPublic:
    """The event as the feed shows it."""
    return EventPublic(
        cursor=str(row.seq), id=row.id, type=row.type, timestamp=row.occurred_at, data=row.data
    )
