"""The request's unit of work: one transaction, the caller's identity, safe retries, then commit.

Every `/api/v1` route (and every page) uses `ApiRoute`. For each request it authenticates the
caller (401 before anything else is looked at), then, in the one worker-thread call in which
FastAPI runs the endpoint: replays an Idempotency-Key it has seen, runs the endpoint, makes the
response, records it for the key, and commits, all **before** the response leaves, so a 2xx
means the data is durable. Any error rolls everything back. Endpoints get the session and the
principal through `SessionDep` and `allow(...)` (app/core/deps.py).

An API key this process authenticated in the last seconds (app/access `KeyCache`) skips the
look-up and the worker-thread hop it takes: the request's unit opens without touching the
database, and the key is rechecked (not revoked) first thing in the endpoint's transaction. So
the endpoint's call is the request's only worker-thread hop; for such a key only, an invalid
query or a role that may not act is answered (422, 403) before a revocation's 401.

A writer on SQLite holds the process's writer gate only inside that call: never while waiting
for the event loop, which is what used to set the pace of writes under load (bench/RESULTS.md).
"""

import dataclasses
import functools
import inspect
import threading
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import (
    APIRoute,
    APIRouter,
    _apply_router_form_limits,
    _effective_route_context_var,
    _update_scope,
)
from fastapi.telemetry._api import _route_selected
from fastapi.utils import is_body_allowed_for_status_code
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Receive, Scope, Send

from app.core import idempotency
from app.core.caller import Authenticator
from app.core.db import UnitOfWork
from app.core.deps import (
    PERMISSION_CHECKS,
    refuse_unless,
    request_reader,
    solved_by_route,
    solved_reader,
)
from app.core.errors import InvalidInput, NotAcceptable, UnsupportedMediaType
from app.core.fields import FieldError
from app.core.groupcommit import GroupCommit
from app.core.i18n import LANGUAGES
from app.core.negotiation import best_match

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# session.info: the remembered key's check, while a read that folds it (`folds_key_check`)
# has not run it yet (app/access `settle_key_check`).
PENDING_KEY_CHECK = "tamis_pending_key_check"
_FOLDS = "tamis_folds_key_check"


def folds_key_check(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a read endpoint whose first statement carries the remembered key's check (app/access
    `KEY_OK`, `folded_key_check`, `settle_key_check`), before anything it answers depends on
    what it read: the check costs no statement of its own. Put it under the route decorator."""
    setattr(endpoint, _FOLDS, True)
    return endpoint


# The parameters through which FastAPI hands the endpoint wrapper its request and sub-response.
_REQUEST, _RESPONSE = "tamis_request", "tamis_response"
# The writers' queue of one process (see writer_gate).
Gate = AbstractContextManager[Any]


class _KeyRace(Exception):
    """A concurrent request with the same Idempotency-Key committed first."""


def api_key(session: Session, request: Request) -> Any:
    """The principal of the request's credentials, by the authenticator the app registered.

    app/access registers its API-key check in `create_app` (`app.state.authenticator`).
    """
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator(session, request)


def _open(
    request: Request, readonly: bool, operation: str, authenticator: Authenticator
) -> UnitOfWork:
    """The request's unit of work, once the caller is known (401 before anything else).

    A read authenticates in the transaction it then reads in. A write authenticates in a short
    read of its own and gets a unit that has not begun yet: it begins in the endpoint's worker
    thread, with the writer's turn held (see _Work.run).
    """
    engine = request.app.state.engine
    unit = UnitOfWork(engine, readonly=True)
    try:
        principal = authenticator(unit.session, request)
    except BaseException:
        unit.rollback()
        raise
    if not readonly:
        unit.rollback()
        unit = UnitOfWork(engine)
    unit.session.info.update(principal=principal, operation=operation)
    request.state.session = unit.session
    request.state.principal = principal
    return unit


class KeyCache(Protocol):
    """Keys this process authenticated a moment ago (app/access registers its `KeyCache`)."""

    def lookup(self, request: Request) -> Any:
        """The principal of the request's credentials if remembered, else None."""
        ...

    def recheck(self, session: Session, principal: Any) -> None:
        """Raise Unauthorized if the remembered key no longer works (inside the transaction)."""
        ...


Recheck = Callable[[Session], None]


def _open_remembered(
    request: Request, readonly: bool, operation: str, authenticator: Authenticator
) -> tuple[UnitOfWork, Recheck] | None:
    """The request's unit of work, without the read that authenticates it, when its API key
    was authenticated a moment ago; the returned check runs first in the request's own
    transaction (a revoked key is refused there, before anything is read or written). Nothing
    here touches the database: no worker-thread hop before the endpoint's own."""
    if authenticator is not api_key:
        return None
    cache: KeyCache | None = getattr(request.app.state, "key_cache", None)
    principal = cache.lookup(request) if cache is not None else None
    if cache is None or principal is None:
        return None
    unit = UnitOfWork(request.app.state.engine, readonly=readonly)
    unit.session.info.update(principal=principal, operation=operation)
    request.state.session = unit.session
    request.state.principal = principal
    return unit, functools.partial(cache.recheck, principal=principal)


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
    unknown = sorted(set(request.query_params) - known - {"lang"})
    if unknown:
        valid: list[str | int] = sorted(known | {"lang"})
        errors = [FieldError(f"query:{name}", "unknown query parameter", valid) for name in unknown]
        raise InvalidInput("; ".join(str(e) for e in errors), errors)
    # `?lang=` is accepted by every operation (it sets the language of the errors too).
    lang = request.query_params.get("lang")
    if lang is not None and lang not in LANGUAGES:
        error = FieldError("query:lang", "unsupported language", list(LANGUAGES))
        raise InvalidInput(str(error), [error])


def _offered(route: APIRoute) -> list[str]:
    """The media types a route's success answers come in, the default first."""
    offered: list[str] = []
    if route.response_field is not None or isinstance(route.response_class, DefaultPlaceholder):
        offered.append("application/json")
    for status, response in route.responses.items():
        if str(status).startswith("2"):
            offered += [m for m in response.get("content", {}) if m not in offered]
    return offered or ["application/json"]


def _check_negotiation(request: Request, offered: list[str], takes_body: bool) -> None:
    """406 when `Accept` fits none of `offered`; 415 when a body comes as something but JSON."""
    accept = request.headers.get("accept")
    if best_match(accept, [*offered, "application/problem+json"]) is None:
        raise NotAcceptable(
            f"none of the types in Accept can be served (available: {', '.join(offered)})",
            [FieldError("header:Accept", "no acceptable media type", list(offered))],
        )
    content_type = request.headers.get("content-type")
    if takes_body and content_type is not None:
        media = content_type.split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            raise UnsupportedMediaType(
                f"the body must be JSON (Content-Type: application/json), not {media or '?'}",
                [FieldError("header:Content-Type", "unsupported media type", ["application/json"])],
            )


class ApiRoute(APIRoute):
    """A route whose request runs in one authenticated, idempotent, committed unit of work."""

    # Who the request acts as; the web pages' routes swap in their session cookie.
    authenticator: Authenticator = staticmethod(api_key)
    # The API refuses query parameters it does not know (a typo must not be ignored silently).
    strict_query: bool = True

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.folds_key_check = bool(getattr(endpoint, _FOLDS, False))
        super().__init__(path, self._in_unit(endpoint), **kwargs)

    def _in_unit(self, endpoint: Callable[..., Any]) -> Callable[..., Response]:
        """The endpoint, run with the rest of its unit of work in the same worker thread.

        FastAPI calls it in a worker thread; it runs the endpoint, turns the result into the
        response as FastAPI would, records it for the Idempotency-Key and commits, all in that
        one call. A writer therefore holds its turn (SQLite's single writer) only while it works,
        never while waiting for the event loop.
        """
        signature = inspect.signature(endpoint)
        params = list(signature.parameters.values())
        request_name = _param_of(params, Request) or _REQUEST
        response_name = _param_of(params, Response) or _RESPONSE
        extra = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind)
            for name, kind in ((request_name, Request), (response_name, Response))
            if name in (_REQUEST, _RESPONSE)
        ]
        # The session and the rubrics are read here from the request (app/core/deps.py,
        # `reads_request`), not solved by FastAPI as dependencies: they declare no parameter.
        readers = {
            p.name: reader for p in params if (reader := request_reader(p.annotation)) is not None
        }
        shown = [p for p in params if p.name not in readers]
        # The caller (an `allow` check's value) and the language: FastAPI solves them for a
        # route with a body; the others leave them to this wrapper (see get_route_handler).
        solved = {
            p.name: reader for p in shown if (reader := solved_reader(p.annotation)) is not None
        }

        @functools.wraps(endpoint)
        def in_unit(**values: Any) -> Response:
            request: Request = values[request_name]
            sub_response: Response = values[response_name]
            for name in (_REQUEST, _RESPONSE):
                values.pop(name, None)
            for name, read in readers.items():
                values[name] = read(request)
            for name, read in solved.items():
                if name not in values:
                    values[name] = read(request)
            work: _Work = request.state.work
            return work.run(lambda: self._respond(endpoint(**values), sub_response))

        in_unit.__signature__ = signature.replace(parameters=[*shown, *extra])  # type: ignore[attr-defined]
        return in_unit

    def _respond(self, result: Any, sub_response: Response) -> Response:
        """The response FastAPI would make of `result` (see fastapi.routing.get_request_handler)."""
        if isinstance(result, Response):
            return result
        status = self.status_code or sub_response.status_code
        if sub_response.status_code:
            status = sub_response.status_code
        field = self.response_field
        default_class = isinstance(self.response_class, DefaultPlaceholder)
        if field is not None:
            value, errors = field.validate(result, {}, loc=("response",))
            if errors:
                raise ResponseValidationError(errors=errors, body=result)
            serialize = field.serialize_json if default_class else field.serialize
            content = serialize(
                value,
                include=self.response_model_include,
                exclude=self.response_model_exclude,
                by_alias=self.response_model_by_alias,
                exclude_unset=self.response_model_exclude_unset,
                exclude_defaults=self.response_model_exclude_defaults,
                exclude_none=self.response_model_exclude_none,
            )
        else:
            content = jsonable_encoder(result)
        args: dict[str, Any] = {} if status is None else {"status_code": status}
        if field is not None and default_class:
            response = Response(content=content, media_type="application/json", **args)
        else:
            response_class = (
                self.response_class.value
                if isinstance(self.response_class, DefaultPlaceholder)
                else self.response_class
            )
            response = response_class(content, **args)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    def _lighter_handler(
        self,
    ) -> tuple[Callable[[Request], Coroutine[Any, Any, Response]], list[tuple[Any, ...]]]:
        """FastAPI's handler of this route without the dependencies the route does itself,
        and the permissions it then checks (in the order of the `allow` dependencies).

        An API route without a body checks the caller's permissions as soon as the caller is
        known and hands the endpoint the caller and the language (`solved_reader`): FastAPI
        solves neither per request. Its OpenAPI operation is made from the whole dependant, so
        it does not change, and nor does the order of the answers: 401, then 403, then 422.
        A route with a body keeps them as dependencies (its body's parse errors come first)."""
        # The dependant FastAPI builds the handler from: this route's, or the one of the
        # router inclusion the handler is being built for (fastapi.routing, get_route_handler).
        effective = _effective_route_context_var.get()
        owner: Any = effective if getattr(effective, "original_route", None) is self else self
        whole: Dependant = owner.dependant
        permissions = [
            PERMISSION_CHECKS[d.call] for d in whole.dependencies if d.call in PERMISSION_CHECKS
        ]
        owner.dependant = dataclasses.replace(
            whole, dependencies=[d for d in whole.dependencies if not solved_by_route(d.call)]
        )
        try:
            return super().get_route_handler(), permissions
        finally:
            owner.dependant = whole

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        operation = self.name
        authenticator = type(self).authenticator
        known = _query_names(self.dependant)
        strict = type(self).strict_query
        offered = _offered(self)
        takes_body = self.body_field is not None
        permissions: list[tuple[Any, ...]] = []
        if strict and not takes_body:
            handle, permissions = self._lighter_handler()
        else:
            handle = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            readonly = request.method in READ_METHODS
            if strict:  # the API's contract (the pages read forms and answer HTML)
                _check_query(request, known)
                _check_negotiation(request, offered, takes_body)
            key = idempotency.key_of(request)
            print_ = idempotency.fingerprint(request, await request.body()) if key else ""
            gate: Gate | None = None if readonly else request.app.state.writers
            remembered = _open_remembered(request, readonly, operation, authenticator)
            recheck: Recheck | None = None
            if remembered is None:
                unit = await run_in_threadpool(_open, request, readonly, operation, authenticator)
            else:
                unit, recheck = remembered
            folds = self.folds_key_check and readonly and not key
            request.state.work = _Work(unit, gate, key, print_, recheck, folds)
            try:
                for wanted in permissions:  # what the route's `allow` dependencies ask
                    refuse_unless(request.state.principal, wanted)
                return await handle(request)
            except _KeyRace:
                pass
            finally:
                if not unit.closed:  # the endpoint never ran (its input was refused)
                    await run_in_threadpool(unit.rollback)
            # The twin request committed first: answer what it answered.
            return await run_in_threadpool(_replay_twin, request, operation, authenticator, key)

        return route_handler


def _param_of(params: list[inspect.Parameter], kind: type) -> str | None:
    """The name of the endpoint's parameter annotated with `kind` (Request, Response), if any."""
    for param in params:
        if isinstance(param.annotation, type) and issubclass(param.annotation, kind):
            return param.name
    return None


def _replay_twin(
    request: Request, operation: str, authenticator: Authenticator, key: str | None
) -> Response:
    unit = _open(request, True, operation, authenticator)
    try:
        principal_id = request.state.principal.id
        print_ = request.state.work.print_
        replayed = idempotency.replay(unit.session, principal_id, key or "", print_)
    finally:
        unit.rollback()
    if replayed is None:  # pragma: no cover - the twin's record is committed
        raise RuntimeError("idempotency record vanished")
    return replayed


class _Work:
    """What the endpoint's worker thread finishes: the unit of work of one request."""

    def __init__(
        self,
        unit: UnitOfWork,
        gate: Gate | None,
        key: str | None,
        print_: str,
        recheck: Recheck | None = None,
        folds: bool = False,
    ) -> None:
        self.unit, self.gate, self.key, self.print_ = unit, gate, key, print_
        self.recheck, self.folds = recheck, folds

    def run(self, respond: Callable[[], Response]) -> Response:
        """Replay, else run the endpoint and commit; a writer holds the gate throughout (on
        SQLite, its turn in a group that commits together: answered after that COMMIT)."""
        if isinstance(self.gate, GroupCommit):
            response: Response = self.gate.run(self.unit, functools.partial(self._unit, respond))
            return response
        with self.gate or nullcontext():
            return self._unit(respond)

    def _unit(self, respond: Callable[[], Response]) -> Response:
        unit = self.unit
        try:
            if self.recheck is not None and self.folds:  # the endpoint's first read checks
                unit.session.info[PENDING_KEY_CHECK] = self.recheck
            elif self.recheck is not None:
                self.recheck(unit.session)
            if self.key:
                principal_id = unit.session.info["principal"].id
                replayed = idempotency.replay(unit.session, principal_id, self.key, self.print_)
                if replayed is not None:
                    unit.rollback()
                    return replayed
            response = respond()
            check = unit.session.info.pop(PENDING_KEY_CHECK, None)
            if check is not None:  # the endpoint answered without its folded read
                check(unit.session)
            if self.key and 200 <= response.status_code < 300:
                _remember(unit, self.key, self.print_, response)
            unit.commit()
        except BaseException:
            if not unit.closed:
                unit.rollback()
            raise
        return response


def writer_gate(engine: Engine, *, group_commit: bool = False) -> Gate | None:
    """The in-process queue of writers. SQLite has one writer at a time, so a process lets one
    of its threads write and queues the others here rather than on SQLite's busy timeout, which
    polls with sleeps. They take turns on a lock, or with `group_commit` the requests queued
    together commit together (app/core/groupcommit.py). PostgreSQL needs none: its row locks
    order writers, and its transactions commit in parallel."""
    if engine.dialect.name != "sqlite":
        return None
    return GroupCommit(engine) if group_commit else threading.Lock()


# How many leading path segments the dispatch index looks at ("/api/v1/candidates/...").
_DEPTH = 3
_KEPT = 256


def _literal_prefix(path_format: str | None) -> tuple[str, ...] | None:
    """The leading segments every path a route matches starts with (up to `_DEPTH`), or None
    when the route may match any path."""
    if path_format is None:
        return None
    prefix: list[str] = []
    for segment in path_format.split("/")[1 : _DEPTH + 1]:
        if "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)


def _route_prefixes(route: Any) -> list[tuple[str, ...]] | None:
    """The literal prefixes of what `route` (a route, a mount or an included router) matches,
    or None when it may match any path."""
    contexts = getattr(route, "effective_route_contexts", None)
    if contexts is not None:  # a router included in the app: its routes, with the prefix
        prefixes: list[tuple[str, ...]] = []
        for context in contexts():
            path = getattr(context.starlette_route, "path_format", None) or context.path_format
            found = _literal_prefix(path or None)
            if found is None:
                return None
            prefixes.append(found)
        return prefixes
    if isinstance(route, Mount):
        return [_literal_prefix(route.path + "/{path}") or ()]
    found = _literal_prefix(getattr(route, "path_format", None))
    return None if found is None else [found]


class PrefixDispatch:
    """The app's router, trying for each request only the routes whose literal path prefix fits
    it (in their order), instead of asking every route, and every route of every included
    router, in turn (FastAPI's `APIRouter.app`): the router is found with one look-up of the
    path's first segments. The first route that matches fully is the one FastAPI would pick
    (a route left out cannot match the path); anything else (a method not allowed, a redirect
    to the other slash, a 404, a lifespan event) goes to FastAPI's own router unchanged."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.fallback = router.middleware_stack
        self._routes: tuple[int, ...] = ()
        self._index: list[tuple[list[tuple[str, ...]] | None, BaseRoute]] = []
        # The routes to try for the first segments of a path (as many as `_KEPT`).
        self._found: dict[tuple[str, ...], list[BaseRoute]] = {}
        self._lock = threading.Lock()

    def _candidates(self, path: str) -> list[BaseRoute]:
        routes = self.router.routes
        ids = tuple(map(id, routes))
        if ids != self._routes:  # routes were added since: index them again
            with self._lock:
                self._index = [(_route_prefixes(route), route) for route in routes]
                self._found = {}
                self._routes = ids
        segments = tuple(path.split("/")[1 : _DEPTH + 1])
        found = self._found.get(segments)
        if found is None:
            found = [
                route
                for prefixes, route in self._index
                if prefixes is None or any(segments[: len(p)] == p for p in prefixes)
            ]
            if len(self._found) >= _KEPT:  # paths with ids in their first segments
                self._found = {}
            self._found[segments] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self._candidates(get_route_path(scope)):
                match, child_scope = route.matches(scope)
                if match == Match.FULL:
                    _apply_router_form_limits(scope, self.router.form_limits)
                    scope.setdefault("router", self.router)
                    _update_scope(scope, child_scope)
                    path = getattr(route, "path_format", None)
                    _route_selected(scope=scope, path=path, mount=isinstance(route, Mount))
                    await route.handle(scope, receive, send)
                    return
        await self.fallback(scope, receive, send)


def install_prefix_dispatch(app: FastAPI) -> None:
    """Route the app's requests through `PrefixDispatch` (once every router is included);
    not when the router has middleware of its own (it would be skipped)."""
    if app.router.middleware_stack == app.router.app:
        app.router.middleware_stack = PrefixDispatch(app.router)
