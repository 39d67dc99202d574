"""Rows inserted in bulk below SQLAlchemy's per-row parameter handling, for the bulk import.

A batch of the import inserts thousands of rows whose every column it gives. Through a Core
`INSERT` executed with many parameter sets, SQLAlchemy builds each row's parameters one by one
(and psycopg sends one `Execute` per row); here each column's bind processor (the column type's
own conversion: ids, UTC timestamps) is applied to the values, and the rows go to the driver at
once: `executemany` of one prepared `INSERT` on SQLite, `COPY ... FROM STDIN` on PostgreSQL
(one statement for the whole batch). The values stored are those the Core `INSERT` would store.
JSON columns come as text serialized beforehand (app/core/jsontext.py): stored as they are on
SQLite, parsed into JSONB by PostgreSQL's COPY.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

from app.core import jsontext
from app.core.types import UTCDateTime

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Layout:
    """How one table's rows are written: the parameter of each column, in order, with its
    bind processor (None: the value goes as it is), and the statement."""

    keys: tuple[str, ...]
    processors: tuple[Processor, ...]
    timestamps: tuple[bool, ...]  # the columns whose processing is worth remembering
    statement: str
    copy: bool


@lru_cache(maxsize=64)
def layout(table: Table, json_columns: tuple[str, ...], dialect: Dialect) -> Layout:
    """The layout of `table`'s rows, every column given; `json_columns` come as text."""
    keys: list[str] = []
    processors: list[Processor] = []
    timestamps = tuple(isinstance(column.type, UTCDateTime) for column in table.columns)
    for column in table.columns:
        if column.name in json_columns:
            keys.append(jsontext.key(column.name))
            processors.append(None)
        else:
            keys.append(column.name)
            processors.append(column.type.dialect_impl(dialect).bind_processor(dialect))
    names = [column.name for column in table.columns]
    if dialect.name == "postgresql":
        quote = dialect.identifier_preparer.quote
        statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        return Layout(tuple(keys), tuple(processors), timestamps, statement, True)
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    return Layout(tuple(keys), tuple(processors), timestamps, str(compiled), False)


def _remembered(process: Processor) -> Processor:
    """`process` remembering its results for the values seen (a line's rows are made at one
    instant: they share their timestamps)."""
    if process is None:
        return None
    seen: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            done = seen[value] = process(value)
            return done
        except TypeError:  # unhashable: not remembered
            return process(value)

    return remembered


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    json_columns: tuple[str, ...] = (),
) -> None:
    """Insert `rows` (each giving every column of `table`; a JSON column as text under
    `jsontext.key(name)`) in the connection's transaction."""
    if not rows:
        return
    plan = layout(table, json_columns, connection.dialect)
    steps = [
        (key, _remembered(process) if timestamp else process)
        for key, process, timestamp in zip(plan.keys, plan.processors, plan.timestamps, strict=True)
    ]
    values = [
        tuple(row[key] if process is None else process(row[key]) for key, process in steps)
        for row in rows
    ]
    if plan.copy:
        raw: Any = connection.connection.dbapi_connection
        with raw.cursor() as cursor, cursor.copy(plan.statement) as copy:
            for value in values:
                copy.write_row(value)
        return
    connection.exec_driver_sql(plan.statement, values)
