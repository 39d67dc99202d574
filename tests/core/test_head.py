"""The HEAD middleware on its own: the application sees a GET, the client gets its status and
headers but no byte of its body, and other methods pass untouched."""

import asyncio

import pytest
from starlette.types import Message, Receive, Scope, Send

from app.core.head import HeadAsGet


def _run(method: str) -> tuple[list[str], list[Message]]:
    seen: list[str] = []
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await send({"type": "http.response.body", "body": b"last"})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/", "headers": []}
    asyncio.run(HeadAsGet(app)(scope, receive, send))
    return seen, sent


def test_head_runs_as_get_and_sends_no_body() -> None:
    seen, sent = _run("HEAD")
    assert seen == ["GET"]
    assert sent[0] == {"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]}
    assert [m["body"] for m in sent[1:]] == [b"", b""]
    assert [m.get("more_body", False) for m in sent[1:]] == [True, False]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_other_methods_pass_untouched(method: str) -> None:
    seen, sent = _run(method)
    assert seen == [method]
    assert [m["body"] for m in sent[1:]] == [b"first", b"last"]
