"""Keyset pagination of plain rows (`paginate_rows`, the candidate list's hot path) and of ORM
objects (`paginate`): the same pages, newest first, on a real SQLite table of UTC timestamps."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import String, Table, bindparam, create_engine, event, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, select

from app.core.errors import InvalidInput
from app.core.pagination import (
    MAX_LIMIT,
    encode_cursor,
    page_statement,
    paginate,
    paginate_rows,
    run_page,
)
from app.core.types import UTCDateTime


class _Own(SQLModel, registry=registry()):
    """A registry of the test's own, so that its table is not taken for one of the app's."""


class Item(_Own, table=True):
    """A row as the app's tables have them: a UUID id and a UTC creation time."""

    __tablename__ = "pagination_item"

    id: uuid.UUID = Field(primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    kind: str = "a"


ITEMS: Table = Item.__table__  # type: ignore[attr-defined]
START = datetime(2026, 1, 1, tzinfo=UTC)

# One page of ids (or None for a bad cursor), and the next cursor.
Pager = Callable[[Session, int, str | None, str | None], tuple[list[int], str | None]]


def _core(session: Session, limit: int, cursor: str | None, kind: str | None) -> Any:
    statement: Any = sa_select(ITEMS.c.id, ITEMS.c.created_at)
    if kind is not None:
        statement = statement.where(ITEMS.c.kind == kind)
    rows, following = paginate_rows(session, statement, ITEMS, limit=limit, cursor=cursor)
    return [r.id.int for r in rows], following


def _orm(session: Session, limit: int, cursor: str | None, kind: str | None) -> Any:
    statement = select(Item)
    if kind is not None:
        statement = statement.where(Item.kind == kind)
    rows, following = paginate(session, statement, Item, limit=limit, cursor=cursor)
    return [r.id.int for r in rows], following


def _built(session: Session, limit: int, cursor: str | None, kind: str | None) -> Any:
    """A statement built once (`page_statement`, its bounds bound parameters) run by `run_page`."""
    statement: Any = sa_select(ITEMS.c.id, ITEMS.c.created_at)
    if kind is not None:
        statement = statement.where(ITEMS.c.kind == bindparam("kind"))
    built = page_statement(statement, ITEMS, cursor=cursor is not None)
    rows, following = run_page(session, built, {"kind": kind}, limit=limit, cursor=cursor)
    return [r.id.int for r in rows], following


def _built_text_ids(session: Session, limit: int, cursor: str | None, kind: str | None) -> Any:
    """The same, reading the ids as the database's text (as the candidates page may)."""
    statement: Any = sa_select(type_coerce(ITEMS.c.id, String).label("id"), ITEMS.c.created_at)
    if kind is not None:
        statement = statement.where(ITEMS.c.kind == bindparam("kind"))
    built = page_statement(statement, ITEMS, cursor=cursor is not None)
    rows, following = run_page(session, built, {"kind": kind}, limit=limit, cursor=cursor)
    assert all(isinstance(r.id, str) for r in rows)
    return [uuid.UUID(r.id).int for r in rows], following


PAGERS = pytest.mark.parametrize(
    "pager",
    [_core, _orm, _built, _built_text_ids],
    ids=["paginate_rows", "paginate", "page_statement", "page_statement, text ids"],
)


def _engine(rows: list[tuple[int, int, str]]) -> Engine:
    """A SQLite table holding (id, minutes after START, kind) rows, inserted in that order."""
    engine = create_engine("sqlite://")
    ITEMS.metadata.create_all(engine, tables=[ITEMS])
    with Session(engine) as session:
        session.add_all(
            Item(id=uuid.UUID(int=n), created_at=START + timedelta(minutes=m), kind=kind)
            for n, m, kind in rows
        )
        session.commit()
    return engine


def _walk(pager: Pager, engine: Engine, limit: int, kind: str | None = None) -> list[list[int]]:
    """Every page, following each `next` until it is null."""
    pages = []
    cursor = None
    with Session(engine) as session:
        while True:
            ids, cursor = pager(session, limit, cursor, kind)
            pages.append(ids)
            if cursor is None:
                return pages
            assert len(pages) < 20, "the pages never end"


# Ids that do not follow the times: only the ORDER BY and the cursor's (time, id) give the order.
# Newest first: 5 (minute 4), 2 (3), then 7, 4, 1 (all at minute 2: highest id first), 3 (1), 6.
SCRAMBLED = [(6, 0, "a"), (3, 1, "a"), (7, 2, "a"), (1, 2, "a"), (4, 2, "a"), (2, 3, "a")]
SCRAMBLED += [(5, 4, "a")]
NEWEST_FIRST = [5, 2, 7, 4, 1, 3, 6]


@PAGERS
def test_pages_run_newest_first_then_by_id_without_gaps_or_repeats(pager: Pager) -> None:
    engine = _engine(SCRAMBLED)
    assert _walk(pager, engine, 3) == [[5, 2, 7], [4, 1, 3], [6]]
    assert _walk(pager, engine, 2) == [[5, 2], [7, 4], [1, 3], [6]]
    # Exactly a page, or less: one page and no cursor to a next one.
    assert _walk(pager, engine, 7) == [NEWEST_FIRST]
    assert _walk(pager, engine, 50) == [NEWEST_FIRST]


@PAGERS
def test_rows_at_one_instant_come_by_id_highest_first_across_pages(pager: Pager) -> None:
    # Stored in rising id order: only the ORDER BY puts the highest id first.
    engine = _engine([(n, 0, "a") for n in (1, 2, 3, 4, 5)])
    assert _walk(pager, engine, 2) == [[5, 4], [3, 2], [1]]


@PAGERS
def test_a_filtered_list_keeps_its_filter_on_every_page(pager: Pager) -> None:
    engine = _engine([(n, n % 4, "a" if n % 2 else "b") for n in range(1, 12)])
    # Kind "a": the odd ids; 3, 7 and 11 at minute 3, then 1, 5 and 9 at minute 1.
    assert _walk(pager, engine, 2, "a") == [[11, 7], [3, 9], [5, 1]]
    assert _walk(pager, engine, 4, "b") == [[10, 6, 2, 8], [4]]


@PAGERS
def test_a_page_is_never_longer_than_the_cap(pager: Pager) -> None:
    engine = _engine([(n, n, "a") for n in range(1, MAX_LIMIT + 6)])
    pages = _walk(pager, engine, 1000)
    assert [len(p) for p in pages] == [MAX_LIMIT, 5]
    assert pages[0][0] == MAX_LIMIT + 5 and pages[1] == [5, 4, 3, 2, 1]


@PAGERS
def test_an_empty_list_is_one_empty_page(pager: Pager) -> None:
    assert _walk(pager, _engine([]), 10) == [[]]


@PAGERS
def test_a_cursor_this_api_did_not_make_is_refused(pager: Pager) -> None:
    engine = _engine(SCRAMBLED)
    naive = encode_cursor(datetime(2026, 1, 1), uuid.UUID(int=3))
    with Session(engine) as session:
        for bad in ("bm90IGpzb24", naive):
            with pytest.raises(InvalidInput) as caught:
                pager(session, 3, bad, None)
            assert [(e.loc, e.message) for e in caught.value.errors] == [
                ("query:cursor", "invalid cursor")
            ]


@PAGERS
def test_a_page_reads_one_row_past_its_size_and_no_more(pager: Pager) -> None:
    """The hot lists read the page and one row to know whether a next page exists: not the
    rest of the table."""
    engine = _engine([(n, n, "a") for n in range(1, MAX_LIMIT + 6)])
    limits: list[object] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn: object, cursor: object, sql: str, params: object, *rest: object) -> None:
        if "LIMIT" in sql:
            limits.append(params[-2] if isinstance(params, tuple) else params)  # LIMIT ? OFFSET ?

    with Session(engine) as session:
        pager(session, 4, None, None)
        pager(session, 1000, None, None)
    assert limits == [5, MAX_LIMIT + 1]
