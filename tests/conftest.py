"""Shared fixtures: the shipped rubric, loaded once."""

import pytest
from hypothesis import settings

from app.core.config import shipped_criteria_dir
from app.rubric import Rubric, load_rubrics

# Examples are derandomised (a run is reproducible) and not timed: the machine is shared.
settings.register_profile("tamis", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("tamis")


@pytest.fixture(scope="session")
def shipped() -> Rubric:
    """The rubric under criteria/, as the service loads it."""
    return load_rubrics(shipped_criteria_dir())["social-media-screen"]
