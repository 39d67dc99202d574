"""Idempotency-Key on POST: the same key and body replay the first response; nothing is redone.

A key is scoped to the principal that sent it and kept for a day. The record is written in the
same transaction as the change it answers for, so a retry after a crash either finds both or
neither; two concurrent requests with one key meet on a unique constraint and the loser replays.
A stored response never holds a secret (`withhold`), and it goes with the candidate it
mentions (erasure, deletion).
"""

import hashlib
import json
import re
import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import Column, Text, UniqueConstraint, delete, text
from sqlmodel import Field, Session, SQLModel, col, select
from starlette.requests import Request
from starlette.responses import Response

from app.core.errors import InvalidInput, Problem
from app.core.fields import FieldError
from app.core.personal import Columns, not_audited
from app.core.types import JSONType, UTCDateTime, new_id, utcnow

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPLAYED_HEADERS = ("location", "etag")
SECRETS = "tamis_withheld_fields"
# What a replay shows in place of a secret: a secret is shown once and never stored.
WITHHELD = "(shown once; not kept for replays)"


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    __audit__: ClassVar[Columns] = not_audited(
        "a stored response for retries, purged with the data it mentions",
        personal=("body", "headers"),
        plain=("principal_id", "key", "fingerprint", "status_code", "media_type"),
    )
    __table_args__ = (UniqueConstraint("principal_id", "key", name="uq_idempotency_key"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    principal_id: str = Field(max_length=64)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int
    media_type: str = Field(max_length=100)
    headers: dict[str, str] = Field(sa_column=Column(JSONType, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class KeyReused(Problem):
    """The key was used before with another request."""

    status, kind = 422, "idempotency-key-reused"


def key_of(request: Request) -> str | None:
    """The request's Idempotency-Key, checked; None when absent or not a POST."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _VALID_KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            [FieldError("header:Idempotency-Key", "1 to 255 visible ASCII characters")],
        )
    return key


def fingerprint(request: Request, body: bytes) -> str:
    """What makes two requests the same: method, path, query and body."""
    digest = fingerprint_start(request)
    digest.update(body)
    return digest.hexdigest()


def fingerprint_start(request: Request) -> "hashlib._Hash":
    """The fingerprint of the request before its body: feed it the body as it streams in."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode() + b"\0")
    return digest


def recorded(session: Session, principal_id: str, key: str) -> bool:
    """Whether a live record holds this key (a streamed request reads its body only then)."""
    found = session.exec(
        select(IdempotencyRecord.id).where(
            IdempotencyRecord.principal_id == principal_id,
            IdempotencyRecord.key == key,
            col(IdempotencyRecord.created_at) > utcnow() - TTL,
        )
    ).first()
    return found is not None


def replay(session: Session, principal_id: str, key: str, print_: str) -> Response | None:
    """The stored response for this key, or None; KeyReused if the request differs.

    On PostgreSQL the key is locked first, for the rest of the transaction: a twin request sent
    while this one runs waits here, then finds the stored answer instead of redoing the work.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{principal_id} {key}"},
        )
    record = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal_id == principal_id,
            IdempotencyRecord.key == key,
            col(IdempotencyRecord.created_at) > utcnow() - TTL,
        )
    ).first()
    if record is None:
        return None
    if record.fingerprint != print_:
        raise KeyReused(
            "this Idempotency-Key was already used with another request: use a new key",
            [FieldError("header:Idempotency-Key", "already used with another request")],
        )
    headers = {**record.headers, "Idempotent-Replayed": "true"}
    return Response(
        record.body, status_code=record.status_code, media_type=record.media_type, headers=headers
    )


def remember(
    session: Session, principal_id: str, key: str, print_: str, response: Response
) -> None:
    """Store a successful response under the key (flushed now, so a concurrent twin fails)."""
    # An expired record with the same key gives way to the new one.
    session.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.principal_id) == principal_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.created_at) <= utcnow() - TTL,
        )
    )
    session.add(
        IdempotencyRecord(
            principal_id=principal_id,
            key=key,
            fingerprint=print_,
            status_code=response.status_code,
            media_type=response.media_type or "application/json",
            headers={h: response.headers[h] for h in _REPLAYED_HEADERS if h in response.headers},
            body=_without_secrets(session, bytes(response.body).decode()),
        )
    )
    session.flush()


def withhold(session: Session, *fields: str) -> None:
    """The response of this request carries secrets in these top-level JSON fields (a link's
    token, a signing secret): its stored copy keeps WITHHELD in their place."""
    session.info.setdefault(SECRETS, set()).update(fields)


def _without_secrets(session: Session, body: str) -> str:
    fields: set[str] = session.info.get(SECRETS, set())
    if not fields:
        return body
    data = json.loads(body)
    if isinstance(data, dict):
        for name in fields & set(data):
            data[name] = WITHHELD
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def purge_expired(session: Session) -> int:
    """Delete the records older than a day; how many went."""
    result = session.execute(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) <= utcnow() - TTL)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_mentions(session: Session, text: str) -> None:
    """Delete the stored responses that mention `text` (an erased candidate's id)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    session.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.body).like(f"%{escaped}%", escape="\\")
        )
    )
