"""Keyset (cursor) pagination over (created_at, id), newest first: stable under inserts."""

import base64
import binascii
import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Integer, bindparam
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from app.core.errors import InvalidInput
from app.core.fields import FieldError

T = TypeVar("T")
Row = TypeVar("Row", bound=Any)
MAX_LIMIT = 100
# What a page cursor looks like: unpadded URL-safe base64 (of the last item's time and id).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,256}$"
CURSOR_DESCRIPTION = (
    "The `next` value of the previous page, as it was given: an opaque token of 1 to 256 "
    "characters among `A-Z a-z 0-9 _ -` (unpadded URL-safe base64). A cursor this API did not "
    "make is refused with 422."
)
CursorQuery = Annotated[
    str | None, Query(description=CURSOR_DESCRIPTION, pattern=CURSOR_PATTERN, max_length=256)
]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next` as `cursor` to get the following page (null at the end)."""

    items: list[T]
    next: Annotated[str, Field(pattern=CURSOR_PATTERN)] | None = Field(
        description="The cursor of the following page (null at the end): 1 to 256 characters "
        "among `A-Z a-z 0-9 _ -`, to pass back unchanged as `cursor`."
    )


def encode_cursor(created_at: datetime, item_id: uuid.UUID) -> str:
    """An opaque cursor pointing after the item."""
    raw = json.dumps([created_at.isoformat(), str(item_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor points after; InvalidInput if it was not made by encode_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, item = json.loads(raw)
        when = datetime.fromisoformat(created)
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("a cursor's time carries its offset")
        # In UTC, as stored: an instant outside the datetime range is refused here.
        return when.astimezone(UTC), uuid.UUID(item)
    except (ValueError, TypeError, OverflowError, binascii.Error, json.JSONDecodeError) as exc:
        raise InvalidInput(
            "the cursor is not valid: pass the `next` value of a previous page",
            [FieldError("query:cursor", "invalid cursor")],
        ) from exc


def paginate(
    session: Session, statement: SelectOfScalar[Row], model: Any, *, limit: int, cursor: str | None
) -> tuple[list[Row], str | None]:
    """Run `statement` newest first from `cursor`; return the rows and the next cursor."""
    limit = min(limit, MAX_LIMIT)
    created_col, id_col = col(model.created_at), col(model.id)
    statement = statement.order_by(created_col.desc(), id_col.desc())
    if cursor:
        created, last_id = decode_cursor(cursor)
        statement = statement.where(
            (created_col < created) | ((created_col == created) & (id_col < last_id))
        )
    rows = list(session.exec(statement.limit(limit + 1)).all())
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = encode_cursor(rows[-1].created_at, rows[-1].id)
    return rows, following


def paginate_rows(
    session: Session, statement: Any, table: Any, *, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """`paginate` for a Core select over `table`'s columns: plain rows, run on the session's
    connection (no ORM layer in between), for the hot lists."""
    return run_page(
        session,
        page_statement(statement, table, cursor=bool(cursor)),
        {},
        limit=limit,
        cursor=cursor,
    )


def page_statement(statement: Any, table: Any, *, cursor: bool) -> Any:
    """`statement` over `table`'s columns as a page, newest first, its bounds bound parameters
    (`limit`, and `after_created`/`after_id` with a `cursor`) that `run_page` fills: a statement
    that can be built once and run for every page."""
    created_col, id_col = table.c.created_at, table.c.id
    statement = statement.order_by(created_col.desc(), id_col.desc())
    if cursor:
        created = bindparam("after_created", type_=created_col.type)
        last_id = bindparam("after_id", type_=id_col.type)
        statement = statement.where(
            (created_col < created) | ((created_col == created) & (id_col < last_id))
        )
    return statement.limit(bindparam("limit", type_=Integer()))


def run_page(
    session: Session,
    statement: Any,
    values: dict[str, Any],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    """Run a `page_statement` (with its other parameters in `values`) on the session's
    connection from `cursor`; return the rows and the next cursor."""
    limit = min(limit, MAX_LIMIT)
    values = {**values, "limit": limit + 1}
    if cursor:
        values["after_created"], values["after_id"] = decode_cursor(cursor)
    rows = list(session.connection().execute(statement, values).all())
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1].id  # a UUID, or its text when the statement reads ids as the driver does
        following = encode_cursor(
            rows[-1].created_at, last if isinstance(last, uuid.UUID) else uuid.UUID(last)
        )
    return rows, following
