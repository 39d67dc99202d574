"""Read rubric files, validate them, and give each a version that pins its exact content.

A broken rubric never loads: every problem is reported with the file, the line when known, the
field path (`criteria[3].weight`) and the reason, so that a rubric author can fix all at once.
"""

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from app.core.config import shipped_criteria_dir
from app.core.fields import PathPart, format_path
from app.rubric import fairness
from app.rubric.model import Rubric, RubricCriterion
from app.rubric.schemas import LocalizedText, RubricDocument, SeedFile

RUBRIC_SUFFIXES = (".yaml", ".yml")
# Beside the rubrics: the titles of the seed texts they cite (readers see titles, not file names).
SOURCES_FILE = "sources.yaml"


@dataclass(frozen=True)
class RubricIssue:
    """One problem in one rubric file."""

    file: str
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(document)'}: {self.reason}"


class RubricError(Exception):
    """A rubric directory or file that cannot be loaded; `issues` lists every problem found."""

    def __init__(self, issues: Sequence[RubricIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class _LineIndex:
    """Line numbers of the YAML nodes, keyed by field path (keys as text, list items as ints)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[PathPart, ...], int] = {}
        self.duplicates: list[tuple[tuple[PathPart, ...], int]] = []

    def walk(self, node: yaml.Node, path: tuple[PathPart, ...] = ()) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(((*path, key), key_node.start_mark.line + 1))
                seen.add(key)
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*path, index))

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of the deepest node on `path` that exists in the file."""
        key: tuple[PathPart, ...] = ()
        for part in path:
            candidates = ((*key, part), (*key, str(part)))
            found = next((c for c in candidates if c in self.lines), None)
            if found is None:
                break
            key = found
        return self.lines.get(key)


def _parse_yaml(text: str) -> tuple[Any, _LineIndex]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    index = _LineIndex()
    if node is not None:
        index.walk(node)
    return data, index


def _unwrap(annotation: Any) -> Any:
    """The item type behind Optional, list[...] and dict[..., ...]."""
    while get_origin(annotation) is not None:
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[-1] if args else None
    return annotation


def _model_at(parts: Sequence[PathPart]) -> type[BaseModel] | None:
    """The rubric model that owns the field at `parts`, to list its allowed keys."""
    current: Any = RubricDocument
    for part in parts:
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return None
            current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _reason(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        owner = _model_at(loc[:-1])
        allowed = ", ".join(owner.model_fields) if owner else ""
        return f"unknown key '{loc[-1]}'" + (f" (allowed keys: {allowed})" if allowed else "")
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"])
    return message[0].lower() + message[1:] if message else kind


def _cross_check(doc: RubricDocument) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    """Rules that span several fields: unique ids, anchors, references, thresholds."""
    seen: dict[str, str] = {}
    for kind in ("criteria", "flags", "role_questions"):
        for index, item in enumerate(getattr(doc, kind)):
            where = f"{kind}[{index}]"
            if item.id in seen:
                yield (
                    (kind, index, "id"),
                    f"duplicate id '{item.id}' (already used at {seen[item.id]})",
                )
            else:
                seen[item.id] = where

    if doc.scale.min >= doc.scale.max:
        yield ("scale",), f"min ({doc.scale.min}) must be lower than max ({doc.scale.max})"
        return
    levels = list(range(doc.scale.min, doc.scale.max + 1))
    flag_ids = [f.id for f in doc.flags]
    valid_flags = ", ".join(flag_ids) or "none defined"
    for index, criterion in enumerate(doc.criteria):
        missing = [lvl for lvl in levels if lvl not in criterion.anchors]
        extra = [lvl for lvl in criterion.anchors if lvl not in levels]
        if missing:
            yield (
                ("criteria", index, "anchors"),
                f"no anchor for level(s) {', '.join(map(str, missing))}: every level of the "
                f"scale {doc.scale.min}–{doc.scale.max} needs one",
            )
        if extra:
            yield (
                ("criteria", index, "anchors"),
                f"level(s) {', '.join(map(str, extra))} are off the scale "
                f"{doc.scale.min}–{doc.scale.max}",
            )
        if len(criterion.questions.fr) != len(criterion.questions.en):
            yield (
                ("criteria", index, "questions"),
                f"{len(criterion.questions.fr)} French and {len(criterion.questions.en)} "
                "English questions: each question needs both languages",
            )
        for position, flag_id in enumerate(criterion.flags):
            if flag_id not in flag_ids:
                yield (
                    ("criteria", index, "flags", position),
                    f"unknown flag '{flag_id}' (valid: {valid_flags})",
                )
        if not 1 <= criterion.ask_first <= len(criterion.questions.fr):
            yield (
                ("criteria", index, "ask_first"),
                f"must point at one of the {len(criterion.questions.fr)} questions "
                f"(1–{len(criterion.questions.fr)}), got {criterion.ask_first}",
            )
        implied_at: dict[str, list[int]] = {}
        for level, anchor in sorted(criterion.anchors.items()):
            if anchor.implies is None:
                continue
            if anchor.implies not in flag_ids:
                yield (
                    ("criteria", index, "anchors", level, "implies"),
                    f"unknown flag '{anchor.implies}' (valid: {valid_flags})",
                )
            implied_at.setdefault(anchor.implies, []).append(level)
        for flag_id, at in implied_at.items():
            below = [lvl for lvl in levels if lvl < max(at) and lvl not in at]
            if below:
                yield (
                    ("criteria", index, "anchors", max(at), "implies"),
                    f"level {max(at)} implies '{flag_id}' but lower level(s) "
                    f"{', '.join(map(str, below))} do not: raising a rating must never add a flag",
                )
    for index, flag in enumerate(doc.flags):
        if flag.source is None and flag.basis is None:
            yield (
                ("flags", index, "source"),
                "a red flag needs a `source` in the seed texts or a stated `basis`",
            )
    criterion_ids = [c.id for c in doc.criteria]
    for index, item in enumerate(doc.contradictions):
        if item.flag not in flag_ids:
            yield (
                ("contradictions", index, "flag"),
                f"unknown flag '{item.flag}' (valid: {valid_flags})",
            )
        if item.criterion not in criterion_ids:
            yield (
                ("contradictions", index, "criterion"),
                f"unknown criterion '{item.criterion}' (valid: {', '.join(criterion_ids)})",
            )
        off = [lvl for lvl in item.levels if lvl not in levels]
        if off:
            yield (
                ("contradictions", index, "levels"),
                f"level(s) {', '.join(map(str, off))} are off the scale "
                f"{doc.scale.min}–{doc.scale.max}",
            )
    rank = {"no_hire": 0, "hold": 1, "hire": 2, "strong_hire": 3}
    steps = sorted(doc.warning_effect.accumulate, key=lambda s: s.at_least)
    previous = doc.warning_effect.cap
    for step in steps:
        if rank[step.cap] > rank[previous]:
            yield (
                ("warning_effect", "accumulate"),
                f"from {step.at_least} warnings the cap '{step.cap}' is above the cap for fewer "
                f"warnings ('{previous}'): more warnings must never give a better recommendation",
            )
        previous = step.cap
    if len({s.at_least for s in steps}) != len(steps):
        yield (("warning_effect", "accumulate"), "two steps have the same `at_least`")
    if not any(c.group == "core" for c in doc.criteria):
        yield ("criteria",), "at least one criterion must be in the 'core' group"

    t = doc.thresholds
    if not t.strong_hire > t.hire > t.hold:
        yield (
            ("thresholds",),
            f"thresholds out of order: need strong_hire > hire > hold, got "
            f"{t.strong_hire} > {t.hire} > {t.hold}",
        )
    if not doc.scale.min < doc.weak_core.rating_below <= doc.scale.max:
        yield (
            ("weak_core", "rating_below"),
            f"must be above the lowest level and at most the highest "
            f"({doc.scale.min + 1}–{doc.scale.max}), got {doc.weak_core.rating_below}",
        )


def content_hash(doc: RubricDocument) -> str:
    """SHA-256 of the rubric's canonical content: layout and comments do not change it."""
    canonical = json.dumps(
        doc.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _SeedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: LocalizedText


_SEEDS = TypeAdapter(dict[SeedFile, _SeedEntry])


def load_seed_titles(directory: Path) -> dict[str, LocalizedText]:
    """The seed titles of `directory/sources.yaml` (empty when there is no such file)."""
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}
    name = str(path)
    try:
        data, index = _parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
    try:
        entries = _SEEDS.validate_python(data)
    except ValidationError as exc:
        raise RubricError(
            [
                RubricIssue(name, format_path(e["loc"]), _reason(e), index.line_of(e["loc"]))
                for e in exc.errors()
            ]
        ) from exc
    return {seed: entry.title for seed, entry in entries.items()}


def _cited_seeds(doc: RubricDocument) -> set[str]:
    items: list[Any] = [*doc.criteria, *doc.flags, *doc.role_questions]
    cited = {s.seed for item in items for s in item.see_also}
    return cited | {item.source.seed for item in items if item.source is not None}


def build_rubric(
    doc: RubricDocument, seed_titles: dict[str, LocalizedText] | None = None
) -> Rubric:
    """Turn a checked document into a Rubric: resolve weights and pin the version."""
    digest = content_hash(doc)
    criteria = [
        RubricCriterion.model_validate(
            {
                **c.model_dump(),
                "weight": c.weight if c.weight is not None else getattr(doc.weights, c.group),
            }
        )
        for c in doc.criteria
    ]
    fields = doc.model_dump(exclude={"criteria", "version"})
    return Rubric.model_validate(
        {
            **fields,
            "criteria": [c.model_dump() for c in criteria],
            "version": f"{doc.version}+{digest[:12]}",
            "declared_version": doc.version,
            "content_hash": digest,
            "seed_titles": {
                seed: title
                for seed, title in (seed_titles or {}).items()
                if seed in _cited_seeds(doc)
            },
        }
    )


def load_rubric_file(
    path: Path,
    *,
    display_name: str | None = None,
    seed_titles: dict[str, LocalizedText] | None = None,
) -> Rubric:
    """Load and validate one rubric file; raise RubricError listing every problem.

    `seed_titles` defaults to the `sources.yaml` beside the file.
    """
    name = display_name or str(path)
    if seed_titles is None:
        seed_titles = load_seed_titles(path.parent)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
    try:
        data, index = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError([RubricIssue(name, "", f"invalid YAML: {problem}", line)]) from exc

    issues = [
        RubricIssue(name, format_path(p), "duplicate key: the same key appears twice", line)
        for p, line in index.duplicates
    ]
    if not isinstance(data, dict):
        issues.append(
            RubricIssue(name, "", "the file must hold a mapping (key: value) at top level", 1)
        )
        raise RubricError(issues)
    try:
        doc = RubricDocument.model_validate(data)
    except ValidationError as exc:
        issues += [
            RubricIssue(name, format_path(e["loc"]), _reason(e), index.line_of(e["loc"]))
            for e in exc.errors()
        ]
        raise RubricError(issues) from exc
    issues += [
        RubricIssue(name, format_path(p), reason, index.line_of(p))
        for p, reason in _cross_check(doc)
    ]
    if path.stem != doc.id:
        issues.append(
            RubricIssue(
                name,
                "id",
                f"id '{doc.id}' must match the file name '{path.stem}'",
                index.line_of(("id",)),
            )
        )
    if issues:
        raise RubricError(issues)
    return build_rubric(doc, seed_titles)


def rubric_files(directory: Path) -> list[Path]:
    """The rubric files directly under `directory`, in a stable order."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix in RUBRIC_SUFFIXES and p.name != SOURCES_FILE
    )


def load_rubrics(directory: Path) -> dict[str, Rubric]:
    """Load every rubric in `directory`; raise RubricError with the problems of all files."""
    if not directory.is_dir():
        raise RubricError([RubricIssue(str(directory), "", "not a directory")])
    files = rubric_files(directory)
    if not files:
        raise RubricError([RubricIssue(str(directory), "", "no rubric file (*.yaml) found")])
    rubrics: dict[str, Rubric] = {}
    issues: list[RubricIssue] = []
    seed_titles = load_seed_titles(directory)
    for path in files:
        try:
            rubric = load_rubric_file(path, seed_titles=seed_titles)
        except RubricError as exc:
            issues += exc.issues
            continue
        rubrics[rubric.id] = rubric
    issues += _fairness_issues(directory)
    if issues:
        raise RubricError(issues)
    return rubrics


def _fairness_issues(directory: Path) -> list[RubricIssue]:
    """Texts of the rubrics and self-screens under `directory` that touch a protected ground.

    The word list is the directory's own (`fairness/protected-grounds.yaml`), else the shipped one:
    a rubric is never loaded unchecked.
    """
    path = directory / fairness.WORD_LIST_PATH
    if not path.is_file():
        path = shipped_criteria_dir() / fairness.WORD_LIST_PATH
    try:
        words = fairness.load_word_list(path)
    except fairness.WordListError as exc:
        return [RubricIssue(exc.file, where, reason) for where, reason in exc.problems]
    return [
        RubricIssue(file, problem.path, problem.reason(words))
        for file, problem in fairness.check_criteria_dir(directory, words)
    ]
