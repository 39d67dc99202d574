"""A verdict written lazily from its facts behaves as the validated model it stands for.

`Verdict.of_facts` builds the model by hand and renders its texts on first read (see
app/scoring/verdict.py): whoever holds one (FastAPI, the reports, a copy) must not tell it from a
verdict validated at once.
"""

import copy
import uuid
from typing import Any

import pytest

import app.scoring.engine as engine
import app.scoring.verdict as verdict_module
from app.assessments.models import CandidateVerdict
from app.scoring import Answers, PanelMember, combine, parse_answers, score
from app.scoring.panel import panel_facts
from app.scoring.verdict import Facts, PanelVerdict, Verdict
from tests.factories import criterion, document, flag, rubric

SMALL = rubric(
    document(
        criteria=[criterion("alpha", "core", 3), criterion("beta", "core", 1)],
        flags=[flag("warn_one"), flag("deal_one", "dealbreaker")],
    )
)


def lazy_verdict() -> Verdict:
    return score(SMALL, parse_answers(SMALL, {"ratings": {"alpha": 3, "beta": 2}}))


def test_a_lazy_verdict_equals_the_same_verdict_validated_at_once() -> None:
    lazy = lazy_verdict()
    validated = Verdict.model_validate(lazy_verdict().model_dump())
    assert lazy == validated
    assert lazy.model_dump() == validated.model_dump()
    assert lazy.model_fields_set == validated.model_fields_set == set(Verdict.model_fields)
    assert lazy.model_dump(exclude_unset=True) == validated.model_dump()
    assert lazy.model_extra is None


def test_the_fields_set_are_all_fields_before_and_after_the_texts_are_written() -> None:
    assert lazy_verdict().model_fields_set == set(Verdict.model_fields)  # read first
    assert lazy_verdict().model_extra is None  # read first
    lazy = lazy_verdict()
    assert lazy.recommendation == "hold"  # an eager field: nothing written yet
    assert lazy.model_dump(exclude_unset=True)["reasons"]  # written on the way
    assert lazy.model_fields_set == set(Verdict.model_fields)
    assert copy.deepcopy(lazy) == lazy


def test_the_texts_are_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = verdict_module.render

    def counting(*args: object) -> dict[str, object]:
        calls.append("render")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(verdict_module, "render", counting)
    lazy = lazy_verdict()
    assert lazy.score > 0 and calls == []
    first = lazy.reasons
    lazy.model_dump()
    lazy.model_dump_json()
    assert lazy.reasons is first
    assert calls == ["render"]


def test_an_unknown_attribute_is_refused_by_its_name() -> None:
    with pytest.raises(AttributeError, match="no_such_field"):
        lazy_verdict().no_such_field  # noqa: B018


def test_fields_beyond_the_facts_are_kept() -> None:
    member = PanelMember("Ana", Answers.model_validate({"ratings": {"alpha": 3, "beta": 3}}))
    candidate_id, assessment_id = uuid.uuid4(), uuid.uuid4()
    v = CandidateVerdict.of_facts(
        SMALL,
        panel_facts(SMALL, [member]),
        "en",
        candidate_id=candidate_id,
        assessments=[assessment_id],
    )
    assert (v.candidate_id, v.assessments) == (candidate_id, [assessment_id])
    assert v.model_dump()["candidate_id"] == candidate_id
    assert v.interviewers[0].name == "Ana"


def test_a_panel_verdict_holds_the_panel_fields_and_a_single_one_does_not() -> None:
    member = PanelMember("Ana", Answers.model_validate({"ratings": {"alpha": 3}}))
    panel = combine(SMALL, [member], "en")
    assert isinstance(panel, PanelVerdict)
    dumped = panel.model_dump()
    assert (dumped["calibration"], dumped["agreement_words"]) == ([], None)
    assert [p["name"] for p in dumped["interviewers"]] == ["Ana"]
    assert "interviewers" not in lazy_verdict().model_dump()


def test_a_scored_verdict_works_out_its_facts_when_its_texts_are_first_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = engine._assessed

    def counting(*args: Any) -> Facts:
        calls.append("facts")
        return real(*args)

    monkeypatch.setattr(engine, "_assessed", counting)
    answers = parse_answers(SMALL, {"ratings": {"alpha": 3}, "flags": ["warn_one"]})
    lazy = score(SMALL, answers, "en")
    assert (lazy.recommendation, lazy.settle, lazy.language) == ("incomplete", ["beta"], "en")
    assert calls == []
    assert [f.id for f in lazy.flags] == ["warn_one"]
    assert lazy == Verdict.of_facts(SMALL, engine.assess(SMALL, answers), "en")
    assert calls == ["facts"]


def test_a_verdict_of_a_decision_holds_the_head_at_once_and_the_rest_on_first_read() -> None:
    answers = parse_answers(SMALL, {"ratings": {"alpha": 3, "beta": 2}})
    facts = engine.assess(SMALL, answers)
    made: list[str] = []

    def later() -> Facts:
        made.append("facts")
        return facts

    shown = {k: facts[k] for k in list(facts)[:8]}
    v = Verdict.of_decided(SMALL, shown, later, "fr")
    assert (v.score, v.coverage, v.language, made) == (facts["score"], 1.0, "fr", [])
    assert v == Verdict.of_facts(SMALL, facts, "fr")
    assert made == ["facts"]
    assert v.model_fields_set == set(Verdict.model_fields)
