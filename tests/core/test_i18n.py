"""Language negotiation (Accept-Language with q-values) and how numbers and dates read."""

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.i18n import (
    format_date,
    format_datetime,
    format_number,
    format_percent,
    negotiate_language,
)


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "en"),
        (None, "", "en"),
        (None, "fr", "fr"),
        (None, "FR-ca", "fr"),  # case and region do not matter
        (None, "en;q=0.5, fr;q=0.8", "fr"),  # the higher q wins, not the first
        (None, "fr;q=0.5, en;q=0.8", "en"),
        (None, "de, fr;q=0.1", "fr"),  # a language Tamis does not speak is passed over
        (None, "de", "en"),
        (None, "fr;q=0, de", "en"),  # q=0 means "not this one"
        (None, "fr;q=0, en;q=0.001", "en"),
        (None, "fr;q=abc, en;q=0.2", "en"),  # an unreadable q counts as 0
        (None, "en;q=0.9, fr;q=0.9", "en"),  # a tie goes to the first named
        (None, "fr;q=0.9, en;q=0.9", "fr"),
        (None, "fr ; q=0.5 , en;q=0.4", "fr"),  # spaces around the parts
        (None, "fr;level=1;q=0.2, en;q=0.1", "fr"),  # other parameters are ignored
        (None, "en;q=0.1, fr", "fr"),  # no q means 1
        (None, "en;q=1.0, fr", "en"),  # ... exactly 1: a tie, the first named wins
        (None, "fr;q=0=1, en;q=0.5", "en"),  # a q with two "=" is unreadable: 0
        ("fr", "en", "fr"),  # ?lang= comes first
        ("en", "fr", "en"),
        ("de", "fr", "fr"),  # an unknown ?lang= is ignored
    ],
)
def test_negotiate_language(query: str | None, header: str | None, expected: str) -> None:
    assert negotiate_language(query, header) == expected


@pytest.mark.parametrize(
    ("value", "language", "decimals", "expected"),
    [
        (72.5, "en", 1, "72.5"),
        (72.5, "fr", 1, "72,5"),
        (72.0, "en", 1, "72"),  # no trailing ".0"
        (72.0, "fr", 1, "72"),
        (70.0, "en", 0, "70"),  # zeros before the point stay
        (100.0, "en", 1, "100"),
        (0.25, "en", 2, "0.25"),
        (0.5, "fr", 2, "0,5"),
        (-0.04, "en", 1, "0"),  # no "-0"
        (-1.5, "fr", 1, "-1,5"),
    ],
)
def test_format_number(value: float, language: str, decimals: int, expected: str) -> None:
    assert format_number(value, language, decimals) == expected  # type: ignore[arg-type]


def test_format_number_defaults_to_one_decimal() -> None:
    assert format_number(2.25, "en") == "2.2"  # round half to even: one decimal by default
    assert format_number(2.26, "en") == "2.3"


def test_format_percent() -> None:
    assert format_percent(0.855, "en") == "86%"
    assert format_percent(0.855, "fr") == "86\u202f%"  # a narrow no-break space in French
    assert format_percent(1.0, "fr") == "100\u202f%"
    assert format_percent(0.0, "en") == "0%"


def test_dates_read_in_utc_in_each_language() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 22, 14, 20, tzinfo=paris)  # 13:20 UTC
    assert format_datetime(moment, "fr") == "22 nov. 2026, 13:20 UTC"
    assert format_datetime(moment, "en") == "Nov 22, 2026, 1:20 PM UTC"
    late = datetime(2026, 11, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30 UTC
    assert format_date(late, "en") == "Nov 23, 2026"
    assert format_date(late, "fr") == "23 nov. 2026"
    assert format_date(datetime(2026, 1, 5, tzinfo=UTC), "fr") == "5 janv. 2026"


def test_a_date_is_the_utc_day_whatever_the_servers_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    late = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    for zone in ("Asia/Tokyo", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        try:
            assert format_date(late, "en") == "Nov 22, 2026"
        finally:
            monkeypatch.delenv("TZ")
            time.tzset()
