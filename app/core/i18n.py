"""The two languages of every user-facing text, and how numbers read in each."""

from datetime import UTC, datetime, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from babel import dates

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Language = "en"


def format_number(value: float, language: Language, decimals: int = 1) -> str:
    """Format a number for a reader: '72.5' in English, '72,5' in French; no trailing '.0'."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if language == "fr" else text


def format_percent(share: float, language: Language) -> str:
    """Format a share in [0, 1] as a percentage ('85 %' with a narrow no-break space in French)."""
    number = format_number(share * 100, language, decimals=0)
    return f"{number}\u202f%" if language == "fr" else f"{number}%"


def negotiate_language(query: str | None, accept_language: str | None) -> Language:
    """`?lang=` first, else the best of Accept-Language (with q-values), else the default."""
    if query in LANGUAGES:
        return query
    best: tuple[float, Language] | None = None
    for part in (accept_language or "").split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower().split("-")[0]
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in LANGUAGES and quality > 0 and (best is None or quality > best[0]):
            best = (quality, tag)
    return best[1] if best else DEFAULT_LANGUAGE


def reader_zone(name: str | None = None) -> tzinfo:
    """The readers' time zone: `name` (TAMIS_TIMEZONE), Europe/Paris by default."""
    return ZoneInfo(name or "Europe/Paris")


def format_datetime(moment: datetime, language: Language, zone: tzinfo = UTC) -> str:
    """A date and time for a reader in `zone`: '22 nov. 2026, 14:20 UTC+1' / 'Nov 22, 2026, ...'."""
    pattern = "d MMM y, HH:mm" if language == "fr" else "MMM d, y, h:mm a"
    local = moment.astimezone(zone)
    suffix = " UTC" if zone is UTC else " " + dates.get_timezone_gmt(local, "long", locale=language)
    return dates.format_datetime(moment, pattern, tzinfo=zone, locale=language) + suffix


def format_time(moment: datetime, language: Language, zone: tzinfo) -> str:
    """A time of day for a reader in `zone`: '17:39' in both languages."""
    return dates.format_time(moment, "HH:mm", tzinfo=zone, locale=language)


def format_date(moment: datetime, language: Language) -> str:
    """A date for a reader: '22 nov. 2026' / 'Nov 22, 2026'."""
    return dates.format_date(moment.astimezone(UTC).date(), "medium", locale=language)
