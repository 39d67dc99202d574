"""A loaded, validated rubric: what the engine scores with and what the API serves."""

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from app.rubric.schemas import (
    Contradiction,
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
    contradictions: list[Contradiction] = []
    role_questions: list[RoleQuestion]
    # Seed file -> its title, so that readers see a source by title and point, not by file name.
    seed_titles: dict[str, LocalizedText] = {}

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

    @cached_property
    def implied(self) -> dict[str, dict[int, str]]:
        """Criterion id -> {level: flag id} for the levels that imply a red flag."""
        return {
            c.id: {level: a.implies for level, a in c.anchors.items() if a.implies}
            for c in self.criteria
            if any(a.implies for a in c.anchors.values())
        }

    @cached_property
    def contradicting_levels(self) -> dict[tuple[str, str], frozenset[int]]:
        """(flag id, criterion id) -> the ratings of the criterion that contradict the flag.

        Every flag a criterion lists contradicts its top rating; the rubric declares the rest.
        """
        table: dict[tuple[str, str], set[int]] = {}
        for criterion in self.criteria:
            for flag_id in criterion.flags:
                table.setdefault((flag_id, criterion.id), set()).add(self.scale.max)
        for item in self.contradictions:
            table.setdefault((item.flag, item.criterion), set()).update(item.levels)
        return {key: frozenset(levels) for key, levels in table.items()}
