"""The candidate report as one self-contained, printable HTML page (Jinja2, autoescaped)."""

from datetime import UTC, datetime, tzinfo
from pathlib import Path

from app.core.i18n import format_datetime, format_number, format_percent
from app.core.templates import environment
from app.reports.model import CandidateReport

TEMPLATES = Path(__file__).parent / "templates"


def render(report: CandidateReport, zone: tzinfo = UTC) -> str:
    """The report as HTML in the report's language, times in `zone`."""
    language = report.language

    def number(value: float, decimals: int = 1) -> str:
        return format_number(value, language, decimals)

    def percent(share: float) -> str:
        return format_percent(share, language)

    def when(moment: datetime) -> str:
        return format_datetime(moment, language, zone)

    return (
        environment(TEMPLATES)
        .get_template("report.html")
        .render(r=report, L=report.labels, number=number, percent=percent, datetime=when)
    )
