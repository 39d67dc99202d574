"""A loaded, validated rubric: what the engine scores with and what the API serves."""

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

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

    def __hash__(self) -> int:
        """Hash by identity of content: the version pins it (used to cache derived data)."""
        return hash((self.id, self.version))

    # Look-up tables, computed once per rubric on first use (the rubric never changes).
    @cached_property
    def criteria_by_id(self) -> dict[str, RubricCriterion]:
        """Criteria keyed by id."""
        return {c.id: c for c in self.criteria}

    @cached_property
    def flags_by_id(self) -> dict[str, RedFlag]:
        """Red flags keyed by id."""
        return {f.id: f for f in self.flags}

    @cached_property
    def levels(self) -> list[int]:
        """Every rating on the scale, lowest first."""
        return list(range(self.scale.min, self.scale.max + 1))

    @cached_property
    def total_weight(self) -> float:
        """The sum of every criterion's weight."""
        return sum(c.weight for c in self.criteria)
