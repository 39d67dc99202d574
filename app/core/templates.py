"""Jinja2 environments for the HTML Tamis renders: every value escaped unless marked safe."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape


@cache
def environment(folder: Path) -> Environment:
    """The templates under `folder`, autoescaped (HTML), with tidy whitespace."""
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
