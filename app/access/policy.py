"""Roles and what each may do. One table, read by the API and documented in the README."""

from enum import StrEnum
from typing import Literal, get_args

Role = Literal["admin", "recruiter", "interviewer", "integration"]
ROLES: tuple[Role, ...] = get_args(Role)


class Permission(StrEnum):
    """An action on a kind of resource."""

    RUBRICS_READ = "rubrics:read"
    POSITIONS_READ = "positions:read"
    POSITIONS_WRITE = "positions:write"
    CANDIDATES_READ = "candidates:read"
    CANDIDATES_WRITE = "candidates:write"
    # Erasure and the right-of-access export: personal data as a whole.
    CANDIDATES_PRIVACY = "candidates:privacy"
    # Create, read and change one's own assessments (the interviewer's email is the key's).
    ASSESSMENTS_OWN = "assessments:own"
    # Read and change anyone's assessments; re-score a candidate.
    ASSESSMENTS_ALL = "assessments:all"
    VERDICTS_READ = "verdicts:read"
    DECISIONS_READ = "decisions:read"
    DECISIONS_WRITE = "decisions:write"
    REPORTS_READ = "reports:read"
    WEBHOOKS_MANAGE = "webhooks:manage"
    AUDIT_READ = "audit:read"


P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "recruiter": frozenset(Permission) - {P.WEBHOOKS_MANAGE, P.AUDIT_READ},
    "interviewer": frozenset(
        {P.RUBRICS_READ, P.POSITIONS_READ, P.CANDIDATES_READ, P.ASSESSMENTS_OWN, P.VERDICTS_READ}
    ),
    # What an HR tool needs; never a decision (a named person records those).
    "integration": frozenset(
        {
            P.RUBRICS_READ,
            P.POSITIONS_READ,
            P.POSITIONS_WRITE,
            P.CANDIDATES_READ,
            P.CANDIDATES_WRITE,
            P.CANDIDATES_PRIVACY,
            P.VERDICTS_READ,
            P.DECISIONS_READ,
            P.REPORTS_READ,
            P.WEBHOOKS_MANAGE,
        }
    ),
}

# Roles that score blind: no other scorecard, and no panel verdict, before their own is submitted.
BLIND_ROLES: frozenset[Role] = frozenset({"interviewer"})
