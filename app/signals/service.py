"""Detection as the API and the commands use it, and the evaluation against labelled lines."""

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.errors import NotFound
from app.core.i18n import Language
from app.signals.detector import Suggestion, detect, detect_keywords
from app.signals.model import Signals

MAX_TEXT = 20_000
Method = Literal["learned", "keywords"]


class DetectRequest(BaseModel):
    """A text to read for red flags."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    language: Language | None = Field(default=None, description="null: detected from the text.")
    rubric_id: str = "social-media-screen"


class EvidenceOut(BaseModel):
    """Words that support a suggestion: `text[start:end] == quote`."""

    start: int
    end: int
    quote: str


class SuggestionOut(BaseModel):
    """A flag the text suggests: advice to an interviewer, who confirms or dismisses it."""

    flag_id: str
    title: str
    explanation: str
    evidence: list[EvidenceOut]
    score: float = Field(description="The classifier's confidence, 0 to 1.")


class DetectResponse(BaseModel):
    """The language read and the suggestions."""

    language: Language
    suggestions: list[SuggestionOut]


def run(
    all_signals: dict[str, Signals],
    titles: dict[str, dict[str, str]],
    request: DetectRequest,
    explain_in: Language | None,
) -> DetectResponse:
    """Suggestions for `request.text`, explained in `explain_in` (else the text's language)."""
    signals = all_signals.get(request.rubric_id)
    if signals is None:
        raise NotFound(f"no red-flag detector for rubric '{request.rubric_id}'")
    language, found = detect(signals, request.text, request.language, explain_in)
    shown: Language = explain_in or language
    return DetectResponse(
        language=language,
        suggestions=[
            SuggestionOut(
                flag_id=s.flag_id,
                title=titles[s.flag_id][shown],
                explanation=s.explanation,
                evidence=[EvidenceOut(start=e.start, end=e.end, quote=e.quote) for e in s.evidence],
                score=s.score,
            )
            for s in found
        ],
    )


@dataclass
class Scores:
    """Counts for precision and recall, overall and per flag."""

    statements: int = 0
    exact: int = 0
    true_pos: Counter[str] = field(default_factory=Counter)
    false_pos: Counter[str] = field(default_factory=Counter)
    false_neg: Counter[str] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)


def evaluate(signals: Signals, lines: Iterable[str], method: Method = "learned") -> Scores:
    """Compare a detector with labelled JSON Lines `{"text", "language", "flags"}`."""
    run_one: Callable[[Signals, str, Any], tuple[Language, list[Suggestion]]] = (
        detect if method == "learned" else detect_keywords
    )
    scores = Scores()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, wanted = item["text"], set(item.get("flags") or [])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: not a labelled statement ({exc})") from exc
        _language, found = run_one(signals, text, item.get("language"))
        got = {s.flag_id for s in found}
        scores.statements += 1
        scores.exact += got == wanted
        for flag in got & wanted:
            scores.true_pos[flag] += 1
        for flag in got - wanted:
            scores.false_pos[flag] += 1
        for flag in wanted - got:
            scores.false_neg[flag] += 1
        if got != wanted:
            scores.misses.append(
                {"id": item.get("id", number), "got": sorted(got), "want": sorted(wanted)}
            )
    return scores


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 where nothing was expected and nothing found)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
