"""Cutting a text into the pieces the classifier reads: sentences, and each pair of neighbours.

A sentence ends at . ! ? … ; or a line break (not inside a number such as 1.5 or 40.000). A
pair lets a denial or a frame in one sentence reach a claim in the next ("Buying followers?
Never."). Offsets always point into the original text: `text[start:end]` is the piece.

A short question followed or preceded by more words is an echo of the interviewer's question
("Measuring impact? ...", "Des faux avis ? ..."): it names the topic, never the candidate's
stance, so on its own it is silent (it neither suggests nor is quoted); its pairs still read it.
"""

import re
from dataclasses import dataclass

# The end of a sentence: punctuation not between two digits, then spaces; or a line break.
_END = re.compile(r"(?:(?<!\d)[.!?…;]+|[.!?…;]+(?!\d)|\n)[\"»”’)\]]*\s*")


@dataclass(frozen=True)
class Span:
    """A piece of the text: `text[start:end]`."""

    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    """What one embedding reads: one sentence, or two neighbours (`sentences` indexes)."""

    span: Span
    sentences: tuple[int, ...]


def sentences(text: str) -> list[Span]:
    """The sentences of `text`, trimmed of surrounding spaces, empty ones dropped."""
    spans: list[Span] = []
    start = 0
    for found in _END.finditer(text):
        if found.end() == found.start():
            continue
        _add(text, start, found.end(), spans)
        start = found.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[Span]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not any(c.isalnum() for c in stripped):
        return
    left = start + (len(piece) - len(piece.lstrip()))
    spans.append(Span(left, left + len(stripped)))


ECHO_WORDS = 6  # a question of at most this many words, beside other sentences, is an echo
_WORD = re.compile(r"\w+")


def silent(text: str, pieces: list[Unit]) -> list[bool]:
    """Per unit: whether it is an echoed question, scored as nothing (see the module's note)."""
    if sum(len(u.sentences) == 1 for u in pieces) < 2:
        return [False] * len(pieces)
    return [
        len(u.sentences) == 1
        and text[u.span.start : u.span.end].rstrip('"»”’)] ').endswith("?")
        and len(_WORD.findall(text[u.span.start : u.span.end])) <= ECHO_WORDS
        for u in pieces
    ]


def holding_pairs(pieces: list[Unit]) -> tuple[list[int], list[int]]:
    """Per unit, the pair units before and after it that hold it (-1: none; pairs hold none):
    a sentence counts only as far as one of its pairs agrees (see app/signals/detector.py)."""
    single = sum(len(u.sentences) == 1 for u in pieces)
    before = [single + i - 1 if 0 < i < single else -1 for i in range(len(pieces))]
    after = [single + i if i < single - 1 else -1 for i in range(len(pieces))]
    return before, after


def surroundings(text: str, spans: list[Span], pieces: list[Unit], reach: int) -> list[str]:
    """Per unit, the text of its sentences and of `reach` sentences on each side: what its stance
    cues are also counted over (app/signals/features.py). Never the whole answer: a sentence
    added further away must leave a piece's features as they were."""
    last = len(spans) - 1
    out = []
    for unit in pieces:
        first = max(0, min(unit.sentences) - reach)
        end = min(last, max(unit.sentences) + reach)
        out.append(text[spans[first].start : spans[end].end])
    return out


def units(text: str) -> tuple[list[Span], list[Unit]]:
    """The sentences, and the units to embed: each sentence, then each pair of neighbours."""
    found = sentences(text)
    pieces = [Unit(s, (i,)) for i, s in enumerate(found)]
    pieces += [
        Unit(Span(found[i].start, found[i + 1].end), (i, i + 1)) for i in range(len(found) - 1)
    ]
    return found, pieces
