"""Rubric versions as stored snapshots: a verdict is replayed with the rubric that made it."""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from app.core.personal import Columns, audited
from app.core.types import JSONType, UTCDateTime, new_id, utcnow
from app.rubric.model import Rubric


class RubricVersion(SQLModel, table=True):
    """One version of one rubric, exactly as it scored something."""

    __tablename__ = "rubric_versions"
    __audit__: ClassVar[Columns] = audited(
        "rubric_version",
        plain=("rubric_id", "version", "content_hash"),
        bookkeeping=("id", "created_at", "document"),
    )
    __table_args__ = (UniqueConstraint("rubric_id", "version", name="uq_rubric_versions_version"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    rubric_id: str = Field(max_length=64, index=True)
    version: str = Field(max_length=100)
    content_hash: str = Field(max_length=64)
    document: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RubricRegistry:
    """The rubrics loaded from `criteria/` and the stored versions (cached: they never change)."""

    def __init__(self, current: dict[str, Rubric]) -> None:
        self.current = current
        self._by_version_id: dict[uuid.UUID, Rubric] = {}
        self._version_ids: dict[tuple[str, str], uuid.UUID] = {}

    def snapshot(self, session: Session, rubric: Rubric) -> uuid.UUID:
        """The id of `rubric`'s stored version, storing it on first use."""
        key = (rubric.id, rubric.version)
        if key in self._version_ids:
            return self._version_ids[key]
        statement = select(RubricVersion.id).where(
            RubricVersion.rubric_id == rubric.id, RubricVersion.version == rubric.version
        )
        found = session.exec(statement).first()
        if found is None:
            row = RubricVersion(
                rubric_id=rubric.id,
                version=rubric.version,
                content_hash=rubric.content_hash,
                document=rubric.model_dump(mode="json"),
            )
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:  # another process stored the same version meanwhile
                found = session.exec(statement).one()
            else:
                # Not cached yet: this transaction may still roll back. The next call finds
                # the committed row and caches it.
                self._by_version_id[row.id] = rubric
                return row.id
        self._version_ids[key] = found
        self._by_version_id[found] = rubric
        return found

    def load(self, session: Session, version_id: uuid.UUID) -> Rubric:
        """The rubric stored under `version_id`, exactly as it was."""
        if version_id not in self._by_version_id:
            row = session.get(RubricVersion, version_id)
            if row is None:
                raise LookupError(f"no stored rubric version {version_id}")
            stored = Rubric.model_validate(row.document)
            # The loaded rubric itself when the stored version is it: one object per version,
            # so the caches keyed by rubric (phrases, empty panels) find it by identity, not
            # by comparing every field of two equal rubrics on each look-up.
            current = self.current.get(stored.id)
            if current is not None and current.version == stored.version and current == stored:
                stored = current
            self._by_version_id[version_id] = stored
        return self._by_version_id[version_id]

    def versions(self, session: Session, rubric_id: str) -> list[RubricVersion]:
        """Every stored version of `rubric_id`, oldest first."""
        statement = (
            select(RubricVersion)
            .where(RubricVersion.rubric_id == rubric_id)
            .order_by(RubricVersion.created_at)  # type: ignore[arg-type]
        )
        return list(session.exec(statement).all())
