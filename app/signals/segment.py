"""Cutting a text into the pieces the classifier reads: sentences, and each pair of neighbours.

A sentence ends at . ! ? … ; or a line break (not inside a number such as 1.5 or 40.000). A
pair lets a denial or a frame in one sentence reach a claim in the next ("Buying followers?
Never."). Offsets always point into the original text: `text[start:end]` is the piece.
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


def units(text: str) -> tuple[list[Span], list[Unit]]:
    """The sentences, and the units to embed: each sentence, then each pair of neighbours."""
    found = sentences(text)
    pieces = [Unit(s, (i,)) for i, s in enumerate(found)]
    pieces += [
        Unit(Span(found[i].start, found[i + 1].end), (i, i + 1)) for i in range(len(found) - 1)
    ]
    return found, pieces
