"""The scoring engine: (rubric, answers) -> explained verdict. Pure: no database, no web framework.

The rules themselves, by version, are in `app.scoring.rules`; this module writes the verdict a
person checks line by line: every reason refers to a criterion, a flag or the whole verdict.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.i18n import Language, format_percent
from app.rubric.model import Rubric, RubricCriterion
from app.scoring.answers import Answers, check_answers
from app.scoring.phrases import Phrases, phrases_for
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
from app.scoring.verdict import AttributedNote, Verdict


@dataclass(frozen=True)
class RaisedBy:
    """Who raised a flag and what they noted (empty lists for a single anonymous assessment)."""

    raised_by: list[str] = field(default_factory=list)
    notes: list[AttributedNote] = field(default_factory=list)


@dataclass(frozen=True)
class Seen:
    """A contradiction in one scorecard: `flag` raised while `criterion` is rated `rating`."""

    flag: str
    criterion: str
    rating: int
    by: str | None = None


def _reason(ref: str, text: str) -> dict[str, str]:
    return {"ref": ref, "text": text}


def explain(
    rubric: Rubric,
    d: Decision,
    ratings: Mapping[str, Rating],
    raised: Mapping[str, RaisedBy],
    seen: Sequence[Seen],
    p: Phrases,
) -> list[dict[str, str]]:
    """The reasons, most decisive first: dealbreakers, what is unknown, score, caps, conflicts."""
    reasons: list[dict[str, str]] = []

    def add(ref: str, key: str, **values: object) -> None:
        reasons.append(_reason(ref, p.say(key, **values)))

    def origin(flag_id: str) -> str:
        """' by Ana' for a raised flag, or where the rating implied it, or both."""
        parts = []
        if flag_id in raised:
            parts.append(p.by(raised[flag_id].raised_by) or "")
        if flag_id in d.implied:
            parts.append(p.say("implied", titles=p.list_ids(d.implied[flag_id])))
        return "".join(parts)

    for flag in d.dealbreakers:
        add(flag.id, "dealbreaker", title=p.titles[flag.id], by=origin(flag.id),
            source=p.sources[flag.id])  # fmt: skip
    if d.rules_version == 1:
        if not d.rated:
            add("overall", "nothing_rated")
        if d.missing_core:
            add("overall", "missing_core", titles=p.list_titles(d.missing_core))
    elif d.recommendation == "incomplete":
        if not d.rated:
            add("overall", "nothing_rated")
        add("overall", "undetermined", labels=p.list_labels(d.possible))
        if d.settle:
            add("overall", "ask_about", titles=p.list_ids(d.settle))
    elif d.rules_version == 2 and len(d.rated) < len(rubric.criteria) and not d.dealbreakers:
        add("overall", "determined", label=p.labels[d.recommendation])
    if d.rated:
        text = p.say(
            "score", score=p.number(d.score), coverage=format_percent(d.coverage, p.language)
        )
        if d.warnings:
            total = rubric.warning_effect.penalty * len(d.warnings)
            text += " " + p.say(
                "score_penalty",
                base=p.number(round(d.base, 1)),
                count=len(d.warnings),
                total=p.number(total),
            )
        reasons.append(_reason("overall", text))
        reasons.append(_reason("overall", p.band_text[d.band]))
    for flag in d.warnings:
        add(flag.id, "warning", title=p.titles[flag.id], by=origin(flag.id), penalty=p.penalty,
            cap=p.labels[rubric.warning_effect.cap], source=p.sources[flag.id])  # fmt: skip
    if d.warning_cap is not None and d.warning_cap != rubric.warning_effect.cap:
        add("overall", "warnings_add_up", count=len(d.warnings), cap=p.labels[d.warning_cap])
    for criterion in d.weak_core:
        add(criterion.id, "weak_core", title=p.titles[criterion.id], rating=ratings[criterion.id],
            max=rubric.scale.max, below=rubric.weak_core.rating_below,
            cap=p.labels[rubric.weak_core.cap])  # fmt: skip
    for item in seen:
        by = p.say("of", name=item.by) if item.by else ""
        add(item.criterion, "contradiction", flag=p.titles[item.flag], by=by,
            title=p.titles[item.criterion], rating=item.rating, max=rubric.scale.max)  # fmt: skip
    return reasons


def _contribution(
    rubric: Rubric, criterion: RubricCriterion, rating: int, rated_weight: float
) -> float:
    share = criterion.weight * (rating - rubric.scale.min) / (rubric.scale.max - rubric.scale.min)
    return round(100.0 * share / rated_weight, 2)


def evaluate(
    rubric: Rubric,
    ratings: Mapping[str, Rating],
    raised: Mapping[str, RaisedBy],
    notes: Mapping[str, Sequence[AttributedNote]],
    language: Language,
    *,
    rules_version: RulesVersion = CURRENT_RULES,
    seen: Sequence[Seen] | None = None,
    criterion_reasons: Mapping[str, str] | None = None,
    extra_reasons: Sequence[dict[str, str]] = (),
    extra_fields: Mapping[str, Any] | None = None,
    walks: Walks | None = None,
) -> dict[str, Any]:
    """The verdict's fields for already-validated ratings and flags (shared by all verdicts).

    `seen` lists the contradictions found in each scorecard (for a single assessment, they are
    found here); `criterion_reasons` replaces a criterion's rating line (the panel names who gave
    which rating).
    """
    p = phrases_for(rubric, language)
    d = decide(rubric, ratings, raised.keys(), rules_version, walks)
    if seen is None:
        seen = [Seen(c.flag, c.criterion, c.rating) for c in d.contradictions]
    reasons = explain(rubric, d, ratings, raised, seen, p)
    criteria: list[dict[str, Any]] = []
    numbers = numeric(ratings)
    for criterion in rubric.criteria:
        rating = ratings.get(criterion.id)
        contribution, anchor = 0.0, None
        if isinstance(rating, int):
            contribution = _contribution(rubric, criterion, rating, d.rated_weight)
            anchor = p.anchors[criterion.id][rating]
            line = p.criterion_line(criterion.id, rating, contribution)
            if criterion_reasons and criterion.id in criterion_reasons:
                line = f"{line} {criterion_reasons[criterion.id]}"
            reasons.append(_reason(criterion.id, line))
        criteria.append(
            {
                "id": criterion.id,
                "group": criterion.group,
                "title": p.plain_titles[criterion.id],
                "rating": rating,
                "weight": criterion.weight,
                "contribution": contribution,
                "anchor": anchor,
                "notes": notes.get(criterion.id, ()),
            }
        )
    unobserved = [c for c in rubric.criteria if ratings.get(c.id) == NOT_OBSERVED]
    if unobserved and rules_version >= 2:
        reasons.append(_reason("overall", p.say("not_observed", titles=p.list_titles(unobserved))))
    unrated = [c for c in rubric.criteria if ratings.get(c.id) is None]
    if rules_version == 1:
        unrated = [c for c in rubric.criteria if c.group != "core" and c.id not in numbers]
    if d.rated and unrated:
        key = "unrated" if rules_version == 1 else "unrated_v2"
        reasons.append(_reason("overall", p.say(key, titles=p.list_titles(unrated))))
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
                "title": p.plain_titles[flag.id],
                "effect": "penalty" if warning else "forces_no_hire",
                "penalty": rubric.warning_effect.penalty if warning else 0.0,
                "cap": d.warning_cap if warning else None,
                "source": flag.source,
                "origin": kind or ("raised" if flag.id in raised else "rating"),
                "implied_by": d.implied.get(flag.id, []),
                "raised_by": by.raised_by,
                "notes": by.notes,
            }
        )
    return {
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "rules_version": d.rules_version,
        "language": language,
        "recommendation": d.recommendation,
        "possible": list(d.possible),
        "settle": list(d.settle),
        "score": d.score,
        "coverage": d.coverage,
        "criteria": criteria,
        "flags": flags,
        "contradictions": [
            {"flag": s.flag, "criterion": s.criterion, "rating": s.rating, "by": s.by} for s in seen
        ],
        "reasons": [*reasons, *extra_reasons],
        **(extra_fields or {}),
    }


def score(
    rubric: Rubric,
    answers: Answers,
    language: Language | None = None,
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Verdict:
    """Score one assessment. Raises AnswersError if the answers do not fit the rubric.

    `walks`: walks of rules 2 already made (see `rules.decide`)."""
    check_answers(rubric, answers)
    ratings = {k: v for k, v in answers.ratings.items() if v is not None}
    raised: dict[str, RaisedBy] = {}
    for flag in answers.flags:
        entry = raised.setdefault(flag.id, RaisedBy())
        if flag.note:
            entry.notes.append(AttributedNote(text=flag.note))
    notes = {k: [AttributedNote(text=v)] for k, v in answers.notes.items() if v}
    fields = evaluate(
        rubric,
        ratings,
        raised,
        notes,
        language or answers.language,
        rules_version=rules_version,
        walks=walks,
    )
    return Verdict.model_validate(fields)
