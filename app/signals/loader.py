"""Reading criteria/signals/*.yaml: validated, with its trained classifiers; errors name file,
field and reason."""

from dataclasses import replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.core.fields import format_path
from app.core.i18n import Language
from app.rubric.loader import RubricError, RubricIssue
from app.rubric.model import Rubric
from app.signals import weights
from app.signals.corpus import Statement, read_corpus
from app.signals.disclosures import load_disclosures
from app.signals.model import FlagDetector, Signals, SignalsFile

SIGNALS_DIR = "signals"


def read_document(path: Path, rubrics: dict[str, Rubric]) -> tuple[SignalsFile, Rubric]:
    """The file's settings, checked against its rubric."""
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
    try:
        document = SignalsFile.model_validate(data)
    except ValidationError as exc:
        raise RubricError(
            [RubricIssue(name, format_path(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc
    rubric = rubrics.get(document.rubric)
    if rubric is None:
        raise RubricError(
            [RubricIssue(name, "rubric", f"no rubric '{document.rubric}' in criteria/")]
        )
    valid = ", ".join(rubric.flags_by_id)
    issues = [
        RubricIssue(name, f"flags.{flag_id}", f"not a flag of the rubric (valid: {valid})")
        for flag_id in document.flags
        if flag_id not in rubric.flags_by_id
    ]
    if issues:
        raise RubricError(issues)
    return document, rubric


def read_statements(path: Path, document: SignalsFile) -> tuple[list[Statement], str]:
    """The corpus the file names, and its digest."""
    issues: list[RubricIssue] = []
    statements, digest = read_corpus(path.parent / document.corpus, set(document.flags), issues)
    if issues:
        raise RubricError(issues)
    return statements, digest


def load_signals(path: Path, rubrics: dict[str, Rubric]) -> Signals:
    """Load one signals file and its weights; RubricError listing every problem."""
    name = str(path)
    document, rubric = read_document(path, rubrics)
    _statements, digest = read_statements(path, document)
    floors = document.floors({f: rubric.flags_by_id[f].severity for f in document.flags})
    classifiers, neighbours, context, problems = weights.load(
        path.parent / document.weights, weights.fingerprint(document, floors, digest)
    )
    issues = [RubricIssue(name, "weights", p) for p in problems]
    detectors = []
    for flag_id, entry in document.flags.items():
        classifier = classifiers.get(flag_id)
        if classifier is None:
            if entry.enabled and not problems:
                issues.append(
                    RubricIssue(
                        name, f"flags.{flag_id}", "no trained classifier: run `tamis flags train`"
                    )
                )
            continue
        keywords: dict[Language, list[str]] = {"en": entry.keywords.en, "fr": entry.keywords.fr}
        detectors.append(
            FlagDetector(
                flag_id=flag_id,
                explanation={"en": entry.explanation.en, "fr": entry.explanation.fr},
                classifier=classifier,
                enabled=entry.enabled,
                min_count=entry.min_count,
                keywords=keywords,
            )
        )
    if issues:
        raise RubricError(issues)
    order = [d.flag_id for d in detectors]
    return Signals(
        rubric_id=rubric.id,
        flags=detectors,
        bank=neighbours.for_flags(order) if neighbours else None,
        bank_share=neighbours.share if neighbours else 0.0,
        context_reach=context.reach,
        temper=context.temper,
    )


def load_all(directory: Path, rubrics: dict[str, Rubric]) -> dict[str, Signals]:
    """Every signals file under `directory/signals/`, by rubric id (none is fine)."""
    folder = directory / SIGNALS_DIR
    if not folder.is_dir():
        return {}
    loaded = [load_signals(p, rubrics) for p in sorted(folder.glob("*.yaml"))]
    if not loaded:
        return {}
    disclosures = load_disclosures(directory)
    return {s.rubric_id: replace(s, disclosures=disclosures) for s in loaded}
