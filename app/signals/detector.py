"""Finding red-flag cues in a text: quotes with offsets, denials set apart, counts read.

A cue suggests its flag unless a negation precedes it in the same clause, or follows it within
three words ("I never bought followers", "my 2,000 followers prove nothing" are not
confessions). Clauses end at . ! ? ; : at "but"/"mais", and at a comma before a new subject, so
a negation in an earlier clause does not cancel a later claim.
"""

import re
from dataclasses import dataclass

from app.core.i18n import Language
from app.signals.model import FlagDetector, Signals

CLAUSE_BREAK = re.compile(
    r"[.!?;:\n]|\b(?:but|however|yet|mais|pourtant|cependant)\b"
    # A comma opens a new clause when a subject follows it: "Don't worry, I guarantee…".
    r"|,\s*(?=(?:je|j['’]|nous|on|il|elle|ils|elles|i|we|you|they|he|she)\b)",
    re.IGNORECASE,
)
FRENCH = {
    "je",
    "j",
    "le",
    "la",
    "les",
    "des",
    "une",
    "un",
    "est",
    "et",
    "pas",
    "que",
    "pour",
    "avec",
    "sur",
    "dans",
    "mes",
    "mon",
    "ma",
    "ce",
    "c",
    "il",
    "nous",
    "vous",
    "sont",
    "qui",
    "du",
    "au",
    "ne",
    "n",
    "d",
    "l",
    "qu",
    "ai",
    "en",
    "plus",
    "tout",
    "fait",
}
ENGLISH = {
    "i",
    "the",
    "an",
    "is",
    "and",
    "not",
    "that",
    "for",
    "with",
    "my",
    "to",
    "of",
    "it",
    "we",
    "you",
    "are",
    "was",
    "have",
    "be",
    "this",
    "they",
    "do",
    "don",
    "t",
    "m",
    "s",
    "at",
    "by",
    "or",
    "so",
    "all",
    "just",
    "what",
}


@dataclass(frozen=True)
class Evidence:
    """The words that support a suggestion: `text[start:end] == quote`."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Suggestion:
    """A flag the text suggests, why, and the quotes."""

    flag_id: str
    explanation: str
    evidence: tuple[Evidence, ...]


def detect_language(text: str) -> Language:
    """French or English, by their most common short words and by accented letters.

    Two languages that differ this much need no statistical model; a third would."""
    lowered = text.lower()
    words = re.findall(r"[a-zà-ÿ]+", lowered)
    french = sum(w in FRENCH for w in words) + len(re.findall(r"[àâçéèêëîïôûùüœ]", lowered))
    english = sum(w in ENGLISH for w in words)
    return "fr" if french > english else "en"


def _clause_start(text: str, position: int) -> int:
    start = 0
    for found in CLAUSE_BREAK.finditer(text):  # the whole text: a break may look ahead
        if found.end() > position:
            break
        start = found.end()
    return start


def _surroundings(text: str, start: int, end: int) -> str:
    """The clause before a cue, the cue, and up to three words after it in the same clause."""
    before = text[_clause_start(text, start) : start]
    after = CLAUSE_BREAK.split(text[end:], maxsplit=1)[0]
    return f"{before} {text[start:end]} {' '.join(after.split()[:3])}"


def _count(raw: str) -> float | None:
    value = raw.strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    factor = 1.0
    for suffix, multiplier in (("mille", 1e3), ("k", 1e3), ("m", 1e6)):
        if value.endswith(suffix):
            value, factor = value[: -len(suffix)].strip(), multiplier
            break
    if factor == 1.0:
        digits = re.sub(r"[ ,.]", "", value)
        return float(digits) if digits.isdigit() else None
    try:
        return float(value.replace(",", ".")) * factor
    except ValueError:
        return None


def _matches(
    detector: FlagDetector, signals: Signals, text: str, language: Language
) -> list[Evidence]:
    found = []
    negation = signals.negations[language]
    for cue in detector.cues[language]:
        for match in cue.pattern.finditer(text):
            if detector.min_count is not None and "count" in match.groupdict():
                number = _count(match.group("count") or "")
                if number is None or number < detector.min_count:
                    continue
            if cue.negatable and negation.search(_surroundings(text, match.start(), match.end())):
                continue
            found.append(Evidence(match.start(), match.end(), match.group(0)))
    return found


def _merged(evidence: list[Evidence], text: str) -> tuple[Evidence, ...]:
    """Overlapping quotes of one flag become one."""
    merged: list[Evidence] = []
    for item in sorted(evidence, key=lambda e: (e.start, -e.end)):
        if merged and item.start < merged[-1].end:
            last = merged[-1]
            end = max(last.end, item.end)
            merged[-1] = Evidence(last.start, end, text[last.start : end])
        else:
            merged.append(item)
    return tuple(merged)


def detect(
    signals: Signals, text: str, language: Language | None, explain_in: Language | None = None
) -> tuple[Language, list[Suggestion]]:
    """The text's language and the flags it suggests, each with its quotes and explanation."""
    spoken = language or detect_language(text)
    suggestions = []
    for detector in signals.flags:
        evidence = _matches(detector, signals, text, spoken)
        if evidence:
            suggestions.append(
                Suggestion(
                    flag_id=detector.flag_id,
                    explanation=detector.explanation[explain_in or spoken],
                    evidence=_merged(evidence, text),
                )
            )
    return spoken, suggestions
