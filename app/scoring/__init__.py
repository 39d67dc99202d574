"""The scoring engine: pure functions from a rubric and answers to an explained verdict."""

from app.scoring.answers import Answers, AnswersError, FieldError, RaisedFlag, parse_answers
from app.scoring.engine import score
from app.scoring.panel import PanelMember, combine
from app.scoring.verdict import PanelVerdict, Verdict

__all__ = [
    "Answers",
    "AnswersError",
    "FieldError",
    "PanelMember",
    "PanelVerdict",
    "RaisedFlag",
    "Verdict",
    "combine",
    "parse_answers",
    "score",
]
