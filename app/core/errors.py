"""Domain errors and their rendering as RFC 9457 problem details (application/problem+json).

Services raise a `Problem` subclass; one handler renders it. Request validation errors, HTTP
errors and anything unexpected are rendered the same way, so a client always gets one shape.
"""

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Protocol, get_args

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles

from app.core.fields import FieldError, format_path
from app.core.i18n import Language, negotiate_language

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://tamis.dev/problems/"
log = logging.getLogger("tamis")

TITLES: dict[str, dict[Language, str]] = {
    "validation-error": {"en": "Invalid input", "fr": "Saisie invalide"},
    "not-found": {"en": "Not found", "fr": "Introuvable"},
    "unauthorized": {"en": "Authentication required", "fr": "Authentification requise"},
    "forbidden": {"en": "Not allowed", "fr": "Action non autorisée"},
    "precondition-failed": {
        "en": "The resource changed meanwhile",
        "fr": "La ressource a changé entre-temps",
    },
    "precondition-required": {
        "en": "A precondition is required",
        "fr": "Une précondition est requise",
    },
    "conflict": {"en": "Conflict with the current state", "fr": "Conflit avec l’état actuel"},
    "rule-violation": {"en": "A rule was not followed", "fr": "Une règle n’est pas respectée"},
    "payload-too-large": {"en": "Request body too large", "fr": "Corps de requête trop grand"},
    "method-not-allowed": {"en": "Method not allowed", "fr": "Méthode non autorisée"},
    "unsupported-media-type": {
        "en": "Unsupported media type",
        "fr": "Type de contenu non pris en charge",
    },
    "idempotency-key-reused": {
        "en": "Idempotency key already used",
        "fr": "Clé d’idempotence déjà utilisée",
    },
    "bad-request": {"en": "Bad request", "fr": "Requête incorrecte"},
    "not-acceptable": {
        "en": "No acceptable representation",
        "fr": "Aucune représentation acceptable",
    },
    "http-error": {"en": "HTTP error", "fr": "Erreur HTTP"},
    "internal-error": {"en": "Internal error", "fr": "Erreur interne"},
    "service-unavailable": {"en": "Service unavailable", "fr": "Service indisponible"},
}


class ProblemField(BaseModel):
    """One field at fault."""

    loc: str = Field(examples=["ratings.measures_impact"])
    message: str = Field(examples=["rating 7 is off the scale 1–4"])
    valid: list[str | int] | None = Field(default=None, examples=[[1, 2, 3, 4]])


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with `errors` listing the fields at fault."""

    type: str = Field(examples=[TYPE_BASE + "validation-error"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["ratings.measures_impact: rating 7 is off the scale 1–4"])
    instance: str | None = None
    errors: list[ProblemField] = []


class HasFieldErrors(Protocol):
    """An exception that lists the fields at fault (e.g. scoring's AnswersError)."""

    errors: list[FieldError]


class Problem(Exception):
    """A domain error with its HTTP status and a stable problem type."""

    status = 400
    kind = "http-error"

    headers: ClassVar[Mapping[str, str] | None] = None

    def __init__(self, detail: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)


class BadRequest(Problem):
    """A header that cannot be read (e.g. an empty `If-Match`)."""

    status, kind = 400, "bad-request"


class NotAcceptable(Problem):
    """Nothing the operation can answer fits the request's `Accept` header."""

    status, kind = 406, "not-acceptable"


class UnsupportedMediaType(Problem):
    """The body is not in a media type the operation reads (JSON)."""

    status, kind = 415, "unsupported-media-type"


class Unauthorized(Problem):
    """No API key, or one that is not valid."""

    status, kind = 401, "unauthorized"
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": 'Bearer realm="tamis"'}


class Forbidden(Problem):
    """The key is valid but its role does not allow the action."""

    status, kind = 403, "forbidden"


class PreconditionFailed(Problem):
    """`If-Match` names a state the resource is no longer in."""

    status, kind = 412, "precondition-failed"


class NotFound(Problem):
    """The resource does not exist."""

    status, kind = 404, "not-found"


class Conflict(Problem):
    """The request conflicts with the stored state (e.g. submitting twice)."""

    status, kind = 409, "conflict"


class RuleViolation(Problem):
    """The input is well-formed but breaks a rule (e.g. a decision without its rationale)."""

    status, kind = 422, "rule-violation"


class InvalidInput(Problem):
    """A field is invalid; `errors` says which and what would be valid."""

    status, kind = 422, "validation-error"

    @classmethod
    def from_answers(cls, exc: HasFieldErrors) -> "InvalidInput":
        """The problem for an error that lists its fields at fault (answers that do not fit)."""
        return cls("; ".join(str(e) for e in exc.errors), exc.errors)


def _page(request: Request, status: int, detail: str) -> Response | None:
    """The error as a page, for the web pages (the API always answers problem+json)."""
    render = getattr(request.app.state, "problem_page", None)
    if render is None or request.url.path.startswith("/api/"):
        return None
    response: Response = render(request, status, detail)
    return response


def problem_response(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a problem document in the request's language (a page for the web pages)."""
    page = _page(request, status, detail)
    if page is not None:
        page.headers.update(headers or {})
        return page
    language = negotiate_language(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    body = ProblemDetails(
        type=TYPE_BASE + kind,
        title=TITLES.get(kind, TITLES["http-error"])[language],
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=[
            ProblemField(loc=e.loc, message=e.message, valid=list(e.valid) if e.valid else None)
            for e in errors
        ],
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _loc(parts: Sequence[Any]) -> str:
    trimmed = (
        list(parts[1:])
        if parts and parts[0] in ("body", "query", "path", "header", "cookie")
        else list(parts)
    )
    prefix = "" if not parts or parts[0] == "body" else f"{parts[0]}:"
    return prefix + (format_path(trimmed) or "(body)")


def _valid_values(error: dict[str, Any]) -> list[str | int] | None:
    expected = (error.get("ctx") or {}).get("expected")
    if isinstance(expected, str) and "'" in expected:
        return [
            part.strip(" '")
            for part in expected.replace(" or ", ",").split(",")
            if part.strip(" '")
        ]
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds: itself, or inside Optional, list, dict, ..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _valid_keys(request: Request, loc: Sequence[Any]) -> list[str | int] | None:
    """The keys the body model accepts where an unknown key `loc` was sent."""
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None or not loc or loc[0] != "body":
        return None
    model = _model_in(body_field.field_info.annotation)
    for step in (p for p in loc[1:-1] if not isinstance(p, int)):  # list indexes: the item
        fields = {f.alias or name: f for name, f in model.model_fields.items()} if model else {}
        model = _model_in(fields[step].annotation) if step in fields else None
    if model is None:
        return None
    return sorted(f.alias or name for name, f in model.model_fields.items())


NOT_JSON = "the body is not valid JSON in UTF-8"


def _field_error(request: Request, error: dict[str, Any]) -> FieldError:
    loc = error.get("loc", ())
    if error.get("type") == "json_invalid":  # FastAPI locates it at ("body", character offset)
        reason = (error.get("ctx") or {}).get("error")
        at = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        return FieldError("(body)", f"{NOT_JSON} ({reason}{at})" if reason else NOT_JSON)
    if error.get("type") == "extra_forbidden":
        keys = _valid_keys(request, loc)
        if keys:
            return FieldError(_loc(loc), "unknown key", keys)
    return FieldError(_loc(loc), str(error.get("msg", "invalid")), _valid_values(error))


STATUS_KINDS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    412: "precondition-failed",
    415: "unsupported-media-type",
    503: "service-unavailable",
}


def _every_route(routes: Iterable[Any]) -> Iterator[Any]:
    """The routes of the app, each included router's own (with its prefix) in its place: an
    included router matches as a whole and carries no methods of its own."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            yield route
        else:
            yield from contexts()


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method the path answers to: Starlette names only the first route that matched."""
    methods: set[str] = set()
    # Inside a mount the scope's root_path has grown by the mount's path: match from the app's.
    scope = {
        **request.scope,
        "root_path": request.scope.get("app_root_path", request.scope.get("root_path", "")),
    }
    for route in _every_route(app.router.routes):
        match, _child = route.matches(scope)
        if match == Match.NONE:
            continue
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            methods |= {"GET", "HEAD"}  # static files are read, never written
        methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")  # answered as a GET without its body (app/core/head.py)
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    """Render every error as problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(
            request, exc.status, exc.kind, exc.detail, exc.errors, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [_field_error(request, e) for e in exc.errors()]
        detail = "; ".join(str(e) for e in errors[:5])
        return problem_response(request, 422, "validation-error", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body that is not JSON is invalid input like any other: 422, naming the body.
            error = FieldError("(body)", NOT_JSON)
            return problem_response(request, 422, "validation-error", str(error), [error])
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(app, request)
        kind = STATUS_KINDS.get(exc.status_code, "http-error")
        return problem_response(request, exc.status_code, kind, str(exc.detail), headers=headers)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The database refused a value (e.g. a NUL character in a text): nothing was stored.
        log.info("value refused by the database on %s: %s", request.url.path, exc.orig)
        detail = "a value cannot be stored (for example a NUL character in a text)"
        return problem_response(request, 422, "validation-error", detail)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _unavailable(request: Request, exc: DBAPIError) -> Response:
        # The database went away, refused the connection, or its disk is full: nothing was
        # stored, the client may retry, and the next request gets a fresh connection.
        log.warning("database unavailable on %s: %s", request.url.path, exc.orig)
        detail = "the database is unavailable (gone, or out of space); retry in a moment"
        return problem_response(
            request, 503, "service-unavailable", detail, headers={"Retry-After": "5"}
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(request, 500, "internal-error", "An unexpected error occurred.")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that documents problem answers in the OpenAPI document."""
    return {
        status: {
            "model": ProblemDetails,
            "content": {PROBLEM_JSON: {}},
            "description": TITLES[
                STATUS_KINDS.get(status, "validation-error" if status == 422 else "http-error")
            ]["en"],
        }
        for status in statuses
    }
