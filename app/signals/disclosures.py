"""Sentences in which a candidate speaks of a protected characteristic of their own (age,
family, health, religion, origin, …), set aside before the detector reads an answer.

No suggestion may rest on a protected ground, directly or by proxy (Code du travail L.1132-1).
The patterns are data (`criteria/fairness/disclosures.yaml`); a sentence that matches one is cut
out of the text the detector reads, with the spaces that join it to its neighbour, so the answer
reads exactly as if it had not been said: it suggests nothing and is no other sentence's context.
Quotes still point into the original text.
"""

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.core.config import shipped_criteria_dir
from app.core.fields import format_path
from app.rubric.loader import RubricError, RubricIssue
from app.signals.segment import Span, sentences

DISCLOSURES_PATH = Path("fairness") / "disclosures.yaml"


class _Ground(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    patterns: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Pieces of patterns written once, used as `%name%`.
    fragments: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")], str] = {}
    grounds: list[_Ground] = Field(min_length=1)


_FRAGMENT = re.compile(r"%([a-z][a-z_]*)%")


@dataclass(frozen=True)
class Disclosures:
    """The compiled patterns, each with its ground."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def ground(self, sentence: str) -> str | None:
        """The ground a sentence discloses, or None."""
        for ground, pattern in self.patterns:
            if pattern.search(sentence):
                return ground
        return None


def parse(data: Any, file: str) -> Disclosures:
    """Check and compile a disclosures document; RubricError naming the file, field and reason."""
    try:
        document = _File.model_validate(data)
    except ValidationError as exc:
        raise RubricError(
            [RubricIssue(file, format_path(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc
    compiled: list[tuple[str, re.Pattern[str]]] = []
    issues: list[RubricIssue] = []
    for g, ground in enumerate(document.grounds):
        for p, written in enumerate(ground.patterns):
            unknown = sorted(set(_FRAGMENT.findall(written)) - set(document.fragments))
            if unknown:
                valid = ", ".join(sorted(document.fragments)) or "none"
                issues.append(
                    RubricIssue(
                        file,
                        f"grounds[{g}].patterns[{p}]",
                        f"unknown fragment %{unknown[0]}% in ground '{ground.id}'"
                        f" (fragments: {valid})",
                    )
                )
                continue
            source = _FRAGMENT.sub(lambda m: f"(?:{document.fragments[m[1]]})", written)
            try:
                compiled.append((ground.id, re.compile(source, re.IGNORECASE)))
            except re.error as exc:
                issues.append(
                    RubricIssue(
                        file,
                        f"grounds[{g}].patterns[{p}]",
                        f"not a valid regular expression ({exc}) in ground '{ground.id}'",
                    )
                )
    if issues:
        raise RubricError(issues)
    return Disclosures(tuple(compiled))


def load_disclosures(directory: Path) -> Disclosures:
    """The directory's own `fairness/disclosures.yaml`, else the shipped one: the detector never
    reads answers without it."""
    path = directory / DISCLOSURES_PATH
    if not path.is_file():
        path = shipped_criteria_dir() / DISCLOSURES_PATH
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
    return parse(data, name)


@dataclass(frozen=True)
class Reading:
    """What the detector reads of one answer: `text` with the disclosures cut out, and how to
    find each of its offsets in the original (`starts[i]` in the reading is `origins[i]` there)."""

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]
    set_aside: tuple[Span, ...]

    def original(self, offset: int) -> int:
        """Where an offset of the reading falls in the original text."""
        i = bisect_right(self.starts, offset) - 1
        return self.origins[i] + offset - self.starts[i]


def reading(text: str, disclosures: Disclosures | None) -> Reading:
    """`text` as the detector reads it: each disclosing sentence cut out together with the
    spaces that join it to the next sentence (or, for the last, to the previous one)."""
    found = sentences(text)
    private = [
        disclosures is not None and disclosures.ground(text[s.start : s.end]) is not None
        for s in found
    ]
    if not any(private):
        return Reading(text, (0,), (0,), ())
    cuts: list[tuple[int, int]] = []
    for i, s in enumerate(found):
        if not private[i]:
            continue
        if i + 1 < len(found):
            cuts.append((s.start, found[i + 1].start))
        else:
            kept_before = [j for j in range(i) if not private[j]]
            cuts.append((found[kept_before[-1]].end if kept_before else s.start, len(text)))
    kept: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(cuts):
        if start > position:
            kept.append((position, start))
        position = max(position, end)
    if position < len(text):
        kept.append((position, len(text)))
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    length = 0
    for start, end in kept:
        starts.append(length)
        origins.append(start)
        pieces.append(text[start:end])
        length += end - start
    return Reading(
        "".join(pieces),
        tuple(starts),
        tuple(origins),
        tuple(s for s, p in zip(found, private, strict=True) if p),
    )


@dataclass
class Coverage:
    """How a set of labelled sentences fares: per ground, (set aside, written) for disclosures;
    and the job talk wrongly set aside."""

    grounds: dict[str, list[int]]
    languages: dict[str, list[int]]
    job_talk: list[int]
    wrongly_cut: list[str]

    @property
    def found(self) -> tuple[int, int]:
        return sum(a for a, _ in self.grounds.values()), sum(n for _, n in self.grounds.values())


def coverage(disclosures: Disclosures, lines: Iterable[str]) -> Coverage:
    """Score the patterns on JSON Lines `{"id", "language", "text", "private", "ground"}`;
    ValueError naming the line for a malformed one."""
    result = Coverage({}, {}, [0, 0], [])
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, private, language = row["text"], row["private"], row["language"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(
                f"line {number}: expected {{text, language, private, ground}} ({exc})"
            ) from exc
        if not isinstance(text, str) or not isinstance(private, bool):
            raise ValueError(f"line {number}: 'text' must be a string and 'private' true or false")
        cut = disclosures.ground(text) is not None
        if private:
            ground = str(row.get("ground") or "unlabelled")
            for table, key in ((result.grounds, ground), (result.languages, str(language))):
                counts = table.setdefault(key, [0, 0])
                counts[0] += cut
                counts[1] += 1
        else:
            result.job_talk[0] += cut
            result.job_talk[1] += 1
            if cut:
                result.wrongly_cut.append(str(row.get("id", number)))
    return result
