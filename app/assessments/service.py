"""Assessments: a scorecard's lifecycle, from draft to submitted revisions and amendments.

Scoring, pinning and the panel verdict belong to `app.verdicts`; this module calls it when a
scorecard is submitted or amended. A request that is refused changes nothing: answers and the
rules of submission are checked before anything is written or pinned.
"""

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value
from sqlmodel import Session, col, select

from app.assessments.models import (
    Amendment,
    Assessment,
    AssessmentCreate,
    AssessmentPublic,
    AssessmentRevision,
    AssessmentUpdate,
    Interviewer,
    RevisionPublic,
    VerdictRecord,
)
from app.audit.writes import Writes
from app.candidates.models import Candidate
from app.core.errors import Conflict, NotFound
from app.core.i18n import Language
from app.core.types import new_id, utcnow
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import Answers, FieldError
from app.scoring.rules import RulesVersion
from app.verdicts import service as verdicts
from app.webhooks import service as webhooks
from app.webhooks.models import WebhookDelivery

ANSWER_FIELDS = {"ratings", "flags", "notes", "overall_recommendation", "language"}
ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]


def get(session: Session, assessment_id: uuid.UUID, *, lock: bool = False) -> Assessment:
    """The assessment, or NotFound; `lock` holds its row until the transaction ends."""
    assessment = session.get(
        Assessment, assessment_id, with_for_update=lock, populate_existing=lock
    )
    if assessment is None:
        raise NotFound(f"no assessment {assessment_id}")
    return assessment


def _stored(answers: Answers) -> dict[str, Any]:
    return answers.model_dump(mode="json")


def create(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    data: AssessmentCreate,
    language: Language = "en",
) -> Assessment:
    """A new scorecard; submitted at once if `status` says so (its verdict made in `language`,
    the language of the response).

    The hot path of the API: it reads what it needs, checks everything, then writes its rows
    with SQLAlchemy Core (app/audit/writes.py), with their audit events and outbox rows.
    """
    rubric = verdicts.rubric_of(session, registry, candidate)
    rules = verdicts.rules_of(candidate)
    answers = verdicts.answers_for(rubric, data.model_dump(include=ANSWER_FIELDS))
    submitting = data.status == "submitted"
    if submitting:
        verdicts.require_submittable(rubric, answers, rules)
    email = str(data.interviewer.email).lower()
    existing = _scorecards(session, candidate.id)  # the duplicate check, then the panel
    if any(a.interviewer_email == email for a in existing):
        raise _taken(email)
    # The request is valid: from here on it writes.
    now = utcnow()
    row: dict[str, Any] = {
        "id": new_id(),
        "version": 1,
        "candidate_id": candidate.id,
        "interviewer_name": data.interviewer.name,
        "interviewer_email": email,
        "status": "submitted" if submitting else "draft",
        "answers": _stored(answers),
        "summary": data.summary,
        "revision": 1 if submitting else 0,
        "created_at": now,
        "updated_at": now,
        "submitted_at": now if submitting else None,
    }
    writes = Writes(session)
    writes.insert(Assessment, row)
    if candidate.status == "new":
        writes.update(candidate, {"status": "in_review"})
    if submitting:
        panel = [a for a in existing if a.status == "submitted"]
        scorecard = _Scorecard(**{k: row[k] for k in _Scorecard._fields} | {"answers": answers})
        _freeze(
            session, registry, candidate, scorecard, rubric, [*panel, scorecard], writes, language
        )
    try:
        writes.flush()
    except IntegrityError as exc:  # a concurrent twin got in between (PostgreSQL)
        raise _taken(email) from exc
    return _built(row)


_ASSESSMENT = manager_of_class(Assessment)


def _built(row: dict[str, Any]) -> Assessment:
    """The Assessment of `row` (every column, as just written), built as the ORM builds what it
    loads: without `__init__`'s validation and attribute events (a fifth of a millisecond), its
    fields set as `Assessment(**row)` would have them."""
    if not _ASSESSMENT.mapper.configured:  # as `__init__` would (the first use of a mapper)
        configure_mappers()
    assessment: Assessment = _ASSESSMENT.new_instance()
    for key, value in row.items():
        set_committed_value(assessment, key, value)
    object.__setattr__(assessment, "__pydantic_fields_set__", set(row))
    return assessment


class _Scorecard(NamedTuple):
    """An assessment's columns the panel and the duplicate check read."""

    id: uuid.UUID
    revision: int
    interviewer_name: str
    interviewer_email: str
    status: str
    answers: dict[str, Any] | Answers
    summary: str
    submitted_at: datetime | None


# Built once: comparing the column with a value builds its bound parameter anew each time.
_SCORECARDS = (
    sa_select(*[ASSESSMENTS.c[name] for name in _Scorecard._fields])
    .where(ASSESSMENTS.c.candidate_id == bindparam("candidate_id"))
    .order_by(ASSESSMENTS.c.submitted_at, ASSESSMENTS.c.id)
)


def _scorecards(session: Session, candidate_id: uuid.UUID) -> list[_Scorecard]:
    """The candidate's assessments (the columns the panel reads), in submission order."""
    rows = session.connection().execute(_SCORECARDS, {"candidate_id": candidate_id})
    return [_Scorecard(*r) for r in rows]


def _taken(email: str) -> Conflict:
    return Conflict(
        f"{email} already has an assessment of this candidate",
        [FieldError("interviewer.email", "already has an assessment of this candidate")],
    )


def update_draft(
    session: Session, registry: RubricRegistry, assessment: Assessment, data: AssessmentUpdate
) -> Assessment:
    """Change a draft; a submitted assessment is only changed by amendment."""
    if assessment.status != "draft":
        raise Conflict("the assessment is submitted: send an amendment instead")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    rubric = verdicts.rubric_of(session, registry, candidate)
    assessment.answers = _stored(
        verdicts.answers_for(
            rubric, _merged(assessment.answers, data.model_dump(exclude_unset=True))
        )
    )
    if data.summary is not None:
        assessment.summary = data.summary
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.flush()
    return assessment


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key in ("ratings", "notes"):
        if changes.get(key) is not None:
            merged[key] = {**current.get(key, {}), **changes[key]}
    if changes.get("flags") is not None:
        merged["flags"] = changes["flags"]
    for key in ("language", "overall_recommendation"):
        if changes.get(key) is not None:
            merged[key] = changes[key]
    return merged


def submit(
    session: Session, registry: RubricRegistry, assessment: Assessment, language: Language = "en"
) -> Assessment:
    """Freeze the draft as revision 1 and score it (the verdict made in `language`)."""
    if assessment.status == "submitted":
        raise Conflict("the assessment is already submitted")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    answers = Answers.model_validate(assessment.answers)
    rubric = verdicts.rubric_of(session, registry, candidate)
    verdicts.require_submittable(rubric, answers, verdicts.rules_of(candidate))
    now = utcnow()
    panel = [a for a in _scorecards(session, candidate.id) if a.status == "submitted"]
    scorecard = _Scorecard(
        assessment.id,
        1,
        assessment.interviewer_name,
        assessment.interviewer_email,
        "submitted",
        answers,
        assessment.summary,
        now,
    )
    writes = Writes(session)
    writes.update(
        assessment, {"status": "submitted", "revision": 1, "submitted_at": now, "updated_at": now}
    )
    _freeze(session, registry, candidate, scorecard, rubric, [*panel, scorecard], writes, language)
    writes.flush()
    return assessment


def _freeze(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    scorecard: _Scorecard,
    rubric: Rubric,
    panel: list[_Scorecard],
    writes: Writes,
    language: Language,
) -> None:
    """Submit: revision 1, its verdict, the webhook and the candidate's panel recommendation,
    added to `writes`.

    The answers are already checked (require_submittable); `rubric` is the candidate's;
    `panel` is the candidate's submitted scorecards in submission order, this one last.
    """
    assert isinstance(scorecard.answers, Answers)  # noqa: S101 - checked by the callers
    version_id, rules, pinned = verdicts.pinning(session, registry, candidate, rubric)
    writes.update(candidate, pinned)
    writes.insert(
        AssessmentRevision,
        revision_row(scorecard.id, 1, _stored(scorecard.answers), scorecard.summary),
    )
    writes.insert(
        VerdictRecord,
        verdicts.verdict_row(
            session,
            scorecard.id,
            1,
            rubric,
            version_id,
            rules,
            "submitted",
            scorecard.answers,
            language,
        ),
    )
    event = {"assessment_id": str(scorecard.id), "candidate_id": str(candidate.id), "revision": 1}
    writes.insert_many(WebhookDelivery, webhooks.emit_rows(session, "assessment.submitted", event))
    _refresh(session, candidate, rubric, version_id, rules, panel, writes)


def _refresh(
    session: Session,
    candidate: Candidate,
    rubric: Rubric,
    version_id: uuid.UUID,
    rules: RulesVersion,
    panel: list[_Scorecard],
    writes: Writes,
) -> None:
    """Keep the candidate's stored recommendation equal to the panel verdict's (for filters),
    with a `verdict.changed` event when it changes."""
    before = candidate.recommendation
    after = verdicts.panel_after(session, candidate.id, rubric, rules, panel, version_id)
    if after != before:
        writes.update(candidate, {"recommendation": after, "updated_at": utcnow()})
        change = {"candidate_id": str(candidate.id), "before": before, "after": after}
        writes.insert_many(WebhookDelivery, webhooks.emit_rows(session, "verdict.changed", change))


def revision_row(
    assessment_id: uuid.UUID,
    revision: int,
    answers: dict[str, Any],
    summary: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """A revision row to insert, every column given."""
    return {
        "id": new_id(),
        "assessment_id": assessment_id,
        "revision": revision,
        "answers": answers,
        "summary": summary,
        "reason": reason,
        "created_at": utcnow(),
    }


def amend(
    session: Session,
    registry: RubricRegistry,
    assessment: Assessment,
    data: Amendment,
    language: Language = "en",
) -> Assessment:
    """Add a revision to a submitted assessment; earlier revisions stay readable."""
    if assessment.status != "submitted":
        raise Conflict("a draft is changed with PATCH; amendments are for submitted assessments")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    rubric = verdicts.rubric_of(session, registry, candidate)
    changes = _merged(assessment.answers, data.model_dump(exclude_unset=True))
    answers = verdicts.answers_for(rubric, changes)
    verdicts.require_submittable(rubric, answers, verdicts.rules_of(candidate))
    # The request is valid: from here on it writes.
    version_id, rules, pinned = verdicts.pinning(session, registry, candidate, rubric)
    stored = _stored(answers)
    summary = assessment.summary if data.summary is None else data.summary
    revision = assessment.revision + 1
    panel = [
        a._replace(answers=answers, summary=summary, revision=revision)
        if a.id == assessment.id
        else a
        for a in _scorecards(session, candidate.id)
        if a.status == "submitted"
    ]
    writes = Writes(session)
    writes.update(
        assessment,
        {"answers": stored, "summary": summary, "revision": revision, "updated_at": utcnow()},
    )
    writes.update(candidate, pinned)
    writes.insert(
        AssessmentRevision, revision_row(assessment.id, revision, stored, summary, data.reason)
    )
    writes.insert(
        VerdictRecord,
        verdicts.verdict_row(
            session,
            assessment.id,
            revision,
            rubric,
            version_id,
            rules,
            "amended",
            answers,
            language,
        ),
    )
    _refresh(session, candidate, rubric, version_id, rules, panel, writes)
    writes.flush()
    return assessment


def revisions(session: Session, assessment: Assessment) -> list[RevisionPublic]:
    """Every submitted revision, oldest first."""
    statement = (
        select(AssessmentRevision)
        .where(AssessmentRevision.assessment_id == assessment.id)
        .order_by(col(AssessmentRevision.revision))
    )
    return [
        RevisionPublic(
            revision=row.revision,
            summary=row.summary,
            reason=row.reason,
            created_at=row.created_at,
            **{
                k: v
                for k, v in row.answers.items()
                if k in ("ratings", "flags", "notes", "overall_recommendation")
            },
        )
        for row in session.exec(statement)
    ]


def to_public(
    session: Session, registry: RubricRegistry, assessment: Assessment, language: Language
) -> AssessmentPublic:
    """The API representation, with the verdict in `language`."""
    answers = Answers.model_validate(assessment.answers)
    return AssessmentPublic(
        id=assessment.id,
        candidate_id=assessment.candidate_id,
        interviewer=Interviewer(
            name=assessment.interviewer_name, email=assessment.interviewer_email
        ),
        status=assessment.status,
        revision=assessment.revision,
        ratings=answers.ratings,
        flags=answers.flags,
        notes=answers.notes,
        overall_recommendation=answers.overall_recommendation,
        summary=assessment.summary,
        language=answers.language,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
        verdict=verdicts.of_assessment(session, registry, assessment, language),
    )


def for_candidate(session: Session, candidate_id: uuid.UUID) -> list[Assessment]:
    """Every assessment of the candidate, oldest first."""
    statement = (
        select(Assessment)
        .where(Assessment.candidate_id == candidate_id)
        .order_by(col(Assessment.created_at), col(Assessment.id))
    )
    return list(session.exec(statement).all())
