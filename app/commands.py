"""What the admin commands share: a committed unit of work acting as a named system principal."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

import app.tables  # noqa: F401  (every table, for the foreign keys)
from app.access.models import system
from app.audit import recorder
from app.core.config import Settings
from app.core.db import make_engine, session_scope
from app.events import service as event_feed


@contextmanager
def command_session(settings: Settings, operation: str) -> Iterator[Session]:
    """A session for a command; its writes are audited as `system:<operation>`."""
    recorder.install()
    event_feed.install()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        with session_scope(engine) as session:
            session.info.update(principal=system("cli"), operation=operation)
            yield session
    finally:
        engine.dispose()
