"""The reasons a person checks line by line: each sentence, in order, for verdicts worked by hand.

The rubric: alpha (core, weight 3), beta (core, 1), gamma (depth, 2) on a 1–4 scale; bands from
80 / 65 / 45; a warning takes 5 points and caps at hire, two of them cap at hold; a core criterion
under 2 caps at hold; alpha at 1 means exactly the dealbreaker; warn_one contradicts gamma at 3–4.
"""

from app.rubric.loader import build_rubric
from app.rubric.schemas import LocalizedText, RubricDocument
from app.scoring import Answers, PanelMember, combine, score
from tests.factories import criterion, document, flag
from tests.scoring.test_engine import rules_two_rubric

R = rules_two_rubric()
BANDS_EN = "(strong hire from 80, hire from 65, hold from 45, no hire below)."
BANDS_FR = (
    "(sans réserve dès 80, à recruter dès 65, à approfondir dès 45, à ne pas recruter en dessous)."
)
SOURCE_EN = "(source: source text 002, point 1)."
SOURCE_FR = "(source\u202f: texte source 002, point 1)."


def reasons(answers: Answers) -> list[tuple[str, str]]:
    return [(x.ref, x.text) for x in score(R, answers).reasons]


def guillemets(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """French quotation marks hold a narrow no-break space on their inner side."""
    return [(ref, t.replace("« ", "«\u202f").replace(" »", "\u202f»")) for ref, t in lines]


def test_warnings_weak_core_and_a_contradiction_in_english() -> None:
    # alpha 4 (3 of 3), beta 1 (0 of 1), gamma 3 (4/3 of 2): 4.33 / 6 = 72.2; two warnings -10.
    answers = Answers(
        ratings={"alpha": 4, "beta": 1, "gamma": 3},
        flags=[{"id": "warn_one", "note": "n"}, "warn_two"],
        language="en",
    )
    warning = (
        "Warning “flag {}(en)” raised: −5 points, and the recommendation cannot go above “hire” "
    )
    assert reasons(answers) == [
        (
            "overall",
            "Score 62.2/100 from the rated criteria, which cover 100% of the rubric’s weight. "
            "The ratings alone give 72.2; 2 warning flag(s) take off 10.",
        ),
        ("overall", f"The score falls in “hold” {BANDS_EN}"),
        ("warn_one", warning.format("warn_one ") + SOURCE_EN),
        ("warn_two", warning.format("warn_two ") + SOURCE_EN),
        ("overall", "2 warning flags add up: the recommendation cannot go above “hold”."),
        (
            "beta",
            "“title beta (en)” rated 1/4, under 2: a core check failing outright keeps the "
            "recommendation at “hold” or below.",
        ),
        (
            "gamma",
            "Contradiction: “flag warn_one (en)” is raised while “title gamma (en)” is rated 3/4; "
            "the interviewer’s note on the criterion must explain it.",
        ),
        ("alpha", "“title alpha (en)”: 4/4 (weight 3, 50 points). anchor alpha 4 (en)"),
        ("beta", "“title beta (en)”: 1/4 (weight 1, 0 points). anchor beta 1 (en)"),
        ("gamma", "“title gamma (en)”: 3/4 (weight 2, 22.2 points). anchor gamma 3 (en)"),
    ]


def test_the_same_verdict_in_french() -> None:
    answers = Answers(
        ratings={"alpha": 4, "beta": 1, "gamma": 3},
        flags=["warn_one", "warn_two"],
        language="fr",
    )
    nb = "\u202f"
    warning = (
        f"Signal d’alerte « flag {{}}(fr) » relevé{nb}: −5 points, et la recommandation ne peut "
        "pas dépasser « à recruter » "
    )
    assert reasons(answers) == guillemets(
        [
            (
                "overall",
                f"Score de 62,2/100 sur les critères notés, qui couvrent 100{nb}% du poids de la "
                f"grille. Les notes seules donnent 72,2{nb}; 2 signal(s) d’alerte retirent 10.",
            ),
            ("overall", f"Le score se situe dans la zone « à approfondir » {BANDS_FR}"),
            ("warn_one", warning.format("warn_one ") + SOURCE_FR),
            ("warn_two", warning.format("warn_two ") + SOURCE_FR),
            (
                "overall",
                f"2 signaux d’alerte s’additionnent{nb}: la recommandation ne peut pas dépasser "
                "« à approfondir ».",
            ),
            (
                "beta",
                f"« title beta (fr) » noté 1/4, sous 2{nb}: un critère de fond nettement manqué "
                "limite la recommandation à « à approfondir » au mieux.",
            ),
            (
                "gamma",
                f"Contradiction{nb}: « flag warn_one (fr) » est relevé alors que "
                f"« title gamma (fr) » est noté 3/4{nb}; la note de l’évaluateur sur ce critère "
                "doit l’expliquer.",
            ),
            ("alpha", f"« title alpha (fr) »{nb}: 4/4 (poids 3, 50 points). anchor alpha 4 (fr)"),
            ("beta", f"« title beta (fr) »{nb}: 1/4 (poids 1, 0 points). anchor beta 1 (fr)"),
            ("gamma", f"« title gamma (fr) »{nb}: 3/4 (poids 2, 22,2 points). anchor gamma 3 (fr)"),
        ]
    )


def test_an_open_verdict_names_what_is_possible_and_what_to_ask() -> None:
    # alpha 4 alone: 100 on half the weight; gamma not observed, beta unrated: hold, hire or
    # strong hire are still possible (beta 1 caps at hold; all at 4 is a strong hire).
    v = score(R, Answers(ratings={"alpha": 4, "gamma": "not_observed"}, language="en"))
    assert (v.recommendation, v.possible, v.score, v.coverage) == (
        "incomplete",
        ["hold", "hire", "strong_hire"],
        100.0,
        0.5,
    )
    assert [(x.ref, x.text) for x in v.reasons] == [
        (
            "overall",
            "No recommendation yet: depending on the criteria still unrated or not observed, it "
            "could be “hold”, “hire” or “strong hire”.",
        ),
        ("overall", "To settle it, ask about “title gamma (en)”."),
        (
            "overall",
            "Score 100/100 from the rated criteria, which cover 50% of the rubric’s weight.",
        ),
        ("overall", f"The score falls in “strong hire” {BANDS_EN}"),
        ("alpha", "“title alpha (en)”: 4/4 (weight 3, 100 points). anchor alpha 4 (en)"),
        (
            "overall",
            "Not observed (asked, no evidence shown): “title gamma (en)”. They count as unknown, "
            "never as good news.",
        ),
        ("overall", "Not rated: “title beta (en)”."),
    ]
    gamma = next(c for c in v.criteria if c.id == "gamma")
    assert (gamma.rating, gamma.contribution, gamma.anchor) == ("not_observed", 0.0, None)


def test_nothing_rated_says_so_and_every_recommendation_is_open() -> None:
    v = score(R, Answers(language="en"))
    assert v.possible == ["no_hire", "hold", "hire", "strong_hire"]
    assert {x.ref for x in v.reasons} == {"overall"}
    texts = [x.text for x in v.reasons]
    assert texts[0] == "No criterion is rated yet."
    assert texts[1].startswith("No recommendation yet:")
    assert texts[1].endswith("“no hire”, “hold”, “hire” or “strong hire”.")
    # Each criterion can change it: alpha at 1 means the dealbreaker, beta at 1 caps, gamma weighs.
    assert v.settle == ["alpha", "beta", "gamma"]
    assert texts[2] == (
        "To settle it, ask about “title alpha (en)”, “title beta (en)”, “title gamma (en)”."
    )
    assert not any(t.startswith("Score") or t.startswith("Not rated") for t in texts)


def test_an_implied_dealbreaker_comes_first_and_says_where_it_came_from() -> None:
    # alpha 1 (0 of 3), beta 4 (1 of 1): 1 / 4 = 25 on two thirds of the weight.
    v = score(R, Answers(ratings={"alpha": 1, "beta": 4}, flags=["deal_one"], language="en"))
    assert (v.recommendation, v.possible, v.settle) == ("no_hire", ["no_hire"], [])
    assert [(x.ref, x.text) for x in v.reasons] == [
        (
            "deal_one",
            "Dealbreaker “flag deal_one (en)” raised (the rating of “title alpha (en)” means "
            "exactly this flag): the recommendation is no hire unless a person overrides it with "
            f"a written reason {SOURCE_EN}",
        ),
        (
            "overall",
            "Score 25/100 from the rated criteria, which cover 67% of the rubric’s weight.",
        ),
        ("overall", f"The score falls in “no hire” {BANDS_EN}"),
        (
            "alpha",
            "“title alpha (en)” rated 1/4, under 2: a core check failing outright keeps the "
            "recommendation at “hold” or below.",
        ),
        ("alpha", "“title alpha (en)”: 1/4 (weight 3, 0 points). anchor alpha 1 (en)"),
        ("beta", "“title beta (en)”: 4/4 (weight 1, 25 points). anchor beta 4 (en)"),
        ("overall", "Not rated: “title gamma (en)”."),
    ]
    (deal,) = v.flags
    assert (deal.origin, deal.implied_by, deal.effect, deal.penalty, deal.cap) == (
        "both",
        ["alpha"],
        "forces_no_hire",
        0.0,
        None,
    )


def test_a_determinate_verdict_with_a_criterion_unknown_says_it_is_settled() -> None:
    # alpha 4, beta 1: 75 (hire band), capped at hold by beta; gamma cannot change that.
    v = score(R, Answers(ratings={"alpha": 4, "beta": 1}, language="en"))
    texts = [(x.ref, x.text) for x in v.reasons]
    assert texts[0] == (
        "overall",
        "Whatever the criteria still unrated or not observed turn out to be, the recommendation "
        "is “hold”.",
    )
    assert texts[2] == ("overall", f"The score falls in “hire” {BANDS_EN}")
    # A complete verdict has nothing unknown to speak of.
    full = score(R, Answers(ratings={"alpha": 4, "beta": 1, "gamma": 1}, language="en"))
    assert not any("Whatever" in x.text or "Not rated" in x.text for x in full.reasons)


def test_warning_flags_show_their_effect_and_cap() -> None:
    top = {"alpha": 4, "beta": 4, "gamma": 4}
    one = score(R, Answers(ratings=top, flags=[{"id": "warn_one", "note": "heard it"}]))
    (f,) = one.flags
    assert (f.effect, f.penalty, f.cap, f.origin, f.implied_by) == (
        "penalty",
        5.0,
        "hire",
        "raised",
        [],
    )
    assert [n.text for n in f.notes] == ["heard it"]
    assert not any(x.text.startswith("1 warning") for x in one.reasons)  # one is no sum
    two = score(R, Answers(ratings=top, flags=["warn_one", "warn_two"]))
    assert {f.cap for f in two.flags} == {"hold"}
    # A dealbreaker has no cap: it forces no hire, whatever the warnings beside it.
    both = score(R, Answers(ratings=top, flags=["warn_one", "deal_one"]))
    caps = {f.id: (f.effect, f.penalty, f.cap) for f in both.flags}
    assert caps == {"warn_one": ("penalty", 5.0, "hire"), "deal_one": ("forces_no_hire", 0.0, None)}


def test_rules_version_1_names_the_core_criteria_still_unrated() -> None:
    missing = (
        "Core criteria not rated yet: “title alpha (en)”, “title beta (en)”. No recommendation "
        "until they are."
    )
    v = score(R, Answers(ratings={"gamma": 4}, language="en"), rules_version=1)
    assert [(x.ref, x.text) for x in v.reasons] == [
        ("overall", missing),
        (
            "overall",
            "Score 100/100 from the rated criteria, which cover 33% of the rubric’s weight.",
        ),
        ("overall", f"The score falls in “strong hire” {BANDS_EN}"),
        ("gamma", "“title gamma (en)”: 4/4 (weight 2, 100 points). anchor gamma 4 (en)"),
    ]
    nothing = score(R, Answers(language="en"), rules_version=1)
    assert [(x.ref, x.text) for x in nothing.reasons] == [
        ("overall", "No criterion is rated yet."),
        ("overall", missing),
    ]
    # Version 1 reads the rated part alone; its "not rated" line names depth criteria only.
    partial = score(R, Answers(ratings={"alpha": 4, "beta": 4}, language="en"), rules_version=1)
    assert partial.recommendation == "strong_hire"
    assert [(x.ref, x.text) for x in partial.reasons][2:] == [
        ("alpha", "“title alpha (en)”: 4/4 (weight 3, 75 points). anchor alpha 4 (en)"),
        ("beta", "“title beta (en)”: 4/4 (weight 1, 25 points). anchor beta 4 (en)"),
        ("overall", "Not rated: “title gamma (en)”; the score rests on the other criteria."),
    ]


def test_notes_stay_with_their_criterion_and_flag() -> None:
    v = score(
        R,
        Answers(
            ratings={"alpha": 3, "beta": 3},
            notes={"alpha": "counted reach only", "beta": ""},
            flags=[{"id": "warn_one", "note": "said so twice"}, "warn_two"],
        ),
    )
    notes = {c.id: [(n.by, n.text) for n in c.notes] for c in v.criteria}
    assert notes == {"alpha": [(None, "counted reach only")], "beta": [], "gamma": []}
    flags = {f.id: [(n.by, n.text) for n in f.notes] for f in v.flags}
    assert flags == {"warn_one": [(None, "said so twice")], "warn_two": []}


def test_two_possible_recommendations_read_as_one_or_the_other() -> None:
    # alpha 4, beta 4: gamma at 1 gives (3 + 1) / 6 = 66.7, a hire; at 4 a strong hire.
    v = score(R, Answers(ratings={"alpha": 4, "beta": 4}, language="fr"))
    assert v.possible == ["hire", "strong_hire"]
    assert v.reasons[0].text.endswith(
        "elle pourrait être «\u202fà recruter\u202f» ou «\u202fà recruter sans réserve\u202f»."
    )


def test_a_flag_without_a_seed_text_cites_its_stated_basis_and_a_titled_seed_its_title() -> None:
    doc = document(flags=[flag("warn_one"), flag("deal_one", "dealbreaker")])
    del doc["flags"][0]["source"]
    doc["flags"][0]["basis"] = {"fr": "le droit du travail", "en": "employment law"}
    seed = "002_4f5316c9140b287b.txt"
    r = build_rubric(
        RubricDocument.model_validate(doc),
        {seed: LocalizedText(fr="Le titre", en="The title")},
    )
    v = score(r, Answers(ratings={"alpha": 4, "beta": 4}, flags=["warn_one", "deal_one"]), "en")
    texts = {x.ref: x.text for x in v.reasons}
    assert texts["warn_one"].endswith("(source: employment law).")
    assert texts["deal_one"].endswith("(source: “The title”, point 1).")
    fr = score(r, Answers(ratings={"alpha": 4, "beta": 4}, flags=["warn_one"]), "fr")
    (warned,) = [x.text for x in fr.reasons if x.ref == "warn_one"]
    assert warned.endswith("(source\u202f: le droit du travail).")


def test_a_flag_implied_by_two_ratings_names_both() -> None:
    doc = document(criteria=[criterion("alpha", "core", 3), criterion("beta", "core", 1)])
    doc["criteria"][0]["anchors"][1]["implies"] = "warn_one"
    doc["criteria"][1]["anchors"][1]["implies"] = "warn_one"
    r = build_rubric(RubricDocument.model_validate(doc))
    v = score(r, Answers(ratings={"alpha": 1, "beta": 1}, language="en"))
    (implied,) = v.flags
    assert (implied.origin, implied.implied_by) == ("rating", ["alpha", "beta"])
    (line,) = [x.text for x in v.reasons if x.ref == "warn_one"]
    assert line.startswith(
        "Warning “flag warn_one (en)” raised (the rating of “title alpha (en)”, “title beta (en)” "
        "means exactly this flag): −5 points"
    )


def test_a_flag_both_raised_and_implied_in_a_panel_names_who_and_which_rating() -> None:
    ana = PanelMember(
        "Ana", Answers(ratings={"alpha": 1, "beta": 4}, flags=["deal_one"], language="en")
    )
    bruno = PanelMember("Bruno", Answers(ratings={"alpha": 2, "beta": 4}, language="en"))
    v = combine(R, [ana, bruno], "en")
    (deal,) = v.flags
    assert (deal.origin, deal.raised_by, deal.implied_by) == ("both", ["Ana"], ["alpha"])
    (line,) = [x.text for x in v.reasons if x.ref == "deal_one"]
    assert line.startswith(
        "Dealbreaker “flag deal_one (en)” raised by Ana (the rating of “title alpha (en)” means "
        "exactly this flag): the recommendation is no hire"
    )


def test_a_flag_source_is_named_by_its_title_and_point_in_the_readers_language() -> None:
    doc = document(criteria=[criterion("alpha", "core", 3)], flags=[flag("warn_one")])
    doc["flags"][0]["source"] = {
        "seed": "002_4f5316c9140b287b.txt",
        "point": {"fr": "le point un", "en": "point one"},
    }
    titles = {
        "002_4f5316c9140b287b.txt": LocalizedText(fr="Le titre français", en="The English title")
    }
    r = build_rubric(RubricDocument.model_validate(doc), titles)
    answers = Answers(ratings={"alpha": 3}, flags=["warn_one"])
    fr = [x.text for x in score(r, answers, "fr").reasons if x.ref == "warn_one"]
    en = [x.text for x in score(r, answers, "en").reasons if x.ref == "warn_one"]
    assert fr[0].endswith("(source\u202f: «\u202fLe titre français\u202f», point le point un).")
    assert en[0].endswith("(source: “The English title”, point point one).")
