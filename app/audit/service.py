"""Reading the audit trail. There is deliberately no function that changes or deletes it."""

from datetime import datetime

from sqlmodel import Session, col, select

from app.audit.models import Actor, AuditEvent, AuditEventPublic
from app.core.pagination import paginate


def list_page(
    session: Session,
    *,
    resource_type: str | None,
    resource_id: str | None,
    actor_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AuditEvent], str | None]:
    """One page of events matching the filters, newest first."""
    statement = select(AuditEvent)
    if resource_type is not None:
        statement = statement.where(AuditEvent.resource_type == resource_type)
    if resource_id is not None:
        statement = statement.where(AuditEvent.resource_id == resource_id)
    if actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        statement = statement.where(col(AuditEvent.created_at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEvent.created_at) < until)
    return paginate(session, statement, AuditEvent, limit=limit, cursor=cursor)


def about(session: Session, resource_id: str) -> list[AuditEvent]:
    """Every event about one resource, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.resource_id == resource_id)
        .order_by(col(AuditEvent.created_at), col(AuditEvent.id))
    )
    return list(session.exec(statement).all())


def to_public(row: AuditEvent) -> AuditEventPublic:
    """The API representation."""
    return AuditEventPublic(
        id=row.id,
        at=row.created_at,
        actor=Actor(kind=row.actor_kind, id=row.actor_id, name=row.actor_name, role=row.actor_role),
        operation=row.operation,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        changes=row.changes,
    )
