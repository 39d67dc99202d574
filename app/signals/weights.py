"""The trained classifiers on disk: criteria/signals/<rubric>.weights.json.

Written by `tamis flags train`, read at start-up (no training then). The fingerprint ties the
file to the corpus, the flags' precision targets and the encoder it was trained with: when one
of them changes, start-up refuses the stale file until it is retrained.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from app.signals.encoder import DIMENSION, ENCODER_ID
from app.signals.features import CUE_COUNT
from app.signals.model import FlagClassifier, SignalsFile

FORMAT = 1


def fingerprint(document: SignalsFile, corpus_digest: str) -> str:
    """What the weights depend on, hashed."""
    settings = {
        "encoder": ENCODER_ID,
        "corpus": corpus_digest,
        "validation_share": document.validation_share,
        "flags": {k: v.min_precision for k, v in sorted(document.flags.items()) if v.enabled},
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _number(value: float) -> float:
    return float(f"{value:.6g}")


def dump(
    path: Path,
    rubric_id: str,
    print_: str,
    classifiers: dict[str, FlagClassifier],
    report: dict[str, Any],
) -> None:
    """Write the weights as stable text (the same training gives the same bytes)."""
    body = {
        "format": FORMAT,
        "rubric": rubric_id,
        "encoder": ENCODER_ID,
        "fingerprint": print_,
        "report": report,
        "flags": {
            flag: {
                "threshold": _number(c.threshold),
                "bias": _number(c.bias),
                "weights": [_number(float(w)) for w in c.weights],
            }
            for flag, c in sorted(classifiers.items())
        },
    }
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def load(path: Path, expected_print: str) -> tuple[dict[str, FlagClassifier], list[str]]:
    """The classifiers in `path`, and the problems found (empty when the file is usable)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"cannot read {path.name}: {exc} (run `tamis flags train`)"]
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return {}, [f"{path.name} is not a weights file of format {FORMAT}"]
    if body.get("encoder") != ENCODER_ID:
        return {}, [f"{path.name} was trained with another encoder: run `tamis flags train`"]
    if body.get("fingerprint") != expected_print:
        return {}, [
            f"{path.name} was trained on another corpus or other precision targets: "
            "run `tamis flags train`"
        ]
    classifiers: dict[str, FlagClassifier] = {}
    problems = []
    for flag, entry in (body.get("flags") or {}).items():
        try:
            weights = np.asarray(entry["weights"], dtype=np.float32)
            if weights.shape != (DIMENSION + CUE_COUNT,):
                raise ValueError(f"{weights.shape[0]} weights, {DIMENSION + CUE_COUNT} expected")
            classifiers[flag] = FlagClassifier(
                weights, float(entry["bias"]), float(entry["threshold"])
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{path.name}: flag {flag}: {exc}")
    return classifiers, problems
