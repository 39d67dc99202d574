"""Invitations, the public answer form's rules, and the answers with their suggestions."""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.candidates import service as candidates
from app.candidates.models import Candidate
from app.core import idempotency
from app.core.errors import NotFound
from app.core.i18n import Language
from app.core.types import utcnow
from app.positions import service as positions
from app.rubric.store import RubricRegistry
from app.screenings.models import AnswerWithSuggestions, Screening, ScreeningPublic
from app.screenings.questionnaire import Question, Questionnaire
from app.signals.detector import detect_many
from app.signals.model import Signals

MAX_ANSWER = 4000


@dataclass(frozen=True)
class InvitationActor:
    """Who the audit trail says acted when a candidate answers: their invitation."""

    id: str
    kind: str = "invitation"
    name: str = "self-screen invitation"
    role: str = "candidate"


class LinkProblem(Exception):
    """The link cannot be used: `reason` is forged, expired or used (then `language` is the
    invitation's, to say so in the candidate's language)."""

    def __init__(self, reason: str, language: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.language = reason, language


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session, candidate: Candidate, rubric_id: str, language: Language, valid_days: int
) -> tuple[Screening, str]:
    """A new invitation and its token (256 random bits; only its hash is stored)."""
    candidates.check_writable(candidate)
    token = secrets.token_urlsafe(32)
    screening = Screening(
        candidate_id=candidate.id,
        rubric_id=rubric_id,
        token_hash=_digest(token),
        language=language,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    session.add(screening)
    session.flush()
    idempotency.withhold(session, "url")  # the link is the token: shown once, never stored
    return screening, token


def link(public_url: object, token: str) -> str:
    """The link sent to the candidate, on the service's configured public address (never
    the Host header a request happened to carry)."""
    return f"{str(public_url).rstrip('/')}/screening/{token}"


def rubric_of(session: Session, candidate: Candidate) -> str:
    """The rubric id of the candidate's position."""
    return positions.get(session, candidate.position_id).rubric_id


def by_token(session: Session, token: str, *, lock: bool = False) -> Screening:
    """The invitation of a token; LinkProblem when forged, expired or already answered."""
    if not token or len(token) > 100:
        raise LinkProblem("forged")
    statement = select(Screening).where(Screening.token_hash == _digest(token))
    if lock:
        statement = statement.with_for_update()
    screening = session.exec(statement).first()
    if screening is None:
        raise LinkProblem("forged")
    if screening.used_at is not None:
        raise LinkProblem("used", screening.language)
    if screening.expires_at < utcnow():
        raise LinkProblem("expired", screening.language)
    return screening


def answer(
    session: Session, screening: Screening, questions: list[Question], given: dict[str, str]
) -> dict[str, str]:
    """Store the answers once. Returns {question id: error key} when an answer is refused
    (`answer_too_long`, `answer_has_nul`: a NUL character, which PostgreSQL cannot store and
    SQLite would; refused on both), and then nothing is stored.

    The audit trail records the candidate's invitation as the actor of the answers.
    """
    errors: dict[str, str] = {}
    for question in questions:
        text = given.get(question.id, "")
        if len(text) > MAX_ANSWER:
            errors[question.id] = "answer_too_long"
        elif "\x00" in text:
            errors[question.id] = "answer_has_nul"
    if errors:
        return errors
    session.info["principal"] = InvitationActor(id=str(screening.id))
    screening.responses = {q.id: given.get(q.id, "").strip() for q in questions}
    screening.used_at = utcnow()
    session.add(screening)
    return {}


def status(screening: Screening) -> str:
    """pending, answered or expired."""
    if screening.used_at is not None:
        return "answered"
    return "expired" if screening.expires_at < utcnow() else "pending"


def for_candidate(session: Session, candidate_id: uuid.UUID) -> list[Screening]:
    """The candidate's invitations, newest first."""
    statement = (
        select(Screening)
        .where(Screening.candidate_id == candidate_id)
        .order_by(col(Screening.created_at).desc())
    )
    return list(session.exec(statement).all())


def get(session: Session, screening_id: uuid.UUID) -> Screening:
    """The invitation, or NotFound."""
    screening = session.get(Screening, screening_id)
    if screening is None:
        raise NotFound(f"no screening {screening_id}")
    return screening


def with_suggestions(
    screening: Screening,
    questionnaire: Questionnaire | None,
    signals: Signals | None,
    titles: dict[str, Any],
    explain_in: Language,
) -> ScreeningPublic:
    """The invitation with each answer and the red flags its words suggest."""
    language: Language = "fr" if screening.language == "fr" else "en"
    answers = []
    questions = questionnaire.questions if questionnaire else []
    texts = [str(screening.responses.get(q.id, "")) for q in questions]
    # One pass of the sentence model over every answer.
    read = detect_many(signals, [t for t in texts if t], None, explain_in) if signals else []
    found_in = iter(read)
    for question, text in zip(questions, texts, strict=True):
        found = next(found_in)[1] if signals and text else []
        answers.append(
            AnswerWithSuggestions(
                question_id=question.id,
                question=getattr(question.text, explain_in),
                answer=text,
                suggestions=[
                    {
                        "flag_id": s.flag_id,
                        "title": titles.get(s.flag_id, {}).get(explain_in, s.flag_id),
                        "explanation": s.explanation,
                        "evidence": [
                            {"start": e.start, "end": e.end, "quote": e.quote} for e in s.evidence
                        ],
                    }
                    for s in found
                ],
            )
        )
    return ScreeningPublic(
        id=screening.id,
        candidate_id=screening.candidate_id,
        language=language,
        status=status(screening),
        expires_at=screening.expires_at,
        used_at=screening.used_at,
        answers=answers if screening.used_at else [],
    )


def present(
    screening: Screening,
    registry: RubricRegistry,
    questionnaires: dict[str, Questionnaire],
    signals: dict[str, Signals],
    language: Language,
) -> ScreeningPublic:
    """The invitation with its answers and their suggestions, explained in `language`."""
    rubric = registry.current.get(screening.rubric_id)
    titles = {f.id: {"en": f.title.en, "fr": f.title.fr} for f in rubric.flags} if rubric else {}
    return with_suggestions(
        screening,
        questionnaires.get(screening.rubric_id),
        signals.get(screening.rubric_id),
        titles,
        language,
    )
