"""Which decisions follow a recommendation: any other needs a person's written rationale."""

from typing import Final

# The decisions that follow each recommendation; any other needs a written rationale.
CONSISTENT: Final[dict[str, frozenset[str]]] = {
    "strong_hire": frozenset({"advance", "hire"}),
    "hire": frozenset({"advance", "hire"}),
    "hold": frozenset({"advance"}),
    "no_hire": frozenset({"reject"}),
    "incomplete": frozenset(),
}


def against(decision: str, recommendation: str) -> bool:
    """True when `decision` does not follow `recommendation` (or there is none yet)."""
    return decision not in CONSISTENT.get(recommendation, frozenset())
