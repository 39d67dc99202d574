"""Assessments: a scorecard's lifecycle, from draft to submitted revisions and amendments.

Scoring, pinning and the panel verdict belong to `app.verdicts`; this module calls it when a
scorecard is submitted or amended. A request that is refused changes nothing: answers and the
rules of submission are checked before anything is written or pinned.
"""

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
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
)
from app.candidates.models import Candidate
from app.core.errors import Conflict, NotFound
from app.core.i18n import Language
from app.core.types import utcnow
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import Answers, FieldError
from app.verdicts import service as verdicts
from app.webhooks import service as webhooks

ANSWER_FIELDS = {"ratings", "flags", "notes", "overall_recommendation", "language"}


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
    session: Session, registry: RubricRegistry, candidate: Candidate, data: AssessmentCreate
) -> Assessment:
    """A new scorecard; submitted at once if `status` says so.

    The hot path of the API: it reads what it needs first, then writes everything with one
    flush (no autoflush in between, no insert-then-update).
    """
    with session.no_autoflush:
        rubric = verdicts.rubric_of(session, registry, candidate)
        rules = verdicts.rules_of(candidate)
        answers = verdicts.answers_for(rubric, data.model_dump(include=ANSWER_FIELDS))
        if data.status == "submitted":
            verdicts.require_submittable(rubric, answers, rules)
        email = str(data.interviewer.email).lower()
        existing = for_candidate(session, candidate.id)  # the duplicate check, then the panel
        if any(a.interviewer_email == email for a in existing):
            raise _taken(email)
        assessment = Assessment(
            candidate_id=candidate.id,
            interviewer_name=data.interviewer.name,
            interviewer_email=email,
            answers=_stored(answers),
            summary=data.summary,
        )
        session.add(assessment)
        if candidate.status == "new":
            candidate.status = "in_review"
            session.add(candidate)
        if data.status == "submitted":
            panel = sorted(
                (a for a in existing if a.status == "submitted"),
                key=lambda a: (a.submitted_at, str(a.id)),
            )
            _freeze(session, registry, candidate, assessment, answers, rubric, [*panel, assessment])
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent twin got in between (PostgreSQL)
        raise _taken(email) from exc
    return assessment


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


def submit(session: Session, registry: RubricRegistry, assessment: Assessment) -> Assessment:
    """Freeze the draft as revision 1 and score it."""
    if assessment.status == "submitted":
        raise Conflict("the assessment is already submitted")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    answers = Answers.model_validate(assessment.answers)
    rubric = verdicts.rubric_of(session, registry, candidate)
    verdicts.require_submittable(rubric, answers, verdicts.rules_of(candidate))
    _freeze(session, registry, candidate, assessment, answers, rubric)
    session.flush()
    return assessment


def _freeze(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    assessment: Assessment,
    answers: Answers,
    rubric: Rubric,
    submitted: list[Assessment] | None = None,
) -> None:
    """Submit: revision 1, its verdict, the webhook and the candidate's panel recommendation.

    The answers are already checked (require_submittable); `rubric` is the candidate's;
    `submitted` is the candidate's submitted scorecards with this one, when the caller has them.
    """
    rubric, version_id, rules = verdicts.pin(session, registry, candidate, rubric)
    now = utcnow()
    assessment.status, assessment.revision = "submitted", 1
    assessment.submitted_at = assessment.updated_at = now
    session.add(assessment)
    session.add(
        AssessmentRevision(
            assessment_id=assessment.id,
            revision=1,
            answers=assessment.answers,
            summary=assessment.summary,
        )
    )
    verdicts.record(session, assessment, rubric, version_id, rules, "submitted", answers)
    webhooks.emit(
        session,
        "assessment.submitted",
        {
            "assessment_id": str(assessment.id),
            "candidate_id": str(candidate.id),
            "revision": assessment.revision,
        },
    )
    verdicts.refresh_candidate(session, registry, candidate, submitted, rubric)


def amend(
    session: Session, registry: RubricRegistry, assessment: Assessment, data: Amendment
) -> Assessment:
    """Add a revision to a submitted assessment; earlier revisions stay readable."""
    if assessment.status != "submitted":
        raise Conflict("a draft is changed with PATCH; amendments are for submitted assessments")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    rubric = verdicts.rubric_of(session, registry, candidate)
    changes = _merged(assessment.answers, data.model_dump(exclude_unset=True))
    answers = verdicts.answers_for(rubric, changes)
    verdicts.require_submittable(rubric, answers, verdicts.rules_of(candidate))
    rubric, version_id, rules = verdicts.pin(session, registry, candidate, rubric)
    assessment.answers = _stored(answers)
    if data.summary is not None:
        assessment.summary = data.summary
    assessment.revision += 1
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.add(
        AssessmentRevision(
            assessment_id=assessment.id,
            revision=assessment.revision,
            answers=assessment.answers,
            summary=assessment.summary,
            reason=data.reason,
        )
    )
    verdicts.record(session, assessment, rubric, version_id, rules, "amended", answers)
    verdicts.refresh_candidate(session, registry, candidate, rubric=rubric)
    session.flush()
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
