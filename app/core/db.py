"""Database engine and sessions: SQLite (embedded default) or PostgreSQL, by URL."""

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from app.core import jsontext

READONLY = "tamis_readonly"
log = logging.getLogger("tamis")


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600), before SQLite would
    create it with the process umask (often world-readable). Its -wal and -shm files take the
    database file's permissions. An existing file is left as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def make_engine(
    url: str, *, busy_timeout_ms: int = 15_000, background_checkpoints: bool = False
) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and enforced foreign keys.

    `background_checkpoints`: SQLite's connections leave checkpoints of the log to a thread
    (app/core/checkpoint.py) that the caller runs; without it, SQLite checkpoints on its own."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        create_private_sqlite_file(url)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            json_serializer=jsontext.serialize,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's transaction control work (pysqlite's own is off), see
            # "Serializable isolation / Savepoints / Transactional DDL" in the SQLAlchemy docs.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten content is zeroed, so erased personal data is gone from
            # the file itself, not only from query results.
            cursor.execute("PRAGMA secure_delete=ON")
            if background_checkpoints:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A writing transaction takes the write lock at its start, so two writers queue on
            # the busy timeout instead of failing when a reader upgrades; reads need no lock.
            readonly = connection.get_execution_options().get(READONLY, False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        json_serializer=jsontext.serialize,
    )


AFTER_COMMIT = "tamis_after_commit"


def after_commit(session: Session, callback: Callable[[Engine], None]) -> None:
    """Run `callback(engine)` once the session's transaction is committed."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def compact_sqlite(engine: Engine) -> None:
    """Fold SQLite's write-ahead log into the database file and empty it (no-op elsewhere)."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()  # outside any transaction, as a checkpoint needs
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        connection.close()


_READONLY_BIND = "_tamis_readonly_bind"


def _readonly(engine: Engine) -> Engine:
    """`engine` with the read-only option (SQLite: a plain BEGIN), made once per engine (kept
    on it: a cycle the collector frees with the engine)."""
    bind: Engine | None = getattr(engine, _READONLY_BIND, None)
    if bind is None:
        bind = engine.execution_options(**{READONLY: True})
        setattr(engine, _READONLY_BIND, bind)
    return bind


class UnitOfWork:
    """One transaction: begin, then commit or roll back, then close. Its session is the only one.

    The API opens one per request (app/core/routing.py) and commits it *before* the response is
    sent, so a 201 always means the data is durable; commands use `session_scope`.
    """

    def __init__(self, engine: Engine, *, readonly: bool = False) -> None:
        self.engine = engine
        bind = _readonly(engine) if readonly else engine
        self.session = Session(bind, expire_on_commit=False)
        self.closed = False
        self.grouped = False
        self._deferred: list[Callable[[Engine], None]] = []

    def join(self, connection: Connection) -> None:
        """Run this unit in a SAVEPOINT of `connection`'s transaction (group commit, see
        app/core/groupcommit.py): `commit` then releases the savepoint, `rollback` rolls back to
        it, and what `after_commit` registered waits for `committed`. Call it before any use."""
        if self.session.in_transaction():
            raise RuntimeError("a unit of work joins a group before it begins")
        self.session.bind = connection
        self.session.join_transaction_mode = "create_savepoint"
        self.grouped = True

    def commit(self) -> None:
        """Commit and close, then run what `after_commit` registered."""
        callbacks: list[Callable[[Engine], None]] = self.session.info.pop(AFTER_COMMIT, [])
        try:
            self.session.commit()
        finally:
            self.session.close()
            self.closed = True
        if self.grouped:  # the group's COMMIT is still to come
            self._deferred = callbacks
            return
        self._after(callbacks)

    def committed(self) -> None:
        """The group's transaction is committed: run what this unit's `after_commit` registered."""
        callbacks, self._deferred = self._deferred, []
        self._after(callbacks)

    def _after(self, callbacks: list[Callable[[Engine], None]]) -> None:
        for callback in callbacks:
            try:
                callback(self.engine)
            except Exception:  # the transaction is committed: report, do not fail the request
                log.exception("after-commit step %s failed", getattr(callback, "__name__", "?"))

    def rollback(self) -> None:
        """Roll back and close."""
        self.session.info.pop(AFTER_COMMIT, None)
        self._deferred = []
        try:
            self.session.rollback()
        finally:
            self.session.close()
            self.closed = True


@contextmanager
def session_scope(engine: Engine, *, readonly: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (for commands, workers)."""
    unit = UnitOfWork(engine, readonly=readonly)
    try:
        yield unit.session
    except BaseException:
        unit.rollback()
        raise
    unit.commit()
