"""HEAD answered wherever GET is (RFC 9110 9.3.2: a general-purpose server must support both).

FastAPI routes declared with `@get` answer GET only. This middleware, outermost, runs a HEAD
request as a GET and sends the answer's status and headers (Content-Length, ETag and the others
included) without its body: the same work and checks as the GET, nothing written.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: HEAD is a GET whose body is not sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
