"""The engine's promises, checked by hypothesis over generated rubrics and answers.

The generated rubrics use every rule of the current version: anchors that imply flags, warnings
that add up, declared contradictions. `event()` records which interesting cases were reached
(run with `--hypothesis-show-statistics`).
"""

import itertools
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from app.rubric.schemas import RANKED_RECOMMENDATIONS
from app.scoring import Answers, PanelMember, RaisedFlag, combine, score
from app.scoring.panel import panel_recommendation
from app.scoring.rules import RULES_VERSIONS, RulesVersion, Walk, Walks, decide
from tests.factories import criterion, document, examples, flag, rubric, shipped_document

RANK = {name: index for index, name in enumerate(RANKED_RECOMMENDATIONS)}
SHIPPED = rubric(shipped_document())
NOT_OBSERVED = "not_observed"
Ratings = dict[str, int | str | None]


@st.composite
def rubrics(draw: st.DrawFn, small: bool = False) -> Rubric:
    """Valid rubrics of every shape: scale, weights, thresholds, effects, implied flags."""
    if not small and draw(st.booleans()):
        return SHIPPED
    low = draw(st.integers(0, 2))
    high = draw(st.integers(low + 1, low + (3 if small else 6)))
    levels = range(low, high + 1)
    count = draw(st.integers(1, 4 if small else 6))
    groups = ["core"] + [draw(st.sampled_from(["core", "depth"])) for _ in range(count - 1)]
    weights = [draw(st.floats(0.1, 10, allow_nan=False).map(lambda w: round(w, 2))) for _ in groups]
    severities = draw(st.lists(st.sampled_from(["warning", "dealbreaker"]), min_size=1, max_size=5))
    adds_up = draw(st.booleans())  # warnings accumulate: then two of them at least
    if adds_up:
        severities += ["warning"] * max(0, 2 - severities.count("warning"))
    flags = [flag(f"f{i}", s) for i, s in enumerate(severities)]
    criteria = []
    for i, (g, w) in enumerate(zip(groups, weights, strict=True)):
        doc = criterion(f"c{i}", g, w, levels)
        if draw(st.booleans()):  # the bottom level(s) mean exactly a flag
            implied = draw(st.sampled_from(flags))["id"]
            for level in levels[: draw(st.integers(1, 2))]:
                doc["anchors"][level]["implies"] = implied
        doc["flags"] = draw(st.lists(st.sampled_from([f["id"] for f in flags]), max_size=2))
        criteria.append(doc)
    cuts = sorted(draw(st.lists(st.integers(1, 100), min_size=3, max_size=3, unique=True)))
    ranked = st.sampled_from(RANKED_RECOMMENDATIONS)
    cap = draw(ranked)
    accumulate = []
    if adds_up:
        lower = RANKED_RECOMMENDATIONS[: RANK[cap] + 1]
        at_least = draw(st.integers(2, severities.count("warning")))
        accumulate.append({"at_least": at_least, "cap": draw(st.sampled_from(lower))})
    doc = document(
        criteria=criteria,
        flags=flags,
        scale=(low, high),
        thresholds={"hold": cuts[0], "hire": cuts[1], "strong_hire": cuts[2]},
        warning_effect={"penalty": draw(st.integers(0, 30)), "cap": cap, "accumulate": accumulate},
        weak_core={"rating_below": draw(st.integers(low + 1, high)), "cap": draw(ranked)},
    )
    return rubric(doc)


def level(draw: st.DrawFn, r: Rubric) -> int:
    """A rating, drawn from the upper half half of the time (so every band is reached)."""
    middle = (r.scale.min + r.scale.max + 1) // 2
    return draw(st.one_of(st.integers(r.scale.min, r.scale.max), st.integers(middle, r.scale.max)))


def answer(draw: st.DrawFn, r: Rubric) -> int | str | None:
    return draw(st.one_of(st.builds(lambda: level(draw, r)), st.just(NOT_OBSERVED), st.none()))


def raised(draw: st.DrawFn, r: Rubric) -> list[str]:
    """Raised flag ids: warnings only, most of the time (a dealbreaker settles everything)."""
    warnings = [f.id for f in r.flags if f.severity == "warning"]
    pool = warnings if warnings and draw(st.integers(0, 2)) else [f.id for f in r.flags]
    return draw(st.lists(st.sampled_from(pool), max_size=4))


@st.composite
def cases(draw: st.DrawFn, complete: bool = False, small: bool = False) -> tuple[Rubric, Answers]:
    """A rubric and valid answers to it (every criterion rated when `complete`)."""
    r = draw(rubrics(small=small))
    ratings: Ratings = {}
    for c in r.criteria:
        if complete:
            ratings[c.id] = level(draw, r)
        elif draw(st.booleans()):
            ratings[c.id] = answer(draw, r)
    flags = raised(draw, r)
    linked = [c for c in r.criteria if c.flags]
    if linked and draw(st.integers(0, 3)) == 0:  # a contradiction: a flag and its top rating
        target = draw(st.sampled_from(linked))
        ratings[target.id] = r.scale.max
        flags.append(draw(st.sampled_from(target.flags)))
    language = draw(st.sampled_from(["fr", "en"]))
    return r, Answers(ratings=ratings, flags=[{"id": f} for f in flags], language=language)


def unknown(r: Rubric, answers: Answers) -> list[str]:
    return [c.id for c in r.criteria if not isinstance(answers.ratings.get(c.id), int)]


def with_ratings(answers: Answers, changes: Ratings) -> Answers:
    return answers.model_copy(update={"ratings": {**answers.ratings, **changes}})


def dealbreakers(r: Rubric, answers: Answers) -> list[str]:
    return [f.id for f in answers.flags if r.flags_by_id[f.id].severity == "dealbreaker"]


def expect_rank(before: str, after: str, relation: Any) -> None:
    assert before in RANK
    assert after in RANK
    assert relation(RANK[after], RANK[before])


@given(cases())
def test_a_raised_dealbreaker_gives_no_hire_first_and_names_flag_and_source(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    v = score(r, answers)
    raised = dealbreakers(r, answers)
    if raised:
        event("a dealbreaker is raised")
        assert v.recommendation == "no_hire"
        assert v.possible == ["no_hire"]
        for flag_id in raised:
            f = r.flags_by_id[flag_id]
            (reason,) = [x for x in v.reasons if x.ref == flag_id]
            assert f.title.get(answers.language) in reason.text
            assert f.source is not None
            assert f.source.point in reason.text
            assert f.source.seed not in reason.text  # readers never see a file name
        assert v.reasons[0].ref in raised  # the decisive reason comes first


@settings(max_examples=examples(150))
@given(cases(complete=True), st.data())
def test_raising_one_rating_never_lowers_the_recommendation(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    target = data.draw(st.sampled_from([c.id for c in r.criteria]))
    current = answers.ratings[target]
    assert isinstance(current, int)
    if current == r.scale.max:
        return
    higher = data.draw(st.integers(current + 1, r.scale.max))
    before, after = score(r, answers), score(r, with_ratings(answers, {target: higher}))
    event(f"complete answers: {before.recommendation} -> {after.recommendation}")
    expect_rank(before.recommendation, after.recommendation, int.__ge__)
    if {f.id for f in before.flags} == {f.id for f in after.flags}:
        assert after.score >= before.score


@settings(max_examples=examples(150))
@given(cases(complete=True), st.data())
def test_adding_a_flag_never_raises_score_or_recommendation(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    extra = data.draw(st.sampled_from([f.id for f in r.flags]))
    before = score(r, answers)
    after = score(r, answers.model_copy(update={"flags": [*answers.flags, RaisedFlag(id=extra)]}))
    event(f"flag added: {before.recommendation} -> {after.recommendation}")
    assert after.score <= before.score
    expect_rank(before.recommendation, after.recommendation, int.__le__)


@settings(max_examples=examples(150))
@given(cases(complete=True), st.data())
def test_leaving_a_rating_out_never_gives_a_better_recommendation(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    dropped = data.draw(st.lists(st.sampled_from([c.id for c in r.criteria]), min_size=1))
    how = data.draw(st.sampled_from([None, NOT_OBSERVED]))
    full = score(r, answers)
    partial = score(r, with_ratings(answers, dict.fromkeys(dropped, how)))
    event(f"ratings left out: {partial.recommendation}")
    assert partial.recommendation in ("incomplete", full.recommendation)
    assert full.recommendation in partial.possible


@settings(max_examples=examples(150))
@given(cases(), st.data())
def test_adding_ratings_to_a_determinate_verdict_never_changes_it(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    before = score(r, answers)
    missing = unknown(r, answers)
    if before.recommendation == "incomplete" or not missing:
        return
    event("determinate with criteria unknown")
    added = {c: data.draw(st.integers(r.scale.min, r.scale.max)) for c in missing}
    assert score(r, with_ratings(answers, added)).recommendation == before.recommendation


@settings(max_examples=examples(100))
@given(cases(small=True))
def test_possible_recommendations_are_exactly_those_of_every_completion(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    missing = unknown(r, answers)
    v = score(r, answers)
    outcomes = {
        score(r, with_ratings(answers, dict(zip(missing, levels, strict=True)))).recommendation
        for levels in itertools.product(r.levels, repeat=len(missing))
    }
    event(f"{len(missing)} unknown, {len(outcomes)} possible")
    assert v.possible == sorted(outcomes, key=RANK.__getitem__)
    if len(outcomes) == 1:
        assert v.recommendation == next(iter(outcomes))
        assert v.settle == []
    else:
        event("incomplete")
        assert v.recommendation == "incomplete"
        assert v.settle
        assert set(v.settle) <= set(missing)
        for criterion_id in v.settle:  # each one listed can change the outcome on its own
            assert any(
                len(
                    {
                        score(
                            r, with_ratings(answers, {**rest, criterion_id: level})
                        ).recommendation
                        for level in r.levels
                    }
                )
                > 1
                for rest in (
                    dict(zip([m for m in missing if m != criterion_id], levels, strict=True))
                    for levels in itertools.product(r.levels, repeat=len(missing) - 1)
                )
            )


@given(cases(complete=True))
def test_implied_flags_are_raised_by_the_rating_and_say_so(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    v = score(r, answers)
    by_id = {f.id: f for f in v.flags}
    raised = {f.id for f in answers.flags}
    for item in r.criteria:
        rating = answers.ratings[item.id]
        assert isinstance(rating, int)
        implied = item.anchors[rating].implies
        if implied is None:
            continue
        event("a rating implies a flag")
        assert item.id in by_id[implied].implied_by
        assert by_id[implied].origin == ("both" if implied in raised else "rating")
        if r.flags_by_id[implied].severity == "dealbreaker":
            assert v.recommendation == "no_hire"


@given(cases(complete=True), st.data())
def test_warnings_add_up_to_the_rubric_cap(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    warnings = [f.id for f in r.flags if f.severity == "warning"]
    extra = data.draw(st.lists(st.sampled_from(warnings), unique=True)) if warnings else []
    added = [RaisedFlag(id=flag_id) for flag_id in extra]
    answers = answers.model_copy(update={"flags": [*answers.flags, *added]})
    v = score(r, answers)
    counted = [f for f in v.flags if f.severity == "warning"]
    for step in r.warning_effect.accumulate:
        if len(counted) >= step.at_least:
            event("warnings reach an accumulation step")
            assert RANK[v.recommendation] <= RANK[step.cap]
    if counted:
        assert RANK[v.recommendation] <= RANK[r.warning_effect.cap]


@given(cases())
def test_contradictions_are_listed_with_both_references(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    v = score(r, answers)
    flags = {f.id for f in v.flags}
    expected = {
        (flag_id, c.id)
        for c in r.criteria
        for flag_id in flags
        if isinstance(rating := answers.ratings.get(c.id), int)
        and rating in r.contradicting_levels.get((flag_id, c.id), ())
    }
    assert {(x.flag, x.criterion) for x in v.contradictions} == expected
    if expected:
        event("a contradiction")
        refs = {x.ref for x in v.reasons}
        assert {c for _, c in expected} <= refs


@given(cases())
def test_same_answers_give_the_same_bytes(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    again = Answers.model_validate_json(answers.model_dump_json())
    assert score(r, answers).model_dump_json() == score(r, again).model_dump_json()


@given(cases())
def test_reasons_refer_to_known_items_and_differ_by_language(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    known = {c.id for c in r.criteria} | {f.id for f in r.flags} | {"overall"}
    fr = score(r, answers, "fr")
    en = score(r, answers, "en")
    assert fr.reasons
    assert len(fr.reasons) == len(en.reasons)
    for a, b in zip(fr.reasons, en.reasons, strict=True):
        assert a.ref == b.ref
        assert a.ref in known
        assert a.text != b.text
    assert (fr.score, fr.recommendation, fr.possible) == (en.score, en.recommendation, en.possible)


@given(cases())
def test_score_and_coverage_stay_in_range(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    v = score(r, answers)
    assert 0.0 <= v.score <= 100.0
    assert 0.0 <= v.coverage <= 1.0
    assert v.rubric_version == r.version
    assert v.rules_version == 2


def expected_median(values: list[int]) -> int:
    """The lower median, written here independently of the engine."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle - 1] if len(ordered) % 2 == 0 else ordered[middle]


@st.composite
def panels(draw: st.DrawFn) -> tuple[Rubric, list[PanelMember]]:
    r = draw(rubrics())
    size = draw(st.integers(0, 5))
    members = []
    for index in range(size):
        ratings = {c.id: answer(draw, r) for c in r.criteria if draw(st.booleans())}
        flags = raised(draw, r)[:2]
        own = draw(st.sampled_from([None, *RANKED_RECOMMENDATIONS]))
        members.append(
            PanelMember(
                f"person {index}",
                Answers(
                    ratings=ratings,
                    flags=[{"id": f} for f in flags],
                    overall_recommendation=own,
                ),
                summary=f"summary {index}",
            )
        )
    return r, members


@settings(max_examples=examples(150))
@given(panels())
def test_panel_combines_by_lower_median_and_flags_calibration(
    case: tuple[Rubric, list[PanelMember]],
) -> None:
    r, members = case
    v = combine(r, members, "en")
    by_id = {c.id: c for c in v.criteria}
    calibrated = {item.criterion_id: item for item in v.calibration}
    for c in r.criteria:
        answers = [m.answers.ratings.get(c.id) for m in members]
        given_ = [x for x in answers if isinstance(x, int)]
        if given_:
            assert by_id[c.id].rating == expected_median(given_)
        else:
            assert by_id[c.id].rating == (NOT_OBSERVED if NOT_OBSERVED in answers else None)
        spread = max(given_) - min(given_) if given_ else 0
        assert (c.id in calibrated) == (spread >= 2)
    for f in v.flags:
        raisers = [m.interviewer for m in members if any(x.id == f.id for x in m.answers.flags)]
        assert set(raisers) <= set(f.raised_by)
    assert [(p.name, p.overall_recommendation, p.summary) for p in v.interviewers] == [
        (m.interviewer, m.answers.overall_recommendation, m.summary) for m in members
    ]
    for person in v.interviewers:
        if person.overall_recommendation is None:
            assert person.agrees is None
        else:
            assert person.agrees == (person.overall_recommendation == v.recommendation)
    if len(members) < 2:
        assert v.agreement is None
    elif v.agreement is not None:
        event("agreement computed")
        assert -1.0 <= v.agreement <= 1.0
        assert v.agreement_words


@given(cases())
def test_a_panel_of_one_agrees_with_the_single_verdict(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    single = score(r, answers, "en")
    panel = combine(r, [PanelMember("only", answers)], "en")
    assert (panel.recommendation, panel.score, panel.coverage, panel.possible) == (
        single.recommendation,
        single.score,
        single.coverage,
        single.possible,
    )


@given(cases(), st.sampled_from(sorted(RULES_VERSIONS)))
def test_a_panel_of_one_recommends_what_its_scorecard_decides(
    case: tuple[Rubric, Answers], rules: RulesVersion
) -> None:
    """The bulk import takes a panel of one's recommendation from its scorecard's decision
    (app/imports): the same, by every rules version, with or without walks made before."""
    r, answers = case
    ratings = {k: v for k, v in answers.ratings.items() if v is not None}
    walks: Walks = {}
    own = decide(r, ratings, {f.id for f in answers.flags}, rules, walks).recommendation
    member = [PanelMember("only", answers)]
    assert panel_recommendation(r, member, rules, walks) == own
    assert panel_recommendation(r, member, rules) == own


@given(cases())
def test_a_stored_walk_gives_the_verdict_the_walk_itself_gives(
    case: tuple[Rubric, Answers],
) -> None:
    """Walks kept from a verdict (as a panel's are stored) give the same verdict when reused,
    and a panel of one finds the walk of its scorecard."""
    r, answers = case
    walks: Walks = {}
    fresh = score(r, answers, "en", walks=walks)
    assert score(r, answers, "en").model_dump_json() == fresh.model_dump_json()
    if fresh.rules_version == 2 and unknown(r, answers):
        assert len(walks) == 1
        event("a walk kept")
    found: Walks = {}
    reused = combine(r, [PanelMember("only", answers)], "en", walks=_Counting(walks, found))
    assert (reused.possible, reused.settle) == (fresh.possible, fresh.settle)
    assert len(found) == len(walks)  # found, not made again
    assert score(r, answers, "en", walks=walks).model_dump_json() == fresh.model_dump_json()


class _Counting(dict[str, Walk]):
    """Walks that notes each one looked up in `found`."""

    def __init__(self, walks: Walks, found: Walks) -> None:
        super().__init__(walks)
        self.found = found

    def __getitem__(self, key: str) -> Walk:
        walk = super().__getitem__(key)
        self.found[key] = walk
        return walk


@st.composite
def rated_panels(draw: st.DrawFn) -> tuple[Rubric, list[PanelMember]]:
    """Panels whose members rate nearly every criterion: verdicts of every kind, not mostly
    "incomplete" as when each criterion is left out half the time."""
    r = draw(rubrics())
    members = []
    for index in range(draw(st.integers(1, 3))):
        ratings = {
            c.id: level(draw, r) if draw(st.integers(0, 5)) else answer(draw, r) for c in r.criteria
        }
        flags = raised(draw, r)[:2]
        members.append(
            PanelMember(
                f"person {index}", Answers(ratings=ratings, flags=[{"id": f} for f in flags])
            )
        )
    return r, members


@settings(max_examples=examples(150))
@given(st.one_of(panels(), rated_panels()), st.sampled_from([1, 2]))
def test_the_panel_recommendation_alone_is_the_full_verdicts(
    case: tuple[Rubric, list[PanelMember]], rules_version: int
) -> None:
    """What filters and stored recommendations use is the recommendation of the whole verdict."""
    r, members = case
    full = combine(r, members, "en", rules_version=rules_version)  # type: ignore[arg-type]
    event(f"panel recommendation {full.recommendation}")
    assert panel_recommendation(r, members, rules_version) == full.recommendation  # type: ignore[arg-type]
