"""The nearest labelled pieces: what the corpus says about sentences like this one.

A logistic regression over sentence vectors draws one straight boundary per flag, and sentence
vectors are mostly about the topic: "I'm an expert" and "I'd never call myself an expert" lie
close together. Hard clean examples of the corpus are written right beside the claims they
resemble, so the nearest labelled pieces separate them where one straight boundary cannot.

The bank holds every training piece's vector and, per flag, its label: 1 a piece that carries
the flag (the multiple-instance round chose it), 0 a piece without it, -1 a piece of a flagged
statement that the round did not choose (left out for that flag). A piece's score for a flag is
the similarity-weighted share of flagged pieces among its `k` nearest labelled neighbours.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Bank:
    """Unit vectors of the training pieces (rows) and their labels per flag (columns)."""

    vectors: npt.NDArray[np.float32]
    labels: npt.NDArray[np.int8]
    k: int
    sharpness: float


def unit(vectors: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """Rows scaled to length one (zero rows stay zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.asarray(v / np.maximum(norms, 1e-12), dtype=np.float32)


def scores(bank: Bank, queries: npt.NDArray[np.floating]) -> Matrix:
    """Per query row and flag column: the weighted share of flagged pieces among the nearest."""
    out = np.zeros((len(queries), bank.labels.shape[1]))
    if not len(queries) or not len(bank.vectors):
        return out
    similarity = unit(queries) @ bank.vectors.T
    for column in range(bank.labels.shape[1]):
        labelled = np.flatnonzero(bank.labels[:, column] >= 0)
        if not len(labelled):
            continue
        k = min(bank.k, len(labelled))
        near = similarity[:, labelled]
        top = np.argpartition(-near, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(near, top, axis=1).astype(np.float64)
        flagged = bank.labels[labelled, column][top].astype(np.float64)
        weight = np.exp((sims - 1.0) * bank.sharpness)
        out[:, column] = (weight * flagged).sum(axis=1) / weight.sum(axis=1)
    return out
