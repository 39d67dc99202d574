"""Erasure, right-of-access export and retention of candidates' personal data.

Erasure removes what identifies or describes the person (name, email, external id, every
free-text note, summary, amendment reason and decision rationale about them, their self-screen
answers) from every table,
and keeps the anonymous ratings, flags and verdicts for statistics. The audit trail never held
personal data, and webhook payloads carry ids only, so neither needs scrubbing.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from app.assessments.models import Assessment, AssessmentRevision, VerdictRecord
from app.audit import recorder
from app.audit import service as audit
from app.candidates.models import Candidate, CandidatePublic
from app.core import idempotency
from app.core.db import after_commit, compact_sqlite
from app.core.errors import Conflict
from app.core.types import utcnow
from app.decisions.models import Decision
from app.positions.models import Position
from app.screenings.models import Screening
from app.verdicts import service as verdicts
from app.webhooks import service as webhooks


def _without_notes(answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers (always `Answers.model_dump(mode="json")`: every flag an object with its
    id) without the notes, and each flag without its note and quote."""
    return {**answers, "notes": {}, "flags": [{"id": flag["id"]} for flag in answers["flags"]]}


def erase(session: Session, candidate: Candidate) -> Candidate:
    """Remove the candidate's personal data everywhere; keep anonymous ratings."""
    if candidate.erased_at is not None:
        raise Conflict("the candidate's personal data is already erased")
    candidate.full_name = ""
    candidate.email = candidate.external_id = candidate.source = None
    candidate.search_text = ""
    candidate.erased_at = candidate.updated_at = utcnow()
    session.add(candidate)
    assessment_ids = []
    for assessment in session.exec(
        select(Assessment).where(Assessment.candidate_id == candidate.id)
    ):
        assessment_ids.append(assessment.id)
        assessment.answers = _without_notes(assessment.answers)
        assessment.summary = ""
        session.add(assessment)
    if assessment_ids:
        for revision in session.exec(
            select(AssessmentRevision).where(
                col(AssessmentRevision.assessment_id).in_(assessment_ids)
            )
        ):
            revision.answers = _without_notes(revision.answers)
            revision.summary, revision.reason = "", None
            session.add(revision)
    for decision in session.exec(select(Decision).where(Decision.candidate_id == candidate.id)):
        decision.rationale = ""
        session.add(decision)
    now = utcnow()
    for screening in session.exec(select(Screening).where(Screening.candidate_id == candidate.id)):
        screening.responses = {}
        if screening.used_at is None and screening.expires_at > now:
            screening.expires_at = now  # an unused link stops accepting answers
        session.add(screening)
    # The stored panel verdict holds the notes and summaries: readers work it out again.
    verdicts.forget_panel(session, candidate.id)
    # Stored responses to earlier requests (Idempotency-Key replays) may hold the name.
    idempotency.forget_mentions(session, str(candidate.id))
    recorder.note(session, "candidate.erased", "candidate", candidate.id)
    webhooks.emit(session, "candidate.erased", {"candidate_id": str(candidate.id)})
    session.flush()
    # SQLite keeps old page images in its write-ahead log until a checkpoint: fold it in.
    after_commit(session, compact_sqlite)
    return candidate


def _of_assessments(session: Session, model: Any, ids: list[uuid.UUID], order: Any) -> list[Any]:
    """The rows of `model` that belong to the assessments `ids`, in `order`."""
    if not ids:
        return []
    statement = select(model).where(col(model.assessment_id).in_(ids)).order_by(col(order))
    return list(session.exec(statement))


def export(session: Session, candidate: Candidate) -> dict[str, Any]:
    """Everything held about the candidate (right of access), as plain JSON-ready data."""
    position = session.get_one(Position, candidate.position_id)
    assessments = list(
        session.exec(
            select(Assessment)
            .where(Assessment.candidate_id == candidate.id)
            .order_by(col(Assessment.created_at))
        )
    )
    ids = [a.id for a in assessments]
    revisions = _of_assessments(session, AssessmentRevision, ids, AssessmentRevision.revision)
    verdicts = _of_assessments(session, VerdictRecord, ids, VerdictRecord.created_at)
    decisions = session.exec(
        select(Decision)
        .where(Decision.candidate_id == candidate.id)
        .order_by(col(Decision.created_at))
    )

    def dump(row: Any, *exclude: str) -> dict[str, Any]:
        data: dict[str, Any] = row.model_dump(mode="json", exclude=set(exclude))
        return data

    return {
        "exported_at": utcnow().isoformat(),
        "candidate": CandidatePublic.model_validate(candidate).model_dump(mode="json"),
        "position": {"id": str(position.id), "title": position.title},
        "assessments": [
            {
                **dump(a, "version"),
                "revisions": [dump(r) for r in revisions if r.assessment_id == a.id],
                "verdicts": [dump(v) for v in verdicts if v.assessment_id == a.id],
            }
            for a in assessments
        ],
        "decisions": [dump(d) for d in decisions],
        "self_screens": [
            dump(s, "token_hash")
            for s in session.exec(select(Screening).where(Screening.candidate_id == candidate.id))
        ],
        "audit_events": [
            audit.to_public(e).model_dump(mode="json")
            for e in audit.about(session, str(candidate.id))
        ],
    }


def inactive_since(session: Session, cutoff: datetime) -> list[Candidate]:
    """Candidates not erased whose last activity (any change, assessment or decision) is older."""
    recent_assessment = exists().where(
        col(Assessment.candidate_id) == col(Candidate.id), col(Assessment.updated_at) >= cutoff
    )
    recent_decision = exists().where(
        col(Decision.candidate_id) == col(Candidate.id), col(Decision.created_at) >= cutoff
    )
    statement = select(Candidate).where(
        col(Candidate.erased_at).is_(None),
        col(Candidate.updated_at) < cutoff,
        ~recent_assessment,
        ~recent_decision,
    )
    return list(session.exec(statement).all())


def retention_cutoff(days: int) -> datetime:
    """The instant before which a candidate's data has been kept too long."""
    return utcnow() - timedelta(days=days)
