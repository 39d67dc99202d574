"""The signals file's schema (criteria/signals/*.yaml), and what the detector runs."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import get_args

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.i18n import Language
from app.rubric.schemas import Severity
from app.signals.disclosures import Disclosures
from app.signals.neighbours import Bank


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerLanguage(_Strict):
    """Words or phrases per language."""

    en: list[str] = []
    fr: list[str] = []


class Texts(_Strict):
    """A text in both languages."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)


class FlagSignals(_Strict):
    """How one red flag is suggested, under the rubric author's control."""

    explanation: Texts
    # None: the floor of the flag's severity (SignalsFile.min_precision).
    min_precision: float | None = Field(default=None, gt=0, le=1)
    enabled: bool = True
    min_count: int | None = Field(default=None, ge=0)
    keywords: PerLanguage = PerLanguage()


def _default_floors() -> dict[Severity, float]:
    return {"dealbreaker": 0.95, "warning": 0.9}


def _default_betas() -> dict[Severity, float]:
    return {"dealbreaker": 0.15, "warning": 0.75}


def _per_severity(
    value: dict[Severity, float], what: str, high: float, meaning: str
) -> dict[Severity, float]:
    """`value` if it gives every severity a number above 0 and at most `high`."""
    missing = sorted(set(get_args(Severity)) - set(value))
    if missing:
        raise ValueError(f"a {what} is needed for every severity, missing {missing}")
    if not all(0 < v <= high for v in value.values()):
        raise ValueError(f"a {what} is {meaning}")
    return value


class SignalsFile(_Strict):
    """A file under criteria/signals/."""

    rubric: str
    corpus: str = Field(min_length=1)
    weights: str = Field(min_length=1)
    validation_share: float = Field(default=0.2, ge=0, lt=1)
    # The precision a flag's threshold must reach on grouped cross-validation, by the flag's
    # severity in the rubric: a wrong dealbreaker suggestion costs the most.
    min_precision: dict[Severity, float] = Field(default_factory=_default_floors)
    # Among the thresholds above the floor, training keeps the best F-beta, by severity: beta < 1
    # weighs precision 1/beta² times more than recall (dealbreakers: precision first).
    beta: dict[Severity, float] = Field(default_factory=_default_betas)
    flags: dict[str, FlagSignals]

    @field_validator("min_precision")
    @classmethod
    def _every_severity(cls, value: dict[Severity, float]) -> dict[Severity, float]:
        return _per_severity(value, "floor", 1, "a precision, above 0 and at most 1")

    @field_validator("beta")
    @classmethod
    def _every_severity_beta(cls, value: dict[Severity, float]) -> dict[Severity, float]:
        return _per_severity(value, "beta", 4, "above 0 and at most 4")

    def betas(self, severities: Mapping[str, Severity]) -> dict[str, float]:
        """Each enabled flag's beta, by its severity."""
        return {
            flag_id: self.beta[severities[flag_id]]
            for flag_id, entry in sorted(self.flags.items())
            if entry.enabled
        }

    def floors(self, severities: Mapping[str, Severity]) -> dict[str, float]:
        """Each enabled flag's precision floor: its own `min_precision`, else its severity's."""
        return {
            flag_id: entry.min_precision
            if entry.min_precision is not None
            else self.min_precision[severities[flag_id]]
            for flag_id, entry in sorted(self.flags.items())
            if entry.enabled
        }


@dataclass(frozen=True)
class FlagClassifier:
    """A logistic regression over sentence embeddings, and the threshold that fires the flag
    (on the regression's score blended with the nearest labelled pieces' vote)."""

    weights: npt.NDArray[np.float32]
    bias: float
    threshold: float


@dataclass(frozen=True)
class FlagDetector:
    """One flag: its explanation, its classifier, and the naive keywords of the baseline."""

    flag_id: str
    explanation: dict[Language, str]
    classifier: FlagClassifier
    enabled: bool = True
    min_count: int | None = None
    keywords: dict[Language, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    """Everything the detector needs for one rubric."""

    rubric_id: str
    flags: list[FlagDetector] = field(default_factory=list)
    # The labelled training pieces (columns in `flags` order), and the share of their vote in a
    # piece's score (the rest is the logistic regression's).
    bank: Bank | None = None
    bank_share: float = 0.0
    # How a piece is read in its answer (app/signals/detector.py): how many sentences on each side
    # its stance cues are counted over, and how far a sentence is pulled towards its pairs.
    context_reach: int = 1
    temper: float = 0.5
    # What a candidate says of a protected characteristic of their own, never read (see
    # app/signals/disclosures.py); None only for signals built by hand in tests.
    disclosures: Disclosures | None = None
