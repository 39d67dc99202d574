"""What the PDF report keeps across documents, and its own way of writing lines, change nothing
in a document: the same bytes as fpdf2's own path, the same text, however many documents are
made at once in threads.

`pdf.put_text` writes a line as fpdf2's `text()` would; `pdf._Producer` copies the font objects
(widths, character maps, embedded subset) it made for an earlier document that mapped its
characters alike; `pdf._subset_map` starts each document's subset from a copy of the common
characters' glyphs. Each is checked against what fpdf2 itself does.
"""

import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from fpdf.fonts import SubsetMap
from pypdf import PdfReader

from app.reports import pdf
from app.reports.model import CandidateReport
from tests.reports.test_pdf_words import LONG_NAMES, ZONE, _report

# fpdf2 stamps each document with the time it was made, and derives the file's /ID from it.
_STAMPS = re.compile(rb"/CreationDate \(D:[^)]*\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]")


def _same(document: bytes) -> bytes:
    return _STAMPS.sub(b"", document)


def _text(document: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def _reports() -> list[CandidateReport]:
    """French and English, short and long names, and one with characters outside the common
    set (Polish and Czech letters, which DejaVu has) so its fonts are mapped differently."""
    return [
        _report("fr", LONG_NAMES, LONG_NAMES[0]),
        _report("en", LONG_NAMES[:2], "Zoë Lefèvre-Dubois"),
        _report("fr", ["Ina Moreau"], "Łucja Dvořáková"),
        _report("en", LONG_NAMES, "Ina Moreau"),
    ]


def _fpdf2_text(self: pdf._Document, x: float, y: float, line: str) -> None:
    self.text(x, y, line)


def test_lines_are_written_as_fpdf2_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for report in _reports():
        ours = pdf.render(report, ZONE)
        with monkeypatch.context() as patch:
            patch.setattr(pdf._Document, "put_text", _fpdf2_text)
            theirs = pdf.render(report, ZONE)
        assert _same(ours) == _same(theirs)
        text = re.sub(r"\s", "", "".join(_text(ours)))  # lines break at any space
        assert "«veille»" in text and "l’impact" in text
        assert re.sub(r"\s", "", report.candidate.full_name) in text


def test_copied_font_objects_are_those_fpdf2_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document whose font objects are copied equals one whose objects fpdf2 made."""
    for report in _reports():
        monkeypatch.setattr(pdf, "_FONT_OBJECTS", {})
        made = pdf.render(report, ZONE)
        assert len(pdf._FONT_OBJECTS) == 1
        copied = pdf.render(report, ZONE)
        assert _same(copied) == _same(made)
    # The common characters share one mapping; Łucja Dvořáková's letters make another.
    monkeypatch.setattr(pdf, "_FONT_OBJECTS", {})
    for report in _reports():
        pdf.render(report, ZONE)
    assert len(pdf._FONT_OBJECTS) == 2
    # As after fpdf2 writes a font, the glyph caches (fpdf2's, for every subset) let go: a
    # copied document leaves nothing behind.
    assert SubsetMap.pick.cache_info().currsize == 0
    assert SubsetMap.get_glyph.cache_info().currsize == 0


def test_a_subset_starts_as_fpdf2_would_leave_it() -> None:
    """The copy of the common characters' glyphs is the state `SubsetMap` and `pick` give."""
    for style, path in pdf._FILES.items():
        font_style = pdf._style(style)
        font = pdf._parsed_font(font_style, path)[0]
        fresh = SubsetMap(font)
        for character in pdf.COMMON_CHARACTERS:
            fresh.pick(ord(character))
        copied = pdf._subset_map(font, font_style, path)
        assert vars(copied).keys() == vars(fresh).keys()
        assert copied._next == fresh._next and copied._reserved == fresh._reserved
        assert list(copied.items()) == list(fresh.items())
        assert copied.font is font
        # Picking in one document's subset leaves the next one's alone.
        copied.pick(ord("ł"))
        assert list(pdf._subset_map(font, font_style, path).items()) == list(fresh.items())


def test_documents_made_at_once_in_threads_equal_those_made_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reports = _reports()
    alone = [_same(pdf.render(report, ZONE)) for report in reports]
    texts = [_text(document) for document in alone]
    # From empty caches, so that threads also race to fill them.
    monkeypatch.setattr(pdf, "_FONT_OBJECTS", {})
    pdf._wrapped_kept.cache_clear()
    pdf._cell_size_kept.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda n: pdf.render(reports[n % 4], ZONE), range(32)))
    for n, document in enumerate(together):
        assert _same(document) == alone[n % 4], f"document {n}"
        assert _text(document) == texts[n % 4]


def test_a_character_without_a_glyph_is_left_out_as_fpdf2_leaves_it_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """DejaVu Sans has no ideographs: fpdf2 leaves them out and warns, each time."""
    report = _report("en", ["Ina Moreau"], "Ina 王 Moreau")
    ours = pdf.render(report, ZONE)
    assert "missing the following glyphs" in caplog.text
    caplog.clear()
    again = pdf.render(report, ZONE)
    assert "missing the following glyphs" in caplog.text  # its objects are not copied
    with monkeypatch.context() as patch:
        patch.setattr(pdf._Document, "put_text", _fpdf2_text)
        theirs = pdf.render(report, ZONE)
    assert _same(ours) == _same(again) == _same(theirs)
    assert "Ina Moreau" in _text(ours)[0] and "王" not in "".join(_text(ours))


def test_the_report_writes_its_lines_without_fpdf2s_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = pdf.FPDF.text

    def counted(self: pdf.FPDF, x: float, y: float, text: str = "") -> None:
        calls.append(text)
        original(self, x, y, text)

    monkeypatch.setattr(pdf.FPDF, "text", counted)
    document = pdf.render(_reports()[0], ZONE)
    assert calls == []  # every line went through put_text's own path
    assert "«veille»" in re.sub(r"\s", "", "".join(_text(document)))


@pytest.mark.parametrize(
    "state",
    [
        {"underline": True},
        {"strikethrough": True},
        {"text_mode": pdf.TextMode.STROKE},
        {"_record_text_quad_points": True},
    ],
)
def test_a_state_the_report_never_sets_is_left_to_fpdf2s_text(
    monkeypatch: pytest.MonkeyPatch, state: dict[str, object]
) -> None:
    def page(write: str) -> bytes:
        document = pdf._Document(_reports()[0], ZONE)
        document.add_page()
        document.set_font(pdf.FAMILY, "", 10)
        for name, value in state.items():
            setattr(document, name, value)
        getattr(document, write)(20, 30, "Une ligne « à part »")
        return bytes(document.pages[1].contents)

    calls: list[str] = []
    original = pdf.FPDF.text

    def counted(self: pdf.FPDF, x: float, y: float, text: str = "") -> None:
        calls.append(text)
        original(self, x, y, text)

    theirs = page("text")
    monkeypatch.setattr(pdf.FPDF, "text", counted)
    assert page("put_text") == theirs
    assert calls == ["Une ligne « à part »"]
