"""The ground floor's small rules, each on its own: ETags, cursors, the body limit, text fields."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import create_engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, select

from app.core import etag
from app.core.errors import BadRequest, InvalidInput, PreconditionFailed
from app.core.i18n import format_datetime, format_time, reader_zone
from app.core.limits import BodySizeLimit
from app.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor, paginate
from app.core.text import Line, Paragraph, Statement


def test_an_etag_names_its_version_and_if_match_guards_it() -> None:
    assert etag.etag(3) == '"3"'
    etag.check(None, 3)  # no If-Match: nothing to check
    etag.check('"3"', 3)
    etag.check(' "2" , "3" ', 3)  # one of several
    etag.check('"2","3"', 3)
    etag.check("*", 3)
    etag.check('"9", *', 3)
    with pytest.raises(PreconditionFailed) as stale:
        etag.check('"2"', 3)
    assert (
        stale.value.detail == 'the resource is now at ETag "3": read it again and redo the change'
    )
    with pytest.raises(PreconditionFailed):
        etag.check("3", 3)  # an ETag is quoted
    with pytest.raises(BadRequest) as empty:
        etag.check("  ", 3)
    assert empty.value.detail == "If-Match must name an ETag (or `*`): it is empty"
    assert [(e.loc, e.message) for e in empty.value.errors] == [
        ("header:If-Match", 'an ETag read before, e.g. "3"')
    ]

    class Row:
        version = 7

    response = Response()
    etag.tag(response, Row())
    assert response.headers["ETag"] == '"7"'


def test_a_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    item = uuid.uuid4()
    cursor = encode_cursor(moment, item)
    assert "=" not in cursor
    assert decode_cursor(cursor) == (moment, item)
    assert decode_cursor(cursor)[0].tzinfo == UTC
    naive = encode_cursor(datetime(2026, 11, 23, 10, 0), item)
    for bad in ("", "!!", "bm90IGpzb24", naive, encode_cursor(moment, item)[:-3]):
        with pytest.raises(InvalidInput) as caught:
            decode_cursor(bad)
        assert [(e.loc, e.message) for e in caught.value.errors] == [
            ("query:cursor", "invalid cursor")
        ]


class _Own(SQLModel, registry=registry()):
    """A registry of the test's own, so that its table is not taken for one of the app's."""


class Thing(_Own, table=True):
    __tablename__ = "pagination_thing"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime


def test_pages_run_newest_first_without_gaps_or_repeats(tmp_path: object) -> None:
    engine = create_engine("sqlite://")
    Thing.metadata.create_all(engine, tables=[Thing.__table__])  # type: ignore[list-item]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        # Seven rows, three of them at the same instant (the id breaks the tie).
        times = [start + timedelta(minutes=m) for m in (0, 1, 2, 2, 2, 3, 4)]
        session.add_all([Thing(created_at=t) for t in times])
        session.commit()
        every = session.exec(select(Thing)).all()
        expected = [t.id for t in sorted(every, key=lambda t: (t.created_at, t.id), reverse=True)]
        seen: list[uuid.UUID] = []
        cursor = None
        sizes = []
        while True:
            rows, cursor = paginate(session, select(Thing), Thing, limit=3, cursor=cursor)
            sizes.append(len(rows))
            seen += [r.id for r in rows]
            if cursor is None:
                break
        assert sizes == [3, 3, 1]
        assert seen == expected
        whole, last = paginate(session, select(Thing), Thing, limit=7, cursor=None)
        assert (len(whole), last) == (7, None)  # exactly a page: no next page
        capped, _ = paginate(session, select(Thing), Thing, limit=1000, cursor=None)
        assert len(capped) == 7
    assert MAX_LIMIT == 100


def limited_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    @app.post("/big")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(BodySizeLimit, limit=10, paths={"/big": 20})
    return app


def test_bodies_over_the_limit_get_413_as_a_problem() -> None:
    client = TestClient(limited_app())
    assert client.post("/echo", content=b"x" * 10).json() == {"size": 10}
    declared = client.post("/echo", content=b"x" * 11)
    assert declared.status_code == 413
    assert declared.headers["content-type"].startswith("application/problem+json")
    problem = declared.json()
    assert problem["detail"] == "the request body is over the limit of 10 bytes"
    assert (problem["status"], problem["type"].rsplit("/", 1)[-1]) == (413, "payload-too-large")
    assert problem["instance"] == "/echo"

    def chunks() -> object:
        yield b"x" * 6
        yield b"x" * 6

    streamed = client.post("/echo", content=chunks())  # no Content-Length: counted as it comes
    assert streamed.status_code == 413
    small = client.post("/echo", content=iter([b"x" * 5, b"x" * 5]))
    assert small.json() == {"size": 10}
    # A path with a limit of its own.
    assert client.post("/big", content=b"x" * 20).json() == {"size": 20}
    over = client.post("/big", content=iter([b"x" * 15, b"x" * 6]))
    assert over.status_code == 413
    assert over.json()["detail"] == "the request body is over the limit of 20 bytes"


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        (Line, "  Ana  ", "Ana"),
        (Line, "a\x00b", None),
        (Line, "   ", None),
        (Line, "x" * 201, None),
        (Paragraph, "", ""),
        (Paragraph, "line\nline", "line\nline"),
        (Paragraph, "\x00", None),
        (Statement, " why ", "why"),
        (Statement, "", None),
        (Statement, "\x00 why", None),
    ],
)
def test_text_fields_are_bounded_and_refuse_nul(kind: object, value: str, ok: str | None) -> None:
    adapter: TypeAdapter[str] = TypeAdapter(kind)
    if ok is not None:
        assert adapter.validate_python(value) == ok
        return
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(value)
    if "\x00" in value:
        assert "must not contain a NUL character" in str(caught.value)


def test_times_read_in_the_readers_zone() -> None:
    moment = datetime(2026, 11, 22, 13, 20, tzinfo=UTC)
    paris = reader_zone()
    assert paris == ZoneInfo("Europe/Paris")
    assert reader_zone("Europe/London") == ZoneInfo("Europe/London")
    assert format_time(moment, "fr", paris) == "14:20"
    assert format_datetime(moment, "fr", paris) == "22 nov. 2026, 14:20 UTC+01:00"
