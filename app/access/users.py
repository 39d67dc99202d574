"""People who sign in to the web pages: accounts with a role, argon2 passwords, sessions.

A session is a random token in an HttpOnly, SameSite=Lax cookie; the database keeps only its
SHA-256, with the CSRF token that every form of that session must carry. Signing out deletes it.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Field, Session, SQLModel, col, delete, select
from zxcvbn import zxcvbn

from app.access.models import Principal
from app.access.policy import Role
from app.core.errors import NotFound
from app.core.personal import Columns, audited, not_audited
from app.core.types import UTCDateTime, new_id, utcnow

SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD, MAX_PASSWORD, MIN_SCORE = 12, 1000, 3
_hasher = PasswordHasher()
# Verifying against this keeps the time of a sign-in with an unknown email like a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class User(SQLModel, table=True):
    """A person with a role; the password is kept as an argon2id hash."""

    __tablename__ = "users"
    __audit__: ClassVar[Columns] = audited(
        "user", personal=("email", "name", "password_hash"), plain=("role", "disabled_at")
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser."""

    __tablename__ = "web_sessions"
    __audit__: ClassVar[Columns] = not_audited(
        "sign-in and sign-out are recorded as user.signed_in / user.signed_out",
        personal=("token_hash", "csrf_token"),
        plain=("user_id", "expires_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class SignedIn(BaseModel):
    """A valid session: who, and the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    user_id: uuid.UUID


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WeakPassword(ValueError):
    """The password is too short or too easy to guess; the message says why."""


def check_policy(password: str, *hints: str) -> None:
    """WeakPassword unless `password` has MIN_PASSWORD characters and is hard to guess.

    zxcvbn estimates how guessable it is against lists of common passwords, words, keyboard
    patterns, dates and the account's own email and name (`hints`); a score under 3 is refused.
    """
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"the password may have at most {MAX_PASSWORD} characters")
    estimate = zxcvbn(password, user_inputs=[h for h in hints if h])
    if estimate["score"] < MIN_SCORE:
        warning = estimate["feedback"].get("warning") or "it is too easy to guess"
        raise WeakPassword(f"the password is too easy to guess: {warning}")


def create(session: Session, *, email: str, name: str, role: Role, password: str) -> User:
    """A new account; WeakPassword when the password does not meet the policy."""
    check_policy(password, email, name)
    user = User(email=email.lower(), name=name, role=role, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def by_email(session: Session, email: str) -> User:
    """The account with this email, or NotFound."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"no account {email}")
    return user


def list_all(session: Session) -> list[User]:
    """Every account, oldest first."""
    return list(session.exec(select(User).order_by(col(User.created_at))).all())


def end_sessions(session: Session, user: User) -> int:
    """Sign the account out of every browser; how many sessions ended."""
    result = session.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def set_password(session: Session, user: User, password: str) -> int:
    """Change the password and end every session of the account; how many ended."""
    check_policy(password, user.email, user.name)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()
    return end_sessions(session, user)


def disable(session: Session, user: User) -> int:
    """The account can no longer sign in; its sessions end now. How many ended."""
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        session.add(user)
        session.flush()
    return end_sessions(session, user)


def enable(session: Session, user: User) -> None:
    """The account may sign in again."""
    if user.disabled_at is not None:
        user.disabled_at = None
        session.add(user)
        session.flush()


def count(session: Session) -> int:
    """How many accounts exist."""
    return session.exec(select(func.count()).select_from(User)).one()


def principal_of(user: User) -> Principal:
    """The principal a signed-in person acts as."""
    role: Role = user.role  # type: ignore[assignment]
    return Principal(kind="user", id=str(user.id), name=user.name, role=role, email=user.email)


def check_password(session: Session, email: str, password: str) -> User | None:
    """The account if the password is right, else None (in about the same time either way)."""
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    return user


def open_session(session: Session, user: User) -> tuple[str, WebSession]:
    """A new browser session for `user`: the cookie token and the stored row."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(row)
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < utcnow()))
    return token, row


def signed_in(session: Session, token: str | None) -> SignedIn | None:
    """The signed-in person of a cookie token, or None if absent, unknown or expired."""
    if not token:
        return None
    row = session.exec(select(WebSession).where(WebSession.token_hash == _digest(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return SignedIn(principal=principal_of(user), csrf_token=row.csrf_token, user_id=user.id)


def close_session(session: Session, token: str | None) -> None:
    """Sign out: the session stops working at once."""
    if token:
        session.execute(delete(WebSession).where(col(WebSession.token_hash) == _digest(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    """True when a form carries its session's CSRF token."""
    return bool(given) and hmac.compare_digest(expected, given or "")
