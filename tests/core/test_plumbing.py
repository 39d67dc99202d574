"""The ground floor's small rules, each on its own: ETags, cursors, the body limit, text fields."""

import asyncio
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import create_engine, event
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, select
from starlette.types import Message, Receive, Scope, Send

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
    # Whatever the length of what it encodes (microseconds or not, any offset), a cursor has no
    # padding and reads back: base64 pads to a multiple of 4, 1 or 2 characters are dropped.
    padded = set()
    for micro in (0, 5, 123456):
        for offset in (timedelta(0), timedelta(hours=-5), timedelta(hours=2, microseconds=7)):
            for other in (item, uuid.UUID(int=micro)):
                when = datetime(2026, 1, 2, 3, 4, 5, micro, tzinfo=timezone(offset))
                token = encode_cursor(when, other)
                assert "=" not in token
                padded.add(len(token) % 4)
                assert decode_cursor(token) == (when, other)
    assert {2, 3} <= padded  # cursors that had two and one padding characters were tried
    naive = encode_cursor(datetime(2026, 11, 23, 10, 0), item)
    for bad in ("", "!!", "bm90IGpzb24", naive, encode_cursor(moment, item)[:-3]):
        with pytest.raises(InvalidInput) as caught:
            decode_cursor(bad)
        assert caught.value.detail == (
            "the cursor is not valid: pass the `next` value of a previous page"
        )
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


def test_a_page_reads_one_row_past_its_size_and_no_more_than_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_engine("sqlite://")
    Thing.metadata.create_all(engine, tables=[Thing.__table__])  # type: ignore[list-item]
    limits: list[object] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn: object, cursor: object, sql: str, params: object, *rest: object) -> None:
        if "LIMIT" in sql:
            limits.append(params[-2] if isinstance(params, tuple) else params)  # LIMIT ? OFFSET ?

    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        session.add_all([Thing(created_at=start + timedelta(minutes=m)) for m in range(9)])
        session.commit()
        rows, following = paginate(session, select(Thing), Thing, limit=4, cursor=None)
        assert (len(rows), following is not None) == (4, True)
        assert limits == [5]  # the page and one row to know whether a next page exists
        # A limit over the cap is cut to the cap: a page of the cap's size and a next page.
        monkeypatch.setattr("app.core.pagination.MAX_LIMIT", 3)
        limits.clear()
        rows, following = paginate(session, select(Thing), Thing, limit=50, cursor=None)
        assert (len(rows), following is not None) == (3, True)
        assert limits == [4]


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
        assert [e["msg"] for e in caught.value.errors()] == [
            "Value error, must not contain a NUL character"
        ]


def test_times_read_in_the_readers_zone() -> None:
    moment = datetime(2026, 11, 22, 13, 20, tzinfo=UTC)
    paris = reader_zone()
    assert paris == ZoneInfo("Europe/Paris")
    assert reader_zone("Europe/London") == ZoneInfo("Europe/London")
    assert format_time(moment, "fr", paris) == "14:20"
    assert format_datetime(moment, "fr", paris) == "22 nov. 2026, 14:20 UTC+01:00"


def test_a_record_without_a_version_is_tagged_by_its_representation() -> None:
    class Body(BaseModel):
        name: str

    def tagged(body: Body) -> str:
        response = Response()
        etag.of_representation(response, body)
        return response.headers["ETag"]

    first = tagged(Body(name="Ana"))
    assert re.fullmatch(r'"[0-9a-f]{24}"', first)  # a strong tag: 96 bits of a SHA-256 digest
    assert tagged(Body(name="Ana")) == first  # the same representation, the same tag
    assert tagged(Body(name="Léa")) != first


def _call(
    app: object, scope: dict[str, object], messages: list[dict[str, object]]
) -> list[Message]:
    """Run an ASGI app once with these incoming messages; what it sent."""
    incoming = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    return sent


def _http(
    path: str = "/echo", headers: list[tuple[bytes, bytes]] | None = None
) -> dict[str, object]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": headers or [],
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "app": FastAPI(),  # as inside an application's middleware stack
    }


async def _reader(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare ASGI app that reads its whole body and lets errors through (no exception layer)."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_a_body_sent_in_pieces_is_counted_whole_even_with_no_exception_layer() -> None:
    guarded = BodySizeLimit(_reader, limit=10)
    pieces = [{"type": "http.request", "body": b"x" * 4, "more_body": True}] * 3
    sent = _call(guarded, _http(), [*pieces[:2], {"type": "http.request", "body": b"xx"}])
    assert (sent[0]["status"], sent[1]["body"]) == (200, b"10")
    sent = _call(guarded, _http(), [*pieces, {"type": "http.request", "body": b""}])
    assert sent[0]["status"] == 413  # 4 + 4 + 4: no single piece is over the limit
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/problem+json"
    problem = json.loads(sent[1]["body"])
    assert problem["detail"] == "the request body is over the limit of 10 bytes"
    assert problem["instance"] == "/echo"
    declared = _call(guarded, _http(headers=[(b"content-length", b"11")]), [])
    assert json.loads(declared[1]["body"])["detail"] == (
        "the request body is over the limit of 10 bytes"
    )


def test_what_is_not_an_http_request_goes_through_untouched() -> None:
    seen: list[object] = []

    async def lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])
        seen.append((await receive())["type"])
        await send({"type": "lifespan.startup.complete"})

    sent = _call(
        BodySizeLimit(lifespan, limit=1), {"type": "lifespan"}, [{"type": "lifespan.startup"}]
    )
    assert seen == ["lifespan", "lifespan.startup"]
    assert sent == [{"type": "lifespan.startup.complete"}]


def test_a_cursor_reads_back_in_utc_whatever_the_servers_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    cursor = encode_cursor(moment, uuid.UUID(int=7))
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        when, _ = decode_cursor(cursor)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert (when, when.utcoffset()) == (moment, timedelta(0))


def test_rows_at_the_same_instant_come_by_id_newest_first() -> None:
    engine = create_engine("sqlite://")
    Thing.metadata.create_all(engine, tables=[Thing.__table__])  # type: ignore[list-item]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with Session(engine) as session:
        # Stored in rising id order: only the ORDER BY puts the highest id first.
        session.add_all([Thing(id=uuid.UUID(int=n), created_at=at) for n in (1, 2, 3, 4, 5)])
        session.commit()
        first, cursor = paginate(session, select(Thing), Thing, limit=2, cursor=None)
        second, cursor = paginate(session, select(Thing), Thing, limit=2, cursor=cursor)
        third, cursor = paginate(session, select(Thing), Thing, limit=2, cursor=cursor)
    assert [t.id.int for t in first + second + third] == [5, 4, 3, 2, 1]
    assert cursor is None
