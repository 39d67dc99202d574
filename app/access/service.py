"""API keys: create (the secret is returned once), list, revoke, authenticate."""

import hashlib
import secrets
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from starlette.requests import Request

from app.access.models import ApiKey, Principal
from app.access.policy import Role
from app.core.errors import NotFound, Unauthorized
from app.core.routing import PENDING_KEY_CHECK
from app.core.types import utcnow

KEY_PREFIX = "tamis_"


def _hash(secret: str) -> str:
    # A key carries 256 random bits, so a fast hash is enough (a password needs a slow one).
    return hashlib.sha256(secret.encode()).hexdigest()


def create(
    session: Session, *, name: str, role: Role, email: str | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret; the secret is not stored and cannot be shown again."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        role=role,
        email=email.lower() if email else None,
        prefix=secret[: len(KEY_PREFIX) + 6],
        secret_hash=_hash(secret),
    )
    session.add(key)
    session.flush()
    return key, secret


def list_all(session: Session) -> list[ApiKey]:
    """Every key, oldest first, revoked ones included."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.created_at))).all())


def revoke(session: Session, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key: it stops working at once, in every server process."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
    return key


def count_active(session: Session) -> int:
    """How many keys are not revoked."""
    active = select(func.count()).select_from(ApiKey).where(col(ApiKey.revoked_at).is_(None))
    return session.exec(active).one()


def principal_of(key: ApiKey) -> Principal:
    """The principal a key acts as."""
    role: Role = key.role  # type: ignore[assignment]
    return Principal(kind="key", id=str(key.id), name=key.name, role=role, email=key.email)


def authenticate(session: Session, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer <key>` header; Unauthorized otherwise."""
    if not authorization:
        raise Unauthorized("an API key is required: send `Authorization: Bearer <key>`")
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("send the API key as `Authorization: Bearer <key>`")
    # Every request runs this: a plain row read, no ORM object to build.
    found = session.connection().execute(_BY_HASH, {"secret_hash": _hash(secret.strip())}).first()
    if found is None or found.revoked_at is not None:
        raise Unauthorized("the API key is not valid or was revoked")
    role: Role = found.role
    return Principal(kind="key", id=str(found.id), name=found.name, role=role, email=found.email)


_KEYS = ApiKey.__table__.c  # type: ignore[attr-defined]
_BY_HASH = sa_select(_KEYS.id, _KEYS.name, _KEYS.role, _KEYS.email, _KEYS.revoked_at).where(
    _KEYS.secret_hash == bindparam("secret_hash")
)


_REVOKED = sa_select(_KEYS.revoked_at).where(_KEYS.id == bindparam("id"))

# A hot read's statement can carry the remembered key's check as one more column, `key_ok`
# (true while the key exists and is not revoked): one statement less per request.
KEY_OK = (
    exists()
    .where(_KEYS.id == bindparam("tamis_key_id"), _KEYS.revoked_at.is_(None))
    .label("key_ok")
)


def folded_key_check(session: Session) -> dict[str, Any] | None:
    """The bound value of `KEY_OK` when the request's remembered key is still to be checked and
    its route folds the check into its first read (app/core/routing.py), else None."""
    if session.info.get(PENDING_KEY_CHECK) is None:
        return None
    return {"tamis_key_id": uuid.UUID(session.info["principal"].id)}


def settle_key_check(session: Session, key_ok: Any) -> None:
    """Finish the folded check: `key_ok` read with the statement (None when it read no row: the
    check runs on its own). Unauthorized if the key was revoked; the check is then done."""
    check: Callable[[Session], None] | None = session.info.pop(PENDING_KEY_CHECK, None)
    if check is not None and not key_ok:
        check(session)  # reads the key on its own: refuses it (or finds it valid after all)


def authenticate_request(session: Session, request: Request) -> Principal:
    """The principal of the request's `Authorization: Bearer` key (the API's authenticator)."""
    authorization = request.headers.get("authorization")
    principal = authenticate(session, authorization)
    cache: KeyCache | None = getattr(request.app.state, "key_cache", None)
    if cache is not None and authorization:
        cache.keep(authorization, principal)
    return principal


class KeyCache:
    """Keys recently authenticated by this process, for `seconds`: a request whose key is found
    here skips the separate read that authenticates it (and the worker-thread hop it takes),
    and checks instead, in its own transaction and before anything else, that the key is still
    not revoked (`recheck`, a read by primary key). A revocation therefore stops the key's next
    request at once, in every process. Entries are keyed by the whole `Authorization` value, so
    one key's entry can only ever answer that same key."""

    def __init__(self, seconds: float = 5.0, size: int = 1024) -> None:
        self.seconds, self.size = seconds, size
        self._found: dict[str, tuple[float, Principal]] = {}

    def keep(self, authorization: str, principal: Principal) -> None:
        """Remember the principal of a key just authenticated."""
        if len(self._found) >= self.size:
            self._found.clear()
        self._found[authorization] = (time.monotonic(), principal)

    def lookup(self, request: Request) -> Principal | None:
        """The principal of the request's key, if authenticated less than `seconds` ago."""
        authorization = request.headers.get("authorization")
        found = self._found.get(authorization) if authorization else None
        if found is None or time.monotonic() - found[0] >= self.seconds:
            return None
        return found[1]

    def lookup_secret(self, secret: str) -> Principal | None:
        """The remembered principal of a key's secret, if any (for checks and tests)."""
        found = self._found.get(f"Bearer {secret}")
        return found[1] if found else None

    def recheck(self, session: Session, principal: Principal) -> None:
        """Unauthorized if the key was revoked (or deleted) since it was remembered."""
        # On the session's connection: the same transaction, without the ORM's execute path.
        row = session.connection().execute(_REVOKED, {"id": uuid.UUID(principal.id)}).first()
        if row is None or row.revoked_at is not None:
            for authorization, (_at, kept) in list(self._found.items()):
                if kept.id == principal.id:
                    self._found.pop(authorization, None)
            raise Unauthorized("the API key is not valid or was revoked")
