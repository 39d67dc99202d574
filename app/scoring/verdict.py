"""What the engine returns: a recommendation and every line a person needs to check it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.core.i18n import Language
from app.rubric.schemas import Group, RankedRecommendation, Recommendation, Severity, Source

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


class Verdict(_Out):
    """The engine's advice on one assessment. A person takes the decision."""

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

    raters: list[str]
    calibration: list[Calibration]
    agreement: float | None
    agreement_words: str | None = None
    interviewers: list[InterviewerView] = []
