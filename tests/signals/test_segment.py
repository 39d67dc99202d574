"""Cutting answers into pieces, and what each piece's stance cues are counted over.

A piece's features may depend on its own sentences and on `CONTEXT_REACH` sentences on each side,
never on the rest of the answer: a sentence added further away must leave them as they were
(criteria/signals/EVALUATION.md, "Held-out set 8").
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.signals.features import stance_cues
from app.signals.segment import sentences, surroundings, units
from app.signals.train import CONTEXT_REACH

WORDS = st.sampled_from(
    ["I", "never", "we", "my", "client", "wanted", "but", "if", "mais", "je", "pas", "followers",
     "measure", "sure", "lol", "post", "data", "annoying", "nous", "disait"]
)  # fmt: skip
SENTENCE = st.lists(WORDS, min_size=1, max_size=8).map(lambda w: " ".join(w).capitalize() + ".")


def _features(text: str) -> dict[tuple[int, ...], np.ndarray]:
    """Each unit's features, by the sentences it holds."""
    spans, pieces = units(text)
    texts = [text[p.span.start : p.span.end] for p in pieces]
    rows = stance_cues(texts, surroundings(text, spans, pieces, CONTEXT_REACH))
    return {p.sentences: row for p, row in zip(pieces, rows, strict=True)}


def test_a_piece_is_read_with_one_sentence_on_each_side() -> None:
    text = "One. Two. Three. Four."
    spans, pieces = units(text)
    around = dict(
        zip((p.sentences for p in pieces), surroundings(text, spans, pieces, 1), strict=True)
    )
    assert CONTEXT_REACH == 1
    assert around[(0,)] == "One. Two."
    assert around[(1,)] == "One. Two. Three."
    assert around[(3,)] == "Three. Four."
    assert around[(1, 2)] == "One. Two. Three. Four."
    assert around[(2, 3)] == "Two. Three. Four."
    assert surroundings("Alone.", *units("Alone."), 1) == ["Alone."]
    assert surroundings(text, spans, pieces, 0)[1] == "Two."
    assert surroundings(text, spans, pieces, 2)[0] == "One. Two. Three."


@given(st.lists(SENTENCE, min_size=1, max_size=6), SENTENCE)
def test_a_sentence_added_far_away_leaves_a_pieces_features_unchanged(
    answer: list[str], added: str
) -> None:
    before = " ".join(answer)
    features = _features(before)
    after = _features(f"{before} {added}")
    n = len(sentences(before))
    assert len(after) == len(features) + 2  # the added sentence, and its pair
    for held, row in features.items():
        if max(held) + CONTEXT_REACH < n:  # the added sentence is out of reach
            np.testing.assert_array_equal(row, after[held])
