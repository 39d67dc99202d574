"""HTTP endpoints for rubrics: the current rubric with its stored versions, and a score preview."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.access.policy import P
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import InvalidInput, NotFound, problem_responses
from app.core.routing import ApiRoute
from app.positions.service import rubric_for
from app.rubric.deps import RegistryDep
from app.rubric.model import Rubric
from app.scoring import Answers, AnswersError, Verdict, score

router = APIRouter(
    prefix="/rubrics",
    tags=["rubrics"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.RUBRICS_READ)],
)


class StoredVersion(BaseModel):
    """A rubric version that scored something and is kept as a snapshot."""

    version: str
    content_hash: str
    created_at: datetime


class RubricPublic(Rubric):
    """A rubric as served: the shape of `tamis criteria show --json`, with its stored versions."""

    versions: list[StoredVersion]


def _public(registry: Any, session: Any, rubric_id: str) -> RubricPublic:
    rubric = rubric_for(registry, rubric_id, field="rubric_id")
    stored = [
        StoredVersion(version=v.version, content_hash=v.content_hash, created_at=v.created_at)
        for v in registry.versions(session, rubric_id)
    ]
    return RubricPublic.model_validate({**rubric.model_dump(), "versions": stored})


@router.get("")
def list_rubrics(session: SessionDep, registry: RegistryDep) -> list[RubricPublic]:
    """Every loaded rubric (the shape of `tamis criteria show --json`), with its stored versions."""
    return [_public(registry, session, rubric_id) for rubric_id in registry.current]


@router.get("/{rubric_id}", responses=problem_responses(404))
def get_rubric(rubric_id: str, session: SessionDep, registry: RegistryDep) -> RubricPublic:
    """One rubric: criteria with anchors, red flags, role questions, thresholds, stored versions."""
    if rubric_id not in registry.current:
        raise NotFound(f"no rubric '{rubric_id}' (available: {', '.join(registry.current)})")
    return _public(registry, session, rubric_id)


@router.post("/{rubric_id}/score", responses=problem_responses(404, 422))
def preview_score(
    rubric_id: str, body: Answers, registry: RegistryDep, language: LanguageDep
) -> Verdict:
    """Score answers with the current rubric without storing anything (a live preview)."""
    if rubric_id not in registry.current:
        raise NotFound(f"no rubric '{rubric_id}' (available: {', '.join(registry.current)})")
    rubric = rubric_for(registry, rubric_id)
    try:
        return score(rubric, body, language)
    except AnswersError as exc:
        raise InvalidInput.from_answers(exc) from exc
