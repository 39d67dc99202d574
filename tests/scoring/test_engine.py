"""The engine's rules on small rubrics whose verdicts can be worked out by hand."""

import copy
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from app.scoring import Answers, AnswersError, Verdict, parse_answers, score
from app.scoring.engine import _ratings, assess, head
from app.scoring.rules import (
    RulesVersion,
    band,
    contradictions,
    decide,
    implied_flags,
    numeric,
    rank,
    walk_key,
    warning_cap,
)
from tests.factories import criterion, document, examples, flag, rubric
from tests.scoring.test_properties import cases

# Two core criteria (weights 3 and 1) and one depth criterion (weight 2), scale 1–4.
SMALL = document(
    criteria=[
        criterion("alpha", "core", 3),
        criterion("beta", "core", 1),
        criterion("gamma", "depth", 2),
    ],
    flags=[flag("warn_one"), flag("warn_two"), flag("deal_one", "dealbreaker")],
)


@pytest.fixture
def small() -> Rubric:
    return rubric(SMALL)


def verdict_of(r: Rubric, **answers: object) -> dict[str, object]:
    return score(r, parse_answers(r, answers)).model_dump(mode="json")


def test_weighted_score_over_the_rated_weight(small: Rubric) -> None:
    # alpha 4 -> 1.0 x 3, beta 2 -> 1/3 x 1, gamma 3 -> 2/3 x 2: (3 + 1/3 + 4/3) / 6 = 77.8
    v = verdict_of(small, ratings={"alpha": 4, "beta": 2, "gamma": 3})
    assert v["score"] == 77.8
    assert v["coverage"] == 1.0
    assert v["recommendation"] == "hire"
    contributions = {c["id"]: c["contribution"] for c in v["criteria"]}
    assert contributions == {"alpha": 50.0, "beta": 5.56, "gamma": 22.22}


def test_unrated_depth_lowers_coverage_and_leaves_the_verdict_open(small: Rubric) -> None:
    # gamma unrated: at 1, (3 + 1 + 0) / 6 = 66.7 -> hire; at 4, 100 -> strong hire
    v = verdict_of(small, ratings={"alpha": 4, "beta": 4})
    assert (v["score"], v["coverage"], v["recommendation"]) == (100.0, 0.6667, "incomplete")
    assert (v["possible"], v["settle"]) == (["hire", "strong_hire"], ["gamma"])
    gamma = next(c for c in v["criteria"] if c["id"] == "gamma")
    assert gamma["rating"] is None
    assert gamma["anchor"] is None
    assert gamma["contribution"] == 0
    ask = next(r["text"] for r in v["reasons"] if "ask about" in r["text"])
    assert "title gamma (en)" in ask
    # Rules version 1 (verdicts made before version 2) read the rated part alone.
    old = score(small, Answers(ratings={"alpha": 4, "beta": 4}), rules_version=1)
    assert (old.recommendation, old.rules_version, old.possible) == (
        "strong_hire",
        1,
        ["strong_hire"],
    )


def test_not_observed_is_neither_unrated_nor_the_lowest_rating(small: Rubric) -> None:
    v = verdict_of(small, ratings={"alpha": 4, "beta": 4, "gamma": "not_observed"})
    assert v["recommendation"] == "incomplete"
    gamma = next(c for c in v["criteria"] if c["id"] == "gamma")
    assert gamma["rating"] == "not_observed"
    assert any("Not observed" in r["text"] and "title gamma" in r["text"] for r in v["reasons"])
    lowest = verdict_of(small, ratings={"alpha": 4, "beta": 4, "gamma": 1})
    assert lowest["recommendation"] == "hire"


def test_a_determinate_verdict_with_criteria_unknown_says_so(small: Rubric) -> None:
    # beta 1 (core, weak): capped at hold; gamma unknown: (3 + 0 + 0) / 6 = 50 at worst -> hold
    v = verdict_of(small, ratings={"alpha": 4, "beta": 1})
    assert (v["recommendation"], v["possible"], v["settle"]) == ("hold", ["hold"], [])
    assert any("Whatever the criteria" in r["text"] for r in v["reasons"])


def test_thresholds_are_inclusive(small: Rubric) -> None:
    # alpha 3 (2/3 x 3 = 2), beta 4 (1 x 1), gamma 3 (2/3 x 2): 4.33 / 6 = 72.2 -> hire
    assert verdict_of(small, ratings={"alpha": 3, "beta": 4, "gamma": 3})["recommendation"] == (
        "hire"
    )
    at_hold = rubric(document(thresholds={"strong_hire": 90, "hire": 70, "hold": 50}))
    # alpha 3 (2/3 x 3) + beta 2 (1/3 x 1): 2.333 / 4 = 58.3 -> hold
    assert verdict_of(at_hold, ratings={"alpha": 3, "beta": 2})["recommendation"] == "hold"
    exact = rubric(document(thresholds={"strong_hire": 90, "hire": 75, "hold": 50}))
    # alpha 4 and beta 1 (depth here): 3 / 4 = 75 -> exactly the hire threshold
    assert verdict_of(exact, ratings={"alpha": 4, "beta": 1})["recommendation"] == "hire"


def test_warning_takes_points_and_caps(small: Rubric) -> None:
    v = verdict_of(small, ratings={"alpha": 4, "beta": 4, "gamma": 4}, flags=["warn_one"])
    assert v["score"] == 95.0
    assert v["recommendation"] == "hire"  # capped: strong_hire is out of reach with a warning
    (f,) = v["flags"]
    assert (f["id"], f["effect"], f["penalty"], f["cap"]) == ("warn_one", "penalty", 5.0, "hire")
    assert [r["ref"] for r in v["reasons"]].count("warn_one") == 1
    two = verdict_of(
        small, ratings={"alpha": 4, "beta": 4, "gamma": 4}, flags=["warn_one", "warn_two"]
    )
    assert two["score"] == 90.0


def test_penalty_never_goes_below_zero(small: Rubric) -> None:
    v = verdict_of(small, ratings={"alpha": 1, "beta": 1}, flags=["warn_one", "warn_two"])
    assert v["score"] == 0.0


def test_weak_core_caps_at_hold(small: Rubric) -> None:
    # alpha 4, beta 1, gamma 4: (3 + 0 + 2) / 6 = 83.3, but beta (core) rated 1 < 2
    v = verdict_of(small, ratings={"alpha": 4, "beta": 1, "gamma": 4})
    assert v["score"] == 83.3
    assert v["recommendation"] == "hold"
    assert any(r["ref"] == "beta" and "hold" in r["text"] for r in v["reasons"])


def test_missing_core_is_incomplete_and_named(small: Rubric) -> None:
    # beta unrated: at 1 a weak core caps (3 + 0 + 2) / 6 = 83 at hold; at 2, 88.9 is a strong
    # hire. "hire" is never reached: the possible recommendations are exact, not a range.
    v = verdict_of(small, ratings={"alpha": 4, "gamma": 4})
    assert v["recommendation"] == "incomplete"
    assert v["possible"] == ["hold", "strong_hire"]
    missing = next(r for r in v["reasons"] if r["ref"] == "overall" and "ask about" in r["text"])
    assert "title beta (en)" in missing["text"]
    assert "title alpha" not in missing["text"]
    old = score(small, Answers(ratings={"alpha": 4, "gamma": 4}), rules_version=1)
    assert any("not rated yet" in r.text for r in old.reasons)
    # A null rating is the same as an absent one.
    assert verdict_of(small, ratings={"alpha": 4, "beta": None})["recommendation"] == "incomplete"


def test_nothing_rated(small: Rubric) -> None:
    v = verdict_of(small)
    assert (v["recommendation"], v["score"], v["coverage"]) == ("incomplete", 0.0, 0.0)


def test_dealbreaker_overrides_everything_and_cites_its_source(small: Rubric) -> None:
    v = verdict_of(
        small,
        ratings={"alpha": 4, "beta": 4, "gamma": 4},
        flags=[{"id": "deal_one", "note": "bought fans"}],
    )
    assert v["recommendation"] == "no_hire"
    assert v["score"] == 100.0  # the score still says what the ratings say
    first = v["reasons"][0]
    assert first["ref"] == "deal_one"
    assert "flag deal_one (en)" in first["text"]
    assert "source text 002, point 1" in first["text"]  # a title when the rubric has one
    assert "002_4f5316c9140b287b.txt" not in first["text"]
    (f,) = v["flags"]
    assert f["effect"] == "forces_no_hire"
    assert f["notes"] == [{"by": None, "text": "bought fans"}]
    # Even with core criteria unrated.
    assert verdict_of(small, flags=["deal_one"])["recommendation"] == "no_hire"


def test_reasons_explain_each_rated_criterion_with_its_anchor(small: Rubric) -> None:
    v = verdict_of(small, ratings={"alpha": 3, "beta": 2}, language="fr")
    alpha = next(r for r in v["reasons"] if r["ref"] == "alpha")
    assert "anchor alpha 3 (fr)" in alpha["text"]
    assert "3/4" in alpha["text"]
    assert v["language"] == "fr"
    assert next(c for c in v["criteria"] if c["id"] == "alpha")["anchor"] == "anchor alpha 3 (fr)"


def test_french_numbers_use_a_decimal_comma(small: Rubric) -> None:
    v = verdict_of(small, ratings={"alpha": 4, "beta": 2, "gamma": 3}, language="fr")
    assert "77,8/100" in v["reasons"][0]["text"]


def test_flag_order_and_duplicates_do_not_change_the_verdict(small: Rubric) -> None:
    a = score(
        small,
        Answers(ratings={"alpha": 3, "beta": 3}, flags=[{"id": "warn_two"}, {"id": "warn_one"}]),
    )
    b = score(
        small,
        Answers(
            ratings={"beta": 3, "alpha": 3},
            flags=[{"id": "warn_one"}, {"id": "warn_two"}, {"id": "warn_one"}],
        ),
    )
    assert a.model_dump_json() == b.model_dump_json()
    assert a.score == 56.7  # (2 + 2/3) / 4 = 66.7, minus 2 warnings x 5


@pytest.mark.parametrize(
    ("answers", "loc", "valid"),
    [
        ({"ratings": {"alpha": 5}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        ({"ratings": {"alpha": 0}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        ({"ratings": {"alpha": "3"}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        ({"ratings": {"alpha": 2.5}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        ({"ratings": {"alpha": True}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        ({"ratings": {"alpha": "unseen"}}, "ratings.alpha", [1, 2, 3, 4, "not_observed"]),
        (
            {"overall_recommendation": "maybe"},
            "overall_recommendation",
            ["no_hire", "hold", "hire", "strong_hire"],
        ),
        ({"ratings": {"delta": 2}}, "ratings.delta", ["alpha", "beta", "gamma"]),
        ({"flags": ["nope"]}, "flags[0].id", ["warn_one", "warn_two", "deal_one"]),
        (
            {"flags": [{"id": "warn_one", "level": 2}]},
            "flags[0].level",
            ["id", "note", "origin", "quote"],
        ),
        ({"notes": {"delta": "x"}}, "notes.delta", ["alpha", "beta", "gamma"]),
        ({"language": "de"}, "language", ["fr", "en"]),
        ({"ratings": []}, "ratings", None),
        (
            {"rating": {}},
            "rating",
            ["ratings", "flags", "notes", "overall_recommendation", "language"],
        ),
    ],
)
def test_invalid_answers_name_the_field_and_valid_values(
    small: Rubric, answers: dict[str, object], loc: str, valid: list[object] | None
) -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(small, answers)
    (error,) = caught.value.errors
    assert error.loc == loc
    assert error.valid == valid


def test_score_checks_answers_built_in_code(small: Rubric) -> None:
    with pytest.raises(AnswersError):
        score(small, Answers(ratings={"alpha": 9}))


def rules_two_rubric() -> Rubric:
    """SMALL with alpha's level 1 meaning deal_one, warnings adding up and a declared conflict."""
    doc = document(
        criteria=[
            criterion("alpha", "core", 3),
            criterion("beta", "core", 1),
            criterion("gamma", "depth", 2),
        ],
        flags=[flag("warn_one"), flag("warn_two"), flag("deal_one", "dealbreaker")],
        warning_effect={
            "penalty": 5,
            "cap": "hire",
            "accumulate": [{"at_least": 2, "cap": "hold"}],
        },
        contradictions=[{"flag": "warn_one", "criterion": "gamma", "levels": [3, 4]}],
    )
    doc["criteria"][0]["anchors"][1]["implies"] = "deal_one"
    doc["criteria"][1]["flags"] = ["warn_two"]
    return rubric(doc)


def test_an_anchor_that_implies_a_dealbreaker_gives_no_hire_and_says_why() -> None:
    r = rules_two_rubric()
    v = verdict_of(r, ratings={"alpha": 1, "beta": 4, "gamma": 4})
    assert v["recommendation"] == "no_hire"
    (f,) = v["flags"]
    assert (f["id"], f["origin"], f["implied_by"]) == ("deal_one", "rating", ["alpha"])
    first = v["reasons"][0]
    assert first["ref"] == "deal_one"
    assert "title alpha (en)" in first["text"]  # the reason says the flag came from the rating
    both = verdict_of(r, ratings={"alpha": 1, "beta": 4, "gamma": 4}, flags=["deal_one"])
    assert both["flags"][0]["origin"] == "both"
    # Rules version 1 knows no implied flag: the weak core caps at hold.
    old = score(r, Answers(ratings={"alpha": 1, "beta": 4, "gamma": 4}), rules_version=1)
    assert (old.recommendation, old.flags) == ("hold", [])


def test_warnings_add_up_to_the_declared_cap() -> None:
    r = rules_two_rubric()
    top = {"alpha": 4, "beta": 4, "gamma": 4}
    assert verdict_of(r, ratings=top, flags=["warn_one"])["recommendation"] == "hire"
    two = verdict_of(r, ratings=top, flags=["warn_one", "warn_two"])
    assert (two["score"], two["recommendation"]) == (90.0, "hold")
    assert any("2 warning flags add up" in x["text"] for x in two["reasons"])
    old = score(r, Answers(ratings=top, flags=["warn_one", "warn_two"]), rules_version=1)
    assert old.recommendation == "hire"


def test_contradictions_are_listed_and_never_move_the_recommendation() -> None:
    r = rules_two_rubric()
    ratings = {"alpha": 4, "beta": 4, "gamma": 3}
    v = verdict_of(r, ratings=ratings, flags=["warn_one", "warn_two"])
    assert v["contradictions"] == [
        {"flag": "warn_one", "criterion": "gamma", "rating": 3, "by": None},  # declared
        {"flag": "warn_two", "criterion": "beta", "rating": 4, "by": None},  # listed, at the top
    ]
    texts = [x["text"] for x in v["reasons"] if x["ref"] in ("beta", "gamma")]
    assert any("Contradiction" in t and "flag warn_two" in t and "4/4" in t for t in texts)
    quiet = verdict_of(
        r, ratings={**ratings, "beta": 3, "gamma": 2}, flags=["warn_one", "warn_two"]
    )
    assert quiet["contradictions"] == []


def test_the_shipped_rubric_renders_sources_by_title_and_in_the_readers_language(
    shipped: Rubric,
) -> None:
    every = {c.id: 4 for c in shipped.criteria}
    for flag_ in shipped.flags:
        v = score(shipped, Answers(flags=[flag_.id], language="fr"))
        text = next(x.text for x in v.reasons if x.ref == flag_.id)
        assert ".txt" not in text
        english = score(shipped, Answers(ratings=every, flags=[flag_.id]), "en")
        for reason in english.reasons:  # no French quotation marks, no French spacing
            assert "«" not in reason.text
            assert "\u202f" not in reason.text, reason.text


def test_a_walk_key_changes_with_each_thing_a_walk_depends_on(small: Rubric) -> None:
    """Stored walks are looked up by this key: two inputs with different walks must never share
    one, and equal inputs must find theirs."""
    base = walk_key(small, {"alpha": 4, "beta": 2}, ["warn_one"])
    assert base == walk_key(small, {"beta": 2, "alpha": 4}, ["warn_one"])  # order does not matter
    assert len(base) == 64 and int(base, 16) >= 0  # a SHA-256, in hex
    others = [
        walk_key(small, {"alpha": 4, "beta": 3}, ["warn_one"]),
        walk_key(small, {"alpha": 4}, ["warn_one"]),
        walk_key(small, {"alpha": 4, "beta": 2, "gamma": 1}, ["warn_one"]),
        walk_key(small, {"alpha": 4, "beta": 2}, []),
        walk_key(small, {"alpha": 4, "beta": 2}, ["warn_one", "warn_two"]),
        walk_key(rubric({**SMALL, "version": "9.9.9"}), {"alpha": 4, "beta": 2}, ["warn_one"]),
    ]
    assert base not in others
    assert len(set(others)) == len(others)


def _every_completion(r: Rubric, ratings: dict[str, int], flags: list[str]) -> set[str]:
    unknown = [c.id for c in r.criteria if c.id not in ratings]
    found = set()
    for levels in itertools.product(r.levels, repeat=len(unknown)):
        complete = {**ratings, **dict(zip(unknown, levels, strict=True))}
        answers = Answers.model_validate({"ratings": complete, "flags": [{"id": f} for f in flags]})
        found.add(score(r, answers).recommendation)
    return found


@pytest.mark.parametrize(
    ("warning_effect", "flags", "expected"),
    [
        # One heavy criterion: the walk jumps from "no hire" (33.3) to "hire" (65.1) in one
        # step, yet (3, 1, 1) gives 63.5, a hold.
        ({"penalty": 5, "cap": "hire"}, [], ["no_hire", "hold", "hire", "strong_hire"]),
        # The same with a warning that costs nothing but caps at "hire": "hire" is the top.
        ({"penalty": 0, "cap": "hire"}, ["warn_one"], ["no_hire", "hold", "hire"]),
    ],
)
def test_an_outcome_the_walk_steps_over_is_still_found(
    warning_effect: dict[str, object], flags: list[str], expected: list[str]
) -> None:
    r = rubric(
        document(
            criteria=[
                criterion("heavy", "core", 10),
                criterion("light", "depth", 0.25),
                criterion("slight", "depth", 0.25),
            ],
            warning_effect=warning_effect,
        )
    )
    v = score(r, Answers.model_validate({"flags": [{"id": f} for f in flags]}))
    assert v.possible == expected
    assert set(expected) == _every_completion(r, {}, flags)


def test_the_band_reads_the_score_as_shown_to_one_decimal() -> None:
    # alpha 2 (weight 3.35), beta 3 (0.5), gamma 4 (3): 64.96 before rounding, shown 65.0: hire.
    r = rubric(
        document(
            criteria=[
                criterion("alpha", "core", 3.35),
                criterion("beta", "depth", 0.5),
                criterion("gamma", "depth", 3),
            ]
        )
    )
    complete = score(r, Answers(ratings={"alpha": 2, "beta": 3, "gamma": 4}))
    assert (complete.score, complete.recommendation) == (65.0, "hire")
    # Left unrated, gamma's top rating is one of the outcomes: the walks round as the score does.
    open_ = score(r, Answers(ratings={"alpha": 2, "beta": 3}))
    assert open_.possible == sorted(_every_completion(r, {"alpha": 2, "beta": 3}, []), key=rank)
    assert "hire" in open_.possible


def test_a_score_on_a_threshold_falls_in_the_band_above(small: Rubric) -> None:
    t = small.thresholds
    assert [band(small, x) for x in (t.strong_hire, t.hire, t.hold)] == [
        "strong_hire",
        "hire",
        "hold",
    ]
    below = [band(small, x - 0.01) for x in (t.strong_hire, t.hire, t.hold)]
    assert below == ["hire", "hold", "no_hire"]


def test_what_is_still_possible_is_scored_as_the_complete_assessments_are() -> None:
    # alpha 2, beta 4 and gamma unknown: 6, 8, 10 or 12 of 18 units, scores 33.3, 44.4, 55.6
    # and 66.7 (to one decimal, as a complete assessment's). 66.7 stays under "hire" at 66.8.
    doc = copy.deepcopy(SMALL)
    doc["thresholds"] = {"strong_hire": 80, "hire": 66.8, "hold": 45}
    r = rubric(doc)
    complete = [
        score(r, parse_answers(r, {"ratings": {"alpha": 2, "beta": 4, "gamma": g}}))
        for g in (1, 2, 3, 4)
    ]
    assert [(v.score, v.recommendation) for v in complete] == [
        (33.3, "no_hire"),
        (44.4, "no_hire"),
        (55.6, "hold"),
        (66.7, "hold"),
    ]
    open_ = score(r, parse_answers(r, {"ratings": {"alpha": 2, "beta": 4}}))
    assert open_.possible == ["no_hire", "hold"]


def test_settle_names_a_criterion_that_matters_only_one_step_above_the_bottom() -> None:
    # c2 (depth, weight 1) matters only between its two lowest levels: c0 4, c1 1, c2 1 -> 2
    # lifts the score from 35.0 (no hire) to 41.7 (hold, the weak-core cap).
    doc = document(
        criteria=[
            criterion("c0", "core", 2),
            criterion("c1", "core", 2),
            criterion("c2", "depth", 1),
        ],
        flags=[flag("w1")],
    )
    doc["thresholds"] = {"strong_hire": 73, "hire": 47, "hold": 36}
    doc["weak_core"] = {"rating_below": 3, "cap": "hold"}
    r = rubric(doc)
    low, high = (
        score(r, parse_answers(r, {"ratings": {"c0": 4, "c1": 1, "c2": c2}, "flags": ["w1"]}))
        for c2 in (1, 2)
    )
    assert (low.score, low.recommendation, high.score, high.recommendation) == (
        35.0,
        "no_hire",
        41.7,
        "hold",
    )
    v = score(r, parse_answers(r, {"flags": ["w1"]}))
    assert v.settle == ["c0", "c1", "c2"]


def test_a_shared_walk_cache_keeps_each_assessments_walk_and_reuses_it(small: Rubric) -> None:
    walks: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    strong = decide(small, {"alpha": 4, "beta": 4}, [], 2, walks)
    weak = decide(small, {"alpha": 1, "beta": 2}, [], 2, walks)
    assert len(walks) == 2
    for ratings, cached in (({"alpha": 4, "beta": 4}, strong), ({"alpha": 1, "beta": 2}, weak)):
        fresh = decide(small, ratings, [], 2)
        assert (cached.possible, cached.settle) == (fresh.possible, fresh.settle)
    assert strong.possible != weak.possible
    again = decide(small, {"alpha": 4, "beta": 4}, [], 2, walks)  # found, not made again
    assert (again.possible, again.settle, len(walks)) == (strong.possible, strong.settle, 2)


def test_a_completion_scored_nothing_is_not_lifted_to_a_band_above_zero() -> None:
    # One criterion: its bottom level scores 0, under a "hold" threshold of 0.5. Whatever else
    # the walk does, the bottom completion is no hire, as a complete assessment's would be.
    r = rubric(document(thresholds={"strong_hire": 80, "hire": 50, "hold": 0.5}))
    bottom = score(r, parse_answers(r, {"ratings": {"alpha": 1, "beta": 1}}))
    assert (bottom.score, bottom.recommendation) == (0.0, "no_hire")
    assert decide(r, {}, []).possible == ("no_hire", "hold", "hire", "strong_hire")


SELF_PROCLAIMED = ["self_proclaimed_expert"]  # a warning of the shipped rubric


def test_settle_counts_a_completion_landing_exactly_on_the_hold_threshold(
    shipped: Rubric,
) -> None:
    # From this completion, history_of_the_social_web 3 -> 4 moves the score from 42.9 to
    # exactly 45.0, the "hold" threshold: the walk must read 45.0 as hold, or it drops the
    # criterion from those that settle the verdict.
    known = {"communication_strategy": 1, "listening_and_dialogue": 1, "continuous_learning": 4}
    completion = {
        **dict.fromkeys((c.id for c in shipped.criteria), 2),
        **known,
        **dict.fromkeys(("influence_over_audience", "hands_on_practice"), 3),
        "conversation_not_promotion": 3,
    }
    answers = [
        {"ratings": {**completion, "history_of_the_social_web": h}, "flags": SELF_PROCLAIMED}
        for h in (3, 4)
    ]
    scored = [score(shipped, parse_answers(shipped, a)) for a in answers]
    assert [(v.score, v.recommendation) for v in scored] == [(42.9, "no_hire"), (45.0, "hold")]
    d = decide(shipped, known, SELF_PROCLAIMED)
    assert d.possible == ("no_hire", "hold", "hire")
    assert d.settle == (
        "measures_impact",
        "influence_over_audience",
        "hands_on_practice",
        "conversation_not_promotion",
        "history_of_the_social_web",
        "knows_creative_cases",
    )


def test_settle_tries_a_step_up_to_the_top_level(shipped: Rubric) -> None:
    # Several of these criteria change the verdict only between the two highest levels, at a
    # point of the walk where the others are not all at the top: settle must try that step.
    d = decide(shipped, {"continuous_learning": 4}, SELF_PROCLAIMED)
    assert d.possible == ("no_hire", "hold", "hire")
    unknown = [c for c in shipped.criteria if c.id != "continuous_learning"]
    core_first = sorted(unknown, key=lambda c: (c.group != "core", -c.weight))
    assert d.settle == tuple(c.id for c in core_first)


def test_numeric_keeps_the_numbers_alone() -> None:
    mixed = {"a": 3, "b": "not_observed", "c": None, "d": True, "e": 2.0}
    assert numeric(mixed) == {"a": 3, "d": True}  # type: ignore[arg-type]
    numbers = {"a": 3, "b": 1}
    copied = numeric(numbers)
    assert copied == numbers and copied is not numbers


def test_the_ratings_scored_leave_the_unrated_out_and_are_a_copy() -> None:
    answers = Answers.model_validate(
        {"ratings": {"alpha": 2, "beta": None, "gamma": "not_observed"}}
    )
    assert _ratings(answers) == {"alpha": 2, "gamma": "not_observed"}
    full = Answers.model_validate({"ratings": {"alpha": 2, "beta": 3}})
    copied = _ratings(full)
    assert copied == {"alpha": 2, "beta": 3} and copied is not full.ratings


@settings(max_examples=examples(200))
@given(cases(), st.sampled_from([1, 2]))
def test_a_decision_names_what_its_explanation_needs(
    case: tuple[Rubric, Answers], version: RulesVersion
) -> None:
    r, answers = case
    raised = {f.id for f in answers.flags}
    d = decide(r, answers.ratings, raised, version)
    known = {k: v for k, v in answers.ratings.items() if isinstance(v, int)}
    flags = raised | (set(implied_flags(r, known)) if version == 2 else set())
    rated = [c for c in r.criteria if c.id in known]
    assert d.rated == rated
    assert d.missing_core == [c for c in r.criteria if c.group == "core" and c.id not in known]
    below = r.weak_core.rating_below
    assert d.weak_core == [c for c in rated if c.group == "core" and known[c.id] < below]
    assert d.warnings == [f for f in r.flags if f.id in flags and f.severity == "warning"]
    assert d.dealbreakers == [f for f in r.flags if f.id in flags and f.severity == "dealbreaker"]
    assert d.band == band(r, d.score)
    # the same sums, in rubric order, to the bit
    assert d.rated_weight == sum(c.weight for c in rated)
    span = r.scale.max - r.scale.min
    weighted = sum([c.weight * (known[c.id] - r.scale.min) / span for c in rated])
    assert d.base == (100.0 * weighted / d.rated_weight if rated else 0.0)
    assert d.coverage == round(d.rated_weight / r.total_weight, 4)
    if version == 1:
        assert d.implied == {} and d.contradictions == []
        assert d.warning_cap == (r.warning_effect.cap if d.warnings else None)
        assert d.settle == tuple(c.id for c in d.missing_core)
    else:
        assert d.implied == implied_flags(r, known)
        assert d.warning_cap == warning_cap(r, len(d.warnings))
        assert d.contradictions == contradictions(r, known, sorted(flags))


@settings(max_examples=examples(100))
@given(cases(), st.sampled_from([1, 2]))
def test_a_verdict_shows_the_head_of_its_facts(
    case: tuple[Rubric, Answers], version: RulesVersion
) -> None:
    r, answers = case
    facts = assess(r, answers, version)
    d = decide(r, answers.ratings, [f.id for f in answers.flags], version)
    shown = head(r, d)
    assert list(shown.items()) == list(facts.items())[: len(shown)]
    assert set(shown) == set(Verdict.model_fields) - Verdict.LAZY - {"language"}


def test_assess_keeps_and_reuses_its_walks(shipped: Rubric) -> None:
    answers = Answers.model_validate({"ratings": {"continuous_learning": 4}})
    walks: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    first = assess(shipped, answers, walks=walks)
    assert first["recommendation"] == "incomplete" and len(walks) == 1
    (key,) = walks
    walks[key] = (("hold", "hire"), ("continuous_learning",))  # a walk stored earlier is used
    again = assess(shipped, answers, walks=walks)
    assert (again["possible"], again["settle"]) == (["hold", "hire"], ["continuous_learning"])
