"""`POST /api/v1/imports/assessments`: a JSON Lines file of past assessments, streamed in.

The body is read as it arrives, a batch of lines at a time (app/imports/service.py), never held
whole: its limit is `TAMIS_MAX_IMPORT_BYTES` (256 MiB by default), not the 1 MiB of the other
operations. The request runs outside the one-transaction unit of work of `ApiRoute`: each
batch commits on its own (or, with `?atomic=true`, all of them together at the end), and the
`Idempotency-Key` is checked before the body is read and recorded with the last batch.
"""

import hashlib
import json
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.access.policy import P
from app.core import idempotency
from app.core.db import UnitOfWork
from app.core.deps import LanguageDep, allow
from app.core.errors import (
    PROBLEM_JSON,
    TITLES,
    TYPE_BASE,
    NotAcceptable,
    Problem,
    UnsupportedMediaType,
    problem_responses,
)
from app.core.fields import FieldError
from app.core.limits import BodyTooLarge
from app.core.negotiation import best_match
from app.core.routing import ApiRoute, _check_query, _open, _query_names
from app.imports.models import LINE_EXAMPLE, ImportedCandidate, ImportLine, ImportReport
from app.imports.service import Importer, split_lines
from app.rubric.deps import RegistryDep

PATH = "/api/v1/imports/assessments"
MEDIA_TYPES = ("application/jsonl", "application/x-ndjson", "application/json-lines")


class ImportTooLarge(Problem):
    """The import went over its size limit while it streamed in."""

    status, kind = 413, "payload-too-large"


class _Direct:
    """The work of an import request: the endpoint runs its own transactions."""

    def run(self, respond: Callable[[], Response]) -> Response:
        return respond()


class ImportRoute(ApiRoute):
    """An API route whose body streams in and whose endpoint commits batch by batch."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super(ApiRoute, self).get_route_handler()  # FastAPI's, without the unit
        operation = self.name
        authenticator = type(self).authenticator
        known = _query_names(self.dependant)

        async def route_handler(request: Request) -> Response:
            _check_query(request, known)
            unit = await run_in_threadpool(_open, request, True, operation, authenticator)
            unit.rollback()  # the caller is known (401 first); the endpoint opens its own units
            if (
                best_match(request.headers.get("accept"), ["application/json", PROBLEM_JSON])
                is None
            ):
                raise NotAcceptable(
                    "none of the types in Accept can be served (available: application/json)",
                    [FieldError("header:Accept", "no acceptable media type", ["application/json"])],
                )
            media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if media not in MEDIA_TYPES:
                raise UnsupportedMediaType(
                    f"the body must be JSON Lines (Content-Type: application/jsonl), not "
                    f"{media or '?'}",
                    [FieldError("header:Content-Type", "unsupported media type", [*MEDIA_TYPES])],
                )
            request.state.import_key = idempotency.key_of(request)
            request.state.work = _Direct()
            return await handle(request)

        return route_handler


router = APIRouter(
    prefix="/imports",
    tags=["imports"],
    route_class=ImportRoute,
    responses=problem_responses(401, 403),
)


def _chunks(request: Request, digest: "hashlib._Hash") -> Iterator[bytes]:
    """The body as it arrives, from the endpoint's worker thread; each chunk is fingerprinted."""
    stream = request.stream()

    async def following() -> bytes | None:
        try:
            return await stream.__anext__()
        except StopAsyncIteration:
            return None

    while True:
        chunk = anyio.from_thread.run(following)
        if chunk is None:
            return
        digest.update(chunk)
        yield chunk


def _refused(request: Request, report: ImportReport, language: str) -> Response:
    """Nothing imported and lines refused (an atomic import, or every line bad): 422, problem
    details listing each line's fields, with the report's members."""
    why = "atomic import" if report.outcome == "rolled_back" else "every line was refused"
    body = {
        "type": TYPE_BASE + "validation-error",
        "title": TITLES["validation-error"]["fr" if language == "fr" else "en"],
        "detail": f"{report.refused} of {report.lines} lines refused: nothing was imported ({why})",
        **report.model_dump(mode="json"),
        "status": 422,
        "instance": request.url.path,
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)


REQUEST_BODY = {
    "required": True,
    "description": "JSON Lines: one assessment per line, each an `ImportLine` (blank lines are "
    "skipped). Name the candidate by `candidate_id`, or by `candidate` (position id and the HR "
    "tool's `external_id`: found, else created with the name and email given). "
    "`application/x-ndjson` and `application/json-lines` are accepted as well.",
    "content": {
        media: {
            # Each line of the body is one ImportLine (JSON Schema's contentSchema, per line).
            "schema": {
                "type": "string",
                "format": "binary",
                "contentMediaType": media,
                "contentSchema": {"$ref": "#/components/schemas/ImportLine"},
            },
            "example": "\n".join(
                [
                    json.dumps(LINE_EXAMPLE, ensure_ascii=False),
                    json.dumps(
                        {
                            **LINE_EXAMPLE,
                            "interviewer": {"name": "Paul Roy", "email": "paul@example.org"},
                        },
                        ensure_ascii=False,
                    ),
                ]
            )
            + "\n",
        }
        for media in MEDIA_TYPES[:1]  # the others are accepted as well (see the description)
    },
}


@router.post(
    "/assessments",
    response_model=ImportReport,
    responses=problem_responses(413, 415, 422),
    dependencies=[allow(P.CANDIDATES_WRITE), allow(P.ASSESSMENTS_ALL)],
    openapi_extra={"requestBody": REQUEST_BODY},
)
def import_assessments(
    request: Request,
    registry: RegistryDep,
    language: LanguageDep,
    atomic: Annotated[
        bool,
        Query(description="Import nothing when any line is refused (422 listing them)."),
    ] = False,
) -> Response:
    """Import past assessments from a JSON Lines body, streamed.

    Each line is checked like `POST /candidates/{id}/assessments` (answers against the
    candidate's rubric, the rules of submission, one scorecard per interviewer), pinned and
    scored the same way, and leaves the same audit events, feed events and webhook deliveries.
    A refused line is listed with its number and fields, and the others are imported, a batch
    of 500 lines per transaction; with `?atomic=true` nothing is imported when any line is
    refused. When nothing is imported and a line was refused, the answer is 422 (problem
    details with the same members as the report). Needs `candidates:write` and
    `assessments:all` (admin, recruiter). The body may be up to `TAMIS_MAX_IMPORT_BYTES`
    (256 MiB by default); over it, 413, and in an atomic import nothing is kept."""
    engine = request.app.state.engine
    principal = request.state.principal
    key: str | None = request.state.import_key
    digest = idempotency.fingerprint_start(request)
    if key is not None and _already(engine, principal.id, key):
        for _chunk in _chunks(request, digest):
            pass  # the fingerprint needs the whole body
        return _replay(engine, principal.id, key, digest.hexdigest())
    importer = Importer(
        engine, registry, principal=principal, atomic=atomic, gate=request.app.state.writers
    )
    answered: list[Response] = []

    def finish(session: Session, report: ImportReport) -> None:
        response = JSONResponse(report.model_dump(mode="json"))
        answered.append(response)
        if key is None:
            return
        try:
            with session.begin_nested():
                idempotency.remember(session, principal.id, key, digest.hexdigest(), response)
        except IntegrityError:  # a twin request with the key finished first: answer ours
            pass

    try:
        report = importer.run(split_lines(_chunks(request, digest)), finish)
    except BodyTooLarge as exc:
        kept = (
            "nothing was imported"
            if atomic
            else f"the {importer.report.imported} lines imported before it are kept"
        )
        raise ImportTooLarge(f"{exc.detail}: {kept}") from exc
    if report.outcome == "rolled_back" or (report.refused and not report.imported):
        return _refused(request, report, language)
    return answered[0]


def _already(engine: Any, principal_id: str, key: str) -> bool:
    unit = UnitOfWork(engine, readonly=True)
    try:
        return idempotency.recorded(unit.session, principal_id, key)
    finally:
        unit.rollback()


def _replay(engine: Any, principal_id: str, key: str, print_: str) -> Response:
    unit = UnitOfWork(engine, readonly=True)
    try:
        replayed = idempotency.replay(unit.session, principal_id, key, print_)
    finally:
        unit.rollback()
    if replayed is None:  # pragma: no cover - the record was there a moment ago (expired since)
        raise RuntimeError("idempotency record vanished")
    return replayed


def document(app: FastAPI) -> None:
    """Add the schema of one import line to the OpenAPI document (the body is JSON Lines)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        if "ImportLine" not in schemas:
            template = "#/components/schemas/{model}"
            for model in (ImportLine, ImportedCandidate):
                schema = model.model_json_schema(ref_template=template)
                for name, definition in schema.pop("$defs", {}).items():
                    schemas.setdefault(name, definition)
                schemas[model.__name__] = schema
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
