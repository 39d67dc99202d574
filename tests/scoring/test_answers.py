"""Answers that do not fit the rubric: every field at fault, what is wrong, and the valid values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from app.scoring import Answers, AnswersError, parse_answers, score
from app.scoring.answers import RaisedFlag, RatingValue, check_answers, fits
from tests.factories import examples, rubric
from tests.scoring.test_engine import SMALL

R = rubric(SMALL)
LEVELS = [1, 2, 3, 4, "not_observed"]


def errors(data: object) -> list[tuple[str, str, list[object] | None]]:
    with pytest.raises(AnswersError) as caught:
        parse_answers(R, data)
    return [
        (e.loc, e.message, None if e.valid is None else list(e.valid)) for e in caught.value.errors
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"ratings": {"alpha": 5}},
            [("ratings.alpha", "rating 5 is off the scale 1–4", LEVELS)],
        ),
        (  # the ends of the scale are on it, also when something else is wrong
            {"ratings": {"alpha": 1, "beta": 4, "gamma": 5}},
            [("ratings.gamma", "rating 5 is off the scale 1–4", LEVELS)],
        ),
        (
            {"ratings": {"alpha": "3"}},
            [
                (
                    "ratings.alpha",
                    'a rating must be a whole number on the scale, or "not_observed"',
                    LEVELS,
                )
            ],
        ),
        (
            {"overall_recommendation": "maybe"},
            [
                (
                    "overall_recommendation",
                    "unknown recommendation",
                    ["no_hire", "hold", "hire", "strong_hire"],
                )
            ],
        ),
        ({"language": "de"}, [("language", "unsupported language", ["fr", "en"])]),
        (
            {"flags": [{"id": "warn_one", "level": 2}]},
            [("flags[0].level", "unknown field", ["id", "note", "origin", "quote"])],
        ),
        (
            {"colour": "red"},
            [
                (
                    "colour",
                    "unknown field",
                    ["ratings", "flags", "notes", "overall_recommendation", "language"],
                )
            ],
        ),
        (
            {
                "ratings": {"delta": 2, "alpha": 0},
                "flags": ["warn_one", "nope"],
                "notes": {"x": "y"},
            },
            [
                ("ratings.delta", "unknown criterion", ["alpha", "beta", "gamma"]),
                ("ratings.alpha", "rating 0 is off the scale 1–4", LEVELS),
                ("flags[1].id", "unknown red flag 'nope'", ["warn_one", "warn_two", "deal_one"]),
                ("notes.x", "unknown criterion", ["alpha", "beta", "gamma"]),
            ],
        ),
        ([1, 2], [("(body)", "answers must be a JSON object", None)]),
        # A flag's id that is not even text, or missing: the valid ids are named all the same.
        (
            {"flags": [{"id": 3}]},
            [
                (
                    "flags[0].id",
                    "Input should be a valid string",
                    ["warn_one", "warn_two", "deal_one"],
                )
            ],
        ),
        (
            {"flags": [{"note": "x"}]},
            [("flags[0].id", "Field required", ["warn_one", "warn_two", "deal_one"])],
        ),
        # Other shapes keep pydantic's own words, at the field.
        ({"ratings": []}, [("ratings", "Input should be a valid dictionary", None)]),
        ({"flags": "warn_one"}, [("flags", "Input should be a valid list", None)]),
        ({"notes": {"alpha": 3}}, [("notes.alpha", "Input should be a valid string", None)]),
    ],
)
def test_every_field_at_fault_is_named_with_the_reason_and_the_valid_values(
    data: object, expected: list[tuple[str, str, list[object] | None]]
) -> None:
    assert errors(data) == expected


def test_an_error_reads_as_one_line_naming_each_field() -> None:
    with pytest.raises(AnswersError) as caught:
        parse_answers(R, {"ratings": {"alpha": "x"}, "language": "de"})
    assert str(caught.value) == (
        'ratings.alpha: a rating must be a whole number on the scale, or "not_observed" '
        "(valid: 1, 2, 3, 4, not_observed); language: unsupported language (valid: fr, en)"
    )
    # A rating off the scale is found once the shape is right.
    with pytest.raises(AnswersError) as off:
        parse_answers(R, {"ratings": {"alpha": 9}})
    assert str(off.value) == (
        "ratings.alpha: rating 9 is off the scale 1–4 (valid: 1, 2, 3, 4, not_observed)"
    )


def test_valid_answers_keep_what_was_said() -> None:
    answers = parse_answers(
        R,
        {
            "ratings": {"alpha": 3, "beta": "not_observed", "gamma": None},
            "flags": ["warn_one", {"id": "warn_two", "note": "heard"}],
            "notes": {"alpha": "concrete"},
            "overall_recommendation": "hire",
            "language": "fr",
        },
    )
    assert answers.ratings == {"alpha": 3, "beta": "not_observed", "gamma": None}
    assert answers.flags == [RaisedFlag(id="warn_one"), RaisedFlag(id="warn_two", note="heard")]
    assert (answers.notes, answers.overall_recommendation, answers.language) == (
        {"alpha": "concrete"},
        "hire",
        "fr",
    )
    assert Answers().language == "en"  # the default language, unless the reader says otherwise
    assert score(R, Answers(ratings={"alpha": 3}, language="fr")).language == "fr"
    assert score(R, Answers(ratings={"alpha": 3}, language="fr"), "en").language == "en"


@pytest.mark.parametrize("value", [2.5, "3", True, [], {}])
def test_a_rating_that_is_no_whole_number_says_so_where_fastapi_reads_it(value: object) -> None:
    """The API's bodies validate ratings with this type directly (not through parse_answers):
    its own message is the one the client reads."""
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(RatingValue).validate_python(value)
    assert [e["msg"] for e in caught.value.errors()] == [
        'Value error, a rating must be a whole number on the scale, or "not_observed"'
    ]
    assert TypeAdapter(RatingValue).validate_python("not_observed") == "not_observed"
    assert TypeAdapter(RatingValue).validate_python(None) is None
    assert TypeAdapter(RatingValue).validate_python(3) == 3


IDS = ["alpha", "beta", "gamma", "nowhere"]  # the last one is not the rubric's
ANY_RATING = st.one_of(st.integers(-1, 6), st.just("not_observed"), st.none())


@settings(max_examples=examples(300))
@given(
    ratings=st.dictionaries(st.sampled_from(IDS), ANY_RATING, max_size=4),
    flags=st.lists(st.sampled_from(["warn_one", "deal_one", "no_such_flag"]), max_size=3),
    notes=st.dictionaries(st.sampled_from(IDS), st.just("heard it"), max_size=2),
)
def test_answers_fit_exactly_when_the_field_by_field_check_finds_nothing(
    ratings: dict[str, object], flags: list[str], notes: dict[str, str]
) -> None:
    answers = Answers.model_validate({"ratings": ratings, "flags": flags, "notes": notes})
    try:
        check_answers(R, answers)
    except AnswersError:
        assert not fits(R, answers)
    else:
        assert fits(R, answers)


def test_a_rating_that_cannot_be_hashed_is_left_to_the_field_by_field_check() -> None:
    unchecked = Answers.model_construct(ratings={"alpha": [3]}, flags=[], notes={})
    assert not fits(R, unchecked)
    assert fits(R, Answers.model_construct(ratings={"alpha": 3}, flags=[], notes={}))
