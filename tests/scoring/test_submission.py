"""What a scorecard needs before it is submitted, and which decisions need a written rationale."""

import pytest

from app.rubric import Rubric
from app.scoring import Answers
from app.scoring.advice import against
from app.scoring.submission import NotSubmittable, check_submittable
from tests.factories import criterion, document, flag, rubric


@pytest.fixture
def conflicted() -> Rubric:
    """alpha, beta core; gamma depth; warn_one contradicts gamma at 3–4 and beta at 4; alpha at 1
    implies it."""
    doc = document(
        criteria=[
            criterion("alpha", "core", 3),
            criterion("beta", "core", 1),
            criterion("gamma", "depth", 2),
        ],
        flags=[flag("warn_one"), flag("deal_one", "dealbreaker")],
        contradictions=[{"flag": "warn_one", "criterion": "gamma", "levels": [3, 4]}],
    )
    doc["criteria"][0]["anchors"][1]["implies"] = "warn_one"
    doc["criteria"][1]["flags"] = ["warn_one"]  # and beta at the top of the scale
    return rubric(doc)


def refusal(r: Rubric, answers: Answers, rules_version: int = 2) -> NotSubmittable:
    with pytest.raises(NotSubmittable) as caught:
        check_submittable(r, answers, rules_version)  # type: ignore[arg-type]
    return caught.value


def test_every_core_criterion_needs_an_answer_named_with_the_valid_values(
    conflicted: Rubric,
) -> None:
    refused = refusal(conflicted, Answers(ratings={"alpha": 3, "gamma": 2}))
    assert [(e.loc, e.message, e.valid) for e in refused.errors] == [
        ("ratings.beta", "an answer is required to submit", [1, 2, 3, 4, "not_observed"])
    ]
    assert refused.detail == (
        'every core criterion needs a rating (or "not_observed") before the assessment is '
        "submitted: beta"
    )
    assert str(refused) == refused.detail
    both = refusal(conflicted, Answers(ratings={"beta": None}))
    assert [e.loc for e in both.errors] == ["ratings.alpha", "ratings.beta"]
    assert both.detail.endswith(": alpha, beta")
    # A depth criterion may stay unrated; "not observed" answers a core criterion (rules 2).
    check_submittable(conflicted, Answers(ratings={"alpha": 3, "beta": "not_observed"}), 2)


def test_rules_version_1_asks_for_a_rating_of_each_core_criterion(conflicted: Rubric) -> None:
    refused = refusal(conflicted, Answers(ratings={"alpha": 3, "beta": "not_observed"}), 1)
    assert [(e.loc, e.valid) for e in refused.errors] == [("ratings.beta", [1, 2, 3, 4])]
    # Version 1 knows no contradiction: a flag against a rating needs no note there.
    check_submittable(
        conflicted, Answers(ratings={"alpha": 3, "beta": 3, "gamma": 4}, flags=["warn_one"]), 1
    )


def test_a_flag_against_a_rating_needs_a_note_on_the_criterion(conflicted: Rubric) -> None:
    ratings = {"alpha": 3, "beta": 3, "gamma": 4}
    refused = refusal(conflicted, Answers(ratings=ratings, flags=["warn_one"]))
    assert [(e.loc, e.message) for e in refused.errors] == [
        ("notes.gamma", "required: red flag 'warn_one' is raised while 'gamma' is rated 4")
    ]
    assert refused.detail == (
        "a raised red flag contradicts a rating: explain it in a note on the criterion "
        "(warn_one vs gamma rated 4)"
    )
    # A blank note explains nothing; a note on another criterion neither.
    for notes in ({"gamma": "  "}, {"alpha": "why"}):
        refusal(conflicted, Answers(ratings=ratings, flags=["warn_one"], notes=notes))
    check_submittable(
        conflicted, Answers(ratings=ratings, flags=["warn_one"], notes={"gamma": "why"}), 2
    )
    # No contradiction at a level the rubric does not name.
    check_submittable(conflicted, Answers(ratings={**ratings, "gamma": 2}, flags=["warn_one"]), 2)


def test_a_flag_implied_by_a_rating_counts_as_raised(conflicted: Rubric) -> None:
    # alpha at 1 implies warn_one, which contradicts gamma at 4: the note is needed all the same.
    refused = refusal(conflicted, Answers(ratings={"alpha": 1, "beta": 3, "gamma": 4}))
    assert [e.loc for e in refused.errors] == ["notes.gamma"]
    # Two contradictions: both named, in one sentence.
    refused = refusal(
        conflicted,
        Answers(ratings={"alpha": 1, "beta": 4, "gamma": 3}, flags=["warn_one"]),
    )
    assert refused.detail.endswith("(warn_one vs beta rated 4; warn_one vs gamma rated 3)")
    assert [e.loc for e in refused.errors] == ["notes.beta", "notes.gamma"]


@pytest.mark.parametrize(
    ("decision", "recommendation", "needs_rationale"),
    [
        ("hire", "strong_hire", False),
        ("advance", "strong_hire", False),
        ("reject", "strong_hire", True),
        ("hire", "hire", False),
        ("advance", "hire", False),
        ("reject", "hire", True),
        ("advance", "hold", False),
        ("hire", "hold", True),
        ("reject", "hold", True),
        ("reject", "no_hire", False),
        ("advance", "no_hire", True),
        ("hire", "no_hire", True),
        ("reject", "incomplete", True),
        ("advance", "incomplete", True),
        ("hire", "no verdict yet", True),
    ],
)
def test_a_decision_against_the_recommendation_needs_a_rationale(
    decision: str, recommendation: str, needs_rationale: bool
) -> None:
    assert against(decision, recommendation) is needs_rationale
