"""The candidate report as a PDF document, made with fpdf2.

fpdf2 is pure Python and installs from PyPI with no system library (WeasyPrint needs Pango,
reportlab's tables are heavier to drive); it embeds TrueType fonts, subset, so French accents and
typographic quotes print. The font is DejaVu Sans, shipped in `fonts/` with its licence.
"""

from datetime import UTC, tzinfo
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace

from app.core.i18n import format_datetime, format_number, format_percent
from app.reports.model import CandidateReport

FONTS = Path(__file__).parent / "fonts"
# Characters of a note shown in a table cell; a longer note follows the table in full.
EXCERPT = 240
LONGEST_WORD = 60
FAMILY = "DejaVu"
INK, MUTED, ACCENT, AMBER = (27, 31, 36), (85, 95, 109), (11, 92, 173), (191, 135, 0)
COLOURS = {
    "strong_hire": (17, 99, 41),
    "hire": (17, 99, 41),
    "hold": (125, 78, 0),
    "no_hire": (164, 14, 38),
    "incomplete": MUTED,
}


class _Document(FPDF):
    """A page with the report's header and a numbered footer."""

    def __init__(self, report: CandidateReport, zone: tzinfo = UTC) -> None:
        super().__init__(format="A4")
        self.report, self.zone = report, zone
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        labels = report.labels
        name = report.candidate.full_name if not report.candidate.erased else labels["erased"]
        self.set_title(f"{labels['title']} — {name}")
        self.set_author("Tamis")
        self.set_lang(report.language)
        self.alias_nb_pages()

    def header(self) -> None:
        labels = self.report.labels
        name = (
            self.report.candidate.full_name
            if not self.report.candidate.erased
            else labels["erased"]
        )
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"Tamis — {labels['title']} — {name}", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(208, 215, 222)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        labels = self.report.labels
        generated = format_datetime(self.report.generated_at, self.report.language, self.zone)
        self.cell(0, 5, f"{labels['generated_at']} {generated}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{labels['page']} {self.page_no()}/{{nb}}", align="R")


def _heading(pdf: _Document, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9.5)


def _para(pdf: _Document, text: str, colour: tuple[int, int, int] = INK) -> None:
    """A paragraph of any length: it wraps (a word wider than the page is cut by character)
    and continues on the next page."""
    pdf.set_text_color(*colour)
    pdf.multi_cell(
        0,
        5,
        text,
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
        wrapmode=WrapMode.CHAR if _unbroken(text) else WrapMode.WORD,
    )
    pdf.set_text_color(*INK)


def _unbroken(text: str) -> bool:
    """True when a word is too long to wrap at spaces."""
    return any(len(word) > LONGEST_WORD for word in text.split())


def _chart(pdf: _Document, report: CandidateReport) -> None:
    """Horizontal bars: the panel rating of each criterion on the scale, dots for each rating."""
    left, width, row = pdf.l_margin + 62, pdf.epw - 70, 5.5
    span = report.scale_max - report.scale_min + 1
    needed = row * len(report.criteria) + 8
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_draw_color(208, 215, 222)
    for level in range(report.scale_min, report.scale_max + 1):
        x = left + width * (level - report.scale_min + 1) / span
        pdf.line(x, top, x, top + row * len(report.criteria))
        pdf.text(x - 1, top + row * len(report.criteria) + 4, str(level))
    for index, criterion in enumerate(report.criteria):
        y = top + index * row
        title = criterion.title if len(criterion.title) <= 44 else criterion.title[:43] + "…"
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(60, row, title, align="R")
        if criterion.combined is not None:
            pdf.set_fill_color(*(AMBER if criterion.needs_calibration else ACCENT))
            length = width * (criterion.combined - report.scale_min + 1) / span
            pdf.rect(left, y + 1, length, row - 2, style="F")
        else:
            pdf.set_text_color(*MUTED)
            pdf.text(left + 1, y + row - 1.5, report.labels["not_rated"])
            pdf.set_text_color(*INK)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(*INK)
        for rating in criterion.ratings.values():
            if rating is not None:
                x = left + width * (rating - report.scale_min + 1) / span
                pdf.circle(x, y + row / 2, 0.9, style="DF")
        pdf.set_draw_color(208, 215, 222)
    pdf.set_y(top + row * len(report.criteria) + 7)
    pdf.set_font(FAMILY, "", 9.5)


def render(report: CandidateReport, zone: tzinfo = UTC) -> bytes:
    """The report as PDF bytes, times in `zone`."""
    language, labels = report.language, report.labels
    pdf = _Document(report, zone)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    name = report.candidate.full_name if not report.candidate.erased else labels["erased"]
    pdf.multi_cell(0, 9, name, new_x="LMARGIN", new_y="NEXT")
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
    pdf.set_text_color(*COLOURS[verdict.recommendation])
    pdf.multi_cell(
        0,
        7,
        f"{labels['recommendation']}{colon}{verdict.recommendation_label}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
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


def _criteria_table(pdf: _Document, report: CandidateReport) -> None:
    labels = report.labels
    raters = report.interviewers
    # A rating column is as wide as the longest word of its heading: a name never breaks.
    pdf.set_font(FAMILY, "B", 8)
    words = [w for name in [*raters, labels["combined"]] for w in name.split()]
    rating_width = max(11.0, *(pdf.get_string_width(w) + 3 for w in words))
    if rating_width * (len(raters) + 1) > pdf.epw * 0.45:  # too wide: initials, and a key
        initials = {r: "".join(w[0] for w in r.split() if w) or r for r in raters}
        _para(pdf, " · ".join(f"{initials[r]} = {r}" for r in raters), MUTED)
        raters_shown = [initials[r] for r in raters]
        rating_width = max(11.0, *(pdf.get_string_width(w) + 3 for w in raters_shown))
    else:
        raters_shown = list(raters)
    rest = pdf.epw - rating_width * (len(raters) + 1)
    widths = (rest * 0.28, *([rating_width] * (len(raters) + 1)), rest * 0.36, rest * 0.36)
    pdf.set_font(FAMILY, "", 8)
    headings = FontFace(emphasis="BOLD", fill_color=(246, 248, 250))
    with pdf.table(
        col_widths=widths, headings_style=headings, line_height=4, text_align="LEFT"
    ) as table:
        table.row(
            [
                labels["criterion"],
                *raters_shown,
                labels["combined"],
                labels["anchor"],
                labels["notes"],
            ]
        )
        for criterion in report.criteria:
            style = FontFace(fill_color=(255, 248, 229)) if criterion.needs_calibration else None
            row = table.row(style=style)
            row.cell(f"{criterion.title} ({criterion.group_label})")
            for rater in raters:
                rating = criterion.ratings.get(rater)
                row.cell("—" if rating is None else str(rating), align="CENTER")
            row.cell("—" if criterion.combined is None else str(criterion.combined), align="CENTER")
            row.cell(criterion.anchor or "")
            row.cell(
                "\n".join(f"{n.by}{labels['colon']}{_excerpt(n.text)}" for n in criterion.notes)
            )
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
