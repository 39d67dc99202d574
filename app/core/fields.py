"""Where an input is wrong: a field path as a reader writes it, and one field at fault.

The ground floor for every domain's validation: scoring, rubric files, the API's problem details.
"""

from collections.abc import Sequence
from dataclasses import dataclass

PathPart = str | int


def format_path(parts: Sequence[PathPart]) -> str:
    """Render a field path the way a reader writes it: `criteria[3].anchors.2.fr`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class FieldError:
    """One invalid field: where, what is wrong, and which values would be valid."""

    loc: str
    message: str
    valid: Sequence[str | int] | None = None

    def __str__(self) -> str:
        valid = f" (valid: {', '.join(map(str, self.valid))})" if self.valid else ""
        return f"{self.loc}: {self.message}{valid}"
