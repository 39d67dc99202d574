"""JSON columns written from text serialized beforehand, for writers that insert in bulk, and
read back from text, for readers that take a column as the driver gives it.

A bulk writer that holds its rows until the batch's INSERT keeps each JSON value as one string
instead of a tree of dicts and lists: the same value is serialized once however many columns
store it, and the collector has little to scan. The text is what the column's own type would
have written (the dialect's JSON serializer, `json.dumps` by default): stored as it is on
SQLite, cast to JSONB on PostgreSQL.

`serialize` is the JSON serializer of the engines Tamis makes (app/core/db.py): orjson, compact
and in UTF-8, several times faster than `json.dumps` on the verdicts' facts; a value orjson
cannot write (an integer beyond 64 bits) is written by `json.dumps`.
"""

import json
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Engine, String, Table, bindparam, cast, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement

SUFFIX = "__json"


_OPTIONS = orjson.OPT_NON_STR_KEYS


def serialize(value: Any) -> str:
    """`value` as JSON text: orjson's, else (a value it refuses) `json.dumps`'s."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


def dumps(dialect: Dialect, value: Any) -> str:
    """`value` as the JSON column of `dialect` would write it."""
    serializer = getattr(dialect, "_json_serializer", None) or json.dumps
    text: str = serializer(value)
    return text


def loads(dialect: Dialect, text: str | bytes) -> Any:
    """JSON text read back as the JSON column of `dialect` would read it."""
    deserializer = getattr(dialect, "_json_deserializer", None) or json.loads
    return deserializer(text)


def key(column: str) -> str:
    """The parameter that carries `column`'s serialized value."""
    return column + SUFFIX


def param(column: str, dialect: Dialect) -> ColumnElement[Any]:
    """The value of JSON `column` from its serialized text (the parameter `key(column)`)."""
    text = bindparam(key(column), type_=String())
    return cast(text, JSONB()) if dialect.name == "postgresql" else text


def textual(dialect: Dialect, row: dict[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """`row` with each of its JSON `columns` replaced by its serialized text (in place)."""
    for column in columns:
        row[key(column)] = dumps(dialect, row.pop(column))
    return row


def inserter(table: Table, columns: Iterable[str], dialect: Dialect | Engine) -> Insert:
    """An INSERT into `table` whose JSON `columns` come serialized (see `textual`)."""
    dialect = dialect.dialect if isinstance(dialect, Engine) else dialect
    return insert(table).values({column: param(column, dialect) for column in columns})
