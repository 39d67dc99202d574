"""Pydantic models of a rubric file under `criteria/` (structure; cross-checks are the loader's)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.i18n import Language

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Group = Literal["core", "depth"]
Severity = Literal["dealbreaker", "warning"]
# Recommendations a verdict can reach on the scale, lowest first; `incomplete` stands outside it.
RankedRecommendation = Literal["no_hire", "hold", "hire", "strong_hire"]
RANKED_RECOMMENDATIONS: tuple[RankedRecommendation, ...] = (
    "no_hire",
    "hold",
    "hire",
    "strong_hire",
)
Recommendation = Literal["strong_hire", "hire", "hold", "no_hire", "incomplete"]


class _Strict(BaseModel):
    """A part of a rubric file: unknown keys are errors, and nothing changes once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    """One text in every language Tamis speaks."""

    fr: Text
    en: Text

    def get(self, language: Language) -> str:
        """The text in `language`."""
        return self.fr if language == "fr" else self.en


class LocalizedList(_Strict):
    """A list of texts in every language (the same items, translated)."""

    fr: list[Text] = Field(min_length=1, max_length=10)
    en: list[Text] = Field(min_length=1, max_length=10)

    def get(self, language: Language) -> list[str]:
        """The list in `language`."""
        return self.fr if language == "fr" else self.en


SeedFile = Annotated[str, StringConstraints(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")]


class Source(_Strict):
    """Where an item comes from: a seed text and the point in it.

    `point` is a number or a short reference, or, when it quotes or paraphrases the seed, the
    same words in each language (an English reader never sees French).
    """

    seed: SeedFile
    point: Text | LocalizedText

    def point_in(self, language: Language) -> str:
        """The point as a reader of `language` sees it."""
        return self.point if isinstance(self.point, str) else self.point.get(language)


class FairnessException(_Strict):
    """A protected-ground term an item legitimately contains, and the written reason why."""

    term: Text
    reason: Text


class Anchor(LocalizedText):
    """What one level of a criterion looks like: an observable behaviour and an example answer.

    `implies` makes the level mean exactly a red flag: rating the criterion at this level raises
    it. A level may imply a flag only if every lower level implies it too, so that raising a
    rating never adds a flag.
    """

    example: LocalizedText | None = None
    implies: Identifier | None = None


class Scale(_Strict):
    """The rating scale: whole numbers from `min` to `max`."""

    min: int = Field(default=1, ge=0, le=10)
    max: int = Field(default=4, ge=1, le=10)


class Weights(_Strict):
    """Default weight of a criterion by group, when the criterion states none."""

    core: float = Field(gt=0, le=100)
    depth: float = Field(gt=0, le=100)


class Thresholds(_Strict):
    """Lowest score (0–100) for each recommendation; below `hold` is `no_hire`."""

    strong_hire: float = Field(gt=0, le=100)
    hire: float = Field(gt=0, le=100)
    hold: float = Field(gt=0, le=100)


class WarningStep(_Strict):
    """From `at_least` warning flags on, the recommendation stays at or under `cap`."""

    at_least: int = Field(ge=2, le=100)
    cap: RankedRecommendation


class WarningEffect(_Strict):
    """What each warning flag does: score points taken off, and the highest recommendation left.

    `accumulate` lets warnings add up: each step lowers the cap once enough warnings are raised.
    """

    penalty: float = Field(ge=0, le=100)
    cap: RankedRecommendation
    accumulate: list[WarningStep] = Field(default_factory=list, max_length=10)


class Contradiction(_Strict):
    """A raised flag that contradicts a criterion rated at one of `levels`.

    Every flag listed in a criterion's `flags` already contradicts that criterion rated at the top
    of the scale; a rubric declares the other cases here.
    """

    flag: Identifier
    criterion: Identifier
    levels: list[int] = Field(min_length=1, max_length=10)


class WeakCore(_Strict):
    """A core criterion rated under `rating_below` keeps the recommendation at or under `cap`."""

    rating_below: int
    cap: RankedRecommendation


class Criterion(_Strict):
    """A scored criterion with behaviourally anchored levels."""

    id: Identifier
    group: Group
    weight: float | None = Field(default=None, gt=0, le=100)
    title: LocalizedText
    description: LocalizedText
    questions: LocalizedList
    ask_first: int = Field(default=1, ge=1, le=10, description="1-based: the question to ask first")
    anchors: dict[int, Anchor]
    flags: list[Identifier] = Field(default_factory=list)
    source: Source
    basis: LocalizedText | None = None
    see_also: list[Source] = Field(default_factory=list)
    fairness_exceptions: list[FairnessException] = Field(default_factory=list)


class RedFlag(_Strict):
    """A warning sign the interviewer may raise."""

    id: Identifier
    severity: Severity
    title: LocalizedText
    description: LocalizedText
    verify: LocalizedText
    source: Source | None = None
    basis: LocalizedText | None = Field(
        default=None, description="The stated ground when the item does not rest on the seeds."
    )
    see_also: list[Source] = Field(default_factory=list)
    fairness_exceptions: list[FairnessException] = Field(default_factory=list)


class RoleQuestion(_Strict):
    """A question about the job itself; a 'no' raises the warning."""

    id: Identifier
    question: LocalizedText
    warning: LocalizedText
    source: Source
    see_also: list[Source] = Field(default_factory=list)
    fairness_exceptions: list[FairnessException] = Field(default_factory=list)


class RubricDocument(_Strict):
    """A rubric file as written by its author."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=64)]
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    title: LocalizedText
    description: LocalizedText
    scale: Scale = Scale()
    weights: Weights
    thresholds: Thresholds
    warning_effect: WarningEffect
    weak_core: WeakCore
    criteria: list[Criterion] = Field(min_length=1)
    flags: list[RedFlag] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    role_questions: list[RoleQuestion] = Field(default_factory=list)
