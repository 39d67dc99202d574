"""What a scorecard needs before it is submitted (or amended): rules of the engine, not of storage.

- Every core criterion has an answer: a rating, or "not observed" (rules version 2; version 1
  asked for a rating).
- A raised (or implied) flag that contradicts a rating needs the interviewer's note on that
  criterion: the contradiction is never silent.
"""

from app.rubric.model import Rubric
from app.scoring.answers import NOT_OBSERVED, Answers, FieldError
from app.scoring.rules import RulesVersion, contradictions, implied_flags, numeric


class NotSubmittable(Exception):
    """A scorecard that cannot be submitted yet; `errors` name each field and what it needs."""

    def __init__(self, detail: str, errors: list[FieldError]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


def check_submittable(rubric: Rubric, answers: Answers, rules_version: RulesVersion) -> None:
    """Raise NotSubmittable listing what the scorecard still needs."""
    allowed = (int,) if rules_version == 1 else (int, str)
    missing = [
        c
        for c in rubric.criteria
        if c.group == "core" and not isinstance(answers.ratings.get(c.id), allowed)
    ]
    if missing:
        valid: list[str | int] = [*rubric.levels]
        if rules_version >= 2:
            valid.append(NOT_OBSERVED)
        raise NotSubmittable(
            'every core criterion needs a rating (or "not_observed") before the assessment is '
            "submitted: " + ", ".join(c.id for c in missing),
            [
                FieldError(f"ratings.{c.id}", "an answer is required to submit", valid)
                for c in missing
            ],
        )
    if rules_version < 2:
        return
    ratings = numeric(answers.ratings)
    flags = {f.id for f in answers.flags} | set(implied_flags(rubric, ratings))
    unexplained = [
        c
        for c in contradictions(rubric, ratings, sorted(flags))
        if not (answers.notes.get(c.criterion) or "").strip()
    ]
    if unexplained:
        raise NotSubmittable(
            "a raised red flag contradicts a rating: explain it in a note on the criterion ("
            + "; ".join(f"{c.flag} vs {c.criterion} rated {c.rating}" for c in unexplained)
            + ")",
            [
                FieldError(
                    f"notes.{c.criterion}",
                    f"required: red flag '{c.flag}' is raised while '{c.criterion}' is rated "
                    f"{c.rating}",
                )
                for c in unexplained
            ],
        )
