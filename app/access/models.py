"""API keys (stored hashed) and the principal a request acts as."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from app.access.policy import BLIND_ROLES, GRANTS, Permission, Role
from app.core.personal import Columns, audited
from app.core.types import UTCDateTime, new_id, utcnow


class ApiKey(SQLModel, table=True):
    """An API key. Only the SHA-256 of the secret is kept; the secret is shown once."""

    __tablename__ = "api_keys"
    __audit__: ClassVar[Columns] = audited(
        "api_key", personal=("email", "secret_hash"), plain=("name", "role", "prefix", "revoked_at")
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    # The interviewer a key acts for: their assessments are the ones with this email.
    email: str | None = Field(default=None, max_length=320)
    prefix: str = Field(max_length=16)  # shown in listings to tell keys apart
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiKeyPublic(BaseModel):
    """A key as listed: never its secret."""

    id: uuid.UUID
    name: str
    role: Role
    email: str | None
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Principal:
    """Who a request or a command acts as: an API key, a signed-in person, or the system."""

    kind: str  # "key", "user" or "system"
    id: str
    name: str
    role: Role
    email: str | None = None

    def can(self, permission: Permission) -> bool:
        """True when the role grants `permission`."""
        return permission in GRANTS[self.role]

    @property
    def blind(self) -> bool:
        """True when the blind-scoring rule applies to this principal."""
        return self.role in BLIND_ROLES

    def owns(self, interviewer_email: str) -> bool:
        """True when an assessment with this interviewer email is the principal's own."""
        return self.email is not None and self.email.lower() == interviewer_email.lower()


def system(name: str) -> Principal:
    """The principal of a command run on the server itself (CLI, retention, start-up)."""
    return Principal(kind="system", id=name, name=name, role="admin")
