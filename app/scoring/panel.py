"""Combine several interviewers' answers into one panel verdict.

Combination rule: each criterion takes the median of the ratings given for it (the lower of the
two middle ones when their number is even, so a split panel never rounds itself up); interviewers
who left it unrated are not counted. Red flags are pooled, with who raised each. A criterion whose
ratings spread by 2 points or more needs a calibration talk. Agreement is Krippendorff's alpha at
the ordinal level over the criteria (units) and interviewers (coders).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

from app.core.i18n import Language, format_number
from app.rubric.model import Rubric
from app.rubric.schemas import Recommendation
from app.scoring.answers import Answers, AnswersError, FieldError, check_answers
from app.scoring.engine import RaisedBy, decide, evaluate
from app.scoring.messages import quoted, say
from app.scoring.verdict import AttributedNote, Calibration, PanelVerdict

CALIBRATION_SPREAD = 2


@dataclass(frozen=True)
class PanelMember:
    """One interviewer's submitted answers, under the name the panel knows them by."""

    interviewer: str
    answers: Answers


def lower_median(values: Sequence[int]) -> int:
    """The median of `values`; of the two middle values, the lower one."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def agreement(rubric: Rubric, members: Sequence[PanelMember]) -> float | None:
    """Krippendorff's alpha (ordinal) of the panel; None when no criterion has two ratings.

    When every pair of ratings agrees and there is no variation to compare against, alpha is
    undefined (0/0); the panel agrees perfectly, so 1.0 is returned.
    """
    matrix = [
        [
            float(r) if (r := m.answers.ratings.get(c.id)) is not None else math.nan
            for c in rubric.criteria
        ]
        for m in members
    ]
    data = np.array(matrix, dtype=float)
    if data.size == 0 or not np.any(np.sum(~np.isnan(data), axis=0) >= 2):
        return None
    paired = data[:, np.sum(~np.isnan(data), axis=0) >= 2]
    if np.all(np.nanmax(paired, axis=0) == np.nanmin(paired, axis=0)):
        return 1.0
    value = float(
        krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=rubric.levels
        )
    )
    return round(value, 4) if math.isfinite(value) else None


def combined_ratings(rubric: Rubric, members: Sequence[PanelMember]) -> dict[str, int]:
    """Each criterion's combined rating: the lower median of the ratings given for it."""
    ratings: dict[str, int] = {}
    for criterion in rubric.criteria:
        given = [r for m in members if (r := m.answers.ratings.get(criterion.id)) is not None]
        if given:
            ratings[criterion.id] = lower_median(given)
    return ratings


def panel_recommendation(rubric: Rubric, members: Sequence[PanelMember]) -> Recommendation:
    """The panel's recommendation alone (no texts, no agreement): what filters need."""
    raised = {f.id for m in members for f in m.answers.flags}
    return decide(rubric, combined_ratings(rubric, members), dict.fromkeys(raised)).recommendation


def combine(rubric: Rubric, members: Sequence[PanelMember], language: Language) -> PanelVerdict:
    """The panel verdict over `members`' answers. Raises AnswersError on answers that do not fit."""
    names = [m.interviewer for m in members]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise AnswersError(
            [FieldError("panel", f"interviewer named twice: {', '.join(duplicates)}")]
        )
    for member in members:
        check_answers(rubric, member.answers)
    lang = language
    ratings = combined_ratings(rubric, members)
    calibration: list[Calibration] = []
    notes: dict[str, list[AttributedNote]] = {}
    for criterion in rubric.criteria:
        given = {
            m.interviewer: r
            for m in members
            if (r := m.answers.ratings.get(criterion.id)) is not None
        }
        if given:
            spread = max(given.values()) - min(given.values())
            if spread >= CALIBRATION_SPREAD:
                calibration.append(
                    Calibration(criterion_id=criterion.id, ratings=given, spread=spread)
                )
        criterion_notes = [
            AttributedNote(by=m.interviewer, text=text)
            for m in members
            if (text := m.answers.notes.get(criterion.id))
        ]
        if criterion_notes:
            notes[criterion.id] = criterion_notes

    raised: dict[str, RaisedBy] = {}
    for member in members:
        for flag in member.answers.flags:
            entry = raised.setdefault(flag.id, RaisedBy())
            if member.interviewer not in entry.raised_by:
                entry.raised_by.append(member.interviewer)
            if flag.note:
                entry.notes.append(AttributedNote(by=member.interviewer, text=flag.note))

    alpha = agreement(rubric, members)
    extra: list[dict[str, str]] = []
    if not members:
        extra.append({"ref": "overall", "text": say(lang, "no_assessment")})
    else:
        extra.append({"ref": "overall", "text": say(lang, "panel_rule", count=len(members))})
    for item in calibration:
        criterion = rubric.criteria_by_id[item.criterion_id]
        listed = ", ".join(f"{name}: {rating}" for name, rating in item.ratings.items())
        text = say(
            lang,
            "calibration",
            title=quoted(lang, criterion.title.get(lang)),
            low=min(item.ratings.values()),
            high=max(item.ratings.values()),
            ratings=listed,
        )
        extra.append({"ref": criterion.id, "text": text})
    if len(members) >= 2:
        if alpha is None:
            extra.append({"ref": "overall", "text": say(lang, "agreement_none")})
        else:
            value = format_number(alpha, lang, 2)
            extra.append({"ref": "overall", "text": say(lang, "agreement", alpha=value)})

    fields = evaluate(
        rubric,
        ratings,
        raised,
        notes,
        lang,
        extra_reasons=extra,
        extra_fields={
            "raters": [m.interviewer for m in members],
            "calibration": calibration,
            "agreement": alpha if len(members) >= 2 else None,
        },
    )
    return PanelVerdict.model_validate(fields)
