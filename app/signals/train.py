"""`tamis flags train`: the per-flag classifiers rebuilt from the labelled corpus (deterministic).

1. Every statement is cut into sentences and neighbouring pairs (app/signals/segment.py), each
   embedded once; the vectors are kept in <rubric>.embeddings.npz beside the signals file, so a
   retraining embeds only new sentences.
2. Statements whose group hashes into the validation share are set aside: never trained or tuned
   on. A group (a statement and its translation) stays whole in the split and in every fold.
3. Per flag, a logistic regression learns from pieces. A flagged statement says only that *some*
   piece carries the flag, so training goes in two rounds: all pieces of flagged statements first,
   then only those the first model finds (multiple-instance learning). Every piece of a statement
   without the flag is a negative, the other flags' examples included.
4. The nearest-neighbour vote (app/signals/neighbours.py): every training piece with its label
   per flag (1 the pieces the second round kept, 0 the pieces of statements without the flag);
   a piece's score blends the regression's probability with its neighbours' vote (`BANK_SHARE`).
5. The threshold: on three-fold grouped cross-validation over the training split, the one with the
   best F-beta (`beta` of the flag's severity in the signals file, precision first) among those
   whose precision reaches the flag's floor (`min_precision` of the flag, else of its severity:
   dealbreakers need more).
6. The weights file records the figures of the cross-validation and of the validation split.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.rubric.model import Rubric
from app.signals import weights
from app.signals.corpus import Statement, is_validation
from app.signals.detector import in_context
from app.signals.encoder import DIMENSION, Encoder, shared_encoder
from app.signals.features import stance_cues
from app.signals.loader import read_document, read_statements
from app.signals.model import FlagClassifier
from app.signals.neighbours import Bank
from app.signals.neighbours import scores as vote
from app.signals.neighbours import unit as unit_rows
from app.signals.segment import holding_pairs, silent, surroundings, units

FOLDS = 3
REGULARISATION = 0.05  # scikit-learn's C, on standardised features
SEED = 0
NEIGHBOURS = 10  # how many labelled pieces vote
SHARPNESS = 60.0  # a neighbour's weight: exp((similarity - 1) * SHARPNESS)
BANK_SHARE = 0.5  # the vote's share of a piece's score; the regression has the rest
# A piece's stance cues are also counted over this many sentences on each side; a sentence's
# score is pulled this far towards its best pair (app/signals/detector.py, `in_context`). Chosen
# for the eighth version: a stronger pull (0.5) moved suggestions when a neutral sentence was
# added (criteria/signals/EVALUATION.md, "Eighth version").
CONTEXT_REACH = 1
TEMPER = 0.1
# Flagged pieces are few; reweighting them to balance the classes ("balanced") ranked worse on
# cross-validation than the plain likelihood (None), see criteria/signals/EVALUATION.md.
CLASS_WEIGHT: str | None = None

Matrix = npt.NDArray[np.float64]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass
class Pieces:
    """Every piece of every statement: its features (sentence vector, then stance cues) and the
    statement it belongs to."""

    vectors: Matrix
    owner: npt.NDArray[np.int64]
    texts: list[str]
    silent: npt.NDArray[np.bool_]  # echoed questions: never a positive, always scored 0
    before: npt.NDArray[np.int64]  # per sentence, the rows of the pairs that hold it (-1: none)
    after: npt.NDArray[np.int64]

    def ambiguous(self, rows: npt.NDArray[np.int64], positive: npt.NDArray[np.bool_]) -> set[str]:
        """Pieces that also occur in a statement without the flag (an echoed question)."""
        negative = set(rows[~positive[rows]].tolist())
        return {t for t, o in zip(self.texts, self.owner.tolist(), strict=True) if o in negative}


def embed_statements(
    statements: Sequence[Statement],
    cache_path: Path,
    encoder: Encoder,
    progress: Callable[[str], None] = lambda _: None,
) -> Pieces:
    """The pieces' vectors, from the cache where it has them; the cache is rewritten to hold
    exactly the corpus's pieces."""
    texts: list[str] = []
    around: list[str] = []
    owner: list[int] = []
    quiet: list[bool] = []
    before: list[int] = []
    after: list[int] = []
    for index, statement in enumerate(statements):
        spans, cut = units(statement.text)
        around += surroundings(statement.text, spans, cut, CONTEXT_REACH)
        quiet += silent(statement.text, cut)
        left, right = holding_pairs(cut)
        before += [len(texts) + r if r >= 0 else -1 for r in left]
        after += [len(texts) + r if r >= 0 else -1 for r in right]
        for unit in cut:
            texts.append(statement.text[unit.span.start : unit.span.end])
            owner.append(index)
    cached: dict[str, npt.NDArray[np.float16]] = {}
    if cache_path.exists():
        with np.load(cache_path) as stored:
            cached = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    keys = [_key(t) for t in texts]
    missing = sorted({t for t, k in zip(texts, keys, strict=True) if k not in cached})
    for start in range(0, len(missing), 64):
        batch = missing[start : start + 64]
        for text, vector in zip(batch, encoder.embed(batch), strict=True):
            cached[_key(text)] = vector.astype(np.float16)
        progress(f"embedded {min(start + 64, len(missing))}/{len(missing)} new pieces")
    wanted = sorted(set(keys))
    if missing or set(cached) != set(wanted):
        np.savez_compressed(
            cache_path,
            keys=np.array(wanted),
            vectors=np.stack([cached[k] for k in wanted]) if wanted else np.zeros((0, DIMENSION)),
        )
    vectors = np.stack([cached[k] for k in keys]).astype(np.float64)
    features = np.hstack([vectors, stance_cues(texts, around)])
    return Pieces(
        features,
        np.array(owner, dtype=np.int64),
        texts,
        np.array(quiet, dtype=bool),
        np.array(before, dtype=np.int64),
        np.array(after, dtype=np.int64),
    )


def fold_of(statement: Statement) -> int:
    """The cross-validation fold of a statement: a hash of its group, so twins share it."""
    return int(_key(statement.group_key), 16) % FOLDS


def _fit(x: Matrix, y: npt.NDArray[np.int64]) -> tuple[Matrix, float]:
    """A logistic regression on standardised features, folded back to raw features."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    model = LogisticRegression(
        C=REGULARISATION, class_weight=CLASS_WEIGHT, max_iter=3000, random_state=SEED
    )
    model.fit((x - mean) / scale, y)
    w = model.coef_[0] / scale
    b = float(model.intercept_[0] - np.dot(model.coef_[0], mean / scale))
    return w, b


def _prob(x: Matrix, w: Matrix, b: float) -> Matrix:
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ w + b))))


def fit_flag(
    pieces: Pieces, rows: npt.NDArray[np.int64], positive: npt.NDArray[np.bool_]
) -> tuple[Matrix, float, npt.NDArray[np.int8]]:
    """Train one flag on the pieces of statements `rows` (`positive[statement]`): the
    regression, and each piece's label for the neighbour vote (-1: not used)."""
    ambiguous = pieces.ambiguous(rows, positive)
    mask = np.isin(pieces.owner, rows) & ~np.array(
        [
            positive[o] and (t in ambiguous or q)
            for t, o, q in zip(pieces.texts, pieces.owner, pieces.silent, strict=True)
        ]
    )
    x, owner = pieces.vectors[mask], pieces.owner[mask]
    labels = positive[owner]
    w, b = _fit(x, labels.astype(np.int64))
    # Second round: of a flagged statement, only the pieces the first model finds.
    probability = _prob(x, w, b)
    keep = ~labels
    for statement in np.unique(owner[labels]):
        mine = np.flatnonzero(owner == statement)
        keep[mine[probability[mine] >= 0.5]] = True
        keep[mine[np.argmax(probability[mine])]] = True
    w, b = _fit(x[keep], labels[keep].astype(np.int64))
    vote_label = np.full(len(pieces.owner), -1, dtype=np.int8)
    vote_label[np.flatnonzero(mask)[keep]] = labels[keep].astype(np.int8)
    return w, b, vote_label


def make_bank(
    pieces: Pieces, rows: npt.NDArray[np.int64], labels: npt.NDArray[np.int8]
) -> tuple[Bank, npt.NDArray[np.int64]]:
    """The vote's bank over the pieces of statements `rows`; `labels` one column per flag over
    every piece. Also which pieces it holds."""
    held = np.flatnonzero(np.isin(pieces.owner, rows))
    vectors = unit_rows(pieces.vectors[held, :DIMENSION])
    column = labels[held] if labels.ndim == 2 else labels[held, None]
    return Bank(vectors, column, NEIGHBOURS, SHARPNESS), held


def statement_scores(
    pieces: Pieces, rows: npt.NDArray[np.int64], w: Matrix, b: float, bank: Bank
) -> Matrix:
    """Each statement's score: its best piece (regression blended with the vote)."""
    mine = np.isin(pieces.owner, rows)
    probability = np.zeros(len(pieces.owner))
    regression = _prob(pieces.vectors[mine], w, b)
    probability[mine] = (
        BANK_SHARE * vote(bank, pieces.vectors[mine, :DIMENSION])[:, 0]
        + (1 - BANK_SHARE) * regression
    )
    probability[pieces.silent] = 0.0
    probability = in_context(probability[:, None], pieces.before, pieces.after, TEMPER)[:, 0]
    out = np.zeros(len(rows))
    for i, statement in enumerate(rows):
        out[i] = probability[pieces.owner == statement].max()
    return out


def choose_threshold(
    scores: Matrix, truth: npt.NDArray[np.bool_], min_precision: float, beta: float
) -> float:
    """The threshold with the best F-beta (`beta` < 1: precision weighs more than recall) among
    those whose precision reaches `min_precision` (else above the top score: never fires).

    F-beta rather than "best F1 at precision >= target": on the corpus the precision of most
    flags hovers near any high target over a wide range of thresholds, so a hard target jumps
    between a useful threshold and one that finds almost nothing; F-beta moves smoothly."""
    best = (-1.0, 1.0)  # (F-beta, threshold)
    total = int(truth.sum())
    for threshold in np.unique(scores[truth]):
        fired = scores >= threshold
        tp = int((fired & truth).sum())
        fp = int((fired & ~truth).sum())
        if tp == 0:
            continue
        precision = tp / (tp + fp)
        recall = tp / total
        if precision < min_precision:
            continue
        f = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
        # Ties go to the higher threshold: precision first.
        if (f, threshold) > best:
            best = (f, float(threshold))
    if best[0] < 0:
        return float(min(1.0, scores.max() + 1e-6))
    return best[1]


def _counts(scores: Matrix, truth: npt.NDArray[np.bool_], threshold: float) -> dict[str, int]:
    fired = scores >= threshold
    return {
        "tp": int((fired & truth).sum()),
        "fp": int((fired & ~truth).sum()),
        "fn": int((~fired & truth).sum()),
    }


def train(
    signals_path: Path,
    rubrics: dict[str, Rubric],
    encoder: Encoder | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Train every enabled flag of one signals file and write its weights; the report."""
    from threadpoolctl import threadpool_limits  # installed with scikit-learn

    with threadpool_limits(1):  # one BLAS thread: faster on a small problem, and reproducible
        return _train(signals_path, rubrics, encoder, progress)


def _train(
    signals_path: Path,
    rubrics: dict[str, Rubric],
    encoder: Encoder | None,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    document, rubric = read_document(signals_path, rubrics)
    statements, digest = read_statements(signals_path, document)
    cache = signals_path.with_name(signals_path.stem + ".embeddings.npz")
    pieces = embed_statements(statements, cache, encoder or shared_encoder(), progress)
    validation = np.array(
        [is_validation(s.group_key, document.validation_share) for s in statements]
    )
    train_rows = np.flatnonzero(~validation)
    held_rows = np.flatnonzero(validation)
    folds = np.array([fold_of(statements[i]) for i in train_rows])
    classifiers: dict[str, FlagClassifier] = {}
    bank_flags: list[str] = []
    bank_labels: list[npt.NDArray[np.int8]] = []
    severities = {f: rubric.flags_by_id[f].severity for f in document.flags}
    floors = document.floors(severities)
    betas = document.betas(severities)
    report: dict[str, Any] = {
        "statements": {"train": len(train_rows), "validation": len(held_rows)},
        "flags": {},
    }
    for flag_id, entry in sorted(document.flags.items()):
        if not entry.enabled:
            continue
        floor = floors[flag_id]
        positive = np.array([flag_id in s.flags for s in statements])
        out_of_fold = np.zeros(len(train_rows))
        for fold in range(FOLDS):
            fit_rows, test_rows = train_rows[folds != fold], train_rows[folds == fold]
            w, b, labels = fit_flag(pieces, fit_rows, positive)
            bank, _ = make_bank(pieces, fit_rows, labels)
            out_of_fold[folds == fold] = statement_scores(pieces, test_rows, w, b, bank)
        threshold = choose_threshold(out_of_fold, positive[train_rows], floor, betas[flag_id])
        w, b, labels = fit_flag(pieces, train_rows, positive)
        bank, _ = make_bank(pieces, train_rows, labels)
        held = statement_scores(pieces, held_rows, w, b, bank)
        bank_flags.append(flag_id)
        bank_labels.append(labels)
        classifiers[flag_id] = FlagClassifier(w.astype(np.float32), b, threshold)
        report["flags"][flag_id] = {
            "examples": int(positive[train_rows].sum()),
            "min_precision": floor,
            "beta": betas[flag_id],
            "cross_validation": _counts(out_of_fold, positive[train_rows], threshold),
            "validation": _counts(held, positive[held_rows], threshold),
        }
        progress(f"{flag_id}: threshold {threshold:.3f}, {report['flags'][flag_id]}")
    print_ = weights.fingerprint(document, floors, digest)
    every = np.stack(bank_labels, axis=1) if bank_labels else np.zeros((len(pieces.owner), 0))
    bank, _ = make_bank(pieces, train_rows, every.astype(np.int8))
    weights.dump(
        signals_path.parent / document.weights,
        rubric.id,
        print_,
        classifiers,
        report,
        bank,
        bank_flags,
        BANK_SHARE,
        weights.Context(CONTEXT_REACH, TEMPER),
    )
    return report
