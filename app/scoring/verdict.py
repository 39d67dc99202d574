"""What the engine returns: a recommendation and every line a person needs to check it.

A verdict is made from its facts (app/scoring/engine.py: plain JSON data in no language) and
written in one language when it is read: `Verdict.of_facts` keeps the facts (`of_decided`, what
works them out: see `score`), and the fields that hold texts or nested results (`criteria`,
`flags`, `reasons`, ...) are rendered and validated the first time one of them is read or the
verdict is serialised. Reading `recommendation` or `score` writes nothing.
"""

from collections.abc import Callable
from functools import lru_cache
from typing import Any, ClassVar, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr

from app.core.i18n import Language
from app.rubric.model import Rubric, RubricCriterion
from app.rubric.schemas import Group, RankedRecommendation, Recommendation, Severity, Source
from app.scoring.phrases import phrases_for

# A verdict's facts: its fields in no language, reasons as values (see app/scoring/phrases.py),
# and, instead of `criteria`, the ratings, the weight rated and the notes they are written from.
Facts = dict[str, Any]
# The reason that stands for the rated criteria's lines, each in its place.
LINES: Final[list[Any]] = ["*", "criteria"]
# What a verdict's texts are written from on first read: the rubric, the facts (or what works
# them out) and the language.
Pending = tuple[Rubric, Facts | Callable[[], Facts], Language]


def contribution(rubric: Rubric, criterion: RubricCriterion, rating: int, weight: float) -> float:
    """The points a criterion rated `rating` adds to a score over the rated `weight`."""
    share = criterion.weight * (rating - rubric.scale.min) / (rubric.scale.max - rubric.scale.min)
    return round(100.0 * share / weight, 2)


NotObserved = Literal["not_observed"]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class AttributedNote(_Out):
    """A note, and who wrote it (None for a single assessment)."""

    by: str | None = None
    text: str


class CriterionResult(_Out):
    """How one criterion counted: its rating, weight, share of the score and matching anchor."""

    id: str
    group: Group
    title: str
    rating: int | NotObserved | None
    weight: float
    contribution: float
    anchor: str | None
    notes: list[AttributedNote] = []


class FlagResult(_Out):
    """A raised red flag and what it did to the verdict."""

    id: str
    severity: Severity
    title: str
    effect: Literal["forces_no_hire", "penalty"]
    penalty: float
    cap: RankedRecommendation | None
    source: Source | None
    origin: Literal["raised", "rating", "both"] = "raised"
    implied_by: list[str] = []
    raised_by: list[str] = []
    notes: list[AttributedNote] = []


class ContradictionResult(_Out):
    """A raised (or implied) flag that contradicts a rating given with it, in one scorecard."""

    flag: str
    criterion: str
    rating: int
    by: str | None = None


class Reason(_Out):
    """One line of explanation; `ref` is a criterion id, a flag id or 'overall'."""

    ref: str
    text: str


def render(rubric: Rubric, facts: Facts, language: Language) -> dict[str, Any]:
    """The fields of a verdict that hold texts or nested results, written in `language`."""
    p = phrases_for(rubric, language)
    ratings, weight = facts["ratings"], facts["rated_weight"]
    notes, extra = facts["notes"], facts["criterion_reasons"]
    criteria, lines = [], []
    for criterion in rubric.criteria:
        rating = ratings.get(criterion.id)
        points, anchor = 0.0, None
        if isinstance(rating, int):
            points = contribution(rubric, criterion, rating, weight)
            anchor = p.anchors[criterion.id][rating]
            line = p.criterion_line(criterion.id, rating, points)
            if criterion.id in extra:
                line = f"{line} {p.render(extra[criterion.id])}"
            lines.append({"ref": criterion.id, "text": line})
        criteria.append(
            {
                "id": criterion.id,
                "group": criterion.group,
                "title": p.plain_titles[criterion.id],
                "rating": rating,
                "weight": criterion.weight,
                "contribution": points,
                "anchor": anchor,
                "notes": notes.get(criterion.id, []),
            }
        )
    reasons: list[dict[str, str]] = []
    for ref, value in facts["reasons"]:
        if ref == LINES[0]:
            reasons += lines
        else:
            reasons.append({"ref": ref, "text": p.render(value)})
    fields = {
        "criteria": criteria,
        "flags": [
            {**f, "title": p.plain_titles[f["id"]], "source": rubric.flags_by_id[f["id"]].source}
            for f in facts["flags"]
        ],
        "contradictions": facts["contradictions"],
        "reasons": reasons,
    }
    if "interviewers" in facts:  # a panel's facts (app/scoring/panel.py)
        words = facts["agreement_words"]
        fields["calibration"] = facts["calibration"]
        fields["interviewers"] = facts["interviewers"]
        fields["agreement_words"] = None if words is None else p.render(words)
    return fields


class Verdict(_Out):
    """The engine's advice on one assessment. A person takes the decision."""

    # The fields written from the facts when first read (see the module's docstring).
    LAZY: ClassVar[frozenset[str]] = frozenset({"criteria", "flags", "contradictions", "reasons"})
    _pending: Pending | None = PrivateAttr(default=None)

    rubric_id: str
    rubric_version: str
    rules_version: int
    language: Language
    recommendation: Recommendation
    possible: list[RankedRecommendation] = []
    settle: list[str] = []
    score: float
    coverage: float
    criteria: list[CriterionResult]
    flags: list[FlagResult]
    contradictions: list[ContradictionResult] = []
    reasons: list[Reason]

    @classmethod
    def of_facts(cls, rubric: Rubric, facts: Facts, language: Language, **fields: Any) -> Self:
        """The verdict of `facts` in `language`; its texts are written when first read.

        `fields` adds fields the facts do not hold (a candidate's id, ...)."""
        eager = _eager(cls)
        values = {k: v for k, v in facts.items() if k in eager}
        values.update(fields, language=language)
        return cls._made(values, (rubric, facts, language))

    @classmethod
    def of_decided(
        cls, rubric: Rubric, head: Facts, facts: Callable[[], Facts], language: Language
    ) -> Self:
        """The verdict whose facts start with `head` (every field set at once, see
        app/scoring/engine.py) and are worked out by `facts()` when its texts are first read."""
        return cls._made({**head, "language": language}, (rubric, facts, language))

    @classmethod
    def _made(cls, values: dict[str, Any], pending: Pending) -> Self:
        # What model_construct does, without the fields left to write (nothing is validated:
        # the facts come from the engine or from the engine's stored output).
        verdict = cls.__new__(cls)
        object.__setattr__(verdict, "__dict__", values)
        # Every field counts as set, the pending ones too: they are written on first read.
        object.__setattr__(verdict, "__pydantic_fields_set__", set(_fields(cls)))
        object.__setattr__(verdict, "__pydantic_extra__", None)
        object.__setattr__(verdict, "__pydantic_private__", {"_pending": pending})
        return verdict

    def _materialise(self) -> None:
        """Write the pending fields from the facts, validated, in the fields' order."""
        private = object.__getattribute__(self, "__pydantic_private__")
        pending = private.get("_pending")
        if pending is None:
            return
        private["_pending"] = None
        rubric, facts, language = pending
        if callable(facts):
            facts = facts()
        rendered = render(rubric, facts, language)
        values = object.__getattribute__(self, "__dict__")
        cls = type(self)
        whole = cls.model_validate({**values, **{k: rendered[k] for k in cls.LAZY}})
        values.clear()
        values.update(object.__getattribute__(whole, "__dict__"))

    # Whatever reads the fields together reads `__dict__` (serialising, comparing, copying,
    # dict(verdict)): the pending fields are written first. A pending field read alone is
    # missing from `__dict__`, so `__getattr__` writes them.
    def __getattribute__(self, name: str) -> Any:
        if name == "__dict__":
            Verdict._materialise(self)
        return object.__getattribute__(self, name)

    # Comparing reads the private attributes before `__dict__`: both sides are written first, so
    # a verdict whose texts were never read equals the same verdict validated at once.
    def __eq__(self, other: object) -> bool:
        Verdict._materialise(self)
        if isinstance(other, Verdict):
            Verdict._materialise(other)
        return super().__eq__(other)

    __hash__ = _Out.__hash__

    def __getattr__(self, name: str) -> Any:
        if name in type(self).LAZY:
            Verdict._materialise(self)
            values = object.__getattribute__(self, "__dict__")
            if name in values:
                return values[name]
        return super().__getattr__(name)  # type: ignore[misc]


@lru_cache(maxsize=16)
def _fields(cls: type[Verdict]) -> frozenset[str]:
    """The fields of `cls`."""
    return frozenset(cls.model_fields)


@lru_cache(maxsize=16)
def _eager(cls: type[Verdict]) -> frozenset[str]:
    """The fields of `cls` set at once from the facts."""
    return _fields(cls) - cls.LAZY


class Calibration(_Out):
    """A criterion on which the panel's ratings spread by 2 points or more."""

    criterion_id: str
    ratings: dict[str, int]
    spread: int


class InterviewerView(_Out):
    """One interviewer's own overall view, shown beside the engine's."""

    name: str
    overall_recommendation: RankedRecommendation | None = None
    summary: str = ""
    agrees: bool | None = None  # own recommendation equals the engine's (None: none given)


class PanelVerdict(Verdict):
    """The advice over several interviewers' assessments, with where they disagree."""

    LAZY: ClassVar[frozenset[str]] = Verdict.LAZY | {
        "calibration",
        "agreement_words",
        "interviewers",
    }

    raters: list[str]
    calibration: list[Calibration]
    agreement: float | None
    agreement_words: str | None = None
    interviewers: list[InterviewerView] = []
