"""Small HTTP rules of the ground floor, each on its own: content negotiation by q-values, the
security headers on every response, and how a field path reads (app/core/negotiation.py,
headers.py, fields.py)."""

import asyncio

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.core.fields import FieldError, format_path
from app.core.headers import CSP, SecurityHeaders
from app.core.negotiation import best_match

OFFERED = ["application/json", "text/csv"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),  # no header: anything, so the first offered
        ("", "application/json"),
        ("  ", "application/json"),
        (",", "application/json"),  # no range at all: as if absent
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),  # case does not matter
        ("text/*", "text/csv"),
        ("*/*", "application/json"),  # a tie: the first offered
        ("text/csv;q=0.5, application/json;q=0.6", "application/json"),
        ("application/json;q=0.5, text/csv;q=0.6", "text/csv"),
        ("text/csv;q=0.5, application/json;q=0.5", "application/json"),  # a tie: first offered
        ("text/csv, application/json;q=0.9", "text/csv"),  # no q means 1
        ("text/csv;q=2, application/json;q=1", "application/json"),  # q is capped at 1: a tie
        ("text/csv;q=-1, application/json;q=0.1", "application/json"),  # below 0 is 0
        ("text/csv;q=x, application/json;q=0.1", "application/json"),  # unreadable: 0
        ("text/csv; Q=0.9, application/json;q=0.8", "text/csv"),  # the parameter name's case
        ("text/csv ; q=0.9 , application/json ; q=0.8", "text/csv"),
        ("text/csv;level=1;q=0.9, application/json;q=0.8", "text/csv"),  # other parameters
        ("image/png", None),  # nothing acceptable
        ("text/csv;q=0, application/json;q=0", None),
        ("*/*;q=0.1, text/csv;q=0", "application/json"),  # the most specific range decides
        ("text/*;q=0.9, text/csv;q=0.1, */*;q=0.5", "application/json"),
        ("text/csv;q=0.1, text/*;q=0.9, */*;q=0.5", "application/json"),  # order of ranges
        ("*/*;q=0.2, text/*;q=0.6", "text/csv"),  # type/* beats */*
        ("text/*;q=0.6, */*;q=0.2", "text/csv"),
        ("text", "text/csv"),  # a type without its subtype reads as text/*
        ("image/png, , text/csv", "text/csv"),  # an empty range is passed over
        ("application/json;q=1, text/csv", "application/json"),  # no q is exactly 1: a tie
        ("text/csv;q==0.9, application/json;q=0.5", "application/json"),  # unreadable q: 0
        ("text/csv;q=0.1, text/csv;q=0.9, application/json;q=0.5", "application/json"),  # first
    ],
)
def test_the_preferred_media_type(accept: str | None, expected: str | None) -> None:
    assert best_match(accept, OFFERED) == expected


def test_nothing_offered_matches_nothing() -> None:
    assert best_match("*/*", []) is None
    assert best_match(None, []) is None


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/x")
    @app.get("/docs/page")
    @app.get("/static/app.css")
    def plain() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.post("/api/v1/echo")
    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(await request.body())

    @app.get("/api/v1/cached")
    def cached() -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Cache-Control": "private, max-age=60"})

    app.add_middleware(SecurityHeaders)
    return app


def test_every_response_carries_the_security_headers() -> None:
    client = TestClient(_app())
    api = client.get("/api/v1/x").headers
    assert api["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
    assert api["X-Content-Type-Options"] == "nosniff"
    assert api["Referrer-Policy"] == "no-referrer"
    assert api["X-Frame-Options"] == "DENY"
    assert api["Cache-Control"] == "no-store"
    docs = client.get("/docs/page").headers
    assert docs["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert docs["Cache-Control"] == "no-store"
    static = client.get("/static/app.css").headers
    assert "Cache-Control" not in static
    assert static["X-Frame-Options"] == "DENY"
    assert client.get("/api/v1/cached").headers["Cache-Control"] == "private, max-age=60"
    echoed = client.post("/api/v1/echo", content=b"the body")  # read through the middleware
    assert (echoed.text, echoed.headers["X-Frame-Options"]) == ("the body", "DENY")
    missing = client.get("/api/v1/nowhere").headers
    assert missing["Cache-Control"] == "no-store"


def test_what_is_not_http_passes_the_security_headers_untouched() -> None:
    seen: list[Message] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        seen.append(await receive())
        await send({"type": "lifespan.startup.complete"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(SecurityHeaders(inner)({"type": "lifespan"}, receive, send))
    assert seen == [{"type": "lifespan"}, {"type": "lifespan.startup"}]
    assert sent == [{"type": "lifespan.startup.complete"}]


def test_a_field_path_reads_as_a_reader_writes_it() -> None:
    assert format_path([]) == ""
    assert format_path(["ratings"]) == "ratings"
    assert format_path(["criteria", 3, "anchors", "2", "fr"]) == "criteria[3].anchors.2.fr"
    assert format_path([0, "name"]) == "[0].name"
    assert format_path(["flags", 0, 1]) == "flags[0][1]"
    assert str(FieldError("a.b", "bad")) == "a.b: bad"
    assert str(FieldError("a", "off the scale", [1, 2, 3])) == "a: off the scale (valid: 1, 2, 3)"
    assert str(FieldError("a", "bad", [])) == "a: bad"
