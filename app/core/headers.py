"""Security headers on every response: what a browser may load, frame, send and keep.

- `Content-Security-Policy`: scripts, styles, images and forms from this origin only (report
  pages carry their own `<style>`, hence `'unsafe-inline'` for styles alone), no plugin, and
  `frame-ancestors 'none'` so no other site can frame a page (clickjacking). The interactive
  API docs (/docs, /redoc) load their scripts from a CDN: they get only `frame-ancestors`.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (a self-screen link's
  token must never leave in a Referer), `X-Frame-Options: DENY` for older browsers.
- `Cache-Control: no-store` on every response but static files: API answers, pages, reports
  and exports carry personal data, and no browser or proxy cache may keep them.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = "frame-ancestors 'none'"
DOCS = ("/docs", "/redoc")
CACHEABLE = ("/static/",)


class SecurityHeaders:
    """ASGI middleware adding the headers above (an endpoint's own Cache-Control is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = DOCS_CSP if path.startswith(DOCS) else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                if not path.startswith(CACHEABLE) and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
