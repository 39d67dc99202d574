"""The signals file's schema (criteria/signals/*.yaml), and what the detector runs."""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from app.core.i18n import Language
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
    min_precision: float = Field(default=0.85, gt=0, le=1)
    enabled: bool = True
    min_count: int | None = Field(default=None, ge=0)
    keywords: PerLanguage = PerLanguage()


class SignalsFile(_Strict):
    """A file under criteria/signals/."""

    rubric: str
    corpus: str = Field(min_length=1)
    weights: str = Field(min_length=1)
    validation_share: float = Field(default=0.2, ge=0, lt=1)
    flags: dict[str, FlagSignals]


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
