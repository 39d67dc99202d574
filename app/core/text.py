"""Text field types for API input: bounded, and free of NUL characters (which PostgreSQL refuses).

Refusing NUL at validation keeps SQLite and PostgreSQL alike and names the field at fault.
"""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


# A name, a title, an identifier from another system: one short line, not empty.
Line = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_nul),
]
# Free text: notes, summaries, descriptions, rationales (may be empty).
Paragraph = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_no_nul)]
# Free text that must say something (e.g. the reason for an amendment).
Statement = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000),
    AfterValidator(_no_nul),
]
