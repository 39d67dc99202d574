"""Writes with SQLAlchemy Core that leave the same trail as the ORM's audit listener.

The hot paths (a submission, the bulk import) write plain rows instead of ORM objects: no object
construction, no unit-of-work flush, no field-by-field history diff. `Writes` collects the rows
with the audit event of each row of an audited table (`recorder.core_created` and
`core_updated`: the same events the listener would write) and `flush` writes them in the
caller's transaction: the updates, then one multi-row INSERT per table in the order the tables
were first added (the order their foreign keys need), then every audit event in one INSERT.

An updated ORM object gets the new values as its loaded state (not as pending changes), so the
session does not write it again, and its version (the ETag) is bumped once, as a flush would.
"""

import functools
from typing import Any

from sqlalchemy import Insert, Table, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.audit import recorder
from app.core import personal


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


@functools.cache
def _insert(table: Table) -> Insert:
    """The table's INSERT, built once (its values come as parameters)."""
    return insert(table)


def is_audited(model: type) -> bool:
    """True if the trail records the writes of `model`'s table."""
    columns = personal.declaration(model)
    return columns is not None and columns.resource is not None


class Writes:
    """The rows and row changes of one unit of work, written together by `flush`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[Table, list[dict[str, Any]]] = {}
        self.created: list[dict[str, Any]] = []
        self.changes: dict[int, tuple[Any, dict[str, Any]]] = {}

    def insert(self, model: type, row: dict[str, Any]) -> None:
        """Insert `row` (every column given) into `model`'s table, audited if the table is."""
        self.rows.setdefault(_table(model), []).append(row)
        if is_audited(model):
            self.created.append(recorder.core_created(self.session, model, row))

    def insert_many(self, model: type, rows: list[dict[str, Any]]) -> None:
        """`insert` for each of `rows`."""
        for row in rows:
            self.insert(model, row)

    def update(self, obj: Any, changes: dict[str, Any]) -> None:
        """Change columns of the loaded ORM object `obj`'s row; several calls merge."""
        _, pending = self.changes.setdefault(id(obj), (obj, {}))
        pending.update(changes)

    def flush(self) -> None:
        """Write everything collected, in the session's transaction, then forget it."""
        connection = self.session.connection()
        trail: list[dict[str, Any]] = []
        updated: list[tuple[Any, dict[str, Any]]] = []
        for obj, changes in self.changes.values():
            values = {k: v for k, v in changes.items() if getattr(obj, k) != v}
            if not values:
                continue
            model = type(obj)
            before = {k: getattr(obj, k) for k in values}
            event = recorder.core_updated(self.session, model, obj.id, before, values)
            if event is not None:
                trail.append(event)
            table = _table(model)
            if "version" in table.c:
                values["version"] = obj.version + 1  # the ETag changes with any field
            connection.execute(update(table).where(table.c.id == obj.id).values(values))
            updated.append((obj, values))
        for table, rows in self.rows.items():
            connection.execute(_insert(table), rows)
        trail += self.created
        if trail:
            connection.execute(_insert(recorder.AUDIT_TABLE), trail)
        for obj, values in updated:  # every statement went through: show what is stored
            for key, value in values.items():
                set_committed_value(obj, key, value)
        self.rows, self.created, self.changes = {}, [], {}
