"""What a candidate says of a protected characteristic of their own is never read by the red-flag
detector (criteria/fairness/disclosures.yaml, app/signals/disclosures.py): added to an answer, it
changes no suggestion; alone, it suggests nothing; quotes still point into what was written; job
talk with the same words is read; a broken patterns file stops start-up.

Every sentence below was written for these tests; none is in the training corpus or in the blind
sets the patterns are measured on (criteria/signals/EVALUATION.md, "Protected disclosures").
"""

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from app.core.config import shipped_criteria_dir
from app.rubric import load_rubrics
from app.signals.detector import detect_many
from app.signals.disclosures import load_disclosures
from app.signals.loader import load_all
from app.signals.model import Signals

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = load_rubrics(shipped_criteria_dir())
SIGNALS: Signals = load_all(shipped_criteria_dir(), RUBRICS)["social-media-screen"]
DISCLOSURES = load_disclosures(shipped_criteria_dir())
DEV_SET = [
    json.loads(line)
    for line in (ROOT / "tests" / "signals" / "statements-dev.jsonl").read_text().splitlines()
    if line.strip()
]

DISCLOSED = {
    "fr": [
        "J'ai 52 ans.",
        "J'ai 23 ans et c'est mon premier vrai poste.",
        "Je suis maman de trois enfants.",
        "Je suis enceinte de quatre mois.",
        "Je suis musulmane pratiquante.",
        "Je suis catholique.",
        "Je suis né au Maroc.",
        "Je suis syndiqué à la CGT.",
        "Je milite dans un parti écologiste.",
        "Je suis en situation de handicap.",
        "J'ai eu un cancer il y a deux ans.",
        "Mon mari travaille aussi dans la com.",
        "Je suis de la génération Minitel.",
        "J'ai grandi avec Internet, je suis de la génération Z.",
        "Je vais bientôt partir à la retraite, dans quelques années.",
        "Je suis homosexuel et je le dis.",
        "Je parle arabe avec ma famille.",
    ],
    "en": [
        "I'm 52.",
        "I'm 23 and this is my first real job.",
        "I'm a mother of three.",
        "I'm four months pregnant.",
        "I'm a practising Muslim.",
        "I'm Catholic.",
        "I was born in Morocco.",
        "I'm a union member.",
        "I campaign for the Green party.",
        "I have a disability.",
        "I had cancer two years ago.",
        "My husband works in comms too.",
        "I'm from the fax-machine generation.",
        "I grew up online, I'm Gen Z.",
        "I'll be retiring in a few years.",
        "I'm gay and open about it.",
        "I speak Arabic with my family.",
    ],
}

# Without the set-aside, adding one of the sentences above changed the sixth version's suggestions
# on 103 of 1,972 answers built from the whole development set (2026-11-24), and 4 disclosures
# alone suggested a flag. These twelve development answers are those it moved (the whole set
# would take minutes): the test below fails on them if the set-aside goes.
MOVED = {
    "dev-021", "dev-023", "dev-024", "dev-028", "dev-035", "dev-036",
    "dev-037", "dev-041", "dev-042", "dev-048", "dev-050", "dev-057",
}  # fmt: skip
BASES = [d for d in DEV_SET if d["id"] in MOVED]


def _flags(found: list[tuple[str, list[object]]]) -> list[set[str]]:
    return [{s.flag_id for s in suggestions} for _, suggestions in found]  # type: ignore[attr-defined]


def test_a_disclosure_added_to_an_answer_changes_no_suggestion() -> None:
    texts: list[str] = []
    expected_from: list[int] = []
    for b, base in enumerate(BASES):
        texts.append(base["text"])
        expected_from.append(-1)
        for disclosed in DISCLOSED[base["language"]]:
            texts += [f"{disclosed} {base['text']}", f"{base['text']} {disclosed}"]
            expected_from += [b, b]
    found = _flags(detect_many(SIGNALS, texts))  # type: ignore[arg-type]
    bases = [f for f, e in zip(found, expected_from, strict=True) if e == -1]
    changed = [
        (texts[i], bases[e], found[i])
        for i, e in enumerate(expected_from)
        if e >= 0 and found[i] != bases[e]
    ]
    assert not changed, changed[:5]
    # the check has teeth: without the set-aside, the same answers change
    unguarded = _flags(detect_many(replace(SIGNALS, disclosures=None), texts))  # type: ignore[arg-type]
    assert sum(1 for i, e in enumerate(expected_from) if e >= 0 and unguarded[i] != bases[e]) > 20


def test_a_disclosure_alone_suggests_nothing() -> None:
    texts = [t for ts in DISCLOSED.values() for t in ts]
    assert all(DISCLOSURES.ground(t) for t in texts), [
        t for t in texts if not DISCLOSURES.ground(t)
    ]
    assert _flags(detect_many(SIGNALS, texts)) == [set()] * len(texts)  # type: ignore[arg-type]


def test_quotes_point_into_what_the_candidate_wrote() -> None:
    claim = "When a post flops, I buy a few thousand likes so the algorithm picks it up."
    text = f"I'm 47.  I'm a mother of two. I manage a bakery's page. {claim} I'm Catholic."
    [(_, found)] = detect_many(SIGNALS, [text])
    assert [(s.flag_id, [e.quote for e in s.evidence]) for s in found] == [
        ("fake_engagement", [claim])
    ]
    [evidence] = found[0].evidence
    assert (evidence.start, evidence.end) == (text.index(claim), text.index(claim) + len(claim))


def test_tamis_flags_disclosures_scores_a_file(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "language": "fr", "text": "J'ai 52 ans.", "private": True, "ground": "age"},
        {"id": "b", "language": "en", "text": "Hello there.", "private": True, "ground": "age"},
        {"id": "c", "language": "en", "text": "I'm Catholic.", "private": True, "ground": "faith"},
        {"id": "d", "language": "en", "text": "We target Gen Z.", "private": False, "ground": None},
        {"id": "e", "language": "en", "text": "My wife runs it.", "private": False, "ground": None},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "disclosures", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[-2:] == ["disclosures set aside: 2/3 (0.667)", "job talk set aside: 1/2 (0.500)"]
    assert any(line.split() == ["age", "1", "2"] for line in lines), lines
    assert any(line.split() == ["faith", "1", "1"] for line in lines), lines
    path.write_text('{"text": "no label"}\n', encoding="utf-8")
    broken = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "disclosures", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert broken.returncode == 1 and "line 1" in broken.stderr, broken.stderr


def test_criteria_validate_refuses_a_broken_disclosures_file(tmp_path: Path) -> None:
    import yaml

    criteria = tmp_path / "criteria"
    shutil.copytree(shipped_criteria_dir(), criteria)
    broken = {"grounds": [{"id": "age", "patterns": ["(unclosed"]}]}
    (criteria / "fairness" / "disclosures.yaml").write_text(yaml.safe_dump(broken))
    validate = subprocess.run(
        [sys.executable, "-m", "app.cli", "criteria", "validate", str(criteria)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    output = validate.stdout + validate.stderr
    assert validate.returncode != 0
    assert "disclosures.yaml" in output and "grounds[0].patterns[0]" in output, output
    assert "not a valid regular expression" in output, output
