"""The rubric as data: file schemas, loading and validation, the loaded Rubric."""

from app.rubric.loader import RubricError, RubricIssue, load_rubric_file, load_rubrics
from app.rubric.model import Rubric, RubricCriterion

__all__ = [
    "Rubric",
    "RubricCriterion",
    "RubricError",
    "RubricIssue",
    "load_rubric_file",
    "load_rubrics",
]
