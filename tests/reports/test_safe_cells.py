"""CSV injection: every character that makes a spreadsheet read a cell as a formula is defused.

The API refuses most of them at the start of a name (a tab, a carriage return), so the rule is
checked here on its own, for each character, as well as through the export in tests/api.
"""

import pytest

from app.reports.exports import safe_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_leading_formula_character_gets_a_quote(start: str) -> None:
    assert safe_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert safe_cell(start) == f"'{start}"


@pytest.mark.parametrize("value", ["Zoë", "a=b", " =1", "", "'a", "1+1"])
def test_other_texts_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_a_text_that_already_looks_quoted_gets_one_more_quote() -> None:
    """The reading rule (drop one `'` before a formula character) gives back `'=1` itself."""
    assert safe_cell("'=1") == "''=1"


@pytest.mark.parametrize("value", [None, 3, -2.5, True])
def test_values_that_are_not_text_are_left_alone(value: object) -> None:
    assert safe_cell(value) is value
