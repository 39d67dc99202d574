"""Rendering the pages: one Jinja2 environment, the reader's language, dates and numbers."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from app.core.i18n import (
    LANGUAGES,
    Language,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_time,
    negotiate_language,
    reader_zone,
)
from app.core.templates import environment
from app.reports.labels import word
from app.scoring.messages import RECOMMENDATION_LABELS
from app.web.cookies import LANG_COOKIE
from app.web.text import TEXT

TEMPLATES = Path(__file__).parent / "templates"


def highlight(text: str, suggestions: list[dict[str, Any]]) -> Markup:
    """`text`, escaped, with the quoted evidence of the suggestions in <mark> (titled by flag)."""
    spans = sorted((e["start"], e["end"], s["title"]) for s in suggestions for e in s["evidence"])
    parts: list[str] = []
    position = 0
    for start, end, title in spans:
        if start < position:
            continue  # overlapping quotes of two flags: the first one is marked
        parts.append(str(escape(text[position:start])))
        parts.append(f'<mark title="{escape(title)}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped


def language_of(request: Request) -> Language:
    """`?lang=`, else the language cookie, else Accept-Language, else English."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return negotiate_language(asked, None)
    return negotiate_language(
        request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )


def page(
    request: Request,
    template: str,
    status: int = 200,
    language: Language | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render `template` for the request's reader (or in `language` when given)."""
    language = language or language_of(request)

    zone = reader_zone(request.app.state.settings.timezone)

    def when(moment: datetime | None) -> str:
        return format_datetime(moment, language, zone) if moment else ""

    def clock(moment: datetime | None) -> str:
        return format_time(moment, language, zone) if moment else ""

    def day(moment: datetime | None) -> str:
        return format_date(moment, language) if moment else ""

    def number(value: float | None, decimals: int = 1) -> str:
        return "" if value is None else format_number(value, language, decimals)

    def percent(value: float | None) -> str:
        return "" if value is None else format_percent(value, language)

    html = (
        environment(TEMPLATES)
        .get_template(template)
        .render(
            request=request,
            lang=language,
            other_lang="en" if language == "fr" else "fr",
            t=TEXT[language],
            principal=getattr(request.state, "principal", None),
            csrf_token=getattr(request.state, "csrf_token", None),
            recommendation_label=RECOMMENDATION_LABELS[language],
            word=lambda key: word(language, key),
            when=when,
            clock=clock,
            day=day,
            number=number,
            percent=percent,
            highlight=highlight,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, language, max_age=365 * 86400, httponly=True, samesite="lax"
        )
    return response
