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

from app.core.i18n import Language, format_number, format_percent
from app.rubric.model import Rubric
from app.rubric.schemas import RANKED_RECOMMENDATIONS, RankedRecommendation, Recommendation, Source
from app.scoring.answers import Answers, check_answers
from app.scoring.messages import RECOMMENDATION_LABELS, quoted, say
from app.scoring.verdict import AttributedNote, CriterionResult, FlagResult, Reason, Verdict


@dataclass(frozen=True)
class RaisedBy:
    """Who raised a flag and what they noted (empty lists for a single anonymous assessment)."""

    raised_by: list[str] = field(default_factory=list)
    notes: list[AttributedNote] = field(default_factory=list)


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


def _source(language: Language, source: Source) -> str:
    return say(language, "source", seed=source.seed, point=source.point)


def _by(language: Language, names: Sequence[str]) -> str:
    return say(language, "by", names=", ".join(names)) if names else ""


def evaluate(
    rubric: Rubric,
    ratings: Mapping[str, int],
    raised: Mapping[str, RaisedBy],
    notes: Mapping[str, list[AttributedNote]],
    language: Language,
) -> Verdict:
    """Apply the rules to already-validated ratings and flags; the shared core of all verdicts."""
    lang = language
    label = RECOMMENDATION_LABELS[lang]
    span = rubric.scale.max - rubric.scale.min
    rated = [c for c in rubric.criteria if ratings.get(c.id) is not None]
    rated_weight = sum(c.weight for c in rated)
    total_weight = sum(c.weight for c in rubric.criteria)

    weighted = sum(c.weight * (ratings[c.id] - rubric.scale.min) / span for c in rated)
    base = 100.0 * weighted / rated_weight if rated_weight else 0.0
    flags = [f for f in rubric.flags if f.id in raised]
    warnings = [f for f in flags if f.severity == "warning"]
    dealbreakers = [f for f in flags if f.severity == "dealbreaker"]
    penalty = rubric.warning_effect.penalty
    score = round(max(0.0, base - penalty * len(warnings)), 1)
    coverage = round(rated_weight / total_weight, 4)

    missing_core = [c for c in rubric.criteria if c.group == "core" and c not in rated]
    weak_core = [
        c for c in rated if c.group == "core" and ratings[c.id] < rubric.weak_core.rating_below
    ]
    ranked = band(rubric, score)
    if warnings:
        ranked = _lower(ranked, rubric.warning_effect.cap)
    if weak_core:
        ranked = _lower(ranked, rubric.weak_core.cap)
    recommendation: Recommendation = ranked
    if missing_core or not rated:
        recommendation = "incomplete"
    if dealbreakers:
        recommendation = "no_hire"

    reasons: list[Reason] = []
    for flag in dealbreakers:
        text = say(
            lang,
            "dealbreaker",
            title=quoted(lang, flag.title.get(lang)),
            by=_by(lang, raised[flag.id].raised_by),
            source=_source(lang, flag.source),
        )
        reasons.append(Reason(ref=flag.id, text=text))
    if not rated:
        reasons.append(Reason(ref="overall", text=say(lang, "nothing_rated")))
    if missing_core:
        titles = ", ".join(quoted(lang, c.title.get(lang)) for c in missing_core)
        reasons.append(Reason(ref="overall", text=say(lang, "missing_core", titles=titles)))
    if rated:
        text = say(
            lang,
            "score",
            score=format_number(score, lang),
            coverage=format_percent(coverage, lang),
        )
        if warnings:
            text += " " + say(
                lang,
                "score_penalty",
                base=format_number(round(base, 1), lang),
                count=len(warnings),
                total=format_number(penalty * len(warnings), lang),
            )
        reasons.append(Reason(ref="overall", text=text))
        t = rubric.thresholds
        reasons.append(
            Reason(
                ref="overall",
                text=say(
                    lang,
                    "band",
                    label=quoted(lang, label[band(rubric, score)]),
                    strong_hire=format_number(t.strong_hire, lang),
                    hire=format_number(t.hire, lang),
                    hold=format_number(t.hold, lang),
                ),
            )
        )
    for flag in warnings:
        text = say(
            lang,
            "warning",
            title=quoted(lang, flag.title.get(lang)),
            by=_by(lang, raised[flag.id].raised_by),
            penalty=format_number(penalty, lang),
            cap=quoted(lang, label[rubric.warning_effect.cap]),
            source=_source(lang, flag.source),
        )
        reasons.append(Reason(ref=flag.id, text=text))
    for criterion in weak_core:
        text = say(
            lang,
            "weak_core",
            title=quoted(lang, criterion.title.get(lang)),
            rating=ratings[criterion.id],
            max=rubric.scale.max,
            below=rubric.weak_core.rating_below,
            cap=quoted(lang, label[rubric.weak_core.cap]),
        )
        reasons.append(Reason(ref=criterion.id, text=text))

    results: list[CriterionResult] = []
    for criterion in rubric.criteria:
        rating = ratings.get(criterion.id)
        contribution = 0.0
        anchor = None
        if rating is not None:
            share = criterion.weight * (rating - rubric.scale.min) / span
            contribution = round(100.0 * share / rated_weight, 2)
            anchor = criterion.anchors[rating].get(lang)
            text = say(
                lang,
                "criterion",
                title=quoted(lang, criterion.title.get(lang)),
                rating=rating,
                max=rubric.scale.max,
                weight=format_number(criterion.weight, lang, 2),
                contribution=format_number(contribution, lang),
                anchor=anchor,
            )
            reasons.append(Reason(ref=criterion.id, text=text))
        results.append(
            CriterionResult(
                id=criterion.id,
                group=criterion.group,
                title=criterion.title.get(lang),
                rating=rating,
                weight=criterion.weight,
                contribution=contribution,
                anchor=anchor,
                notes=list(notes.get(criterion.id, [])),
            )
        )
    unrated_depth = [c for c in rubric.criteria if c.group != "core" and c not in rated]
    if rated and unrated_depth:
        titles = ", ".join(quoted(lang, c.title.get(lang)) for c in unrated_depth)
        reasons.append(Reason(ref="overall", text=say(lang, "unrated", titles=titles)))

    flag_results = [
        FlagResult(
            id=flag.id,
            severity=flag.severity,
            title=flag.title.get(lang),
            effect="forces_no_hire" if flag.severity == "dealbreaker" else "penalty",
            penalty=penalty if flag.severity == "warning" else 0.0,
            cap=rubric.warning_effect.cap if flag.severity == "warning" else None,
            source=flag.source,
            raised_by=list(raised[flag.id].raised_by),
            notes=list(raised[flag.id].notes),
        )
        for flag in flags
    ]
    return Verdict(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        language=lang,
        recommendation=recommendation,
        score=score,
        coverage=coverage,
        criteria=results,
        flags=flag_results,
        reasons=reasons,
    )


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
    return evaluate(rubric, ratings, raised, notes, language or answers.language)
