"""French texts of the shipped criteria follow French typography; English texts carry none of it.

French: a narrow no-break space (U+202F) inside « » and before ; : ! ? (and before %), never a
plain or no-break space there. English: no « », no U+202F. Seed quotations (`point`) are French.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.config import shipped_criteria_dir

NNBSP = "\u202f"
CRITERIA = shipped_criteria_dir()
FILES = [
    CRITERIA / "social-media-screen.yaml",
    CRITERIA / "sources.yaml",
    *sorted((CRITERIA / "self-screen").glob("*.yaml")),
]


def texts(node: Any, language: str | None = None, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, language, text) of every string whose language is known from its key."""
    if isinstance(node, dict):
        for key, value in node.items():
            lang = {"fr": "fr", "point": "fr", "en": "en"}.get(str(key), language)
            if key in ("term", "reason", "id", "seed", "criterion", "rubric", "flag"):
                lang = None
            yield from texts(value, lang, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, language, f"{path}[{index}]")
    elif isinstance(node, str) and language is not None:
        yield path, language, node


def french_typography_faults(text: str) -> list[str]:
    faults = []
    for match in re.finditer(r"[;:!?%]", text):
        start = match.start()
        before = text[start - 1] if start else ""
        if match.group() == "%" and not before.isdigit() and before != NNBSP:
            continue
        if before != NNBSP and not (before in "!?" and match.group() in "!?"):
            faults.append(f"no U+202F before '{match.group()}' at {start}")
    faults += [f"no U+202F after « at {m.start()}" for m in re.finditer(r"«(?!\u202f)", text)]
    faults += [f"no U+202F before » at {m.start()}" for m in re.finditer(r"(?<!\u202f)»", text)]
    return faults


def all_texts() -> list[tuple[str, str, str, str]]:
    found = []
    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(path.name, where, lang, text) for where, lang, text in texts(data)]
    return found


def test_the_files_hold_texts_in_both_languages() -> None:
    languages = {(name, lang) for name, _, lang, _ in all_texts()}
    assert languages == {(Path(f).name, lang) for f in FILES for lang in ("fr", "en")}


def test_french_texts_use_french_typography() -> None:
    faults = [
        f"{name}: {where}: {fault}"
        for name, where, lang, text in all_texts()
        if lang == "fr"
        for fault in french_typography_faults(text)
    ]
    assert faults == []


def test_english_texts_carry_no_french_typography() -> None:
    faults = [
        f"{name}: {where}"
        for name, where, lang, text in all_texts()
        if lang == "en" and ("«" in text or "»" in text or NNBSP in text)
    ]
    assert faults == []


@pytest.mark.parametrize(
    ("text", "faults"),
    [
        ("Pourquoi\u202f? « Oui\u202f»", 1),
        ("Pourquoi ? Parce que\u00a0: oui", 2),
        ("«\u202fBien\u202f» et 90\u202f% !?", 1),
        ("«\u202fBien\u202f» et 90\u202f%\u202f!?", 0),
        ("un lien : http", 1),
    ],
)
def test_the_typography_check_itself(text: str, faults: int) -> None:
    assert len(french_typography_faults(text)) == faults
