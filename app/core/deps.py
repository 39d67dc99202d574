"""FastAPI dependencies, as Annotated aliases: the session, the caller, the language.

The session and the principal are opened by the route's unit of work (app/core/routing.py).
The dependencies are `async def`: none waits on anything, and FastAPI runs a plain `def`
dependency in a worker thread, a hop per dependency and request for a few attribute reads.
"""

from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin

from fastapi import Depends, Header, Query, Request, Security, params
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.core.caller import Caller
from app.core.errors import Forbidden
from app.core.i18n import Language, negotiate_language

# Documents the Bearer scheme in OpenAPI; the key itself is checked by the unit of work.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `tamis keys create`, sent as `Authorization: Bearer <key>`.",
)


# Dependencies that only read the request: an `ApiRoute` endpoint gets their value from its
# own wrapper (`request_reader`), so FastAPI has one dependency less to solve per request.
_READERS: dict[Callable[..., Any], Callable[[Request], Any]] = {}


def reads_request(read: Callable[[Request], Any]) -> Callable[[Callable[..., Any]], Any]:
    """Mark a dependency as `read(request)` and nothing else (no parameter, no wait)."""

    def mark(dependency: Callable[..., Any]) -> Any:
        _READERS[dependency] = read
        return dependency

    return mark


def request_reader(annotation: Any) -> Callable[[Request], Any] | None:
    """How to read an `Annotated[..., Depends(d)]` parameter's value straight from the request,
    when `d` is marked by `reads_request`; else None."""
    if get_origin(annotation) is not Annotated:
        return None
    for meta in get_args(annotation)[1:]:
        if isinstance(meta, params.Depends) and meta.dependency in _READERS:
            return _READERS[meta.dependency]
    return None


def _session_of(request: Request) -> Session:
    session: Session = request.state.session
    return session


@reads_request(_session_of)
async def get_session(request: Request) -> Session:
    """The request's session; the unit of work commits it or rolls it back."""
    return _session_of(request)


def get_principal(request: Request) -> Caller:
    """Who the request acts as (read by `allow`)."""
    principal: Caller = request.state.principal
    return principal


# The permissions each `allow(...)` check asks for: an `ApiRoute` without a body checks them
# itself once the caller is known, so FastAPI does not solve them (nor their `Security`) per
# request; the check stays a dependency for OpenAPI and for the routes that take a body.
PERMISSION_CHECKS: dict[Callable[..., Any], tuple[Any, ...]] = {}


def refuse_unless(principal: Caller, permissions: tuple[Any, ...]) -> None:
    """Forbidden unless the principal's role has one of `permissions`."""
    if not any(principal.can(p) for p in permissions):
        wanted = " or ".join(p.value for p in permissions)
        raise Forbidden(f"the role '{principal.role}' may not do this (needs {wanted})")


def allow(*permissions: Any) -> Any:
    """A dependency that lets the request through when its role has one of `permissions`."""

    async def check(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Caller:
        principal = get_principal(request)
        refuse_unless(principal, permissions)
        return principal

    PERMISSION_CHECKS[check] = permissions
    return Depends(check)


async def get_language(
    lang: Annotated[
        Language | None, Query(description="Language of every text in the response.")
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    """`?lang=fr|en`, else Accept-Language, else English."""
    return negotiate_language(lang, accept_language)


def language_of(request: Request) -> Language:
    """`get_language`'s answer read straight from the request (`?lang=` already checked)."""
    return negotiate_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )


def _principal_of(request: Request) -> Caller:
    return get_principal(request)


def solved_reader(annotation: Any) -> Callable[[Request], Any] | None:
    """How to read an `Annotated[..., Depends(d)]` parameter's value from the request when
    `d` is an `allow(...)` check (the principal: the route checked it) or `get_language`; else
    None. An `ApiRoute` without a body leaves these out of what FastAPI solves per request."""
    if get_origin(annotation) is not Annotated:
        return None
    for meta in get_args(annotation)[1:]:
        if isinstance(meta, params.Depends):
            if meta.dependency in PERMISSION_CHECKS:
                return _principal_of
            if meta.dependency is get_language:
                return language_of
    return None


def solved_by_route(dependency: Callable[..., Any] | None) -> bool:
    """True for the dependencies an `ApiRoute` without a body does itself (`solved_reader`)."""
    return dependency is get_language or dependency in PERMISSION_CHECKS


SessionDep = Annotated[Session, Depends(get_session)]
LanguageDep = Annotated[Language, Depends(get_language)]
