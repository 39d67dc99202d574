"""Who may see and change which scorecards, including the blind-scoring rule.

Blind scoring (as Greenhouse and Lever offer it): an interviewer sees neither the other
interviewers' scorecards of a candidate nor the panel verdict until their own is submitted, so
their ratings are their own. Roles with `assessments:all` (recruiters, admins) see everything.
"""

import uuid

from sqlmodel import Session, select

from app.access.models import Principal
from app.access.policy import P
from app.assessments.models import Assessment
from app.core.errors import Forbidden

BLIND = "blind scoring: submit your own assessment of this candidate first"


def has_submitted(session: Session, candidate_id: uuid.UUID, principal: Principal) -> bool:
    """True when the principal has a submitted assessment of the candidate."""
    if principal.email is None:
        return False
    found = session.exec(
        select(Assessment.id).where(
            Assessment.candidate_id == candidate_id,
            Assessment.interviewer_email == principal.email.lower(),
            Assessment.status == "submitted",
        )
    ).first()
    return found is not None


def sees_panel(session: Session, candidate_id: uuid.UUID, principal: Principal) -> bool:
    """True when the principal may see every scorecard and the verdict of the candidate."""
    if principal.can(P.ASSESSMENTS_ALL) or not principal.blind:
        return True
    return has_submitted(session, candidate_id, principal)


def check_verdict(session: Session, candidate_id: uuid.UUID, principal: Principal) -> None:
    """Forbidden while the blind-scoring rule hides the panel verdict."""
    if not sees_panel(session, candidate_id, principal):
        raise Forbidden(BLIND)


def check_view(session: Session, assessment: Assessment, principal: Principal) -> None:
    """Forbidden unless the principal may read this scorecard."""
    if principal.can(P.ASSESSMENTS_ALL) or principal.owns(assessment.interviewer_email):
        return
    if not principal.can(P.ASSESSMENTS_OWN):
        raise Forbidden(f"the role '{principal.role}' may not read assessments")
    if not has_submitted(session, assessment.candidate_id, principal):
        raise Forbidden(BLIND)


def check_edit(assessment: Assessment, principal: Principal) -> None:
    """Forbidden unless the principal may change this scorecard (their own, or any)."""
    if not (principal.can(P.ASSESSMENTS_ALL) or principal.owns(assessment.interviewer_email)):
        raise Forbidden("only the interviewer who wrote an assessment may change it")


def check_author(interviewer_email: str, principal: Principal) -> None:
    """Forbidden when the principal would write a scorecard in someone else's name."""
    if not (principal.can(P.ASSESSMENTS_ALL) or principal.owns(interviewer_email)):
        raise Forbidden(
            "an interviewer writes assessments in their own name: the email must be the key's"
        )


def visible(
    session: Session, candidate_id: uuid.UUID, assessments: list[Assessment], principal: Principal
) -> list[Assessment]:
    """The scorecards of `assessments` the principal may read."""
    if sees_panel(session, candidate_id, principal):
        return assessments
    return [a for a in assessments if principal.owns(a.interviewer_email)]
