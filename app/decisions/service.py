"""Recording decisions: the rule that a decision against the advice must say why."""

from sqlmodel import Session, col, select

from app.candidates import service as candidates
from app.candidates.models import Candidate
from app.core.errors import RuleViolation
from app.core.fields import FieldError
from app.core.i18n import Language
from app.decisions.models import Decision, DecisionCreate, DecisionPublic, RecordedBy
from app.rubric.store import RubricRegistry
from app.scoring.advice import against
from app.verdicts import service as verdicts
from app.webhooks import service as webhooks

STATUS_AFTER = {"advance": "advanced", "hire": "hired", "reject": "rejected"}
NEEDS_RATIONALE: dict[Language, str] = {
    "en": (
        "Deciding '{decision}' while the recommendation is '{recommendation}' needs a written "
        "rationale: say why, so that the decision can be reviewed."
    ),
    "fr": (
        "Décider « {decision} » alors que la recommandation est « {recommendation} » demande "
        "une justification écrite : dites pourquoi, pour que la décision puisse être revue."
    ),
}


def to_public(row: Decision) -> DecisionPublic:
    """The API representation."""
    return DecisionPublic.model_validate(
        {
            **row.model_dump(),
            "against_recommendation": against(row.decision, row.recommendation),
            "recorded_by": RecordedBy(
                kind=row.principal_kind, id=row.principal_id, name=row.principal_name
            ),
        }
    )


def record(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    data: DecisionCreate,
    language: Language,
) -> Decision:
    """Record a person's decision; refuse one against the advice that gives no rationale."""
    candidates.check_writable(candidate)
    verdict = verdicts.panel(session, registry, candidate, language)
    if against(data.decision, verdict.recommendation) and not data.rationale.strip():
        detail = NEEDS_RATIONALE[language].format(
            decision=data.decision, recommendation=verdict.recommendation
        )
        raise RuleViolation(detail, [FieldError("rationale", "required for this decision")])
    principal = session.info.get("principal")
    row = Decision(
        candidate_id=candidate.id,
        decision=data.decision,
        decided_by=data.decided_by,
        principal_kind=getattr(principal, "kind", "system"),
        principal_id=getattr(principal, "id", "unknown"),
        principal_name=getattr(principal, "name", ""),
        rationale=data.rationale,
        recommendation=verdict.recommendation,
        rubric_version=verdict.rubric_version,
    )
    session.add(row)
    candidate.status = STATUS_AFTER[data.decision]
    session.add(candidate)
    session.flush()
    webhooks.emit(
        session,
        "decision.recorded",
        {
            "decision_id": str(row.id),
            "candidate_id": str(candidate.id),
            "decision": row.decision,
            "recommendation": row.recommendation,
        },
    )
    return row


def history(session: Session, candidate: Candidate) -> list[Decision]:
    """The candidate's decisions, oldest first."""
    statement = (
        select(Decision)
        .where(Decision.candidate_id == candidate.id)
        .order_by(col(Decision.created_at), col(Decision.id))
    )
    return list(session.exec(statement).all())
