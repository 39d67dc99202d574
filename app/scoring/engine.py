"""The scoring engine: (rubric, answers) -> explained verdict. Pure: no database, no web framework.

The rules themselves, by version, are in `app.scoring.rules`; this module writes the verdict a
person checks line by line: every reason refers to a criterion, a flag or the whole verdict.

A verdict is made in two steps. `evaluate` works out its *facts*: plain JSON data in no language
(the decision, each criterion's and flag's part, and every reason as a code with its parameters,
see `app.scoring.phrases.Phrases.render`). `app.scoring.verdict` renders the texts from the facts
in the reader's language only when they are read (a response, a page, a report), so a verdict
used for its recommendation alone never writes a sentence, and a panel verdict stored as facts
(app/verdicts) is rendered in whichever language its reader asks for. `score` (one assessment)
only decides: the facts themselves are worked out then too, the first time its texts are read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from app.core.i18n import Language
from app.rubric.model import Rubric, RubricCriterion
from app.scoring.answers import Answers, check_answers
from app.scoring.phrases import Value, phrase
from app.scoring.rules import (
    CURRENT_RULES,
    NOT_OBSERVED,
    Decision,
    Rating,
    RulesVersion,
    Walks,
    decide,
    numeric,
)
from app.scoring.verdict import LINES, Facts, Verdict


class Note(NamedTuple):
    """A note and who wrote it (None for a single assessment), as the facts hold it: the
    verdict reads it back as an `AttributedNote`. A panel verdict holds one per note of each
    scorecard, made without validation (the answers were checked)."""

    by: str | None
    text: str


@dataclass(frozen=True)
class RaisedBy:
    """Who raised a flag and what they noted (empty lists for a single anonymous assessment)."""

    raised_by: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    """A contradiction in one scorecard: `flag` raised while `criterion` is rated `rating`."""

    flag: str
    criterion: str
    rating: int
    by: str | None = None


def _titles(criteria: Sequence[RubricCriterion]) -> Value:
    return {"titles": [c.id for c in criteria]}


def explain(
    rubric: Rubric,
    d: Decision,
    ratings: Mapping[str, Rating],
    raised: Mapping[str, RaisedBy],
    seen: Sequence[Seen],
) -> list[list[Any]]:
    """The reasons, most decisive first: dealbreakers, what is unknown, score, caps, conflicts.

    Each reason is `[ref, value]`: what it refers to and its sentence as a code with parameters.
    """
    reasons: list[list[Any]] = []

    def add(ref: str, key: str, **values: Value) -> None:
        reasons.append([ref, phrase(key, **values)])

    def origin(flag_id: str) -> Value:
        """' by Ana' for a raised flag, or where the rating implied it, or both."""
        parts: list[Value] = []
        if flag_id in raised and raised[flag_id].raised_by:
            parts.append({"by": raised[flag_id].raised_by})
        if flag_id in d.implied:
            parts.append(phrase("implied", titles={"titles": d.implied[flag_id]}))
        return {"join": ["", parts]}

    for flag in d.dealbreakers:
        add(flag.id, "dealbreaker", title={"title": flag.id}, by=origin(flag.id),
            source={"source": flag.id})  # fmt: skip
    if d.rules_version == 1:
        if not d.rated:
            add("overall", "nothing_rated")
        if d.missing_core:
            add("overall", "missing_core", titles=_titles(d.missing_core))
    elif d.recommendation == "incomplete":
        if not d.rated:
            add("overall", "nothing_rated")
        add("overall", "undetermined", labels={"labels": list(d.possible)})
        if d.settle:
            add("overall", "ask_about", titles={"titles": list(d.settle)})
    elif d.rules_version == 2 and len(d.rated) < len(rubric.criteria) and not d.dealbreakers:
        add("overall", "determined", label={"label": d.recommendation})
    if d.rated:
        text = phrase("score", score={"number": d.score}, coverage={"percent": d.coverage})
        if d.warnings:
            total = rubric.warning_effect.penalty * len(d.warnings)
            penalty = phrase("score_penalty", base={"number": round(d.base, 1)},
                          count=len(d.warnings), total={"number": total})  # fmt: skip
            text = {"join": [" ", [text, penalty]]}
        reasons.append(["overall", text])
        reasons.append(["overall", {"band": d.band}])
    for flag in d.warnings:
        add(flag.id, "warning", title={"title": flag.id}, by=origin(flag.id),
            penalty={"number": rubric.warning_effect.penalty},
            cap={"label": rubric.warning_effect.cap}, source={"source": flag.id})  # fmt: skip
    if d.warning_cap is not None and d.warning_cap != rubric.warning_effect.cap:
        add("overall", "warnings_add_up", count=len(d.warnings), cap={"label": d.warning_cap})
    for criterion in d.weak_core:
        add(criterion.id, "weak_core", title={"title": criterion.id},
            rating=ratings[criterion.id], max=rubric.scale.max,
            below=rubric.weak_core.rating_below, cap={"label": rubric.weak_core.cap})  # fmt: skip
    for item in seen:
        by: Value = phrase("of", name=item.by) if item.by else ""
        add(item.criterion, "contradiction", flag={"title": item.flag}, by=by,
            title={"title": item.criterion}, rating=item.rating, max=rubric.scale.max)  # fmt: skip
    return reasons


def _notes(notes: Sequence[Note]) -> list[dict[str, str | None]]:
    return [{"by": n.by, "text": n.text} for n in notes]


def head(rubric: Rubric, d: Decision) -> Facts:
    """The facts' first fields: what a verdict shows before its texts are read."""
    return {
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rules_version": d.rules_version,
        "recommendation": d.recommendation,
        "possible": list(d.possible),
        "settle": list(d.settle),
        "score": d.score,
        "coverage": d.coverage,
    }


def evaluate(
    rubric: Rubric,
    ratings: Mapping[str, Rating],
    raised: Mapping[str, RaisedBy],
    notes: Mapping[str, Sequence[Note]],
    *,
    rules_version: RulesVersion = CURRENT_RULES,
    seen: Sequence[Seen] | None = None,
    criterion_reasons: Mapping[str, Value] | None = None,
    extra_reasons: Sequence[list[Any]] = (),
    extra_fields: Mapping[str, Any] | None = None,
    walks: Walks | None = None,
) -> Facts:
    """The verdict's facts for already-validated ratings and flags (shared by all verdicts).

    `seen` lists the contradictions found in each scorecard (for a single assessment, they are
    found here); `criterion_reasons` adds to a criterion's rating line (the panel names who gave
    which rating).
    """
    d = decide(rubric, ratings, raised.keys(), rules_version, walks)
    return facts_of(
        rubric,
        d,
        ratings,
        raised,
        notes,
        seen=seen,
        criterion_reasons=criterion_reasons,
        extra_reasons=extra_reasons,
        extra_fields=extra_fields,
    )


def facts_of(
    rubric: Rubric,
    d: Decision,
    ratings: Mapping[str, Rating],
    raised: Mapping[str, RaisedBy],
    notes: Mapping[str, Sequence[Note]],
    *,
    seen: Sequence[Seen] | None = None,
    criterion_reasons: Mapping[str, Value] | None = None,
    extra_reasons: Sequence[list[Any]] = (),
    extra_fields: Mapping[str, Any] | None = None,
) -> Facts:
    """The facts of decision `d` (made by `decide` from `ratings` and `raised`), as `evaluate`."""
    rules_version = d.rules_version
    if seen is None:
        seen = [Seen(c.flag, c.criterion, c.rating) for c in d.contradictions]
    reasons = explain(rubric, d, ratings, raised, seen)
    # Each rated criterion's line, in the rubric's order, comes here (written from the ratings).
    reasons.append(LINES)
    unobserved = [c for c in rubric.criteria if ratings.get(c.id) == NOT_OBSERVED]
    if unobserved and rules_version >= 2:
        reasons.append(["overall", phrase("not_observed", titles=_titles(unobserved))])
    unrated = [c for c in rubric.criteria if ratings.get(c.id) is None]
    if rules_version == 1:
        numbers = numeric(ratings)
        unrated = [c for c in rubric.criteria if c.group != "core" and c.id not in numbers]
    if d.rated and unrated:
        key = "unrated" if rules_version == 1 else "unrated_v2"
        reasons.append(["overall", phrase(key, titles=_titles(unrated))])
    flags = []
    for flag in rubric.flags:
        if flag.id not in raised and flag.id not in d.implied:
            continue
        by = raised.get(flag.id, RaisedBy())
        warning = flag.severity == "warning"
        kind = "both" if flag.id in raised and flag.id in d.implied else None
        flags.append(
            {
                "id": flag.id,
                "severity": flag.severity,
                "effect": "penalty" if warning else "forces_no_hire",
                "penalty": rubric.warning_effect.penalty if warning else 0.0,
                "cap": d.warning_cap if warning else None,
                "origin": kind or ("raised" if flag.id in raised else "rating"),
                "implied_by": d.implied.get(flag.id, []),
                "raised_by": list(by.raised_by),
                "notes": _notes(by.notes),
            }
        )
    return {
        **head(rubric, d),
        "ratings": dict(ratings),
        "rated_weight": d.rated_weight,
        "notes": {k: _notes(v) for k, v in notes.items() if v},
        "criterion_reasons": dict(criterion_reasons or {}),
        "flags": flags,
        "contradictions": [
            {"flag": s.flag, "criterion": s.criterion, "rating": s.rating, "by": s.by} for s in seen
        ],
        "reasons": [*reasons, *extra_reasons],
        **(extra_fields or {}),
    }


def _ratings(answers: Answers) -> dict[str, Rating]:
    """The answers' ratings, the unrated (None) left out."""
    given = answers.ratings
    if None not in given.values():
        return dict(given)  # type: ignore[arg-type]
    return {k: v for k, v in given.items() if v is not None}


def _raised(
    answers: Answers,
) -> tuple[dict[str, RaisedBy], dict[str, list[Note]]]:
    """The flags raised in `answers` with their notes, and the criteria's notes."""
    raised: dict[str, RaisedBy] = {}
    for flag in answers.flags:
        entry = raised.setdefault(flag.id, RaisedBy())
        if flag.note:
            entry.notes.append(Note(None, flag.note))
    notes = {k: [Note(None, v)] for k, v in answers.notes.items() if v}
    return raised, notes


def assess(
    rubric: Rubric,
    answers: Answers,
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Facts:
    """The facts of one assessment's verdict (no text). Raises AnswersError like `score`."""
    check_answers(rubric, answers)
    raised, notes = _raised(answers)
    ratings = _ratings(answers)
    return evaluate(rubric, ratings, raised, notes, rules_version=rules_version, walks=walks)


def _assessed(
    rubric: Rubric, d: Decision, ratings: Mapping[str, Rating], answers: Answers
) -> Facts:
    """`assess`'s facts, from the decision `score` made (written when a verdict is first read)."""
    raised, notes = _raised(answers)
    return facts_of(rubric, d, ratings, raised, notes)


def score(
    rubric: Rubric,
    answers: Answers,
    language: Language | None = None,
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Verdict:
    """Score one assessment. Raises AnswersError if the answers do not fit the rubric.

    The verdict's texts are written in `language` (else the answers') when first read, from
    its facts (`assess`'s), themselves worked out then: scoring decides, and no more.
    `walks`: walks of rules 2 already made (see `rules.decide`)."""
    check_answers(rubric, answers)
    ratings = _ratings(answers)
    d = decide(rubric, ratings, [f.id for f in answers.flags], rules_version, walks)
    facts = partial(_assessed, rubric, d, ratings, answers)
    return Verdict.of_decided(rubric, head(rubric, d), facts, language or answers.language)
