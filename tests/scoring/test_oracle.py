"""The engine against the README's rules, written out again here from the text, independently.

For complete answers the rules give one recommendation and one score; the oracle below computes
them straight from the rubric's numbers, with none of the engine's code. Rules version 1 (the
verdicts made before version 2) is checked the same way on any answers.
"""

import itertools
import math
import re

from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from app.rubric.schemas import RANKED_RECOMMENDATIONS
from app.scoring import Answers, rules, score
from tests.factories import examples
from tests.scoring.test_properties import cases

ORDER = list(RANKED_RECOMMENDATIONS)  # no_hire lowest


def at_most(recommendation: str, cap: str) -> str:
    return ORDER[min(ORDER.index(recommendation), ORDER.index(cap))]


def band(r: Rubric, points: float) -> str:
    t = r.thresholds
    for name, cut in (("strong_hire", t.strong_hire), ("hire", t.hire), ("hold", t.hold)):
        if points >= cut:
            return name
    return "no_hire"


def oracle(r: Rubric, ratings: dict[str, int], raised: set[str], version: int) -> tuple[str, float]:
    """(recommendation, score) by the README's rules, for the criteria rated in `ratings`."""
    flags = set(raised)
    if version == 2:  # an anchor may mean exactly a flag
        for c in r.criteria:
            if c.id in ratings and c.anchors[ratings[c.id]].implies:
                flags.add(c.anchors[ratings[c.id]].implies)  # type: ignore[arg-type]
    severity = {f.id: f.severity for f in r.flags}
    warnings = sum(1 for f in flags if severity[f] == "warning")
    span = r.scale.max - r.scale.min
    rated = [c for c in r.criteria if c.id in ratings]
    weight = sum(c.weight for c in rated)
    got = sum(c.weight * (ratings[c.id] - r.scale.min) / span for c in rated)
    base = 100 * got / weight if weight else 0.0
    points = round(max(0.0, base - r.warning_effect.penalty * warnings), 1)
    recommendation = band(r, points)
    if warnings:
        recommendation = at_most(recommendation, r.warning_effect.cap)
        if version == 2:
            for step in r.warning_effect.accumulate:
                if warnings >= step.at_least:
                    recommendation = at_most(recommendation, step.cap)
    if any(c.group == "core" and ratings[c.id] < r.weak_core.rating_below for c in rated):
        recommendation = at_most(recommendation, r.weak_core.cap)
    if version == 1 and (
        not rated or any(c.group == "core" and c not in rated for c in r.criteria)
    ):
        recommendation = "incomplete"
    if any(severity[f] == "dealbreaker" for f in flags):
        recommendation = "no_hire"
    return recommendation, points


@st.composite
def graded(draw: st.DrawFn, complete: bool = True) -> tuple[Rubric, Answers]:
    """Cases, half of them without flags and rated near the top (so every band is reached)."""
    r, answers = draw(cases(complete=complete))
    if draw(st.booleans()):
        top = st.integers(max(r.scale.min, r.scale.max - 1), r.scale.max)
        ratings = {k: draw(top) if isinstance(v, int) else v for k, v in answers.ratings.items()}
        answers = answers.model_copy(update={"ratings": ratings, "flags": []})
    return r, answers


def numbers(answers: Answers) -> dict[str, int]:
    return {k: v for k, v in answers.ratings.items() if isinstance(v, int)}


@settings(max_examples=examples(200))
@given(graded())
def test_complete_answers_get_the_recommendation_and_score_of_the_rules(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    v = score(r, answers)
    expected, points = oracle(r, numbers(answers), {f.id for f in answers.flags}, 2)
    event(f"complete answers: {expected}")
    assert (v.recommendation, v.possible, v.settle) == (expected, [expected], [])
    assert v.score == points
    assert v.coverage == 1.0
    warnings = [f for f in v.flags if f.severity == "warning"]
    cap = r.warning_effect.cap
    for step in r.warning_effect.accumulate:
        if len(warnings) >= step.at_least:
            cap = at_most(cap, step.cap)
    assert all(f.cap == cap for f in warnings)


@settings(max_examples=examples(150))
@given(st.one_of(graded(complete=False), graded()), st.sampled_from(["fr", "en"]))
def test_rules_version_1_is_the_rated_part_alone(case: tuple[Rubric, Answers], lang: str) -> None:
    r, answers = case
    v = score(r, answers, lang, rules_version=1)  # type: ignore[arg-type]
    ratings = numbers(answers)
    expected, points = oracle(r, ratings, {f.id for f in answers.flags}, 1)
    event(f"rules 1: {expected}")
    assert v.recommendation == expected
    assert v.score == points
    assert v.possible == ([] if expected == "incomplete" else [expected])
    total = sum(c.weight for c in r.criteria)
    assert v.coverage == round(sum(c.weight for c in r.criteria if c.id in ratings) / total, 4)
    assert v.rules_version == 1
    missing_core = [c.id for c in r.criteria if c.group == "core" and c.id not in ratings]
    assert v.settle == missing_core
    assert all(f.origin == "raised" for f in v.flags)  # version 1 implies no flag
    for f in v.flags:  # version 1: one cap for any number of warnings
        assert f.cap == (r.warning_effect.cap if f.severity == "warning" else None)
    known = {c.id for c in r.criteria} | {f.id for f in r.flags} | {"overall"}
    assert {x.ref for x in v.reasons} <= known


@settings(max_examples=examples(150))
@given(cases())
def test_each_rated_criterion_contributes_its_share_of_the_rated_weight(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    v = score(r, answers)
    ratings = numbers(answers)
    weight = sum(c.weight for c in r.criteria if c.id in ratings)
    span = r.scale.max - r.scale.min
    for c in v.criteria:
        item = r.criteria_by_id[c.id]
        if c.id in ratings:
            share = item.weight * (ratings[c.id] - r.scale.min) / span
            assert c.contribution == round(100 * share / weight, 2)
        else:
            assert c.contribution == 0.0
        assert (c.weight, c.group, c.rating) == (item.weight, item.group, answers.ratings.get(c.id))
    # Without flags, the contributions add up to the score (each rounded on its own).
    if not any(f.severity == "warning" for f in v.flags):
        assert abs(sum(c.contribution for c in v.criteria) - v.score) <= 0.05 + 0.005 * len(
            r.criteria
        )


@settings(max_examples=examples(150))
@given(cases())
def test_the_criteria_to_ask_about_come_core_first_then_heaviest(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    v = score(r, answers)
    keys = [(r.criteria_by_id[c].group != "core", -r.criteria_by_id[c].weight) for c in v.settle]
    if len(v.settle) > 1:
        event("several criteria to ask about")
    assert keys == sorted(keys)
    assert len(set(v.settle)) == len(v.settle)


@settings(max_examples=examples(200))
@given(cases(complete=True))
def test_the_penalty_sentence_adds_up_to_the_score(case: tuple[Rubric, Answers]) -> None:
    """A person checks the line: what the ratings alone give, minus the warnings, is the score."""
    r, answers = case
    v = score(r, answers, "en")
    if v.score == 0 or not any(f.severity == "warning" for f in v.flags):
        return
    line = next(x.text for x in v.reasons if "warning flag(s) take off" in x.text)
    found = re.search(
        r"The ratings alone give ([\d.]+); (\d+) warning flag\(s\) take off ([\d.]+)", line
    )
    assert found is not None, line
    base, count, total = float(found[1]), int(found[2]), float(found[3])
    event("a penalty sentence")
    assert count == sum(1 for f in v.flags if f.severity == "warning")
    assert total == r.warning_effect.penalty * count
    assert math.isclose(base - total, v.score, abs_tol=1e-9)


@settings(max_examples=examples(150))
@given(cases(small=True))
def test_the_exhaustive_search_finds_exactly_the_outcomes_of_every_completion(
    case: tuple[Rubric, Answers],
) -> None:
    """The search the engine falls back on (when the bottom-to-top walk skips a value) is exact.

    It is called directly here: through `score` it only runs when the walk skipped a value, so
    the verdicts above would not show an extra or missing value in it.
    """
    r, answers = case
    known = numbers(answers)
    unknown = [c for c in r.criteria if c.id not in known]
    raised = frozenset(f.id for f in answers.flags)
    outcomes = {
        oracle(r, {**known, **dict(zip([c.id for c in unknown], levels, strict=True))}, raised, 2)[
            0
        ]
        for levels in itertools.product(r.levels, repeat=len(unknown))
    }
    event(f"{len(unknown)} unknown, {len(outcomes)} outcomes")
    assert rules._reachable(r, known, unknown, raised) == outcomes
    assert set(rules._walk(r, known, unknown, raised)[0]) == outcomes


@settings(max_examples=examples(300))
@given(cases(complete=True))
def test_the_walks_outcome_of_a_completion_is_the_decision_on_it(
    case: tuple[Rubric, Answers],
) -> None:
    """The function the walks call a hundred times a verdict (`rules._outcomes`, which skips the
    implied flags already raised and adds up shares its own way) gives, on every fully rated
    assessment, the rank of the recommendation `decide` and the oracle give."""
    r, answers = case
    known = numbers(answers)
    raised = frozenset(f.id for f in answers.flags)
    levels = [known[c.id] for c in r.criteria]
    got = rules._outcomes(r, raised)(levels)
    decided = rules.decide(r, known, raised, 2)
    assert decided.recommendation != "incomplete"
    assert got == rules.rank(decided.recommendation)
    assert got == ORDER.index(oracle(r, known, set(raised), 2)[0])


@settings(max_examples=examples(300))
@given(cases(), st.data())
def test_the_walks_outcome_looking_only_at_the_unknown_criteria_is_the_same(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    """The walks call `rules._outcomes` told which positions vary (the unknown criteria), with
    the flags the known ratings imply counted as raised: on any rating of the unknown criteria it
    gives what it gives looking at every position."""
    r, answers = case
    known = numbers(answers)
    raised = frozenset(f.id for f in answers.flags)
    ids = [c.id for c in r.criteria]
    varying = frozenset(i for i, c in enumerate(ids) if c not in known)
    levels = [
        known[c] if c in known else data.draw(st.sampled_from(r.levels), label=c) for c in ids
    ]
    told = rules._outcomes(r, raised | set(rules.implied_flags(r, known)), varying)
    assert told(levels) == rules._outcomes(r, raised)(levels)
