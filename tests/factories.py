"""Small rubrics and answers for tests, built from plain data."""

import copy
import os
from pathlib import Path
from typing import Any

import yaml

from app.core.config import shipped_criteria_dir
from app.rubric.loader import build_rubric
from app.rubric.model import Rubric
from app.rubric.schemas import RubricDocument

SHIPPED_FILE = shipped_criteria_dir() / "social-media-screen.yaml"
SOURCE = {"seed": "002_4f5316c9140b287b.txt", "point": "1"}


def examples(count: int) -> int:
    """A property test's example count, scaled by TAMIS_EXAMPLES_SCALE (1 by default).

    Mutation runs (tests/mutation.py) use a fraction, then re-test every survivor at full count.
    """
    return max(10, round(count * float(os.environ.get("TAMIS_EXAMPLES_SCALE", "1"))))


def text(label: str) -> dict[str, str]:
    """A localized text whose French and English differ."""
    return {"fr": f"{label} (fr)", "en": f"{label} (en)"}


def criterion(
    cid: str, group: str = "core", weight: float | None = None, levels: range = range(1, 5)
) -> dict[str, Any]:
    """A criterion document with an anchor for every level."""
    doc: dict[str, Any] = {
        "id": cid,
        "group": group,
        "title": text(f"title {cid}"),
        "description": text(f"description {cid}"),
        "questions": {"fr": [f"q1 {cid} ?", f"q2 {cid} ?"], "en": [f"q1 {cid}?", f"q2 {cid}?"]},
        "anchors": {level: text(f"anchor {cid} {level}") for level in levels},
        "source": SOURCE,
    }
    if weight is not None:
        doc["weight"] = weight
    return doc


def flag(fid: str, severity: str = "warning") -> dict[str, Any]:
    """A red flag document."""
    return {
        "id": fid,
        "severity": severity,
        "title": text(f"flag {fid}"),
        "description": text(f"description {fid}"),
        "verify": text(f"verify {fid}"),
        "source": SOURCE,
    }


def document(
    criteria: list[dict[str, Any]] | None = None,
    flags: list[dict[str, Any]] | None = None,
    scale: tuple[int, int] = (1, 4),
    **overrides: Any,
) -> dict[str, Any]:
    """A complete, valid rubric document; keyword arguments replace top-level fields."""
    levels = range(scale[0], scale[1] + 1)
    doc: dict[str, Any] = {
        "id": "test-rubric",
        "version": "1.0.0",
        "title": text("rubric"),
        "description": text("rubric description"),
        "scale": {"min": scale[0], "max": scale[1]},
        "weights": {"core": 3, "depth": 1},
        "thresholds": {"strong_hire": 80, "hire": 65, "hold": 45},
        "warning_effect": {"penalty": 5, "cap": "hire"},
        "weak_core": {"rating_below": 2, "cap": "hold"},
        "criteria": criteria
        if criteria is not None
        else [criterion("alpha", "core", 3, levels), criterion("beta", "depth", 1, levels)],
        "flags": flags
        if flags is not None
        else [flag("warn_one"), flag("deal_one", "dealbreaker")],
        "role_questions": [],
    }
    doc.update(overrides)
    return doc


def rubric(doc: dict[str, Any] | None = None) -> Rubric:
    """A Rubric built from a document (cross-field rules are the loader's; see write_rubric)."""
    return build_rubric(RubricDocument.model_validate(doc or document()))


def shipped_document() -> dict[str, Any]:
    """A deep copy of the shipped rubric's data, to alter in a test."""
    return copy.deepcopy(yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8")))


def write_rubric(directory: Path, doc: dict[str, Any], name: str | None = None) -> Path:
    """Write `doc` as a rubric file in `directory` (named after its id) and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or doc['id']}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
