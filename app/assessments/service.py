"""Assessments: drafts, submission, amendments, verdicts, the panel verdict and re-scoring.

A candidate is pinned to the rubric version that scored their first submitted assessment; every
later assessment of theirs is scored with it, so editing `criteria/` never changes their verdicts.
Re-scoring with the current rubric is an explicit action that adds verdicts and keeps the old ones.
"""

import uuid
from collections.abc import Mapping
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
    CandidateVerdict,
    Interviewer,
    RevisionPublic,
    VerdictRecord,
)
from app.candidates.models import Candidate
from app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from app.core.i18n import Language
from app.core.types import utcnow
from app.positions import service as positions
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import (
    Answers,
    AnswersError,
    FieldError,
    PanelMember,
    Verdict,
    combine,
    parse_answers,
    score,
)
from app.scoring.panel import panel_recommendation
from app.webhooks import service as webhooks

JUST_SCORED = "tamis_just_scored"


def get(session: Session, assessment_id: uuid.UUID, *, lock: bool = False) -> Assessment:
    """The assessment, or NotFound; `lock` holds its row until the transaction ends."""
    assessment = session.get(
        Assessment, assessment_id, with_for_update=lock, populate_existing=lock
    )
    if assessment is None:
        raise NotFound(f"no assessment {assessment_id}")
    return assessment


def _rubric(session: Session, registry: RubricRegistry, candidate: Candidate) -> Rubric:
    """The rubric version that scores `candidate`: pinned, else the position's current one."""
    if candidate.rubric_version_id is not None:
        return registry.load(session, candidate.rubric_version_id)
    position = positions.get(session, candidate.position_id)
    return positions.rubric_for(registry, position.rubric_id)


def rubric_of(session: Session, registry: RubricRegistry, candidate: Candidate) -> Rubric:
    """The rubric version that scores `candidate` (pinned, else the position's current one)."""
    return _rubric(session, registry, candidate)


def _pinned(
    session: Session, registry: RubricRegistry, candidate: Candidate, rubric: Rubric | None = None
) -> tuple[Rubric, uuid.UUID]:
    """Like _rubric (or `rubric`, when the caller has it), storing the version and pinning the
    candidate to it if not yet done."""
    rubric = rubric or _rubric(session, registry, candidate)
    if candidate.rubric_version_id is None:
        candidate.rubric_version_id = registry.snapshot(session, rubric)
        session.add(candidate)
    return rubric, candidate.rubric_version_id


def _answers(rubric: Rubric, data: dict[str, Any]) -> Answers:
    try:
        return parse_answers(rubric, data)
    except AnswersError as exc:
        raise InvalidInput.from_answers(exc) from exc


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
        rubric = _rubric(session, registry, candidate)
        answers = _answers(
            rubric, data.model_dump(include={"ratings", "flags", "notes", "language"})
        )
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
    rubric = _rubric(session, registry, candidate)
    assessment.answers = _stored(
        _answers(rubric, _merged(assessment.answers, data.model_dump(exclude_unset=True)))
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
    if changes.get("language") is not None:
        merged["language"] = changes["language"]
    return merged


def _record(
    session: Session,
    assessment: Assessment,
    rubric: Rubric,
    version_id: uuid.UUID,
    cause: str,
    answers: Answers | None = None,
) -> VerdictRecord:
    answers = answers or Answers.model_validate(assessment.answers)
    verdict = score(rubric, answers, "en")
    record = VerdictRecord(
        assessment_id=assessment.id,
        revision=assessment.revision,
        rubric_version_id=version_id,
        recommendation=verdict.recommendation,
        score=verdict.score,
        coverage=verdict.coverage,
        cause=cause,
    )
    session.add(record)
    # The response of this request shows the verdict just made: keep it instead of replaying.
    session.info.setdefault(JUST_SCORED, {})[(assessment.id, assessment.revision, "en")] = verdict
    return record


def _require_core(rubric: Rubric, answers: Answers) -> None:
    missing = [
        c for c in rubric.criteria if c.group == "core" and answers.ratings.get(c.id) is None
    ]
    if missing:
        errors = [
            FieldError(f"ratings.{c.id}", "a rating is required to submit", rubric.levels)
            for c in missing
        ]
        raise RuleViolation(
            "every core criterion needs a rating before the assessment is submitted: "
            + ", ".join(c.id for c in missing),
            errors,
        )


def submit(session: Session, registry: RubricRegistry, assessment: Assessment) -> Assessment:
    """Freeze the draft as revision 1 and score it."""
    if assessment.status == "submitted":
        raise Conflict("the assessment is already submitted")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    answers = Answers.model_validate(assessment.answers)
    rubric = _rubric(session, registry, candidate)
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

    `rubric` is the candidate's (see _rubric); `submitted` is the candidate's submitted
    scorecards with this one, when the caller has them.
    """
    _require_core(rubric, answers)  # validate before anything is pinned or stored
    rubric, version_id = _pinned(session, registry, candidate, rubric)
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
    _record(session, assessment, rubric, version_id, "submitted", answers)
    webhooks.emit(
        session,
        "assessment.submitted",
        {
            "assessment_id": str(assessment.id),
            "candidate_id": str(candidate.id),
            "revision": assessment.revision,
        },
    )
    refresh_candidate(session, registry, candidate, submitted, rubric)


def amend(
    session: Session, registry: RubricRegistry, assessment: Assessment, data: Amendment
) -> Assessment:
    """Add a revision to a submitted assessment; earlier revisions stay readable."""
    if assessment.status != "submitted":
        raise Conflict("a draft is changed with PATCH; amendments are for submitted assessments")
    candidate = session.get_one(Candidate, assessment.candidate_id)
    rubric = _rubric(session, registry, candidate)
    answers = _answers(rubric, _merged(assessment.answers, data.model_dump(exclude_unset=True)))
    _require_core(rubric, answers)  # validate before anything is pinned or stored
    rubric, version_id = _pinned(session, registry, candidate, rubric)
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
    _record(session, assessment, rubric, version_id, "amended")
    refresh_candidate(session, registry, candidate, rubric=rubric)
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
            **{k: v for k, v in row.answers.items() if k in ("ratings", "flags", "notes")},
        )
        for row in session.exec(statement)
    ]


def _latest_record(session: Session, assessment_id: uuid.UUID) -> VerdictRecord | None:
    statement = (
        select(VerdictRecord)
        .where(VerdictRecord.assessment_id == assessment_id)
        .order_by(col(VerdictRecord.created_at).desc(), col(VerdictRecord.revision).desc())
    )
    return session.exec(statement.limit(1)).first()


def verdict_of(
    session: Session, registry: RubricRegistry, assessment: Assessment, language: Language
) -> Verdict | None:
    """The verdict, replayed with the rubric version that made it (None for a draft)."""
    scored: dict[tuple[uuid.UUID, int, str], Verdict] = session.info.get(JUST_SCORED, {})
    fresh = scored.get((assessment.id, assessment.revision, language))
    if fresh is not None:
        return fresh  # scored in this transaction, from the same answers and rubric version
    record = _latest_record(session, assessment.id)
    if record is None:
        return None
    rubric = registry.load(session, record.rubric_version_id)
    answers: Mapping[str, Any] = assessment.answers  # the latest revision's answers
    if record.revision != assessment.revision:
        answers = session.exec(
            select(AssessmentRevision.answers).where(
                AssessmentRevision.assessment_id == assessment.id,
                AssessmentRevision.revision == record.revision,
            )
        ).one()
    return score(rubric, Answers.model_validate(answers), language)


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
        summary=assessment.summary,
        language=answers.language,
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
        verdict=verdict_of(session, registry, assessment, language),
    )


def _submitted(session: Session, candidate_id: uuid.UUID) -> list[Assessment]:
    statement = (
        select(Assessment)
        .where(Assessment.candidate_id == candidate_id, Assessment.status == "submitted")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    )
    return list(session.exec(statement).all())


def _members(submitted: list[Assessment]) -> list[PanelMember]:
    names = [a.interviewer_name for a in submitted]
    return [
        PanelMember(
            a.interviewer_name
            if names.count(a.interviewer_name) == 1
            else f"{a.interviewer_name} <{a.interviewer_email}>",
            Answers.model_validate(a.answers),
        )
        for a in submitted
    ]


def panel(
    session: Session, registry: RubricRegistry, candidate: Candidate, language: Language
) -> CandidateVerdict:
    """The panel verdict over the candidate's submitted assessments (latest revision of each)."""
    return panel_with_members(session, registry, candidate, language)[0]


def panel_with_members(
    session: Session, registry: RubricRegistry, candidate: Candidate, language: Language
) -> tuple[CandidateVerdict, list[PanelMember], Rubric]:
    """The panel verdict, the members it combines (each one's answers) and the rubric used."""
    rubric = _rubric(session, registry, candidate)
    submitted = _submitted(session, candidate.id)
    members = _members(submitted)
    verdict = combine(rubric, members, language)
    public = CandidateVerdict.model_validate(
        {**dict(verdict), "candidate_id": candidate.id, "assessments": [a.id for a in submitted]}
    )
    return public, members, rubric


def refresh_candidate(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    submitted: list[Assessment] | None = None,
    rubric: Rubric | None = None,
) -> None:
    """Keep the candidate's stored recommendation equal to the panel verdict's (for filters).

    `submitted` is the candidate's submitted scorecards and `rubric` theirs, when the caller has
    them; else they are read back (after a flush). The caller flushes what this changes.
    """
    if submitted is None:
        session.flush()
        submitted = _submitted(session, candidate.id)
    rubric = rubric or _rubric(session, registry, candidate)
    members = _members(submitted)
    before, after = candidate.recommendation, panel_recommendation(rubric, members)
    if after != before:
        candidate.recommendation = after
        candidate.updated_at = utcnow()
        session.add(candidate)
        webhooks.emit(
            session,
            "verdict.changed",
            {"candidate_id": str(candidate.id), "before": before, "after": after},
        )


def rescore(session: Session, registry: RubricRegistry, candidate: Candidate) -> None:
    """Score every submitted assessment again with the current rubric; old verdicts are kept."""
    position = positions.get(session, candidate.position_id)
    rubric = positions.rubric_for(registry, position.rubric_id)
    version_id = registry.snapshot(session, rubric)
    submitted = _submitted(session, candidate.id)
    for assessment in submitted:
        _answers(rubric, assessment.answers)  # ids removed from the rubric would be caught here
    for assessment in submitted:
        _record(session, assessment, rubric, version_id, "rescored")
    candidate.rubric_version_id = version_id
    refresh_candidate(session, registry, candidate, submitted, rubric)
    session.flush()


def for_candidate(session: Session, candidate_id: uuid.UUID) -> list[Assessment]:
    """Every assessment of the candidate, oldest first."""
    statement = (
        select(Assessment)
        .where(Assessment.candidate_id == candidate_id)
        .order_by(col(Assessment.created_at), col(Assessment.id))
    )
    return list(session.exec(statement).all())
