"""Panels: the combination rule, calibration, pooled flags and Krippendorff's alpha."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from app.scoring import Answers, AnswersError, PanelMember, combine
from app.scoring.panel import agreement, agreement_words, lower_median
from tests.factories import criterion, document, flag, rubric

SMALL = rubric(
    document(
        criteria=[
            criterion("alpha", "core", 3),
            criterion("beta", "core", 1),
            criterion("gamma", "depth", 2),
        ],
        flags=[flag("warn_one"), flag("deal_one", "dealbreaker")],
    )
)


def member(name: str, **answers: object) -> PanelMember:
    return PanelMember(name, Answers.model_validate(answers))


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3], 3), ([1, 4], 1), ([2, 3, 4], 3), ([4, 1, 3, 2], 2), ([4, 4, 1], 4)],
)
def test_lower_median(values: list[int], expected: int) -> None:
    assert lower_median(values) == expected


def test_panel_verdict_with_calibration_and_pooled_flags() -> None:
    v = combine(
        SMALL,
        [
            member(
                "Ana", ratings={"alpha": 4, "beta": 3}, flags=[{"id": "warn_one", "note": "fans"}]
            ),
            member("Bruno", ratings={"alpha": 2, "beta": 3, "gamma": 4}, notes={"alpha": "vague"}),
            member("Chloé", ratings={"alpha": 3, "beta": 3}, flags=["warn_one"]),
        ],
        "en",
    )
    assert {c.id: c.rating for c in v.criteria} == {"alpha": 3, "beta": 3, "gamma": 4}
    assert [(c.criterion_id, c.ratings, c.spread) for c in v.calibration] == [
        ("alpha", {"Ana": 4, "Bruno": 2, "Chloé": 3}, 2)
    ]
    (f,) = v.flags
    assert f.raised_by == ["Ana", "Chloé"]
    assert [(n.by, n.text) for n in f.notes] == [("Ana", "fans")]
    alpha = next(c for c in v.criteria if c.id == "alpha")
    assert [(n.by, n.text) for n in alpha.notes] == [("Bruno", "vague")]
    assert v.raters == ["Ana", "Bruno", "Chloé"]
    calibration = [r.text for r in v.reasons if r.ref == "alpha" and "spread" in r.text]
    assert calibration == [
        "“title alpha (en)”: ratings spread from 2 to 4 (Ana: 4, Bruno: 2, Chloé: 3); "
        "talk it over before deciding."
    ]
    assert v.agreement is not None
    (warned,) = [x.text for x in v.reasons if x.ref == "warn_one"]
    assert warned.startswith("Warning “flag warn_one (en)” raised by Ana, Chloé: −5 points")


def test_one_dealbreaker_from_one_interviewer_gives_no_hire() -> None:
    v = combine(
        SMALL,
        [
            member("Ana", ratings={"alpha": 4, "beta": 4}),
            member("Bruno", ratings={"alpha": 4, "beta": 4}, flags=["deal_one"]),
        ],
        "fr",
    )
    assert v.recommendation == "no_hire"
    assert v.reasons[0].ref == "deal_one"
    assert "par Bruno" in v.reasons[0].text


def test_agreement_matches_krippendorffs_published_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
    # values 1-5; the ordinal alpha published there is 0.815.
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    r = rubric(
        document(
            criteria=[criterion(f"u{i}", "core", 1, range(1, 6)) for i in range(12)], scale=(1, 5)
        )
    )
    members = [
        PanelMember(
            f"coder {n}", Answers(ratings={f"u{i}": v for i, v in enumerate(row) if v is not None})
        )
        for n, row in enumerate(data)
    ]
    value = agreement(r, members)
    assert value is not None
    assert math.isclose(value, 0.815, abs_tol=0.0005)


def test_agreement_edge_cases() -> None:
    same = [
        member("A", ratings={"alpha": 3, "beta": 3}),
        member("B", ratings={"alpha": 3, "beta": 3}),
    ]
    assert agreement(SMALL, same) == 1.0
    disjoint = [member("A", ratings={"alpha": 3}), member("B", ratings={"beta": 2})]
    assert agreement(SMALL, disjoint) is None
    assert combine(SMALL, disjoint, "en").agreement is None
    opposed = [
        member("A", ratings={"alpha": 1, "beta": 4}),
        member("B", ratings={"alpha": 4, "beta": 1}),
    ]
    value = agreement(SMALL, opposed)
    assert value is not None
    assert value < 0


def test_empty_panel_is_incomplete() -> None:
    v = combine(SMALL, [], "en")
    assert v.recommendation == "incomplete"
    assert v.agreement is None
    assert any(r.text == "No submitted assessment yet." for r in v.reasons)


def test_invalid_member_answers_and_duplicate_names_are_refused() -> None:
    with pytest.raises(AnswersError):
        combine(SMALL, [member("A", ratings={"alpha": 9})], "en")
    with pytest.raises(AnswersError) as caught:
        combine(SMALL, [member("A"), member("A")], "en")
    assert "named twice: A" in str(caught.value)


def test_each_criterion_names_every_rating_and_people_stand_beside_the_engine() -> None:
    marc = member(
        "Marc",
        ratings={"alpha": 3, "beta": 4, "gamma": 4},
        overall_recommendation="strong_hire",
    )
    sofia = member(
        "Sofia",
        ratings={"alpha": 1, "beta": 4, "gamma": "not_observed"},
        overall_recommendation="hold",
    )
    v = combine(SMALL, [marc, sofia], "en")
    alpha = " ".join(x.text for x in v.reasons if x.ref == "alpha")
    assert "Marc 3, Sofia 1 → 1 (lower median)" in alpha
    gamma = " ".join(x.text for x in v.reasons if x.ref == "gamma")
    assert "Marc 4, Sofia not observed → 4" in gamma
    assert v.recommendation == "hold"  # alpha 1 is a weak core
    people = {p.name: (p.overall_recommendation, p.agrees) for p in v.interviewers}
    assert people == {"Marc": ("strong_hire", False), "Sofia": ("hold", True)}
    overall = [x.text for x in v.reasons if x.ref == "overall"]
    assert "Marc recommends “strong hire”; the engine says “hold”." in overall
    assert "Sofia also recommends “hold”." in overall
    assert v.agreement_words is not None
    assert v.agreement_words in overall


def test_agreement_is_said_in_words_by_the_usual_reading_of_alpha() -> None:
    assert agreement_words("en", 0.85).startswith("The panel agrees strongly")
    assert agreement_words("en", 0.7).startswith("The panel agrees only moderately")
    assert agreement_words("en", -0.16).startswith("The panel agrees weakly")
    assert "−0,16" in agreement_words("fr", -0.16) or "-0,16" in agreement_words("fr", -0.16)


def test_agreement_words_change_at_0_8_and_0_667() -> None:
    assert agreement_words("en", 0.8) == "The panel agrees strongly (alpha 0.8)."
    assert agreement_words("en", 0.7999).startswith("The panel agrees only moderately (alpha 0.8)")
    assert agreement_words("en", 0.667).startswith("The panel agrees only moderately")
    assert agreement_words("en", 0.6669) == (
        "The panel agrees weakly (alpha 0.67): talk the ratings over before deciding."
    )
    assert agreement_words("fr", 0.9) == "Le panel est très concordant (alpha 0,9)."


def test_the_panel_reasons_in_order() -> None:
    ana = member("Ana", ratings={"alpha": 4, "beta": 3, "gamma": 2}, overall_recommendation="hire")
    bruno = member("Bruno", ratings={"alpha": 2, "beta": 3, "gamma": 2})
    v = combine(SMALL, [ana, bruno], "en")
    # alpha: lower median of 4 and 2 is 2; beta 3; gamma 2: (3 x 1/3 + 2/3 + 2 x 1/3) / 6 = 38.9
    assert (v.recommendation, v.score) == ("no_hire", 38.9)
    assert v.agreement is not None
    # Ordinal alpha over units (4, 2), (3, 3), (2, 2), by hand: value counts n2=3, n3=2, n4=1;
    # delta(2,4) = (6 - 2)^2 = 16, delta(2,3) = 2.5^2, delta(3,4) = 1.5^2; observed 2 x 16 / 6,
    # expected 2 x (6 x 6.25 + 3 x 16 + 2 x 2.25) / 30 = 6; alpha = 1 - 5.333 / 6 = 0.1111.
    assert v.agreement == 0.1111
    assert [(x.ref, x.text) for x in v.reasons][5:] == [
        (
            "overall",
            "Panel of 2: each criterion takes the median of the ratings given (the lower of the "
            "two middle ones when their number is even); red flags are pooled.",
        ),
        (
            "alpha",
            "“title alpha (en)”: ratings spread from 2 to 4 (Ana: 4, Bruno: 2); talk it over "
            "before deciding.",
        ),
        ("overall", "Panel agreement (Krippendorff’s alpha, ordinal): 0.11."),
        (
            "overall",
            "The panel agrees weakly (alpha 0.11): talk the ratings over before deciding.",
        ),
        ("overall", "Ana recommends “hire”; the engine says “no hire”."),
        ("overall", "Bruno gave no overall recommendation."),
    ]
    lines = {x.ref: x.text for x in v.reasons if x.ref == "beta"}
    assert lines["beta"].endswith("anchor beta 3 (en) Ratings: Ana 3, Bruno 3 → 3 (lower median).")


def test_a_panel_of_one_speaks_of_no_agreement_and_no_median() -> None:
    v = combine(SMALL, [member("Ana", ratings={"alpha": 4})], "en")
    assert v.agreement is None
    assert v.agreement_words is None
    assert not any("Panel agreement" in x.text or "median)" in x.text for x in v.reasons)
    assert v.reasons[-2].text.startswith("Panel of 1:")


def _alpha_1_means_deal_one() -> Rubric:
    """Two core criteria; alpha rated 1 means exactly the dealbreaker deal_one."""
    implied = document(
        criteria=[criterion("alpha", "core", 1), criterion("beta", "core", 3)],
        flags=[flag("warn_one"), flag("deal_one", "dealbreaker")],
    )
    implied["criteria"][0]["anchors"][1]["implies"] = "deal_one"
    return rubric(implied)


def test_a_panel_scored_by_rules_version_1() -> None:
    r = _alpha_1_means_deal_one()
    members = [
        member("Ana", ratings={"alpha": 1, "beta": 4}, overall_recommendation="hold"),
        member("Bruno", ratings={"alpha": 1, "beta": 4}),
    ]
    now = combine(r, members, "en")
    assert now.recommendation == "no_hire"  # alpha 1 means the dealbreaker (rules 2)
    assert [(f.id, f.raised_by) for f in now.flags] == [("deal_one", ["Ana", "Bruno"])]
    old = combine(r, members, "en", rules_version=1)
    # Version 1: no implied flag; 3 / 4 = 75 is a hire, but alpha 1 is a weak core: hold.
    assert (old.recommendation, old.flags, old.contradictions) == ("hold", [], [])
    assert old.agreement is not None
    assert old.agreement_words is None
    assert not any("recommends" in x.text or "median)" in x.text for x in old.reasons)


def test_each_scorecard_contradiction_names_whose_scorecard() -> None:
    r = rubric(
        document(
            criteria=[criterion("alpha", "core", 3), criterion("beta", "core", 1)],
            flags=[flag("warn_one")],
        )
    )
    r.criteria[1].flags.append("warn_one")  # warn_one contradicts beta's top rating
    members = [
        member("Ana", ratings={"alpha": 3, "beta": 4}, flags=["warn_one"]),
        member("Bruno", ratings={"alpha": 3, "beta": 4}),
    ]
    v = combine(r, members, "en")
    assert [(c.flag, c.criterion, c.rating, c.by) for c in v.contradictions] == [
        ("warn_one", "beta", 4, "Ana")
    ]
    texts = [x.text for x in v.reasons if x.text.startswith("Contradiction")]
    assert texts == [
        "Contradiction in Ana’s scorecard: “flag warn_one (en)” is raised while “title beta (en)” "
        "is rated 4/4; the interviewer’s note on the criterion must explain it."
    ]


def test_the_panel_reasons_in_french_name_the_french_title_and_decimal_comma() -> None:
    ana = member("Ana", ratings={"alpha": 4, "beta": 3, "gamma": 2})
    bruno = member("Bruno", ratings={"alpha": 2, "beta": 3, "gamma": 2})
    v = combine(SMALL, [ana, bruno], "fr")
    texts = [(x.ref, x.text) for x in v.reasons]
    assert (
        "alpha",
        "«\u202ftitle alpha (fr)\u202f»\u202f: notes de 2 à 4 "
        "(Ana\u202f: 4, Bruno\u202f: 2)\u202f; à discuter avant de décider.",
    ) in texts
    assert ("overall", "Accord du panel (alpha de Krippendorff, ordinal)\u202f: 0,11.") in texts


def test_the_overall_lines_of_an_empty_panel_and_of_a_panel_without_agreement() -> None:
    empty = combine(SMALL, [], "en")
    assert [x.ref for x in empty.reasons if x.text == "No submitted assessment yet."] == ["overall"]
    disjoint = [member("A", ratings={"alpha": 3}), member("B", ratings={"beta": 2})]
    v = combine(SMALL, disjoint, "en")
    none = [x for x in v.reasons if x.text.startswith("Panel agreement")]
    assert [x.ref for x in none] == ["overall"]


def test_no_agreement_when_only_one_person_rated_several_criteria() -> None:
    # Ana rates two criteria, Bruno a third: no criterion has two ratings, so no alpha.
    members = [
        member("Ana", ratings={"alpha": 3, "beta": 2}),
        member("Bruno", ratings={"gamma": 4}),
    ]
    assert agreement(SMALL, members) is None


def test_duplicate_names_are_refused_naming_the_panel_and_each_name_once() -> None:
    with pytest.raises(AnswersError) as caught:
        combine(SMALL, [member("B"), member("A"), member("B"), member("A"), member("C")], "en")
    assert [(e.loc, e.message) for e in caught.value.errors] == [
        ("panel", "interviewer named twice: A, B")
    ]


def test_rules_version_1_reports_no_scorecard_contradiction() -> None:
    r = rubric(
        document(
            criteria=[criterion("alpha", "core", 3), criterion("beta", "core", 1)],
            flags=[flag("warn_one")],
        )
    )
    r.criteria[1].flags.append("warn_one")
    members = [
        member("Ana", ratings={"alpha": 3, "beta": 4}, flags=["warn_one"]),
        member("Bruno", ratings={"alpha": 3, "beta": 4}),
    ]
    assert combine(r, members, "en").contradictions  # rules 2 see it
    old = combine(r, members, "en", rules_version=1)
    assert old.contradictions == []
    assert not any(x.text.startswith("Contradiction") for x in old.reasons)


def test_each_interviewer_keeps_their_summary_and_a_silent_one_neither_agrees_nor_differs() -> None:
    ana = PanelMember(
        "Ana",
        Answers.model_validate({"ratings": {"alpha": 3, "beta": 3}}),
        summary="Solid on metrics.",
    )
    bruno = PanelMember(
        "Bruno",
        Answers.model_validate(
            {"ratings": {"alpha": 3, "beta": 3}, "overall_recommendation": "no_hire"}
        ),
    )
    v = combine(SMALL, [ana, bruno], "en")
    people = {p.name: (p.summary, p.overall_recommendation, p.agrees) for p in v.interviewers}
    assert people == {"Ana": ("Solid on metrics.", None, None), "Bruno": ("", "no_hire", False)}
    overall = [x.text for x in v.reasons if x.ref == "overall"]
    assert "Ana gave no overall recommendation." in overall


def test_a_panel_of_one_has_no_agreement_figure() -> None:
    v = combine(SMALL, [member("Ana", ratings={"alpha": 3, "beta": 2})], "en")
    assert v.agreement is None
    assert v.agreement_words is None


def test_a_flag_raised_and_implied_names_both_in_one_phrase() -> None:
    r = _alpha_1_means_deal_one()
    members = [
        member("Ana", ratings={"alpha": 1, "beta": 4}, flags=["deal_one"]),
        member("Bruno", ratings={"alpha": 1, "beta": 4}),
    ]
    v = combine(r, members, "en")
    (deal,) = [x.text for x in v.reasons if x.ref == "deal_one"]
    # " by …" and the implying rating follow each other with nothing in between.
    assert " by Ana, Bruno (the rating of " in deal


def _alpha_from_the_matrix(r: Rubric, members: list[PanelMember]) -> float | None:
    """Agreement worked out from the whole matrix, as before its shortcuts (reference)."""
    import krippendorff
    import numpy as np

    data = np.array(
        [
            [
                float(x) if isinstance(x := m.answers.ratings.get(c.id), int) else math.nan
                for c in r.criteria
            ]
            for m in members
        ],
        dtype=float,
    )
    if data.size == 0 or not np.any(np.sum(~np.isnan(data), axis=0) >= 2):
        return None
    paired = data[:, np.sum(~np.isnan(data), axis=0) >= 2]
    if np.all(np.nanmax(paired, axis=0) == np.nanmin(paired, axis=0)):
        return 1.0
    value = float(
        krippendorff.alpha(
            reliability_data=data, level_of_measurement="ordinal", value_domain=r.levels
        )
    )
    return round(value, 4) if math.isfinite(value) else None


RATING = st.one_of(st.none(), st.just("not_observed"), st.integers(1, 4))


@given(
    st.lists(
        st.fixed_dictionaries({"alpha": RATING, "beta": RATING, "gamma": RATING}),
        min_size=0,
        max_size=4,
    )
)
@settings(max_examples=200, deadline=None)
def test_agreement_is_the_matrix_computation(panel: list[dict[str, object]]) -> None:
    """The shortcuts (nobody paired: None; paired ratings all alike: 1.0) change no answer."""
    members = [
        member(f"M{n}", ratings={k: v for k, v in ratings.items() if v is not None})
        for n, ratings in enumerate(panel)
    ]
    assert agreement(SMALL, members) == _alpha_from_the_matrix(SMALL, members)
