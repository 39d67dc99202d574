"""Column types and helpers shared by the tables: UTC timestamps, JSON, ids."""

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator
from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """A fresh random identifier."""
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Tamis stores UTC timestamps only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso_only(value: Any) -> Any:
    """Refuse a bare number where a date-time is expected (pydantic would read a timestamp)."""
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+(?:\.\d*)?", value.strip()):
        raise ValueError("expected an ISO 8601 date-time with a time zone, e.g. 2026-11-22T10:00Z")
    return value


# A date-time in a query string: ISO 8601 with its time zone, as the OpenAPI document says.
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
