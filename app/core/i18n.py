"""The two languages of every user-facing text, and how numbers read in each."""

from typing import Literal

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
