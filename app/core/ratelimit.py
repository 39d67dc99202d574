"""Rate-limit counts every server process shares: a `limits` storage kept in the database.

The sign-in and self-screen throttles count in a moving window (`limits`' MovingWindowRateLimiter).
With several server processes, or several machines on one PostgreSQL, each must see the others'
hits, so by default the hits are rows of `rate_limit_hits`:

- on PostgreSQL, in the application's database; a hit takes a transaction-scoped advisory lock
  on its key, so two processes counting the same key queue and the limit holds exactly;
- on SQLite (one host), in a small file beside the database (`<name>.rate-limits.db`): its
  writers queue on SQLite's lock (BEGIN IMMEDIATE), and counting never waits on the data's own
  write lock, which the request that counts may already hold.

Keys are stored as SHA-256 digests (a key names an account's email or a client address) and a
row lives as long as its window. `TAMIS_RATE_LIMIT_URL` may name a Redis server instead
(`redis://host:6379`, with the `redis` extra installed) or `memory://` (one process only).
"""

import hashlib
import random
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Float,
    Index,
    Integer,
    delete,
    func,
    inspect,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Field, SQLModel, create_engine, select

from app.core.db import READONLY, make_engine
from app.core.personal import Columns, not_audited

# Expired rows of every key are swept about once in this many hits (each hit sweeps its own key).
SWEEP_EVERY = 500


class RateLimitHit(SQLModel, table=True):
    """One counted hit of a rate-limited key, kept until its window has passed."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_key_at", "key", "at"),)
    __audit__: ClassVar[Columns] = not_audited(
        "throttle counters: a digest of the counted key and a time, gone when the window ends",
        plain=("key", "at", "expires_at"),
        bookkeeping=("id",),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    key: str = Field(max_length=64)  # hex SHA-256 of the limits key
    at: float = Field(sa_column=Column(Float(precision=53), nullable=False))  # Unix time
    expires_at: float = Field(sa_column=Column(Float(precision=53), nullable=False, index=True))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _lock_id(digest: str) -> int:
    """A signed 64-bit advisory lock number for a key."""
    return int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)


HITS = RateLimitHit.__table__  # type: ignore[attr-defined]


class DatabaseStorage(Storage, MovingWindowSupport):
    """A `limits` storage on a SQLAlchemy engine (PostgreSQL or SQLite), shared by processes.

    Built with an engine, not from a URI: `limits.storage_from_string` is for the other kinds.
    """

    STORAGE_SCHEME = None

    def __init__(self, engine: Engine) -> None:
        super().__init__(None, wrap_exceptions=False)
        self.engine = engine
        self._reader = engine.execution_options(**{READONLY: True})
        self._postgres = engine.dialect.name == "postgresql"
        self._random = random.Random()  # noqa: S311 - when to sweep, not a secret
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    # -- the moving window (what Tamis uses) -----------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count `amount` hits on `key` if the window of `expiry` seconds has room for them."""
        if amount > limit:
            return False
        digest, now = _digest(key), time.time()
        with self.engine.begin() as connection:
            if self._postgres:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _lock_id(digest)}
                )
            connection.execute(delete(HITS).where(HITS.c.key == digest, HITS.c.at <= now - expiry))
            if self._sweep_due():
                connection.execute(delete(HITS).where(HITS.c.expires_at <= now))
            counted = connection.execute(
                select(func.count()).select_from(HITS).where(HITS.c.key == digest)
            ).scalar_one()
            if counted + amount > limit:
                return False
            connection.execute(
                HITS.insert(), [{"key": digest, "at": now, "expires_at": now + expiry}] * amount
            )
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """(start of the window, hits in it): the oldest hit still counted, and how many."""
        now = time.time()
        with self._reader.connect() as connection:
            oldest, counted = connection.execute(
                select(func.min(HITS.c.at), func.count()).where(
                    HITS.c.key == _digest(key), HITS.c.at > now - expiry
                )
            ).one()
        return (float(oldest) if oldest is not None else now), int(counted)

    # -- the fixed window (the base class's contract; Tamis does not use it) --------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits on `key` for `expiry` seconds; the live hits on it now."""
        digest, now = _digest(key), time.time()
        with self.engine.begin() as connection:
            if self._postgres:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _lock_id(digest)}
                )
            connection.execute(
                HITS.insert(), [{"key": digest, "at": now, "expires_at": now + expiry}] * amount
            )
            counted: int = connection.execute(
                select(func.count())
                .select_from(HITS)
                .where(HITS.c.key == digest, HITS.c.expires_at > now)
            ).scalar_one()
        return counted

    def get(self, key: str) -> int:
        with self._reader.connect() as connection:
            counted: int = connection.execute(
                select(func.count())
                .select_from(HITS)
                .where(HITS.c.key == _digest(key), HITS.c.expires_at > time.time())
            ).scalar_one()
        return counted

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self._reader.connect() as connection:
            first = connection.execute(
                select(func.min(HITS.c.expires_at)).where(
                    HITS.c.key == _digest(key), HITS.c.expires_at > now
                )
            ).scalar_one()
        return float(first) if first is not None else now

    def check(self) -> bool:
        try:
            with self._reader.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(HITS)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(HITS).where(HITS.c.key == _digest(key)))

    def _sweep_due(self) -> bool:
        with self._lock:
            return self._random.randrange(SWEEP_EVERY) == 0


def sqlite_counts_url(database_url: str) -> str | None:
    """The file beside a SQLite database that holds its rate-limit counts (None: in memory)."""
    parsed = make_url(database_url)
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    return str(parsed.set(database=str(path.with_name(f"{path.stem}.rate-limits.db"))))


def shared_storage(
    rate_limit_url: str | None, database_url: str, busy_timeout_ms: int = 15_000
) -> Any:
    """The storage the throttles count in: `rate_limit_url`'s, or the database's."""
    if rate_limit_url:
        return storage_from_string(rate_limit_url)
    if make_url(database_url).get_backend_name() != "sqlite":
        # A small pool of its own: a count never waits for a connection a request holds.
        return DatabaseStorage(
            create_engine(database_url, pool_pre_ping=True, pool_size=2, max_overflow=8)
        )
    counts_url = sqlite_counts_url(database_url)
    if counts_url is None:
        return storage_from_string("memory://")
    engine = make_engine(counts_url, busy_timeout_ms=busy_timeout_ms)
    try:
        HITS.create(engine, checkfirst=True)
    except OperationalError:  # another process created it between the check and the CREATE
        if not inspect(engine).has_table(HITS.name):
            raise
    return DatabaseStorage(engine)


def limiter(storage: Any) -> MovingWindowRateLimiter:
    """The moving-window limiter on `storage`."""
    return MovingWindowRateLimiter(storage)
