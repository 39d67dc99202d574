"""How the PDF report lays text out: lines broken at spaces only and as full as they can be,
a word cut only when it is wider than the whole column, a table cell's font made smaller
rather than a word cut, a note's excerpt in a cell.

Each is checked against the fonts' own widths (`pdf._measure`), on any text hypothesis makes.
"""

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.reports import pdf

REGULAR, BOLD = "dejavu", "dejavuB"
K = 72 / 25.4  # points to the millimetre, as in the report's documents
NBSP, NNBSP = "\u00a0", "\u202f"

words = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéèàçœWMI«»’-.0123456789" + NBSP + NNBSP),
    min_size=1,
    max_size=40,
)
texts = st.lists(
    st.tuples(words, st.sampled_from([" ", " ", " ", "  ", "\n"])), min_size=0, max_size=30
).map(lambda pairs: "".join(w + s for w, s in pairs))


def _width(text: str, size: float, fontkey: str = REGULAR) -> float:
    return pdf._measure(fontkey, size, K, text)


def _ink(text: str) -> str:
    """What a reader sees, apart from where lines break: every character but spaces and line
    breaks (no-break spaces are kept: a line never breaks at one)."""
    return re.sub(r"[ \n]", "", text)


@settings(max_examples=300, deadline=None)
@given(text=texts, width=st.floats(min_value=8, max_value=180), size=st.sampled_from([8, 9.5, 18]))
def test_lines_fit_keep_every_character_and_are_as_full_as_they_can_be(
    text: str, width: float, size: float
) -> None:
    lines = pdf._wrapped(REGULAR, size, K, text, width)
    assert _ink("".join(lines)) == _ink(text)
    assert len(lines) >= text.count("\n") + 1  # each paragraph starts a line
    for line in lines:
        assert _width(line, size) <= width or len(line) == 1
    by_paragraph = [pdf._wrapped(REGULAR, size, K, p, width) for p in text.split("\n")]
    assert lines == tuple(line for p in by_paragraph for line in p)
    for paragraph, own in zip(text.split("\n"), by_paragraph, strict=True):
        if any(_width(word, size) > width for word in paragraph.split(" ")):
            continue  # a word is cut here: the next test's case
        for line, following in itertools.pairwise(own):
            # the next line's first word did not fit on this one
            assert _width(f"{line} {following.split(' ')[0]}", size) > width


@settings(max_examples=200, deadline=None)
@given(word=words, width=st.floats(min_value=4, max_value=30))
def test_a_word_wider_than_the_column_is_cut_into_pieces_as_long_as_fit(
    word: str, width: float
) -> None:
    long_word = word * 6
    lines = pdf._wrapped(REGULAR, 9.5, K, long_word, width)
    assert "".join(lines) == long_word
    for piece, rest in itertools.pairwise(lines):
        assert _width(piece, 9.5) <= width or len(piece) == 1
        assert _width(piece + rest[0], 9.5) > width  # one more character would not fit


def test_a_paragraph_never_breaks_at_a_no_break_space() -> None:
    text = f"Il fait sa {NBSP}veille{NNBSP}: «{NNBSP}veille{NNBSP}» chaque matin " * 6
    for width in (20.0, 35.0, 60.0):
        for line in pdf._wrapped(REGULAR, 9.5, K, text, width):
            assert not line.startswith((NNBSP, ":", "»")), line


def test_a_cells_font_is_8_points_unless_a_word_is_wider_than_the_cell() -> None:
    assert pdf._cell_size_of("court texte", 40.0, False, K) == 8.0
    word = "https://exemple.fr/une-adresse-tres-longue"
    for bold, fontkey in ((False, REGULAR), (True, BOLD)):
        size = pdf._cell_size_of(f"voir {word}", 45.0, bold, K)
        assert 5.0 <= size < 8.0 and size * 4 == int(size * 4)  # quarter points
        assert _width(word, size, fontkey) <= 45.0  # the word now fits
        assert _width(word, size + 0.25, fontkey) > 45.0  # and no larger quarter would
    # bold is wider, so it needs a smaller size for the same word
    assert pdf._cell_size_of(word, 45.0, True, K) < pdf._cell_size_of(word, 45.0, False, K)
    assert pdf._cell_size_of(word * 4, 20.0, False, K) == 5.0  # never below 5 points


def test_a_notes_excerpt_is_its_start_with_an_ellipsis() -> None:
    short = "n" * pdf.EXCERPT
    assert pdf._excerpt(short) == short
    long_note = "mot " * 100
    excerpt = pdf._excerpt(long_note)
    assert len(excerpt) <= pdf.EXCERPT and excerpt.endswith("mot…")
    assert long_note.startswith(excerpt[:-1])
    assert pdf._excerpt("x" * 300) == "x" * (pdf.EXCERPT - 1) + "…"
    cut_at_a_space = "x" * (pdf.EXCERPT - 2) + " " + "y" * 50
    assert pdf._excerpt(cut_at_a_space) == "x" * (pdf.EXCERPT - 2) + "…"  # no space before …
