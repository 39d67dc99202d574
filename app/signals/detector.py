"""Suggesting red flags from a candidate's words: a learned classifier per flag over sentences.

Each sentence of the text, and each pair of neighbouring sentences, is embedded by the sentence
model (app/signals/encoder.py); each flag's logistic regression scores every piece, and the flag
is suggested when its best piece reaches the threshold chosen for precision at training time.
The quotes are the sentences that fired (of a pair, the one that scores higher on its own).
What the candidate denies, reports of others, regrets or imagines was learned from labelled
examples (criteria/signals/corpus/), not written as rules.

`detect_keywords` is the naive baseline the evaluation compares with: a flag whenever one of its
keywords appears. It never decides a suggestion.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from app.core.i18n import Language
from app.signals import neighbours
from app.signals.disclosures import Reading, reading
from app.signals.encoder import DIMENSION, Encoder, shared_encoder
from app.signals.features import stance_cues
from app.signals.model import FlagDetector, Signals
from app.signals.segment import Span, holding_pairs, silent, surroundings, units

# A number however people write it: 40k, 40 K, 40 000, 40,000, 40.000, 1,5 M, 12000.
COUNT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+"
    r"|\d+(?:[.,]\d+)?\s?(?:k|K|m|M|mille|million)\b|\d+)"
)
FRENCH = frozenset(
    [
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
    ]
)
ENGLISH = frozenset(
    [
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
    ]
)


@dataclass(frozen=True)
class Evidence:
    """The words that support a suggestion: `text[start:end] == quote`."""

    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Suggestion:
    """A flag the text suggests, why, the quotes, and the classifier's score (0 to 1)."""

    flag_id: str
    explanation: str
    evidence: tuple[Evidence, ...]
    score: float = 1.0


def detect_language(text: str) -> Language:
    """French or English, by their most common short words and by accented letters."""
    lowered = text.lower()
    words = re.findall(r"[a-zà-ÿ]+", lowered)
    french = sum(w in FRENCH for w in words) + len(re.findall(r"[àâçéèêëîïôûùüœ]", lowered))
    english = sum(w in ENGLISH for w in words)
    return "fr" if french > english else "en"


def read_count(raw: str) -> float | None:
    """A number as people write it, or None."""
    value = raw.strip().lower().replace("\u00a0", " ").replace("\u202f", " ")
    factor = 1.0
    for suffix, multiplier in (("million", 1e6), ("mille", 1e3), ("k", 1e3), ("m", 1e6)):
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


def _too_small(detector: FlagDetector, quotes: Sequence[str]) -> bool:
    """With `min_count`: the quotes give counts, and every one is below it."""
    if detector.min_count is None:
        return False
    counts = [read_count(m.group(1)) for q in quotes for m in COUNT.finditer(q)]
    numbers = [c for c in counts if c is not None]
    return bool(numbers) and max(numbers) < detector.min_count


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _suggest(
    signals: Signals,
    text: str,
    spans: list[Span],
    sentences_of: list[tuple[int, ...]],
    scores: np.ndarray,
    explain: Language,
) -> list[Suggestion]:
    found = []
    single = len(spans)
    for column, detector in enumerate(signals.flags):
        if not detector.enabled:
            continue
        column_scores = scores[:, column]
        threshold = detector.classifier.threshold
        if not len(column_scores) or column_scores.max() < threshold:
            continue
        fired: set[int] = set()
        for row in np.flatnonzero(column_scores >= threshold):
            members = sentences_of[row]
            fired.add(
                int(max(members, key=lambda s: column_scores[s])) if row >= single else int(row)
            )
        quotes = [spans[i] for i in sorted(fired)]
        evidence = tuple(Evidence(s.start, s.end, text[s.start : s.end]) for s in quotes)
        if _too_small(detector, [e.quote for e in evidence]):
            continue
        found.append(
            Suggestion(
                flag_id=detector.flag_id,
                explanation=detector.explanation[explain],
                evidence=evidence,
                score=round(float(column_scores.max()), 3),
            )
        )
    return found


def in_context(
    scores: np.ndarray,
    before: Sequence[int] | np.ndarray,
    after: Sequence[int] | np.ndarray,
    temper: float,
) -> np.ndarray:
    """A sentence's score pulled down towards the better of the pairs that hold it (`before`,
    `after`: their rows, -1 for none), never up: its own score to the power 1 - `temper` times
    that cap to the power `temper` (0.5: their geometric mean; 0: no pull). "Oh sure, I'm the
    greatest guru. Kidding, I learn every day." reads as a joke in its pair, so its first
    sentence alone weighs less. Pairs keep their score.

    The pull is also what moves suggestions when a sentence is added: a lone sentence has no
    pair, and a neutral neighbour dilutes the pair it gets. The trained `temper` (in the weights
    file) weighs the two (criteria/signals/EVALUATION.md, "Eighth version")."""
    left, right = np.asarray(before), np.asarray(after)
    held = (left >= 0) | (right >= 0)
    if not held.any():
        return scores
    floor = np.full(scores.shape, -np.inf)
    for rows in (left, right):
        has = rows >= 0
        floor[has] = np.maximum(floor[has], scores[rows[has]])
    out = scores.copy()
    capped = np.clip(np.minimum(scores[held], floor[held]), 0, None)
    out[held] = scores[held] ** (1 - temper) * capped**temper
    return out


def score_matrix(signals: Signals, vectors: np.ndarray) -> np.ndarray:
    """Score per piece (rows) and flag (columns, in `signals.flags` order): the logistic
    regression's probability blended with the vote of the nearest labelled pieces."""
    if not signals.flags:
        return np.zeros((len(vectors), 0))
    weights = np.stack([d.classifier.weights for d in signals.flags], axis=1)
    bias = np.array([d.classifier.bias for d in signals.flags])
    regression = _sigmoid(vectors.astype(np.float64) @ weights + bias)
    if signals.bank is None or signals.bank_share == 0:
        return regression
    vote = neighbours.scores(signals.bank, vectors[:, :DIMENSION])
    return signals.bank_share * vote + (1 - signals.bank_share) * regression


def detect_many(
    signals: Signals,
    texts: Sequence[str],
    language: Language | None = None,
    explain_in: Language | None = None,
    encoder: Encoder | None = None,
) -> list[tuple[Language, list[Suggestion]]]:
    """`detect` for several texts with one pass of the model. What a candidate says of a
    protected characteristic of their own is set aside first (app/signals/disclosures.py)."""
    readings = [reading(t, signals.disclosures) for t in texts]
    originals, texts = texts, [r.text for r in readings]
    cut = [units(t) for t in texts]
    pieces = [
        t[u.span.start : u.span.end] for t, (_, us) in zip(texts, cut, strict=True) for u in us
    ]
    around = [
        c
        for t, (spans, us) in zip(texts, cut, strict=True)
        for c in surroundings(t, spans, us, signals.context_reach)
    ]
    vectors = (encoder or shared_encoder()).embed(pieces) if pieces else np.zeros((0, DIMENSION))
    scores = score_matrix(signals, np.hstack([vectors, stance_cues(pieces, around)]))
    results = []
    row = 0
    for text, original, read, (spans, us) in zip(texts, originals, readings, cut, strict=True):
        spoken = language or detect_language(original)
        block = scores[row : row + len(us)].copy()
        block[np.array(silent(text, us), dtype=bool)] = 0.0  # echoed questions say nothing
        block = in_context(block, *holding_pairs(us), signals.temper)
        row += len(us)
        found = _suggest(
            signals, text, spans, [u.sentences for u in us], block, explain_in or spoken
        )
        results.append((spoken, _in_original(found, read, original)))
    return results


def _in_original(found: list[Suggestion], read: Reading, original: str) -> list[Suggestion]:
    """The suggestions with their quotes' offsets in the text as the candidate wrote it."""
    if not read.set_aside:
        return found
    moved = []
    for suggestion in found:
        evidence = []
        for e in suggestion.evidence:
            start, end = read.original(e.start), read.original(e.end - 1) + 1
            evidence.append(Evidence(start, end, original[start:end]))
        moved.append(replace(suggestion, evidence=tuple(evidence)))
    return moved


def detect(
    signals: Signals,
    text: str,
    language: Language | None,
    explain_in: Language | None = None,
    encoder: Encoder | None = None,
) -> tuple[Language, list[Suggestion]]:
    """The text's language and the flags it suggests, each with its quotes and explanation."""
    return detect_many(signals, [text], language, explain_in, encoder)[0]


def _keyword_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def detect_keywords(
    signals: Signals, text: str, language: Language | None
) -> tuple[Language, list[Suggestion]]:
    """The naive baseline: a flag for any of its keywords, in either language, denials or not."""
    spoken = language or detect_language(text)
    found = []
    for detector in signals.flags:
        words = [*detector.keywords.get("en", []), *detector.keywords.get("fr", [])]
        pattern = _keyword_pattern(words)
        matches = list(pattern.finditer(text)) if pattern else []
        if matches:
            evidence = tuple(Evidence(m.start(), m.end(), m.group(0)) for m in matches)
            found.append(Suggestion(detector.flag_id, detector.explanation[spoken], evidence))
    return spoken, found
