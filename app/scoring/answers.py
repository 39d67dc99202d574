"""One interviewer's answers, and their validation against a rubric.

Errors name the field at fault (`ratings.measures_impact`, `flags[2].id`) and the valid values, so
that the API can turn them into problem details and the CLI into a one-line message.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
)

from app.core.fields import FieldError as FieldError  # re-exported for the scoring callers
from app.core.fields import format_path
from app.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language
from app.core.text import Paragraph
from app.rubric.model import Rubric
from app.rubric.schemas import RANKED_RECOMMENDATIONS, RankedRecommendation

NoteText = Paragraph
NOT_OBSERVED = "not_observed"
# A criterion's answer: a whole number on the scale, "not_observed" (asked, but the candidate
# showed no evidence: distinct from unrated and from the lowest rating), or null (unrated).


def _rating(value: Any) -> int | str | None:
    """One error, at the criterion, for anything but a whole number, "not_observed" or null."""
    if value is None or value == NOT_OBSERVED or (type(value) is int):
        return value  # type: ignore[no-any-return]
    raise ValueError('a rating must be a whole number on the scale, or "not_observed"')


RatingValue = Annotated[
    int | Literal["not_observed"] | None,
    PlainValidator(_rating),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer"},
                {"type": "string", "enum": [NOT_OBSERVED]},
                {"type": "null"},
            ]
        }
    ),
]
Ratings = Annotated[
    dict[str, RatingValue],
    Field(
        description=(
            'Criterion id -> a whole number on the rubric\'s scale, "not_observed" (asked, no '
            "evidence shown), or null (unrated)."
        )
    ),
]


class RaisedFlag(BaseModel):
    """A red flag an interviewer raised, with an optional note of what they heard."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(examples=["followers_as_proof"])
    note: NoteText | None = None
    # Set when the interviewer confirmed a suggestion read from the candidate's words.
    origin: Literal["interviewer", "suggestion"] = "interviewer"
    quote: NoteText | None = Field(
        default=None, description="The candidate's words behind a confirmed suggestion."
    )


def _flag_ids_as_objects(value: Any) -> Any:
    """Accept a bare flag id as shorthand for `{"id": ...}`."""
    if isinstance(value, list):
        return [{"id": item} if isinstance(item, str) else item for item in value]
    return value


# Raised flags; `["vanity_metrics"]` is shorthand for `[{"id": "vanity_metrics"}]`.
FlagList = Annotated[list[RaisedFlag], BeforeValidator(_flag_ids_as_objects), Field(max_length=200)]


class Answers(BaseModel):
    """One interviewer's ratings, flags and notes. A criterion absent from `ratings` is unrated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ratings: Ratings = Field(
        default_factory=dict,
        examples=[
            {"measures_impact": 3, "continuous_learning": 4, "hands_on_practice": NOT_OBSERVED}
        ],
    )
    flags: FlagList = Field(default_factory=list)
    notes: dict[str, NoteText] = Field(default_factory=dict)
    overall_recommendation: RankedRecommendation | None = Field(
        default=None, description="The interviewer's own overall recommendation."
    )
    language: Language = DEFAULT_LANGUAGE


@dataclass
class AnswersError(Exception):
    """Answers that do not fit the rubric; `errors` lists every field at fault."""

    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(str(e) for e in self.errors)


def _from_pydantic(rubric: Rubric, exc: ValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        kind = error["type"]
        valid: Sequence[str | int] | None = None
        message = str(error["msg"])
        if kind == "extra_forbidden":
            owner = RaisedFlag if len(loc) > 1 and loc[0] == "flags" else Answers
            message, valid = "unknown field", list(owner.model_fields)
        elif loc[:1] == ("ratings",) and len(loc) > 1:
            loc = loc[:2]
            message = 'a rating must be a whole number on the scale, or "not_observed"'
            valid = [*rubric.levels, NOT_OBSERVED]
        elif loc[:1] == ("overall_recommendation",):
            loc = loc[:1]
            message, valid = "unknown recommendation", list(RANKED_RECOMMENDATIONS)
        elif loc == ("language",):
            message, valid = "unsupported language", list(LANGUAGES)
        elif loc[:1] == ("flags",) and loc[-1] == "id":
            valid = [f.id for f in rubric.flags]
        found = FieldError(format_path(loc) or "(body)", message, valid)
        if found not in errors:  # a union reports one error per member it tried
            errors.append(found)
    return errors


def fits(rubric: Rubric, answers: Answers) -> bool:
    """Whether the answers name only the rubric's ids and give only ratings on its scale, found
    with set operations: True means `check_answers` has nothing to report (False leaves it to
    its field-by-field check, which names what is wrong)."""
    criteria = rubric.criteria_by_id
    try:
        values = set(answers.ratings.values())
    except TypeError:  # a value that cannot be hashed: the field-by-field check judges it
        return False
    flags = rubric.flags_by_id
    return (
        answers.ratings.keys() <= criteria.keys()
        and values <= {None, NOT_OBSERVED, *rubric.levels}
        and answers.notes.keys() <= criteria.keys()
        and all(flag.id in flags for flag in answers.flags)
    )


def check_answers(rubric: Rubric, answers: Answers) -> None:
    """Raise AnswersError if the answers name unknown ids or ratings off the rubric's scale."""
    if fits(rubric, answers):
        return
    criteria, flags = rubric.criteria_by_id, rubric.flags_by_id
    low, high = rubric.scale.min, rubric.scale.max
    errors: list[FieldError] = []
    for criterion_id, rating in answers.ratings.items():
        if criterion_id not in criteria:
            errors.append(FieldError(f"ratings.{criterion_id}", "unknown criterion", [*criteria]))
        elif isinstance(rating, int) and not low <= rating <= high:
            errors.append(
                FieldError(
                    f"ratings.{criterion_id}",
                    f"rating {rating} is off the scale {low}–{high}",
                    [*rubric.levels, NOT_OBSERVED],
                )
            )
    for index, flag in enumerate(answers.flags):
        if flag.id not in flags:
            errors.append(
                FieldError(f"flags[{index}].id", f"unknown red flag '{flag.id}'", [*flags])
            )
    for criterion_id in answers.notes:
        if criterion_id not in criteria:
            errors.append(FieldError(f"notes.{criterion_id}", "unknown criterion", [*criteria]))
    if errors:
        raise AnswersError(errors)


def parse_answers(rubric: Rubric, data: Mapping[str, Any] | Any) -> Answers:
    """Validate raw data (e.g. decoded JSON) as answers to `rubric`; raise AnswersError."""
    if not isinstance(data, Mapping):
        raise AnswersError([FieldError("(body)", "answers must be a JSON object")])
    try:
        answers = Answers.model_validate(data)
    except ValidationError as exc:
        raise AnswersError(_from_pydantic(rubric, exc)) from exc
    check_answers(rubric, answers)
    return answers
