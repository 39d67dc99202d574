"""The FastAPI application: routers, error handlers, limits, and what start-up checks."""

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Header
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from app import __version__
from app.access.service import KeyCache, authenticate_request
from app.access.throttle import SignInThrottle
from app.assessments.router import router as assessments_router
from app.audit import recorder
from app.audit.router import router as audit_router
from app.candidates.router import router as candidates_router
from app.core.checkpoint import WalCheckpointer
from app.core.config import Settings, get_settings
from app.core.db import is_sqlite, make_engine
from app.core.errors import NotAcceptable, install_error_handlers, problem_responses
from app.core.head import HeadAsGet
from app.core.headers import SecurityHeaders
from app.core.limits import BodySizeLimit
from app.core.migrate import pending
from app.core.negotiation import best_match
from app.core.openapi import install as install_openapi
from app.core.openapi import operation_id
from app.core.ratelimit import limiter, shared_storage
from app.core.routing import install_prefix_dispatch, writer_gate
from app.events import service as event_feed
from app.events.router import router as events_router
from app.imports import router as imports
from app.positions.router import router as positions_router
from app.privacy.router import router as privacy_router
from app.reports.router import router as reports_router
from app.rubric import load_rubrics
from app.rubric.router import router as rubrics_router
from app.rubric.store import RubricRegistry
from app.screenings.questionnaire import load_all as load_questionnaires
from app.screenings.router import router as screenings_router
from app.signals.encoder import shared_encoder
from app.signals.loader import load_all as load_signals
from app.signals.router import router as signals_router
from app.web.router import public as web_public
from app.web.router import router as web_pages
from app.web.self_screen import install as install_self_screen
from app.web.self_screen import router as self_screen_pages
from app.web.session import install as install_pages
from app.webhooks.delivery import DeliveryWorker, RetryPolicy
from app.webhooks.destinations import allowed_hosts
from app.webhooks.router import router as webhooks_router

log = logging.getLogger("tamis")
STATIC = Path(__file__).parent / "web" / "static"
API_PREFIX = "/api/v1"

DESCRIPTION = """
Tamis screens social-media and community-manager candidates with a structured rubric and returns a
recommendation with every reason behind it. **The recommendation is advice**: a named person
records each decision, and a decision against the advice needs a written rationale.

Every `/api/v1` endpoint needs an API key (`Authorization: Bearer <key>`, made with
`tamis keys create`); each key has a role: `admin`, `recruiter`, `interviewer` or `integration`.
POST accepts an `Idempotency-Key`; single resources carry an `ETag` to send back in `If-Match`.

Errors are RFC 9457 problem details (`application/problem+json`) naming the fields at fault and
the valid values. Texts come in French or English: `?lang=fr|en`, else `Accept-Language`.
"""


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"]


class DatabaseNotMigrated(RuntimeError):
    """The database schema is behind the code."""


def _document_body_limit(api_routes: Sequence[Any]) -> None:
    """Every operation that takes a body may answer 413 (BodySizeLimit): say so in OpenAPI."""
    for route in api_routes:
        if isinstance(route, APIRoute) and (route.methods or set()) & {"POST", "PATCH", "PUT"}:
            route.responses = {**problem_responses(413), **route.responses}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application. A broken rubric or an unmigrated database stops start-up."""
    settings = settings or get_settings()
    rubrics = load_rubrics(settings.criteria_dir)  # raises RubricError naming file, field, reason
    signals = load_signals(settings.criteria_dir, rubrics)  # the same for the red-flag detector
    questionnaires = load_questionnaires(settings.criteria_dir, rubrics)  # and the self-screen
    checkpoints = is_sqlite(settings.database_url) and settings.sqlite_checkpoint_seconds > 0
    engine = make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        background_checkpoints=checkpoints,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if pending(engine, settings.database_url):
            raise DatabaseNotMigrated("the database is not migrated: run `tamis db upgrade`")
        if signals:
            shared_encoder().load()  # the sentence model, once per process
        checkpointer = None
        if checkpoints:  # SQLite's log folded in by a thread, not by a request's COMMIT
            checkpointer = WalCheckpointer(engine, settings.sqlite_checkpoint_seconds)
            checkpointer.start()
            app.state.checkpointer = checkpointer
        worker = None
        if settings.webhook_worker:
            policy = RetryPolicy(settings.webhook_retry_base_seconds, settings.webhook_max_attempts)
            allowed = allowed_hosts(settings.webhook_allowed_hosts)
            worker = DeliveryWorker(engine, policy, settings.webhook_poll_seconds, allowed)
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if checkpointer is not None:
                checkpointer.stop()
            engine.dispose()
            counts = getattr(app.state.rate_limit_storage, "engine", None)
            if counts is not None:
                counts.dispose()

    app = FastAPI(
        title="Tamis",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    recorder.install()  # every session writes the audit trail
    event_feed.install()  # and numbers its events when it commits
    app.state.authenticator = authenticate_request  # API keys (app/access)
    app.state.key_cache = KeyCache()  # requests skip the key's look-up for a few seconds
    app.state.settings = settings
    app.state.engine = engine
    app.state.registry = RubricRegistry(rubrics)
    app.state.signals = signals
    app.state.questionnaires = questionnaires
    app.state.writers = writer_gate(engine, group_commit=settings.sqlite_group_commit)
    # Rate-limit counts every server process shares (app/core/ratelimit.py).
    app.state.rate_limit_storage = shared_storage(
        settings.rate_limit_url, settings.database_url, settings.sqlite_busy_timeout_ms
    )
    app.state.rate_limiter = limiter(app.state.rate_limit_storage)
    app.state.sign_in_throttle = SignInThrottle(
        app.state.rate_limit_storage,
        settings.sign_in_limit_per_account,
        settings.sign_in_limit_per_address,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_body_bytes,
        paths={imports.PATH: settings.max_import_bytes},
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: HEAD runs as GET everywhere (app/core/head.py)

    @app.get("/healthz", tags=["service"], responses=problem_responses(406))
    def healthz(accept: Annotated[str | None, Header(include_in_schema=False)] = None) -> Health:
        """Liveness: 200 while the process serves requests (no key needed)."""
        if best_match(accept, ["application/json"]) is None:
            raise NotAcceptable("the health answer is JSON (available: application/json)")
        return Health(status="ok")

    # Each domain's router is included straight under /api/v1 (not through a router of
    # routers): every request is matched against one nesting level less (bench/RESULTS.md).
    for router in (
        rubrics_router,
        positions_router,
        candidates_router,
        assessments_router,
        imports.router,
        privacy_router,
        webhooks_router,
        events_router,
        audit_router,
        reports_router,
        signals_router,
        screenings_router,
    ):
        _document_body_limit(router.routes)
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(web_public)
    app.include_router(self_screen_pages)
    app.include_router(web_pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_pages(app)
    install_self_screen(app)
    imports.document(app)  # before finishing, so the import line's schema is finished too
    install_openapi(app)
    install_prefix_dispatch(app)
    return app
