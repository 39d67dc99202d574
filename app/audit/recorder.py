"""Writes the audit trail from the session itself, so that no write can forget it.

Before every flush, each new, changed or deleted row of an audited table becomes an
`AuditEvent` in the same transaction: who (the session's principal), which operation (the API
route or the command), the action, the resource, and the changed fields with their values
before and after. Personal data never enters the log: each model declares which of its columns
are personal (app/core/personal.py); a personal field is recorded as changed, without its
values, and notes are stripped from answers. Rows that carry versions for `ETag`s
get their version bumped here as well.
"""

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlmodel import SQLModel

from app.audit.models import AuditEvent
from app.core import personal
from app.core.types import new_id, utcnow

AUDIT_TABLE: Table = AuditEvent.__table__  # type: ignore[attr-defined]


def resources() -> dict[str, str]:
    """Table name -> the resource name used in the log, from the models' declarations."""
    found = {}
    for mapper in SQLModel._sa_registry.mappers:
        columns = personal.declaration(mapper.class_)
        if columns is not None and columns.resource is not None:
            found[str(getattr(mapper.local_table, "name", ""))] = columns.resource
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _value(columns: personal.Columns, name: str, value: Any) -> Any:
    return personal.answers_summary(value) if name in columns.summarised else _plain(value)


def _changes(obj: Any, kind: str, columns: personal.Columns) -> dict[str, Any]:
    if kind == "deleted":
        return {}
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in columns.bookkeeping:
            continue
        history = state.attrs[name].history
        if kind == "updated" and not history.has_changes():
            continue
        after = getattr(obj, name)
        if kind == "created" and after is None:
            continue
        if name in columns.personal or name not in columns.plain | columns.summarised:
            changes[name] = {"personal": True}  # undeclared columns are withheld, never shown
        elif kind == "created":
            changes[name] = {"after": _value(columns, name, after)}
        else:
            before = history.deleted[0] if history.deleted else None
            changes[name] = {
                "before": _value(columns, name, before),
                "after": _value(columns, name, after),
            }
    return changes


def _event(session: Session, obj: Any, kind: str) -> dict[str, Any] | None:
    columns = personal.declaration(type(obj))
    if columns is None or columns.resource is None:
        return None
    resource = columns.resource
    changes = _changes(obj, kind, columns)
    if kind == "updated" and not changes:
        return None
    return _new(session, f"{resource}.{kind}", resource, obj.id, changes)


def _new(
    session: Session, action: str, resource_type: str, resource_id: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    principal = session.info.get("principal")
    return {
        "id": new_id(),
        "created_at": utcnow(),
        "actor_kind": getattr(principal, "kind", "system"),
        "actor_id": getattr(principal, "id", "unknown"),
        "actor_name": getattr(principal, "name", "unknown"),
        "actor_role": getattr(principal, "role", "admin"),
        "operation": session.info.get("operation", "unknown"),
        "action": action,
        "resource_type": resource_type,
        "resource_id": str(resource_id),
        "changes": changes,
    }


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    # One multi-row INSERT in the session's transaction: no ORM objects on the hot path.
    if rows:
        session.connection().execute(insert(AUDIT_TABLE), rows)


def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    events = []
    for obj in list(session.dirty):
        if not session.is_modified(obj, include_collections=False):
            continue
        if hasattr(obj, "version") and not inspect(obj).attrs["version"].history.has_changes():
            obj.version += 1  # the ETag of a versioned resource changes with any of its fields
        events.append(_event(session, obj, "updated"))
    events += [_event(session, obj, "created") for obj in list(session.new)]
    events += [_event(session, obj, "deleted") for obj in list(session.deleted)]
    _write(session, [e for e in events if e is not None])


@functools.cache
def _layout(model: type) -> tuple[personal.Columns, tuple[tuple[str, str], ...]]:
    """The model's declaration and, column by column, how the trail records it."""
    columns = personal.declaration(model)
    if columns is None or columns.resource is None:
        raise LookupError(f"{model.__name__} is not audited")
    kinds = []
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        name = column.key
        if name in columns.bookkeeping:
            continue
        if name in columns.personal or name not in columns.plain | columns.summarised:
            kinds.append((name, "personal"))
        else:
            kinds.append((name, "value"))
    return columns, tuple(kinds)


def core_created(session: Session, model: type, values: dict[str, Any]) -> dict[str, Any]:
    """The audit row the listener would write for a `model` row inserted with `values`, for
    writers that insert with SQLAlchemy Core (bulk import); the caller inserts it with theirs."""
    columns, kinds = _layout(model)
    changes: dict[str, Any] = {}
    for name, kind in kinds:
        after = values.get(name)
        if after is None:
            continue
        if kind == "personal":
            changes[name] = {"personal": True}
        else:
            changes[name] = {"after": _value(columns, name, after)}
    resource = str(columns.resource)
    return _new(session, f"{resource}.created", resource, values["id"], changes)


def core_updated(
    session: Session, model: type, resource_id: Any, before: dict[str, Any], after: dict[str, Any]
) -> dict[str, Any] | None:
    """The audit row of an update from `before` to `after` (the changed columns), as the
    listener would write it; None when nothing audited changed."""
    columns = personal.declaration(model)
    if columns is None or columns.resource is None:
        raise LookupError(f"{model.__name__} is not audited")
    changes: dict[str, Any] = {}
    for column in model.__table__.columns:  # type: ignore[attr-defined]
        name = column.key
        if name in columns.bookkeeping or name not in after or after[name] == before.get(name):
            continue
        if name in columns.personal or name not in columns.plain | columns.summarised:
            changes[name] = {"personal": True}
        else:
            changes[name] = {
                "before": _value(columns, name, before.get(name)),
                "after": _value(columns, name, after[name]),
            }
    if not changes:
        return None
    resource = columns.resource
    return _new(session, f"{resource}.updated", resource, resource_id, changes)


def note(session: Session, action: str, resource_type: str, resource_id: Any) -> None:
    """Record an action that is more than its field changes (e.g. `candidate.erased`)."""
    _write(session, [_new(session, action, resource_type, resource_id, {})])


def install() -> None:
    """Make every session write the audit trail (and bump versions); idempotent.

    Called by the composition roots: `create_app` and the admin commands.
    """
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
