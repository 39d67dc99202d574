"""The scoring engine: (rubric, answers) -> verdict. Pure: no database, no web framework.

The rules, in the order they apply (each one shows up in the verdict's reasons):
1. Score: each rated criterion's rating is placed on 0–1 across the scale, weighted, and averaged
   over the weight that was rated; times 100. `coverage` is the share of the rubric's weight rated.
2. Each warning flag takes `warning_effect.penalty` points off (never below 0).
3. The score, rounded to one decimal, falls in a band set by `thresholds`.
4. Any warning flag keeps the recommendation at or under `warning_effect.cap`; a core criterion
   rated under `weak_core.rating_below` keeps it at or under `weak_core.cap`.
5. A core criterion unrated (or nothing rated at all) makes the verdict `incomplete`.
6. A dealbreaker flag makes it `no_hire`, whatever else; only a person can override that.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.i18n import Language, format_percent
from app.rubric.model import Rubric, RubricCriterion
from app.rubric.schemas import RANKED_RECOMMENDATIONS, RankedRecommendation, Recommendation, RedFlag
from app.scoring.answers import Answers, check_answers
from app.scoring.phrases import phrases_for
from app.scoring.verdict import AttributedNote, Verdict


@dataclass(frozen=True)
class RaisedBy:
    """Who raised a flag and what they noted (empty lists for a single anonymous assessment)."""

    raised_by: list[str] = field(default_factory=list)
    notes: list[AttributedNote] = field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    """The arithmetic of a verdict, before any sentence is written."""

    base: float
    rated_weight: float
    score: float
    coverage: float
    band: RankedRecommendation
    recommendation: Recommendation
    rated: list[RubricCriterion]
    missing_core: list[RubricCriterion]
    weak_core: list[RubricCriterion]
    warnings: list[RedFlag]
    dealbreakers: list[RedFlag]


def _lower(a: RankedRecommendation, b: RankedRecommendation) -> RankedRecommendation:
    return a if RANKED_RECOMMENDATIONS.index(a) <= RANKED_RECOMMENDATIONS.index(b) else b


def band(rubric: Rubric, score: float) -> RankedRecommendation:
    """The recommendation band a score falls in."""
    t = rubric.thresholds
    if score >= t.strong_hire:
        return "strong_hire"
    if score >= t.hire:
        return "hire"
    if score >= t.hold:
        return "hold"
    return "no_hire"


def decide(rubric: Rubric, ratings: Mapping[str, int], raised: Mapping[str, object]) -> Decision:
    """Apply the rules to validated ratings and raised flag ids."""
    low, span = rubric.scale.min, rubric.scale.max - rubric.scale.min
    rated = [c for c in rubric.criteria if ratings.get(c.id) is not None]
    rated_weight = sum(c.weight for c in rated)
    weighted = sum(c.weight * (ratings[c.id] - low) / span for c in rated)
    base = 100.0 * weighted / rated_weight if rated_weight else 0.0
    flags = [f for f in rubric.flags if f.id in raised]
    warnings = [f for f in flags if f.severity == "warning"]
    dealbreakers = [f for f in flags if f.severity == "dealbreaker"]
    score = round(max(0.0, base - rubric.warning_effect.penalty * len(warnings)), 1)

    rated_ids = {c.id for c in rated}
    missing_core = [c for c in rubric.criteria if c.group == "core" and c.id not in rated_ids]
    below = rubric.weak_core.rating_below
    weak_core = [c for c in rated if c.group == "core" and ratings[c.id] < below]
    scored_band = band(rubric, score)
    ranked = scored_band
    if warnings:
        ranked = _lower(ranked, rubric.warning_effect.cap)
    if weak_core:
        ranked = _lower(ranked, rubric.weak_core.cap)
    recommendation: Recommendation = ranked
    if missing_core or not rated:
        recommendation = "incomplete"
    if dealbreakers:
        recommendation = "no_hire"
    return Decision(
        base=base,
        rated_weight=rated_weight,
        score=score,
        coverage=round(rated_weight / rubric.total_weight, 4),
        band=scored_band,
        recommendation=recommendation,
        rated=rated,
        missing_core=missing_core,
        weak_core=weak_core,
        warnings=warnings,
        dealbreakers=dealbreakers,
    )


def explain(
    rubric: Rubric,
    decision: Decision,
    ratings: Mapping[str, int],
    raised: Mapping[str, RaisedBy],
    language: Language,
) -> list[dict[str, str]]:
    """The reasons, most decisive first: dealbreakers, what is missing, score, caps, criteria."""
    p = phrases_for(rubric, language)
    d = decision
    reasons: list[dict[str, str]] = []

    def add(ref: str, key: str, **values: object) -> None:
        reasons.append({"ref": ref, "text": p.say(key, **values)})

    for flag in d.dealbreakers:
        by = p.by(raised[flag.id].raised_by)
        add(flag.id, "dealbreaker", title=p.titles[flag.id], by=by, source=p.sources[flag.id])
    if not d.rated:
        add("overall", "nothing_rated")
    if d.missing_core:
        add("overall", "missing_core", titles=p.list_titles(d.missing_core))
    if d.rated:
        text = p.say(
            "score", score=p.number(d.score), coverage=format_percent(d.coverage, language)
        )
        if d.warnings:
            total = rubric.warning_effect.penalty * len(d.warnings)
            text += " " + p.say(
                "score_penalty",
                base=p.number(round(d.base, 1)),
                count=len(d.warnings),
                total=p.number(total),
            )
        reasons.append({"ref": "overall", "text": text})
        reasons.append({"ref": "overall", "text": p.band_text[d.band]})
    for flag in d.warnings:
        by = p.by(raised[flag.id].raised_by)
        add(flag.id, "warning", title=p.titles[flag.id], by=by, penalty=p.penalty,
            cap=p.labels[rubric.warning_effect.cap], source=p.sources[flag.id])  # fmt: skip
    for criterion in d.weak_core:
        add(criterion.id, "weak_core", title=p.titles[criterion.id], rating=ratings[criterion.id],
            max=rubric.scale.max, below=rubric.weak_core.rating_below,
            cap=p.labels[rubric.weak_core.cap])  # fmt: skip
    return reasons


def _contribution(
    rubric: Rubric, criterion: RubricCriterion, rating: int, rated_weight: float
) -> float:
    share = criterion.weight * (rating - rubric.scale.min) / (rubric.scale.max - rubric.scale.min)
    return round(100.0 * share / rated_weight, 2)


def evaluate(
    rubric: Rubric,
    ratings: Mapping[str, int],
    raised: Mapping[str, RaisedBy],
    notes: Mapping[str, Sequence[AttributedNote]],
    language: Language,
    extra_reasons: Sequence[dict[str, str]] = (),
    extra_fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The verdict's fields for already-validated ratings and flags (shared by all verdicts)."""
    p = phrases_for(rubric, language)
    d = decide(rubric, ratings, raised)
    reasons = explain(rubric, d, ratings, raised, language)
    criteria: list[dict[str, Any]] = []
    for criterion in rubric.criteria:
        rating = ratings.get(criterion.id)
        contribution, anchor = 0.0, None
        if rating is not None:
            contribution = _contribution(rubric, criterion, rating, d.rated_weight)
            anchor = p.anchors[criterion.id][rating]
            reasons.append(
                {
                    "ref": criterion.id,
                    "text": p.say(
                        "criterion",
                        title=p.titles[criterion.id],
                        rating=rating,
                        max=rubric.scale.max,
                        weight=p.weights[criterion.id],
                        contribution=p.number(contribution),
                        anchor=anchor,
                    ),
                }
            )
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
    rated_ids = {c.id for c in d.rated}
    unrated_depth = [c for c in rubric.criteria if c.group != "core" and c.id not in rated_ids]
    if d.rated and unrated_depth:
        reasons.append(
            {"ref": "overall", "text": p.say("unrated", titles=p.list_titles(unrated_depth))}
        )
    flags = [
        {
            "id": flag.id,
            "severity": flag.severity,
            "title": p.plain_titles[flag.id],
            "effect": "forces_no_hire" if flag.severity == "dealbreaker" else "penalty",
            "penalty": rubric.warning_effect.penalty if flag.severity == "warning" else 0.0,
            "cap": rubric.warning_effect.cap if flag.severity == "warning" else None,
            "source": flag.source,
            "raised_by": raised[flag.id].raised_by,
            "notes": raised[flag.id].notes,
        }
        for flag in rubric.flags
        if flag.id in raised
    ]
    return {
        "rubric_id": rubric.id,
        "rubric_version": rubric.version,
        "language": language,
        "recommendation": d.recommendation,
        "score": d.score,
        "coverage": d.coverage,
        "criteria": criteria,
        "flags": flags,
        "reasons": [*reasons, *extra_reasons],
        **(extra_fields or {}),
    }


def score(rubric: Rubric, answers: Answers, language: Language | None = None) -> Verdict:
    """Score one assessment. Raises AnswersError if the answers do not fit the rubric."""
    check_answers(rubric, answers)
    ratings = {k: v for k, v in answers.ratings.items() if v is not None}
    raised: dict[str, RaisedBy] = {}
    for flag in answers.flags:
        entry = raised.setdefault(flag.id, RaisedBy())
        if flag.note:
            entry.notes.append(AttributedNote(text=flag.note))
    notes = {k: [AttributedNote(text=v)] for k, v in answers.notes.items() if v}
    fields = evaluate(rubric, ratings, raised, notes, language or answers.language)
    return Verdict.model_validate(fields)
