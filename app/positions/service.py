"""Positions: create, read, list, update; readiness answers checked against the rubric."""

import uuid

from sqlmodel import Session, select

from app.core.errors import InvalidInput, NotFound
from app.core.fields import FieldError
from app.core.i18n import Language
from app.core.pagination import paginate
from app.core.types import utcnow
from app.positions.models import (
    Position,
    PositionCreate,
    PositionPublic,
    PositionUpdate,
    ReadinessWarning,
)
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry


def rubric_for(registry: RubricRegistry, rubric_id: str, field: str = "rubric_id") -> Rubric:
    """The current rubric `rubric_id`; InvalidInput naming the valid ids otherwise."""
    rubric = registry.current.get(rubric_id)
    if rubric is None:
        raise InvalidInput(
            f"unknown rubric '{rubric_id}'",
            [FieldError(field, f"unknown rubric '{rubric_id}'", list(registry.current))],
        )
    return rubric


def _check_readiness(rubric: Rubric, readiness: dict[str, str]) -> dict[str, str]:
    valid: list[str | int] = [q.id for q in rubric.role_questions]
    errors = [
        FieldError(f"readiness.{key}", "unknown role question", valid)
        for key in readiness
        if key not in valid
    ]
    if errors:
        raise InvalidInput("; ".join(str(e) for e in errors), errors)
    return {q.id: readiness.get(q.id, "unknown") for q in rubric.role_questions}


def to_public(position: Position, registry: RubricRegistry, language: Language) -> PositionPublic:
    """The API representation, with the warnings that 'no' answers raise."""
    rubric = registry.current.get(position.rubric_id)
    warnings = [
        ReadinessWarning(question_id=q.id, text=q.warning.get(language))
        for q in (rubric.role_questions if rubric else [])
        if position.readiness.get(q.id) == "no"
    ]
    return PositionPublic.model_validate({**position.model_dump(), "warnings": warnings})


def get(session: Session, position_id: uuid.UUID, *, lock: bool = False) -> Position:
    """The position, or NotFound; `lock` holds its row until the transaction ends."""
    position = session.get(Position, position_id, with_for_update=lock, populate_existing=lock)
    if position is None:
        raise NotFound(f"no position {position_id}")
    return position


def create(session: Session, registry: RubricRegistry, data: PositionCreate) -> Position:
    """Store a new position."""
    rubric = rubric_for(registry, data.rubric_id)
    position = Position(
        title=data.title,
        description=data.description,
        rubric_id=rubric.id,
        readiness=_check_readiness(rubric, dict(data.readiness)),
    )
    session.add(position)
    session.flush()
    return position


def update(
    session: Session, registry: RubricRegistry, position: Position, data: PositionUpdate
) -> Position:
    """Change the given fields."""
    changes = data.model_dump(exclude_unset=True)
    if changes.get("readiness") is not None:
        rubric = rubric_for(registry, position.rubric_id)
        changes["readiness"] = _check_readiness(
            rubric, {**position.readiness, **changes["readiness"]}
        )
    for name, value in changes.items():
        if value is not None:
            setattr(position, name, value)
    position.updated_at = utcnow()
    session.add(position)
    session.flush()
    return position


def archive(session: Session, position: Position, archived: bool = True) -> Position:
    """Archive the position (no new candidates), or bring it back."""
    position.archived_at = utcnow() if archived else None
    position.updated_at = utcnow()
    session.add(position)
    session.flush()
    return position


def list_page(
    session: Session, *, limit: int, cursor: str | None
) -> tuple[list[Position], str | None]:
    """One page of positions, newest first."""
    return paginate(session, select(Position), Position, limit=limit, cursor=cursor)
