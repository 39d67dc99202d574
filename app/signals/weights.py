"""The trained classifiers on disk: criteria/signals/<rubric>.weights.json, and beside it
<rubric>.neighbours.npz (the labelled training pieces the nearest-neighbour vote reads).

Written by `tamis flags train`, read at start-up (no training then). The fingerprint ties the
files to the corpus, the flags' precision targets and the encoder they were trained with: when one
of them changes, start-up refuses the stale files until they are retrained. The weights file
records a digest of the neighbours file, so a file from another training is refused too.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from app.signals.encoder import DIMENSION, ENCODER_ID
from app.signals.features import CUE_COUNT
from app.signals.model import FlagClassifier, SignalsFile
from app.signals.neighbours import Bank

FORMAT = 3  # 3: stance cues counted over a piece's surroundings, not its answer
_STAMP = (1980, 1, 1, 0, 0, 0)  # fixed, so the same training writes the same bytes


def neighbours_path(weights_path: Path) -> Path:
    """Where the neighbours file of a weights file lives."""
    return weights_path.with_name(
        weights_path.name.removesuffix(".weights.json") + ".neighbours.npz"
    )


def _bank_digest(
    vectors: npt.NDArray[np.float16], labels: npt.NDArray[np.int8], flags: list[str]
) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(flags).encode() + b"\0")
    digest.update(np.ascontiguousarray(vectors).tobytes() + b"\0")
    digest.update(np.ascontiguousarray(labels).tobytes())
    return digest.hexdigest()


def _write_npz(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def fingerprint(document: SignalsFile, floors: dict[str, float], corpus_digest: str) -> str:
    """What the weights depend on, hashed: the corpus, each enabled flag's precision floor and
    the betas of the threshold rule."""
    settings = {
        "encoder": ENCODER_ID,
        "corpus": corpus_digest,
        "validation_share": document.validation_share,
        "flags": floors,
        "beta": document.beta,
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
    bank: Bank,
    bank_flags: list[str],
    bank_share: float,
    context: "Context",
) -> None:
    """Write the weights as stable text and the neighbours beside them (the same training gives
    the same bytes)."""
    vectors = bank.vectors.astype(np.float16)
    labels = bank.labels.astype(np.int8)
    beside = neighbours_path(path)
    _write_npz(beside, {"vectors": vectors, "labels": labels, "flags": np.array(bank_flags)})
    body = {
        "format": FORMAT,
        "rubric": rubric_id,
        "encoder": ENCODER_ID,
        "fingerprint": print_,
        "neighbours": {
            "file": beside.name,
            "digest": _bank_digest(vectors, labels, bank_flags),
            "k": bank.k,
            "sharpness": _number(bank.sharpness),
            "share": _number(bank_share),
        },
        "context": {"reach": context.reach, "temper": _number(context.temper)},
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


class Context(NamedTuple):
    """How a piece is read in its answer (app/signals/detector.py): how many sentences on each
    side its stance cues are counted over, and how far a sentence is pulled towards its pairs."""

    reach: int
    temper: float


Loaded = tuple[dict[str, FlagClassifier], "Neighbours | None", Context, list[str]]
NO_CONTEXT = Context(1, 0.0)


class Neighbours:
    """The neighbours file as loaded: the bank, its flag columns, and the vote's share."""

    def __init__(self, bank: Bank, flags: list[str], share: float) -> None:
        self.bank = bank
        self.flags = flags
        self.share = share

    def for_flags(self, order: list[str]) -> Bank:
        """The bank with its label columns in `order` (-1, never flagged, for a flag it lacks)."""
        labels = np.full((len(self.bank.labels), len(order)), -1, dtype=np.int8)
        for column, flag in enumerate(order):
            if flag in self.flags:
                labels[:, column] = self.bank.labels[:, self.flags.index(flag)]
        return Bank(self.bank.vectors, labels, self.bank.k, self.bank.sharpness)


def _load_neighbours(path: Path, entry: Any) -> tuple[Neighbours | None, list[str]]:
    beside = neighbours_path(path)
    try:
        if not isinstance(entry, dict) or entry.get("file") != beside.name:
            raise ValueError(f"'neighbours' must name {beside.name}")
        if not beside.is_file():
            raise ValueError("the file is missing")
        if not zipfile.is_zipfile(beside):
            raise ValueError("not a .npz archive")
        with np.load(beside, allow_pickle=False) as stored:
            vectors = np.asarray(stored["vectors"], dtype=np.float16)
            labels = np.asarray(stored["labels"], dtype=np.int8)
            flags = [str(f) for f in stored["flags"].tolist()]
        if vectors.ndim != 2 or vectors.shape[1] != DIMENSION:
            raise ValueError(f"vectors of shape {vectors.shape}, (n, {DIMENSION}) expected")
        if labels.shape != (len(vectors), len(flags)):
            raise ValueError(
                f"labels of shape {labels.shape}, {(len(vectors), len(flags))} expected"
            )
        if _bank_digest(vectors, labels, flags) != entry.get("digest"):
            raise ValueError("it does not match the weights file's digest")
        k, sharpness, share = int(entry["k"]), float(entry["sharpness"]), float(entry["share"])
        if k < 1 or not 0 <= share <= 1:
            raise ValueError("k must be at least 1 and share between 0 and 1")
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        return None, [f"{beside.name}: {exc} (run `tamis flags train`)"]
    bank = Bank(vectors.astype(np.float32), labels, k, sharpness)
    return Neighbours(bank, flags, share), []


def load(path: Path, expected_print: str) -> Loaded:
    """The classifiers in `path`, the neighbours beside it, and the problems found (empty when
    the files are usable)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, None, NO_CONTEXT, [f"cannot read {path.name}: {exc} (run `tamis flags train`)"]
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        return {}, None, NO_CONTEXT, [f"{path.name} is not a weights file of format {FORMAT}"]
    if body.get("encoder") != ENCODER_ID:
        return (
            {},
            None,
            NO_CONTEXT,
            [f"{path.name} was trained with another encoder: run `tamis flags train`"],
        )
    if body.get("fingerprint") != expected_print:
        return (
            {},
            None,
            NO_CONTEXT,
            [
                f"{path.name} was trained on another corpus or other precision targets: "
                "run `tamis flags train`"
            ],
        )
    neighbours, problems = _load_neighbours(path, body.get("neighbours"))
    if problems:
        return {}, None, NO_CONTEXT, problems
    try:
        entry = body["context"]
        context = Context(int(entry["reach"]), float(entry["temper"]))
        if context.reach < 0 or not 0 <= context.temper <= 1:
            raise ValueError("reach must be at least 0 and temper between 0 and 1")
    except (KeyError, TypeError, ValueError) as exc:
        return {}, None, NO_CONTEXT, [f"{path.name}: context: {exc} (run `tamis flags train`)"]
    classifiers: dict[str, FlagClassifier] = {}
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
    return classifiers, neighbours, context, problems
