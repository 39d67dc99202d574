"""The candidate report as a PDF document, made with fpdf2.

fpdf2 is pure Python and installs from PyPI with no system library (WeasyPrint needs Pango,
reportlab's tables are heavier to drive); it embeds TrueType fonts, subset, so French accents and
typographic quotes print. The font is DejaVu Sans, shipped in `fonts/` with its licence.
"""

import copy
import functools
import io
import pickle
import threading
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any, cast

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.drawing_primitives import DeviceRGB
from fpdf.enums import RenderStyle, TextMode
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer
from fpdf.util import escape_parens

from app.core.i18n import format_datetime, format_number, format_percent
from app.reports.model import CandidateReport

FONTS = Path(__file__).parent / "fonts"
# Characters of a note shown in a table cell; a longer note follows the table in full.
EXCERPT = 240
FAMILY = "DejaVu"


def _rgb(red: int, green: int, blue: int) -> DeviceRGB:
    """A colour as fpdf2 makes it of 0-255 values, made once rather than at each use."""
    return DeviceRGB(red / 255, green / 255, blue / 255)


INK, MUTED, ACCENT, AMBER = (
    _rgb(27, 31, 36),
    _rgb(85, 95, 109),
    _rgb(11, 92, 173),
    _rgb(191, 135, 0),
)
RULE, WHITE = _rgb(208, 215, 222), _rgb(255, 255, 255)
HEADINGS, TO_CALIBRATE = _rgb(246, 248, 250), _rgb(255, 248, 229)
COLOURS = {
    "strong_hire": _rgb(17, 99, 41),
    "hire": _rgb(17, 99, 41),
    "hold": _rgb(125, 78, 0),
    "no_hire": _rgb(164, 14, 38),
    "incomplete": MUTED,
}


_FILES = {
    FAMILY.lower(): FONTS / "DejaVuSans.ttf",
    f"{FAMILY.lower()}B": FONTS / "DejaVuSans-Bold.ttf",
}


@functools.cache
def _parsed_font(style: str, path: Path) -> tuple[TTFFont, bytes]:
    """The font as fpdf2 reads it (its character widths and glyph map), once per process."""
    holder = FPDF()
    holder.add_font(FAMILY, style, path)
    return cast(TTFFont, holder.fonts[f"{FAMILY.lower()}{style}"]), path.read_bytes()


def _add_parsed_font(pdf: FPDF, style: str, path: Path) -> None:
    """`pdf.add_font(FAMILY, style, path)` without parsing the font again: the widths and glyph
    map are shared (read only); what a document changes (the subset of the glyphs it uses, and
    the font tables that subsetting rewrites) is its own."""
    parsed, _data = _parsed_font(style, path)
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    # The whole font is only read (fpdf2 embeds it through `_Document.output`, which swaps in
    # the document's cut of it); nothing writes to it.
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    # fpdf2 gives the descriptor its object number when it writes a document: each its own.
    font.desc = copy.copy(parsed.desc)
    font.subset = _subset_map(font, style, path)
    pdf.fonts[font.fontkey] = font


@functools.cache
def _primed_subset(style: str, path: Path) -> SubsetMap:
    """The glyphs of the common characters, picked in the same order: the first codes of
    every document's subset (`_subset_map`). Only copied, never picked from."""
    subset = SubsetMap(_parsed_font(style, path)[0])
    for character in COMMON_CHARACTERS:
        subset.pick(ord(character))
    return subset


def _subset_map(font: TTFFont, style: str, path: Path) -> SubsetMap:
    """A document's subset of `font`, the common characters already in it, in the same order
    in every document: most documents then map their characters alike and embed the same font
    objects (`_Producer`). A copy of `_primed_subset` (picking them anew is most of the time of
    a short document's set-up): the same state `SubsetMap(font)` and `pick` would leave."""
    primed = _primed_subset(style, path)
    subset = copy.copy(primed)
    subset.font = font
    subset._reserved = list(primed._reserved)
    subset._char_id_per_glyph = dict(primed._char_id_per_glyph)
    return subset


# The characters of nearly every report: printable ASCII, the Latin-1 letters and signs, the
# typographic punctuation of the labels. Every document embeds at least these, so
# most documents embed the same glyphs, and the subset font is made once per process.
COMMON_CHARACTERS = "".join(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x100)]
    + list(
        "\u0152\u0153\u2009\u202f\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u2192\u2212"
    )
)
# The tables fpdf2 leaves out of an embedded font (fpdf/output.py), left out here alike.
DROPPED_TABLES = [
    *("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC"),
    *("EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR"),
]


class _SubsetFont:
    """A font already cut down to the glyphs of its document (`_subset_font`), as fpdf2 uses
    it when it embeds it: its glyph ids and its bytes, both made once."""

    def __init__(self, data: bytes, glyph_ids: dict[str, int]) -> None:
        self.data, self.glyph_ids = data, glyph_ids

    def __contains__(self, tag: str) -> bool:
        return False  # no CFF table: a TrueType font

    def getGlyphID(self, name: str) -> int:  # noqa: N802 - fontTools' name
        return self.glyph_ids[name]

    def save(self, file: io.BytesIO) -> None:
        file.write(self.data)

    def close(self) -> None:
        pass


class _Subsetting:
    """fontTools' subsetting as fpdf2 calls it (`fpdf.output.ftsubset`), except for a
    `_SubsetFont`, which is already cut: it is embedded as it is, its tables copied unparsed."""

    Options = ftsubset.Options

    class Subsetter(ftsubset.Subsetter):  # type: ignore[misc]
        def subset(self, font: ttLib.TTFont) -> None:
            if not isinstance(font, _SubsetFont):
                super().subset(font)


setattr(fpdf_output, "ftsubset", _Subsetting)  # noqa: B010 - replaces a module attribute


@functools.lru_cache(maxsize=32)
def _subset_font(style: str, path: Path, glyphs: tuple[str, ...]) -> _SubsetFont:
    """The font cut down to `glyphs` as fpdf2 would cut it (its options, glyph names kept for
    its look-ups), once per process for each set of glyphs."""
    _parsed, data = _parsed_font(style, path)
    font = ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += DROPPED_TABLES
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=glyphs)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    cut = ttLib.TTFont(io.BytesIO(out.getvalue()), lazy=True)
    ids = {name: cut.getGlyphID(name) for name in cut.getGlyphOrder()}
    return _SubsetFont(out.getvalue(), ids)


class _Producer(OutputProducer):
    """fpdf2's writer, except that the font objects of a document (the fonts' widths, their
    character maps, the embedded subset, compressed) are made once per process for each way
    of mapping characters to glyphs, then copied: with the common characters first
    (`_add_parsed_font`), most documents map theirs alike."""

    def _add_fonts(self, *args: Any) -> Any:
        every = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        fonts = [font for font in every if isinstance(font, TTFFont) and not font.color_font]
        if (
            len(fonts) != len(every)
            or any(font.missing_glyphs for font in fonts)  # fpdf2 warns of them itself
            or self.fpdf._compliance is not None  # PDF/A adds to the fonts: never set here
        ):
            return super()._add_fonts(*args)
        key = tuple(
            (
                font.i,
                font.fontkey,
                tuple(
                    (code, glyph.glyph_id, glyph.unicode, glyph.glyph_name, glyph.glyph_width)
                    for glyph, code in font.subset.items()
                    if glyph is not None
                ),
            )
            for font in fonts
        )
        made = _FONT_OBJECTS.get(key)
        if made is None:
            start = len(self.pdf_objs)
            by_index = super()._add_fonts(*args)
            # Kept before anything is written: writing a document changes none of its objects
            # but their numbers, which each copy gets anew. Pickled: a copy is 5x quicker to
            # make than by `copy.deepcopy`.
            made = pickle.dumps((self.pdf_objs[start:], by_index))
            with _FONT_OBJECTS_LOCK:
                if len(_FONT_OBJECTS) >= 32:
                    del _FONT_OBJECTS[next(iter(_FONT_OBJECTS))]
                _FONT_OBJECTS[key] = made
            return by_index
        objects, by_index = pickle.loads(made)  # noqa: S301 - made above, by this process
        for pdf_object in objects:
            self._add_pdf_obj(pdf_object, "fonts")
        for font in fonts:  # what fpdf2 does once a font is written, its caches let go
            font.subset.pick.cache_clear()
            font.subset.get_glyph.cache_clear()
            font.close()
        return by_index


_FONT_OBJECTS: dict[tuple[Any, ...], bytes] = {}
_FONT_OBJECTS_LOCK = threading.Lock()


class _Codes(dict[int, str | None]):
    """A font's characters as they are written in a document's page contents: the code of
    the glyph in the document's subset (`SubsetMap.pick`, as `text()` does it: a character is
    given its code when `str.translate` first meets it, so in the same order), two bytes,
    escaped as fpdf2 escapes them; None (left out) for a character the font has no glyph for."""

    def __init__(self, subset: SubsetMap) -> None:
        super().__init__()
        self.subset = subset

    def __missing__(self, character: int) -> str | None:
        code = self.subset.pick(character)
        shown = (
            None if code is None else escape_parens(chr(code).encode("utf-16-be").decode("latin-1"))
        )
        self[character] = shown
        return shown


_COMMON = frozenset(COMMON_CHARACTERS)


@functools.cache
def _common_codes(fontkey: str) -> _Codes:
    """The common characters as every document writes them: their codes are the same in every
    document's subset (`_subset_map`)."""
    codes = _Codes(_primed_subset(_style(fontkey), _FILES[fontkey]))
    for character in COMMON_CHARACTERS:
        codes[ord(character)]  # filled in by `_Codes.__missing__`
    return codes


@functools.lru_cache(maxsize=8192)
def _common_line(fontkey: str, line: str) -> str:
    """A line of common characters only, as `put_text` writes it in any document: kept, the same
    labels, titles and anchors come back in every report."""
    return line.translate(_common_codes(fontkey))


class _Document(FPDF):
    """A page with the report's header and a numbered footer."""

    def __init__(self, report: CandidateReport, zone: tzinfo = UTC) -> None:
        super().__init__(format="A4")
        self.report, self.zone = report, zone
        for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            _add_parsed_font(self, style, FONTS / file)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        labels = report.labels
        name = report.candidate.full_name if not report.candidate.erased else labels["erased"]
        self.set_title(f"{labels['title']} — {name}")
        self.set_author("Tamis")
        self.set_lang(report.language)
        # For each font, a character's code in the page contents, escaped as fpdf2 escapes it
        # (`put_text`); None for a character the font has no glyph for (fpdf2 leaves it out).
        self._codes: dict[str, _Codes] = {}

    def put_text(self, x: float, y: float, line: str) -> None:
        """`text(x, y, line)`, writing the same page contents as fpdf2's, in a fraction of its
        time: each character is mapped to its code once per document, then a line is one
        `str.translate`. A state `text()` handles and the report never sets (a text mode other
        than fill, underline, strike-through, recorded quad points) goes through `text()`."""
        font = self.current_font
        if (
            not isinstance(font, TTFFont)
            or self.text_mode != TextMode.FILL
            or self.underline
            or self.strikethrough
            or self._record_text_quad_points
        ):
            self.text(x, y, line)
            return
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        if _COMMON.issuperset(line):
            written = _common_line(font.fontkey, line)
        else:
            codes = self._codes.get(font.fontkey)
            if codes is None:
                codes = self._codes[font.fontkey] = _Codes(font.subset)
            written = line.translate(codes)
        shown = f"BT {x * self.k:.2f} {(self.h - y) * self.k:.2f} Td ({written}) Tj ET"
        if self.fill_color != self.text_color and self.text_color is not None:
            shown = f"q {self.text_color.serialize().lower()} {shown} Q"
        self._out(shown)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        """The document, each font subset from the per-process cache (see `_subset_font`)."""
        for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            font = cast(TTFFont, self.fonts[f"{FAMILY.lower()}{style}"])
            glyphs = tuple(sorted(set(font.subset.get_all_glyph_names())))
            font.ttfont = _subset_font(style, FONTS / file, glyphs)
        if not self.buffer:
            self.footers()
        return super().output(*args, output_producer_class=_Producer, **kwargs)

    def header(self) -> None:
        labels = self.report.labels
        name = (
            self.report.candidate.full_name
            if not self.report.candidate.erased
            else labels["erased"]
        )
        self.set_font(FAMILY, "", 8)
        self.set_text_color(MUTED)
        heading = _fit(self, f"Tamis — {labels['title']} — {name}", self.epw)
        top = self.get_y()
        _text(self, self.l_margin + self.c_margin, top, 0, 5, heading)
        self.set_xy(self.l_margin, top + 5)
        self.set_draw_color(RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(INK)

    def footer(self) -> None:
        """Nothing while the pages are laid out: `footers` writes them all at the end, when the
        number of pages is known (fpdf2's "{nb}" alias needs `cell()`, which costs as much as
        the rest of a page's text)."""

    def footers(self) -> None:
        """Each page's footer: when the report was made, and "page n/N"."""
        labels = self.report.labels
        generated = format_datetime(self.report.generated_at, self.report.language, self.zone)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(MUTED)
        colour = cast(DeviceRGB, self.text_color).serialize().lower()
        last, top = self.page, self.h - 12
        for number in range(1, self.pages_count + 1):
            self.page = number
            self.current_font_is_set_on_page = False
            # The page's own fill colour, whatever it was when the page ended, is kept.
            self._out(f"q {colour}")
            for line, align in (
                (f"{labels['generated_at']} {generated}", "L"),
                (f"{labels['page']} {number}/{self.pages_count}", "R"),
            ):
                x = self.l_margin + self.c_margin
                _text(self, x, top, self.epw - 2 * self.c_margin, 5, line, align)
            self._out("Q")
        self.page = last


def _heading(pdf: _Document, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_text_color(INK)
    _lines(pdf, text, 7)
    pdf.set_font(FAMILY, "", 9.5)


def _para(pdf: _Document, text: str, colour: DeviceRGB = INK) -> None:
    """A paragraph of any length: it wraps at spaces (only a word wider than the page is cut)
    and continues on the next page."""
    pdf.set_text_color(colour)
    _lines(pdf, text, 5)
    pdf.set_text_color(INK)


def _lines(pdf: _Document, text: str, height: float) -> None:
    """`text` wrapped to the page's width, a line at a time (a line that does not fit on the
    page starts the next one)."""
    for line in _wrap(pdf, text, pdf.epw - 2 * pdf.c_margin):
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        _text(pdf, pdf.l_margin + pdf.c_margin, y, 0, height, line)
        pdf.set_xy(pdf.l_margin, y + height)


def _text(
    pdf: _Document,
    x: float,
    y: float,
    width: float,
    height: float,
    line: str,
    align: str = "L",
) -> None:
    """One line of text placed as `cell()` places it (centred on `height`), as fpdf2's plain
    `text()` writes it (`_Document.put_text`): no markdown, no bidirectional pass, a tenth
    of the time."""
    if line:
        if align in ("C", "R"):
            x += (width - _width(pdf, line)) / (2 if align == "C" else 1)
        pdf.put_text(x, y + 0.5 * height + 0.3 * pdf.font_size, line)


def _chart(pdf: _Document, report: CandidateReport) -> None:
    """Horizontal bars: the panel rating of each criterion on the scale, dots for each rating."""
    left, width, row = pdf.l_margin + 62, pdf.epw - 70, 5.5
    span = report.scale_max - report.scale_min + 1
    needed = row * len(report.criteria) + 8
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_draw_color(RULE)
    for level in range(report.scale_min, report.scale_max + 1):
        x = left + width * (level - report.scale_min + 1) / span
        pdf.line(x, top, x, top + row * len(report.criteria))
        pdf.put_text(x - 1, top + row * len(report.criteria) + 4, str(level))
    for index, criterion in enumerate(report.criteria):
        y = top + index * row
        title = _fit(pdf, criterion.title, 57)
        _text(pdf, pdf.l_margin + pdf.c_margin, y, 60 - 2 * pdf.c_margin, row, title, "R")
        if criterion.combined is not None:
            pdf.set_fill_color(AMBER if criterion.needs_calibration else ACCENT)
            length = width * (criterion.combined - report.scale_min + 1) / span
            pdf.rect(left, y + 1, length, row - 2, style="F")
        else:
            pdf.set_text_color(MUTED)
            pdf.put_text(left + 1, y + row - 1.5, report.labels["not_rated"])
            pdf.set_text_color(INK)
        pdf.set_fill_color(WHITE)
        pdf.set_draw_color(INK)
        for rating in criterion.ratings.values():
            if rating is not None:
                x = left + width * (rating - report.scale_min + 1) / span
                pdf.circle(x, y + row / 2, 0.9, style="DF")
        pdf.set_draw_color(RULE)
    pdf.set_y(top + row * len(report.criteria) + 7)
    pdf.set_font(FAMILY, "", 9.5)


def render(report: CandidateReport, zone: tzinfo = UTC) -> bytes:
    """The report as PDF bytes, times in `zone`."""
    language, labels = report.language, report.labels
    pdf = _Document(report, zone)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    name = report.candidate.full_name if not report.candidate.erased else labels["erased"]
    _lines(pdf, name, 9)
    pdf.set_font(FAMILY, "", 9.5)
    colon = labels["colon"]
    facts = [
        f"{labels['position']}{colon}{report.position.title}",
        f"{labels['status']}{colon}{report.candidate.status_label}",
    ]
    if report.candidate.email:
        facts.append(f"{labels['email']}{colon}{report.candidate.email}")
    if report.candidate.external_id:
        facts.append(f"{labels['external_id']}{colon}{report.candidate.external_id}")
    _para(pdf, " · ".join(facts), MUTED)

    if report.position.warnings:
        _heading(pdf, labels["warnings"])
        for warning in report.position.warnings:
            _para(pdf, f"• {warning}", AMBER)

    verdict = report.verdict
    _heading(pdf, labels["verdict"])
    pdf.set_font(FAMILY, "B", 13)
    pdf.set_text_color(COLOURS[verdict.recommendation])
    _lines(pdf, f"{labels['recommendation']}{colon}{verdict.recommendation_label}", 7)
    pdf.set_font(FAMILY, "", 9.5)
    agreement = (
        format_number(verdict.agreement, language, 2)
        if verdict.agreement is not None
        else labels["agreement_none"]
    )
    _para(
        pdf,
        f"{labels['score']}{colon}{format_number(verdict.score, language)}/100 · "
        f"{labels['coverage']}{colon}{format_percent(verdict.coverage, language)} · "
        f"{labels['agreement']}{colon}{agreement}",
    )
    _para(pdf, labels["advice"], ACCENT)
    if not report.interviewers:
        _para(pdf, labels["no_assessment"], MUTED)
    pdf.set_font(FAMILY, "B", 10)
    _para(pdf, labels["reasons"])
    pdf.set_font(FAMILY, "", 9.5)
    for number, reason in enumerate(verdict.reasons, start=1):
        _para(pdf, f"{number}. {reason}")
    if verdict.calibration:
        pdf.set_font(FAMILY, "B", 10)
        _para(pdf, labels["calibration"])
        pdf.set_font(FAMILY, "", 9.5)
        for title in verdict.calibration:
            _para(pdf, f"• {title}", AMBER)

    if report.summaries:
        _heading(pdf, labels["summaries"])
        for note in report.summaries:
            pdf.set_font(FAMILY, "B", 9.5)
            _para(pdf, f"{note.by}{colon}")
            pdf.set_font(FAMILY, "", 9.5)
            _para(pdf, note.text)

    # The chart's title never ends a page without its chart.
    if pdf.get_y() + 5.5 * len(report.criteria) + 25 > pdf.h - pdf.b_margin:
        pdf.add_page()
    _heading(pdf, labels["chart"])
    _chart(pdf, report)

    _heading(pdf, labels["criteria"])
    _criteria_table(pdf, report)

    _heading(pdf, labels["flags"])
    if not report.flags:
        _para(pdf, labels["flags_none"])
    for flag in report.flags:
        pdf.set_font(FAMILY, "B", 10)
        _para(pdf, f"{flag.title} ({labels['severity']}{colon}{flag.severity_label})")
        pdf.set_font(FAMILY, "", 9.5)
        _para(pdf, f"{labels['raised_by']}{colon}{', '.join(flag.raised_by)}")
        for note in flag.notes:
            _para(pdf, f"{note.by}{colon}{note.text}")
        _para(pdf, flag.verify, MUTED)
        _para(pdf, f"{labels['source']}{colon}{flag.source}", MUTED)

    _heading(pdf, labels["decisions"])
    if not report.decisions:
        _para(pdf, labels["decisions_none"])
    for decision in report.decisions:
        against = f" — {labels['against']}" if decision.against_recommendation else ""
        pdf.set_font(FAMILY, "B", 10)
        _para(
            pdf,
            f"{decision.decision_label} · {decision.decided_by} · "
            f"{format_datetime(decision.created_at, language, zone)}",
        )
        pdf.set_font(FAMILY, "", 9.5)
        _para(pdf, f"{labels['recommendation']}{colon}{decision.recommendation_label}{against}")
        if decision.rationale:
            _para(pdf, f"{labels['rationale']}{colon}{decision.rationale}")

    pdf.ln(4)
    _para(
        pdf, f"{labels['rubric_version']}{colon}{report.rubric_id} {report.rubric_version}", MUTED
    )
    return bytes(pdf.output())


def _width(pdf: FPDF, text: str) -> float:
    """The width of `text` in the current font, in mm (`get_string_width` without its
    bidirectional pass, which Latin, Greek and Cyrillic text does not need)."""
    return _measure(cast(TTFFont, pdf.current_font).fontkey, pdf.font_size_pt, pdf.k, text)


def _measure(fontkey: str, size_pt: float, k: float, text: str) -> float:
    """`_width` of `text` in the font `fontkey` at `size_pt`, `k` points to the unit."""
    if len(text) <= 32:
        em = _word_width(fontkey, text)
    else:
        em = _em_width(_parsed_font(_style(fontkey), _FILES[fontkey])[0], text)
    return em * size_pt / k


def _style(fontkey: str) -> str:
    return "B" if fontkey.endswith("B") else ""


def _em_width(font: TTFFont, text: str) -> float:
    """The width of `text` at 1 pt, in points, from the font's own widths."""
    return sum(map(font.cw.__getitem__, map(ord, text))) / 1000


@functools.lru_cache(maxsize=16384)
def _word_width(fontkey: str, word: str) -> float:
    """`_em_width` of a word, kept: the same words come back in every report."""
    font, _data = _parsed_font(_style(fontkey), _FILES[fontkey])
    return _em_width(font, word)


# A text of at most this many characters is wrapped once per process for each font, size and
# width (`_wrapped`): the labels, titles, anchors and note excerpts of every report.
WRAP_KEPT = 320


def _wrap(pdf: FPDF, text: str, width: float) -> tuple[str, ...]:
    """`text` in lines no wider than `width`, broken at spaces only: a word is never cut, but
    one that is wider than `width` alone (a web address, say), which is cut where it must."""
    key = (cast(TTFFont, pdf.current_font).fontkey, pdf.font_size_pt, pdf.k)
    if len(text) <= WRAP_KEPT:
        return _wrapped_kept(*key, text, width)
    return _wrapped(*key, text, width)


def _wrapped(fontkey: str, size_pt: float, k: float, text: str, width: float) -> tuple[str, ...]:
    """`_wrap` in the font `fontkey` at `size_pt`."""
    lines: list[str] = []
    space = _measure(fontkey, size_pt, k, " ")
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):  # never at a no-break space (U+00A0, U+202F)
            if not word:
                continue
            size = _measure(fontkey, size_pt, k, word)
            if line and used + space + size <= width:
                line, used = f"{line} {word}", used + space + size
                continue
            if line:
                lines.append(line)
            while size > width:  # only a word wider than the whole column is cut
                cut, used_by_cut = 0, 0.0
                for character in word:
                    step = _measure(fontkey, size_pt, k, character)
                    if cut and used_by_cut + step > width:
                        break
                    cut, used_by_cut = cut + 1, used_by_cut + step
                lines.append(word[:cut])
                word = word[cut:]
                size = _measure(fontkey, size_pt, k, word)
            line, used = word, size
        lines.append(line)
    return tuple(lines)


_wrapped_kept = functools.lru_cache(maxsize=4096)(_wrapped)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` on one line of `width`: whole words, then "…" when some are left out."""
    if _width(pdf, text) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        shortened = " ".join(words).rstrip(" —-–,") + "…"
        if _width(pdf, shortened) <= width:
            return shortened
    while len(text) > 1 and _width(pdf, text + "…") > width:  # one word wider than the line
        text = text[:-1]
    return text + "…"


PADDING, LINE = 1.0, 4.0


def _cell_size(pdf: FPDF, text: str, width: float, bold: bool) -> float:
    """The font size of a cell: 8 pt, or less when a word of it is wider than the cell (a
    word is made smaller rather than cut), 5 pt at the least."""
    if len(text) <= WRAP_KEPT:
        return _cell_size_kept(text, width, bold, pdf.k)
    return _cell_size_of(text, width, bold, pdf.k)


def _cell_size_of(text: str, width: float, bold: bool, k: float) -> float:
    fontkey = f"{FAMILY.lower()}{'B' if bold else ''}"
    longest = max((_measure(fontkey, 8, k, word) for word in text.split()), default=0.0)
    if longest <= width:
        return 8.0
    return max(5.0, int(8 * width / longest * 4) / 4)


_cell_size_kept = functools.lru_cache(maxsize=4096)(_cell_size_of)


Row = tuple[list[tuple[tuple[str, ...], float, str, float]], float, bool]


def _use_font(pdf: FPDF, style: str, size: float) -> None:
    """`pdf.set_font(FAMILY, style, size)`, not called when that font is already the one in
    use (a table sets it for each cell; fpdf2 would change nothing, after some work)."""
    if (
        pdf.font_family != FAMILY.lower()
        or pdf.font_style != style
        or pdf.font_size_pt != size
        or pdf.underline
        or pdf.strikethrough
    ):
        pdf.set_font(FAMILY, style, size)


def _layout_row(
    pdf: FPDF, cells: list[tuple[str, str]], widths: list[float], bold: bool = False
) -> Row:
    """A table row laid out: each cell's (text, "L" or "C") lines, wrapped at spaces, with its
    font size and width; the row's height."""
    laid_out = []
    for (text, align), width in zip(cells, widths, strict=True):
        size = _cell_size(pdf, text, width - 2 * PADDING, bold)
        _use_font(pdf, "B" if bold else "", size)
        laid_out.append((_wrap(pdf, text, width - 2 * PADDING), size, align, width))
    height = max(len(lines) * LINE * size / 8 for lines, size, _, _ in laid_out) + 2 * PADDING
    return laid_out, height, bold


def _draw_row(pdf: _Document, row: Row, fill: DeviceRGB | None = None) -> None:
    laid_out, height, bold = row
    x, y = pdf.l_margin, pdf.get_y()
    for lines, size, align, width in laid_out:
        if fill:
            pdf.set_fill_color(fill)
        pdf.rect(x, y, width, height, style=RenderStyle.DF if fill else RenderStyle.D)
        _use_font(pdf, "B" if bold else "", size)
        line = LINE * size / 8
        for index, text in enumerate(lines):
            top = y + PADDING + index * line
            _text(pdf, x + PADDING, top, width - 2 * PADDING, line, text, align)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)
    _use_font(pdf, "", 8)


def _criteria_table(pdf: _Document, report: CandidateReport) -> None:
    labels = report.labels
    raters = report.interviewers
    # A rating column is as wide as the longest word of its heading: a name never breaks.
    pdf.set_font(FAMILY, "B", 8)
    words = [w for name in [*raters, labels["combined"]] for w in name.split()]
    rating_width = max(11.0, *(_width(pdf, w) + 2 * PADDING + 1 for w in words))
    if rating_width * (len(raters) + 1) > pdf.epw * 0.45:  # too wide: initials, and a key
        initials = {r: "".join(w[0] for w in r.split() if w) or r for r in raters}
        _para(pdf, " · ".join(f"{initials[r]} = {r}" for r in raters), MUTED)
        raters_shown = [initials[r] for r in raters]
        pdf.set_font(FAMILY, "B", 8)
        shown_words = [w for name in [*raters_shown, labels["combined"]] for w in name.split()]
        rating_width = max(11.0, *(_width(pdf, w) + 2 * PADDING + 1 for w in shown_words))
    else:
        raters_shown = list(raters)
    rest = pdf.epw - rating_width * (len(raters) + 1)
    widths = [rest * 0.28, *([rating_width] * (len(raters) + 1)), rest * 0.36, rest * 0.36]
    headings = [
        (labels["criterion"], "L"),
        *((name, "C") for name in raters_shown),
        (labels["combined"], "C"),
        (labels["anchor"], "L"),
        (labels["notes"], "L"),
    ]
    pdf.set_draw_color(RULE)
    pdf.set_line_width(0.2)

    heading_row = _layout_row(pdf, headings, widths, bold=True)
    _draw_row(pdf, heading_row, HEADINGS)
    for criterion in report.criteria:
        cells = [
            (f"{criterion.title} ({criterion.group_label})", "L"),
            *(
                ("—" if criterion.ratings.get(r) is None else str(criterion.ratings[r]), "C")
                for r in raters
            ),
            ("—" if criterion.combined is None else str(criterion.combined), "C"),
            (criterion.anchor or "", "L"),
            ("\n".join(f"{n.by}{labels['colon']}{_excerpt(n.text)}" for n in criterion.notes), "L"),
        ]
        # A row never splits: when it does not fit, it starts the next page, under the headings.
        row = _layout_row(pdf, cells, widths)
        if pdf.get_y() + row[1] > pdf.page_break_trigger:
            pdf.add_page()
            _draw_row(pdf, heading_row, HEADINGS)
        _draw_row(pdf, row, TO_CALIBRATE if criterion.needs_calibration else None)
    pdf.set_font(FAMILY, "", 9.5)
    long_notes = [
        (criterion.title, note)
        for criterion in report.criteria
        for note in criterion.notes
        if _excerpt(note.text) != note.text
    ]
    if long_notes:
        # A table row cannot split across pages: notes longer than an excerpt follow in full,
        # as paragraphs, which wrap and continue on the next page.
        _heading(pdf, labels["notes"])
        for title, note in long_notes:
            pdf.set_font(FAMILY, "B", 9.5)
            _para(pdf, f"{title} — {note.by}")
            pdf.set_font(FAMILY, "", 9.5)
            _para(pdf, note.text)


def _excerpt(text: str) -> str:
    """The start of a note, short enough for a table cell (the rest follows the table)."""
    if len(text) <= EXCERPT:
        return text
    return text[: EXCERPT - 1].rstrip() + "…"
