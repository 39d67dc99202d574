"""Each table says, column by column, what is personal and how the audit trail records it.

A model declares `__audit__: ClassVar[Columns] = audited(...)` (or `not_audited(...)`), and every
column of its table falls in exactly one group:

- `personal`: personal data (of candidates or staff) or a secret. The audit trail records that
  it changed, never its value; erasure and exports treat it as personal.
- `summarised`: mixed content whose audit entry keeps only the non-personal part (stored
  answers: ratings and flag ids, without the notes).
- `plain`: not personal; the trail records its values before and after.
- `bookkeeping`: ids, timestamps and versions the trail does not repeat.

The audit recorder reads these declarations (app/audit/recorder.py) and a test fails when a
table or a column is added without one (tests/test_personal_declarations.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

BOOKKEEPING = ("id", "created_at", "updated_at", "version")


@dataclass(frozen=True)
class Columns:
    """How a table's columns are treated; `resource` is None for a table outside the trail."""

    resource: str | None
    personal: frozenset[str]
    plain: frozenset[str]
    summarised: frozenset[str]
    bookkeeping: frozenset[str]
    why_not_audited: str = ""

    def groups(self) -> list[frozenset[str]]:
        """The four groups, for checks."""
        return [self.personal, self.plain, self.summarised, self.bookkeeping]


def audited(
    resource: str,
    *,
    personal: Iterable[str] = (),
    plain: Iterable[str] = (),
    summarised: Iterable[str] = (),
    bookkeeping: Iterable[str] = BOOKKEEPING,
) -> Columns:
    """A table whose writes the audit trail records as `resource`."""
    return Columns(
        resource,
        frozenset(personal),
        frozenset(plain),
        frozenset(summarised),
        frozenset(bookkeeping),
    )


def not_audited(
    why: str,
    *,
    personal: Iterable[str] = (),
    plain: Iterable[str] = (),
    bookkeeping: Iterable[str] = BOOKKEEPING,
) -> Columns:
    """A table the trail does not record, and why (still saying what is personal in it)."""
    return Columns(
        None, frozenset(personal), frozenset(plain), frozenset(), frozenset(bookkeeping), why
    )


def answers_summary(value: Any) -> Any:
    """Ratings and flag ids of stored answers; notes are free text about a person."""
    if not isinstance(value, dict):
        return None
    flags = [f.get("id") if isinstance(f, dict) else f for f in value.get("flags", [])]
    return {"ratings": value.get("ratings", {}), "flags": flags}


def declaration(model: type) -> Columns | None:
    """The model's declaration, if it has one."""
    found = getattr(model, "__audit__", None)
    return found if isinstance(found, Columns) else None
