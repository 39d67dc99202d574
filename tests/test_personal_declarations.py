"""Every table says, column by column, what is personal and how the audit trail records it."""

from sqlmodel import SQLModel

import app.main  # noqa: F401 - every model is imported with the application
from app.core.personal import BOOKKEEPING, declaration


def test_every_table_declares_every_column() -> None:
    missing, unclassified, doubled, unknown = [], [], [], []
    for mapper in SQLModel._sa_registry.mappers:  # type: ignore[attr-defined]
        table = mapper.local_table
        columns = declaration(mapper.class_)
        if columns is None:
            missing.append(table.name)
            continue
        names = {c.name for c in table.columns}
        groups = columns.groups()
        for name in names:
            found = sum(name in g for g in groups)
            if found == 0:
                unclassified.append(f"{table.name}.{name}")
            elif found > 1:
                doubled.append(f"{table.name}.{name}")
        # The default bookkeeping names may be absent; any other declared name must exist.
        named = [*groups[:3], columns.bookkeeping - set(BOOKKEEPING)]
        unknown += [f"{table.name}.{n}" for g in named for n in g if n not in names]
        if columns.resource is None:
            assert columns.why_not_audited, f"{table.name}: say why it is not audited"
    assert missing == [], f"tables without `__audit__` (app/core/personal.py): {missing}"
    assert unclassified == [], f"columns not declared personal, plain, ...: {unclassified}"
    assert doubled == [], f"columns declared twice: {doubled}"
    assert unknown == [], f"declared columns that do not exist: {unknown}"


def test_the_personal_columns_include_what_describes_a_candidate() -> None:
    from app.candidates.models import Candidate
    from app.decisions.models import Decision
    from app.screenings.models import Screening

    assert {"full_name", "email", "external_id", "source"} <= declaration(Candidate).personal
    assert {"rationale", "decided_by"} <= declaration(Decision).personal
    assert {"responses", "token_hash"} <= declaration(Screening).personal
