"""Combine several interviewers' answers into one panel verdict.

Combination rule: each criterion takes the median of the ratings given for it (the lower of the
two middle ones when their number is even, so a split panel never rounds itself up); interviewers
who left it unrated or did not observe it are not counted, and a criterion nobody rated but
somebody did not observe stays "not observed". Red flags are pooled, with who raised each, and so
are the flags a rating implies (rules version 2). A criterion whose ratings spread by 2 points or
more needs a calibration talk. Agreement is Krippendorff's alpha at the ordinal level over the
criteria (units) and interviewers (coders), said in words by the usual reading of alpha (0.8 and
above: strong; from 0.667: moderate; below: weak).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import krippendorff
import numpy as np

from app.core.i18n import Language, format_number
from app.rubric.model import Rubric
from app.rubric.schemas import Recommendation
from app.scoring.answers import NOT_OBSERVED, Answers, AnswersError, FieldError, check_answers
from app.scoring.engine import Note, RaisedBy, Seen, evaluate
from app.scoring.messages import say
from app.scoring.phrases import Value, phrase
from app.scoring.rules import (
    CURRENT_RULES,
    Rating,
    RulesVersion,
    Walks,
    contradictions,
    decide,
    implied_flags,
    numeric,
)
from app.scoring.verdict import Facts, PanelVerdict

CALIBRATION_SPREAD = 2
STRONG_AGREEMENT = 0.8
MODERATE_AGREEMENT = 0.667


@dataclass(frozen=True)
class PanelMember:
    """One interviewer's submitted answers, under the name the panel knows them by."""

    interviewer: str
    answers: Answers
    summary: str = ""


def lower_median(values: Sequence[int]) -> int:
    """The median of `values`; of the two middle values, the lower one."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def agreement(rubric: Rubric, members: Sequence[PanelMember]) -> float | None:
    """Krippendorff's alpha (ordinal) of the panel; None when no criterion has two ratings.

    When every pair of ratings agrees and there is no variation to compare against, alpha is
    undefined (0/0); the panel agrees perfectly, so 1.0 is returned.
    """
    # The two answers that need no matrix, found without one (a panel of one, or of people who
    # agree on every criterion they both rated, is the common case of a submission).
    paired = [
        given
        for c in rubric.criteria
        if len(given := [r for m in members if isinstance(r := m.answers.ratings.get(c.id), int)])
        >= 2
    ]
    if not paired:
        return None
    if all(max(given) == min(given) for given in paired):
        return 1.0
    matrix = [
        [
            float(r) if isinstance(r := m.answers.ratings.get(c.id), int) else math.nan
            for c in rubric.criteria
        ]
        for m in members
    ]
    data = np.array(matrix, dtype=float)
    value = float(
        krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=rubric.levels
        )
    )
    return round(value, 4) if math.isfinite(value) else None


def combined_ratings(rubric: Rubric, members: Sequence[PanelMember]) -> dict[str, Rating]:
    """Each criterion's combined rating: the lower median of the ratings given for it, else
    "not_observed" if somebody did not observe it."""
    ratings: dict[str, Rating] = {}
    given_by = [m.answers.ratings for m in members]
    for criterion in rubric.criteria:
        cid = criterion.id
        answers = [r.get(cid) for r in given_by]
        given = [r for r in answers if isinstance(r, int)]
        if len(given) == 1:
            ratings[cid] = given[0]
        elif given:
            ratings[cid] = lower_median(given)
        elif NOT_OBSERVED in answers:
            ratings[cid] = NOT_OBSERVED
    return ratings


def pooled_flags(
    rubric: Rubric, members: Sequence[PanelMember], rules_version: RulesVersion
) -> dict[str, RaisedBy]:
    """Every flag raised by a member, or implied by a member's own rating (rules 2), with who."""
    raised: dict[str, RaisedBy] = {}
    for member in members:
        for flag in member.answers.flags:
            entry = raised.setdefault(flag.id, RaisedBy())
            if member.interviewer not in entry.raised_by:
                entry.raised_by.append(member.interviewer)
            if flag.note:
                entry.notes.append(Note(member.interviewer, flag.note))
        if rules_version >= 2:
            for flag_id in implied_flags(rubric, numeric(member.answers.ratings)):
                entry = raised.setdefault(flag_id, RaisedBy())
                if member.interviewer not in entry.raised_by:
                    entry.raised_by.append(member.interviewer)
    return raised


def panel_recommendation(
    rubric: Rubric,
    members: Sequence[PanelMember],
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Recommendation:
    """The panel's recommendation alone (no texts, no agreement): what filters need."""
    raised = pooled_flags(rubric, members, rules_version)
    ratings = combined_ratings(rubric, members)
    return decide(rubric, ratings, raised.keys(), rules_version, walks).recommendation


def scorecard_contradictions(rubric: Rubric, members: Sequence[PanelMember]) -> list[Seen]:
    """The contradictions inside each member's own scorecard, with whose it is."""
    seen = []
    for member in members:
        ratings = numeric(member.answers.ratings)
        flags = {f.id for f in member.answers.flags} | set(implied_flags(rubric, ratings))
        seen += [
            Seen(c.flag, c.criterion, c.rating, member.interviewer)
            for c in contradictions(rubric, ratings, sorted(flags))
        ]
    return seen


def agreement_key(alpha: float) -> str:
    """The sentence saying the agreement in words, by the usual reading of Krippendorff's alpha."""
    if alpha >= STRONG_AGREEMENT:
        return "agreement_strong"
    if alpha >= MODERATE_AGREEMENT:
        return "agreement_moderate"
    return "agreement_weak"


def agreement_words(language: Language, alpha: float) -> str:
    """The agreement said in words, by the usual reading of Krippendorff's alpha."""
    return say(language, agreement_key(alpha), alpha=format_number(alpha, language, 2))


def panel_facts(
    rubric: Rubric,
    members: Sequence[PanelMember],
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Facts:
    """The panel verdict's facts (no text). Raises AnswersError on answers that do not fit.

    `walks`: walks of rules 2 already made (see `rules.decide`)."""
    names = [m.interviewer for m in members]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AnswersError(
            [FieldError("panel", f"interviewer named twice: {', '.join(duplicates)}")]
        )
    for member in members:
        check_answers(rubric, member.answers)
    v2 = rules_version >= 2
    ratings = combined_ratings(rubric, members)
    calibration: list[dict[str, Any]] = []
    notes: dict[str, list[Note]] = {}
    lines: dict[str, Value] = {}
    sheets = [(m.interviewer, m.answers.ratings, m.answers.notes) for m in members]
    listing = v2 and len(members) >= 2
    for criterion in rubric.criteria:
        cid = criterion.id
        answered = {name: given_by.get(cid) for name, given_by, _ in sheets}
        given = {name: r for name, r in answered.items() if isinstance(r, int)}
        if given:
            spread = max(given.values()) - min(given.values())
            if spread >= CALIBRATION_SPREAD:
                calibration.append({"criterion_id": cid, "ratings": given, "spread": spread})
        combined = ratings.get(cid)
        if listing and isinstance(combined, int):
            listed: list[Value] = [
                phrase("rated_by", name=name, rating=r)
                if isinstance(r, int)
                else phrase("not_observed_by", name=name)
                for name, r in answered.items()
                if r is not None
            ]
            lines[cid] = phrase("panel_ratings", ratings={"join": [", ", listed]}, rating=combined)
        criterion_notes = [
            Note(name, text) for name, _, noted in sheets if (text := noted.get(cid))
        ]
        if criterion_notes:
            notes[cid] = criterion_notes

    raised = pooled_flags(rubric, members, rules_version)
    alpha = agreement(rubric, members)
    extra: list[list[Any]] = []
    if not members:
        extra.append(["overall", phrase("no_assessment")])
    else:
        extra.append(["overall", phrase("panel_rule", count=len(members))])
    for item in calibration:
        given = item["ratings"]
        named: list[Value] = [
            phrase("named_rating", name=name, rating=rating) for name, rating in given.items()
        ]
        sentence = phrase(
            "calibration",
            title={"title": item["criterion_id"]},
            low=min(given.values()),
            high=max(given.values()),
            ratings={"join": [", ", named]},
        )
        extra.append([item["criterion_id"], sentence])
    words = None
    if len(members) >= 2:
        if alpha is None:
            extra.append(["overall", phrase("agreement_none")])
        else:
            extra.append(["overall", phrase("agreement", alpha={"number2": alpha})])
            if v2:
                words = phrase(agreement_key(alpha), alpha={"number2": alpha})
                extra.append(["overall", words])

    facts = evaluate(
        rubric,
        ratings,
        raised,
        notes,
        rules_version=rules_version,
        seen=scorecard_contradictions(rubric, members) if v2 else [],
        criterion_reasons=lines,
        extra_reasons=extra,
        extra_fields={
            "raters": [m.interviewer for m in members],
            "calibration": calibration,
            "agreement": alpha,  # None below two members: no criterion has two ratings
            "agreement_words": words,
        },
        walks=walks,
    )
    engine = facts["recommendation"]
    people = []
    for member in members:
        own = member.answers.overall_recommendation
        agrees = None if own is None else own == engine
        people.append(
            {
                "name": member.interviewer,
                "overall_recommendation": own,
                "summary": member.summary,
                "agrees": agrees,
            }
        )
        if v2:
            if own is None:
                sentence = phrase("person_silent", name=member.interviewer)
            else:
                sentence = phrase(
                    "person_agrees" if agrees else "person_differs",
                    name=member.interviewer,
                    own={"label": own},
                    engine={"label": engine},
                )
            facts["reasons"].append(["overall", sentence])
    facts["interviewers"] = people
    return facts


def combine(
    rubric: Rubric,
    members: Sequence[PanelMember],
    language: Language,
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> PanelVerdict:
    """The panel verdict over `members`' answers. Raises AnswersError on answers that do not fit.

    Its texts are written in `language` when first read.
    `walks`: walks of rules 2 already made (see `rules.decide`)."""
    return PanelVerdict.of_facts(
        rubric, panel_facts(rubric, members, rules_version, walks), language
    )
