"""JSON columns written from text serialized beforehand (app/core/jsontext.py, the bulk import's
writer): the same stored value as the column's own type writes, on SQLite and PostgreSQL."""

import json
import uuid
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    cast,
    create_engine,
    insert,
    select,
)

from app.core import jsontext
from app.core.types import JSONType

VALUES: list[Any] = [
    {"ratings": {"measures_impact": 3, "hands_on": "not_observed"}, "flags": []},
    {"note": "Zoë « vu » ; 1\u202f000 abonnés", "score": 61.25, "nested": [[1, 2.5], None]},
    [],
    {"empty": {}, "agreement": None, "big": 10**15, "negative": -0.0001},
]


def _documents(engine: Engine) -> Table:
    """A new table of an id and a JSON document, created on `engine`."""
    table = Table(
        f"t_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", String(40), primary_key=True),
        Column("doc", JSONType),
    )
    table.create(engine)
    return table


def _written_both_ways(
    engine: Engine, table: Table, values: list[Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Each value inserted as `typed-N` through the column's own type and as `text-N` through
    jsontext's inserter; read back by id, as the column reads it and as its stored text."""
    with engine.begin() as connection:
        connection.execute(
            insert(table), [{"id": f"typed-{n}", "doc": v} for n, v in enumerate(values)]
        )
        connection.execute(
            jsontext.inserter(table, ["doc"], engine),
            [
                jsontext.textual(engine.dialect, {"id": f"text-{n}", "doc": v}, ["doc"])
                for n, v in enumerate(values)
            ],
        )
    with engine.connect() as connection:
        read = dict(connection.execute(select(table.c.id, table.c.doc)).all())
        raw = dict(connection.execute(select(table.c.id, cast(table.c.doc, Text))).all())
    return read, raw


def test_text_written_beforehand_is_stored_as_the_column_type_stores_it(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    table = _documents(engine)
    try:
        read, raw = _written_both_ways(engine, table, VALUES)
        for n, value in enumerate(VALUES):
            assert read[f"text-{n}"] == read[f"typed-{n}"] == value
            assert isinstance(raw[f"text-{n}"], str)
            assert raw[f"text-{n}"] == raw[f"typed-{n}"]
    finally:
        table.drop(engine)
        engine.dispose()


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _tagged(text: str | bytes) -> Any:
    return {"read": json.loads(text)}


def test_the_engines_own_serializer_and_deserializer_are_used(database_url: str) -> None:
    # An engine configured with its own JSON functions: text written beforehand must be what
    # that engine writes, and text read back must come out as that engine reads it.
    engine = create_engine(database_url, json_serializer=_compact, json_deserializer=_tagged)
    table = _documents(engine)
    value = VALUES[1]
    try:
        assert jsontext.dumps(engine.dialect, value) == _compact(value)
        with engine.begin() as connection:
            connection.execute(insert(table), [{"id": "typed", "doc": value}])
            connection.execute(
                jsontext.inserter(table, ["doc"], engine.dialect),  # a dialect does as an engine
                [jsontext.textual(engine.dialect, {"id": "text", "doc": value}, ["doc"])],
            )
        with engine.connect() as connection:
            read = dict(connection.execute(select(table.c.id, table.c.doc)).all())
            raw = dict(connection.execute(select(table.c.id, cast(table.c.doc, Text))).all())
        assert read["text"] == read["typed"] == {"read": value}
        assert raw["text"] == raw["typed"]
        assert jsontext.loads(engine.dialect, raw["text"]) == {"read": value}
    finally:
        table.drop(engine)
        engine.dispose()


def test_tamis_engines_write_json_with_their_serializer_and_read_the_same_values(
    database_url: str,
) -> None:
    # make_engine's JSON serializer (orjson, compact, UTF-8; json.dumps for what orjson
    # refuses): the columns and text written beforehand agree, and values read back are equal.
    from app.core.db import make_engine

    engine = make_engine(database_url)
    table = _documents(engine)
    values = [*VALUES, {"beyond_64_bits": 2**70}]
    try:
        assert jsontext.dumps(engine.dialect, VALUES[1]) == jsontext.serialize(VALUES[1])
        assert jsontext.serialize(values[-1]) == json.dumps(values[-1])
        assert "Zoë « vu »" in jsontext.serialize(VALUES[1])  # UTF-8, not \\u escapes
        read, raw = _written_both_ways(engine, table, values)
        for n, value in enumerate(values):
            assert read[f"text-{n}"] == read[f"typed-{n}"] == value
            assert raw[f"text-{n}"] == raw[f"typed-{n}"]
    finally:
        table.drop(engine)
        engine.dispose()
