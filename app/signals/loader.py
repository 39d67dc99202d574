"""Reading criteria/signals/*.yaml: validated, compiled, errors naming file, field and reason."""

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.core.fields import format_path
from app.core.i18n import LANGUAGES, Language
from app.rubric.loader import RubricError, RubricIssue
from app.rubric.model import Rubric
from app.signals.model import COUNT, Cue, CueFile, FlagDetector, Signals

SIGNALS_DIR = "signals"


def _negations(words: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # A negation word on its own, or glued like n't / n' / n’.
    return re.compile(rf"(?:(?<![\w])(?:{alternatives})(?![\w])|n['’]t\b|\bn['’])", re.IGNORECASE)


def _compile(
    name: str, path: tuple[str | int, ...], source: str, issues: list[RubricIssue]
) -> re.Pattern[str] | None:
    try:
        return re.compile(source.replace("{count}", COUNT), re.IGNORECASE)
    except re.error as exc:
        issues.append(RubricIssue(name, format_path(path), f"invalid regular expression: {exc}"))
        return None


def load_signals(path: Path, rubrics: dict[str, Rubric]) -> Signals:
    """Load one cue file; RubricError listing every problem."""
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
    try:
        document = CueFile.model_validate(data)
    except ValidationError as exc:
        raise RubricError(
            [RubricIssue(name, format_path(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc
    issues: list[RubricIssue] = []
    rubric = rubrics.get(document.rubric)
    if rubric is None:
        raise RubricError(
            [RubricIssue(name, "rubric", f"no rubric '{document.rubric}' in criteria/")]
        )
    detectors = []
    for flag_id, entry in document.flags.items():
        if flag_id not in rubric.flags_by_id:
            valid = ", ".join(rubric.flags_by_id)
            issues.append(
                RubricIssue(name, f"flags.{flag_id}", f"not a flag of the rubric (valid: {valid})")
            )
            continue
        cues: dict[Language, list[Cue]] = {}
        for language in LANGUAGES:
            compiled = []
            for kind, negatable in (("cues", True), ("self_negating", False)):
                for index, source in enumerate(getattr(getattr(entry, kind), language)):
                    where = ("flags", flag_id, kind, language, index)
                    pattern = _compile(name, where, source, issues)
                    if pattern is not None:
                        compiled.append(Cue(pattern, negatable))
            cues[language] = compiled
        detectors.append(
            FlagDetector(
                flag_id=flag_id,
                explanation={"en": entry.explanation.en, "fr": entry.explanation.fr},
                cues=cues,
                min_count=entry.min_count,
            )
        )
    if issues:
        raise RubricError(issues)
    negations: dict[Language, re.Pattern[str]] = {
        "en": _negations(document.negations.en),
        "fr": _negations(document.negations.fr),
    }
    return Signals(rubric_id=rubric.id, negations=negations, flags=detectors)


def load_all(directory: Path, rubrics: dict[str, Rubric]) -> dict[str, Signals]:
    """Every cue file under `directory/signals/`, by rubric id (none is fine)."""
    folder = directory / SIGNALS_DIR
    if not folder.is_dir():
        return {}
    loaded = [load_signals(p, rubrics) for p in sorted(folder.glob("*.yaml"))]
    return {s.rubric_id: s for s in loaded}
