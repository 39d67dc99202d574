"""Shared fixtures: the shipped rubric, loaded once."""

import pytest

from app.core.config import shipped_criteria_dir
from app.rubric import Rubric, load_rubrics


@pytest.fixture(scope="session")
def shipped() -> Rubric:
    """The rubric under criteria/, as the service loads it."""
    return load_rubrics(shipped_criteria_dir())["social-media-screen"]
