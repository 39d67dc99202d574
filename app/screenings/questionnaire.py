"""Reading criteria/self-screen/*.yaml: the questions of each rubric's self-screen."""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.fields import format_path
from app.rubric.loader import RubricError, RubricIssue
from app.rubric.model import Rubric

FOLDER = "self-screen"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A question in both languages."""

    fr: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)


class Question(_Strict):
    """One open question, tied to the criterion it informs."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    criterion: str
    text: Text


class Questionnaire(_Strict):
    """A rubric's self-screen: 5 to 7 questions."""

    rubric: str
    questions: list[Question] = Field(min_length=5, max_length=7)


def load_all(directory: Path, rubrics: dict[str, Rubric]) -> dict[str, Questionnaire]:
    """Every questionnaire under `directory/self-screen/`, by rubric id."""
    folder = directory / FOLDER
    found: dict[str, Questionnaire] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.yaml")):
        name = str(path)
        try:
            document = Questionnaire.model_validate(yaml.safe_load(path.read_text("utf-8")))
        except (OSError, yaml.YAMLError) as exc:
            raise RubricError([RubricIssue(name, "", f"cannot read the file: {exc}")]) from exc
        except ValidationError as exc:
            raise RubricError(
                [RubricIssue(name, format_path(e["loc"]), e["msg"]) for e in exc.errors()]
            ) from exc
        rubric = rubrics.get(document.rubric)
        if rubric is None:
            raise RubricError([RubricIssue(name, "rubric", f"no rubric '{document.rubric}'")])
        issues = [
            RubricIssue(name, f"questions[{i}].criterion", f"no criterion '{q.criterion}'")
            for i, q in enumerate(document.questions)
            if q.criterion not in rubric.criteria_by_id
        ]
        if issues:
            raise RubricError(issues)
        found[document.rubric] = document
    return found
