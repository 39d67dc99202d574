"""The request's unit of work: one transaction, the caller's identity, safe retries, then commit.

Every `/api/v1` route uses `ApiRoute`. For each request it opens the transaction, authenticates
the API key (401 before anything else is looked at), replays an Idempotency-Key it has seen,
runs the endpoint, and commits **before** the response leaves, so a 2xx means the data is
durable. Any error rolls everything back. Endpoints get the session and the principal through
`SessionDep` and `allow(...)` (app/core/deps.py).
"""

from collections.abc import Callable, Coroutine
from contextlib import nullcontext
from typing import Any

import anyio
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.access.models import Principal
from app.access.service import authenticate
from app.core import idempotency
from app.core.db import UnitOfWork, is_sqlite
from app.core.errors import InvalidInput
from app.scoring.answers import FieldError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _KeyRace(Exception):
    """A concurrent request with the same Idempotency-Key committed first."""


Authenticator = Callable[[Session, Request], Principal | None]


def api_key(session: Session, request: Request) -> Principal:
    """The principal of the request's `Authorization: Bearer` key; Unauthorized otherwise."""
    return authenticate(session, request.headers.get("authorization"))


def _open(
    request: Request, readonly: bool, operation: str, authenticator: Authenticator
) -> UnitOfWork:
    unit = UnitOfWork(request.app.state.engine, readonly=readonly)
    try:
        principal = authenticator(unit.session, request)
    except BaseException:
        unit.rollback()
        raise
    unit.session.info.update(principal=principal, operation=operation)
    request.state.session = unit.session
    request.state.principal = principal
    return unit


def _remember(unit: UnitOfWork, key: str, print_: str, response: Response) -> None:
    try:
        idempotency.remember(unit.session, unit.session.info["principal"].id, key, print_, response)
    except IntegrityError as exc:
        raise _KeyRace from exc


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route reads, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for child in dependant.dependencies:
        names |= _query_names(child)
    return names


def _check_query(request: Request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        valid: list[str | int] = sorted(known)
        errors = [FieldError(f"query:{name}", "unknown query parameter", valid) for name in unknown]
        raise InvalidInput("; ".join(str(e) for e in errors), errors)


class ApiRoute(APIRoute):
    """A route whose request runs in one authenticated, idempotent, committed unit of work."""

    # Who the request acts as; the web pages' routes swap in their session cookie.
    authenticator: Authenticator = staticmethod(api_key)
    # The API refuses query parameters it does not know (a typo must not be ignored silently).
    strict_query: bool = True

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        operation = self.name
        authenticator = type(self).authenticator
        known = _query_names(self.dependant)
        strict = type(self).strict_query

        async def route_handler(request: Request) -> Response:
            readonly = request.method in READ_METHODS
            if strict:
                _check_query(request, known)
            key = idempotency.key_of(request)
            print_ = idempotency.fingerprint(request, await request.body()) if key else ""
            # Writers queue here, in the event loop, not in worker threads: SQLite has one writer
            # at a time, and on PostgreSQL a few at once keep threads free (CONCURRENT_WRITERS).
            writer: Any = request.app.state.writers if not readonly else None
            async with writer or nullcontext():
                try:
                    return await _run(
                        request, handle, readonly, operation, authenticator, key, print_
                    )
                except _KeyRace:
                    pass
            # The twin request committed first: answer what it answered.
            unit = await run_in_threadpool(_open, request, True, operation, authenticator)
            try:
                principal_id = request.state.principal.id
                replayed = await run_in_threadpool(
                    idempotency.replay, unit.session, principal_id, key or "", print_
                )
            finally:
                await run_in_threadpool(unit.rollback)
            if replayed is None:  # pragma: no cover - the twin's record is committed
                raise RuntimeError("idempotency record vanished")
            return replayed

        return route_handler


async def _run(
    request: Request,
    handle: Callable[[Request], Coroutine[Any, Any, Response]],
    readonly: bool,
    operation: str,
    authenticator: Authenticator,
    key: str | None,
    print_: str,
) -> Response:
    unit = await run_in_threadpool(_open, request, readonly, operation, authenticator)
    try:
        if key:
            replayed = await run_in_threadpool(
                idempotency.replay, unit.session, request.state.principal.id, key, print_
            )
            if replayed is not None:
                await run_in_threadpool(unit.rollback)
                return replayed
        response = await handle(request)
        if key and 200 <= response.status_code < 300:
            await run_in_threadpool(_remember, unit, key, print_, response)
        await run_in_threadpool(unit.commit)
    except BaseException:
        await run_in_threadpool(unit.rollback)
        raise
    return response


# At most this many writing requests of one process run at once on PostgreSQL. A writer that
# holds a row lock needs a worker thread to finish; were every worker thread taken by writers
# waiting for that lock, none would be left to release it. 16 of the 40 threads, and of the 30
# pooled connections, leaves room for everyone else.
CONCURRENT_WRITERS = 16


def writer_lock(database_url: str) -> anyio.Lock | anyio.Semaphore:
    """The in-process queue of writers: one at a time on SQLite, a few at once elsewhere."""
    return anyio.Lock() if is_sqlite(database_url) else anyio.Semaphore(CONCURRENT_WRITERS)
