"""A loaded, validated rubric: what the engine scores with and what the API serves."""

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from app.rubric.schemas import (
    Criterion,
    LocalizedText,
    RedFlag,
    RoleQuestion,
    Scale,
    Thresholds,
    WarningEffect,
    WeakCore,
    Weights,
)


class RubricCriterion(Criterion):
    """A criterion whose weight is resolved (its own, or its group's default)."""

    weight: float = Field(gt=0, le=100)


class Rubric(BaseModel):
    """A validated rubric. `version` is the declared version plus a hash of the content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    declared_version: str
    content_hash: str
    title: LocalizedText
    description: LocalizedText
    scale: Scale
    weights: Weights
    thresholds: Thresholds
    warning_effect: WarningEffect
    weak_core: WeakCore
    criteria: list[RubricCriterion]
    flags: list[RedFlag]
    role_questions: list[RoleQuestion]

    _criteria_by_id: dict[str, RubricCriterion] = PrivateAttr(default_factory=dict)
    _flags_by_id: dict[str, RedFlag] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        """Index criteria and flags by id once, for constant-time look-ups while scoring."""
        self._criteria_by_id = {c.id: c for c in self.criteria}
        self._flags_by_id = {f.id: f for f in self.flags}

    @property
    def criteria_by_id(self) -> dict[str, RubricCriterion]:
        """Criteria keyed by id."""
        return self._criteria_by_id

    @property
    def flags_by_id(self) -> dict[str, RedFlag]:
        """Red flags keyed by id."""
        return self._flags_by_id

    @property
    def levels(self) -> list[int]:
        """Every rating on the scale, lowest first."""
        return list(range(self.scale.min, self.scale.max + 1))
