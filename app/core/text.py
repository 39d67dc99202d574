"""Text field types for API input: bounded, and free of NUL characters (which PostgreSQL refuses).

Refusing NUL at validation keeps SQLite and PostgreSQL alike and names the field at fault.
"""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


# The rules below as the schemas state them (validation keeps its own clearer messages):
# no NUL anywhere; something besides whitespace.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

# A name, a title, an identifier from another system: one short line, not empty once trimmed.
Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]
# Free text: notes, summaries, descriptions, rationales (may be empty).
Paragraph = Annotated[
    str,
    StringConstraints(max_length=20_000),
    AfterValidator(_no_nul),
    Field(json_schema_extra={"pattern": NO_NUL}),
]
# Free text that must say something (e.g. the reason for an amendment).
Statement = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000),
    AfterValidator(_no_nul),
    Field(json_schema_extra={"pattern": NOT_BLANK}),
]
