"""Alembic migrations (kept in app/migrations): apply them, and check a database is up to date.

Several servers may start at once against one database (`tamis serve --migrate` on each
machine): the upgrade runs under a lock, so one process migrates and the others, finding the
schema at head when they get the lock, do nothing. On PostgreSQL the lock is a session-level
advisory lock; on SQLite (one host) an exclusive lock on a file beside the database.
"""

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, pool, text
from sqlalchemy.engine import make_url

from app.core.db import create_private_sqlite_file

# The advisory lock every Tamis process takes to migrate a PostgreSQL database.
LOCK_ID = int.from_bytes(hashlib.sha256(b"tamis migrations").digest()[:8], "big", signed=True)

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for `database_url`, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> bool:
    """Migrate the database at `database_url` to `revision` (a new SQLite file is private),
    one process at a time. True when this call applied a migration, False when there was none
    left to apply (another process had done it)."""
    create_private_sqlite_file(database_url)
    with migration_lock(database_url):
        engine = create_engine(database_url, poolclass=pool.NullPool)
        try:
            before = _current(engine)
            command.upgrade(alembic_config(database_url), revision)
            return _current(engine) != before
        finally:
            engine.dispose()


def _current(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Hold the database's migration lock (waiting for it) for the length of the block."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(database_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": LOCK_ID})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LOCK_ID})
        finally:
            engine.dispose()
        return
    name = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not name or name == ":memory:" or name.startswith("file:"):
        yield  # one process's database, or an engine with no file to lock
        return
    lock_path = Path(name).with_name(f"{Path(name).name}.migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pending(engine: Engine, database_url: str) -> bool:
    """True when the database is not at the latest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads
