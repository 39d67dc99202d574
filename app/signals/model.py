"""The cue file's schema, and the compiled cues the detector runs."""

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from app.core.i18n import Language

# A number however people write it: 40k, 40 K, 40 000, 40,000, 40.000, 1,5 M, 12000.
COUNT = r"(?P<count>\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)?\s?(?:k|K|m|M|mille)\b|\d+)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerLanguage(_Strict):
    """Regular expressions per language."""

    en: list[str] = []
    fr: list[str] = []


class Texts(_Strict):
    """A text in both languages."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)


class FlagCues(_Strict):
    """How one red flag shows in what a candidate says."""

    explanation: Texts
    cues: PerLanguage = PerLanguage()
    self_negating: PerLanguage = PerLanguage()
    min_count: int | None = Field(default=None, ge=0)


class CueFile(_Strict):
    """A file under criteria/signals/."""

    rubric: str
    negations: PerLanguage
    flags: dict[str, FlagCues]


@dataclass(frozen=True)
class Cue:
    """One compiled cue."""

    pattern: re.Pattern[str]
    negatable: bool


@dataclass(frozen=True)
class FlagDetector:
    """The compiled cues of one flag."""

    flag_id: str
    explanation: dict[Language, str]
    cues: dict[Language, list[Cue]]
    min_count: int | None = None


@dataclass(frozen=True)
class Signals:
    """Everything the detector needs for one rubric."""

    rubric_id: str
    negations: dict[Language, re.Pattern[str]]
    flags: list[FlagDetector] = field(default_factory=list)
