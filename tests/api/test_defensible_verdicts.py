"""The verdicts a hiring team must be able to defend, on the shipped rubric, through the API
(POST /rubrics/{id}/score and a submitted scorecard) and `tamis score`.

Each row is a case a review found indefensible under rules version 1, with the outcome the seed
texts and common sense require.
"""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api
from tests.api.test_verdict_replay import SIX_WARNINGS
from tests.commands import tamis
from tests.rubric.test_shipped_rubric import ALL, CORE, DEPTH


def rated(level: int, **changes: Any) -> dict[str, Any]:
    return {**dict.fromkeys(ALL, level), **changes}


TWO_DEPTH = ["communication_strategy", "listening_and_dialogue"]
# (name, answers, recommendation, possible recommendations or None)
ROWS: list[tuple[str, dict[str, Any], str, list[str] | None]] = [
    # Seed 002 point 6, "passez votre chemin": level 1 means exactly cannot_measure_impact.
    ("impact cannot be measured", {"ratings": rated(4, measures_impact=1)}, "no_hire", None),
    # Level 1 restates followers_as_proof / constant_marketer.
    ("followers as proof", {"ratings": rated(4, influence_over_audience=1)}, "no_hire", None),
    ("constant marketer", {"ratings": rated(4, conversation_not_promotion=1)}, "no_hire", None),
    # Warnings add up: from two on, hold at most.
    ("six warnings", {"ratings": rated(4), "flags": SIX_WARNINGS}, "hold", None),
    # The guru of seed 000.
    (
        "the guru",
        {"ratings": rated(4, context_fit=1), "flags": ["one_true_way", "self_proclaimed_expert"]},
        "hold",
        None,
    ),
    ("all 3, two depth at 2", {"ratings": rated(3, **dict.fromkeys(TWO_DEPTH, 2))}, "hold", None),
    # Rating fewer criteria never gives a better verdict.
    (
        "the same, those two unrated",
        {"ratings": {k: v for k, v in rated(3).items() if k not in TWO_DEPTH}},
        "incomplete",
        ["hold", "hire"],
    ),
    (
        "the same, those two not observed",
        {"ratings": rated(3, **dict.fromkeys(TWO_DEPTH, "not_observed"))},
        "incomplete",
        ["hold", "hire"],
    ),
    # Nothing is known of the depth criteria.
    ("core at 4, depth unrated", {"ratings": dict.fromkeys(CORE, 4)}, "incomplete", None),
]


def check(name: str, verdict: dict[str, Any], expected: str, possible: list[str] | None) -> None:
    assert verdict["recommendation"] == expected, name
    assert verdict["rules_version"] == 2
    if possible is not None:
        assert verdict["possible"] == possible, name
    if expected == "incomplete":
        assert len(verdict["possible"]) >= 2 and verdict["settle"], name
        if name.startswith("the same"):
            assert verdict["settle"] == TWO_DEPTH  # "ask about" exactly what is missing
        if name.startswith("core"):
            assert set(verdict["settle"]) <= set(DEPTH)
            assert "strong_hire" in verdict["possible"]


@pytest.mark.parametrize(("name", "answers", "expected", "possible"), ROWS)
def test_score_endpoint(
    client: TestClient,
    name: str,
    answers: dict[str, Any],
    expected: str,
    possible: list[str] | None,
) -> None:
    response = client.post("/api/v1/rubrics/social-media-screen/score", json=answers)
    assert response.status_code == 200, response.text
    check(name, response.json(), expected, possible)


def test_the_contradiction_is_never_silent(api: Api, client: TestClient) -> None:
    answers = {"ratings": rated(4), "flags": ["self_proclaimed_expert"]}
    verdict = client.post("/api/v1/rubrics/social-media-screen/score", json=answers).json()
    assert {(c["flag"], c["criterion"]) for c in verdict["contradictions"]} == {
        ("self_proclaimed_expert", "continuous_learning")
    }
    cid = api.candidate()["id"]
    body = {"interviewer": {"name": "Ana", "email": "ana@example.org"}, "status": "submitted"}
    refused = client.post(f"/api/v1/candidates/{cid}/assessments", json={**body, **answers})
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["errors"]] == ["notes.continuous_learning"]
    note = {"continuous_learning": "calls himself an expert, yet named three lessons learnt"}
    accepted = api.assessment(cid, "Ana", answers["ratings"], flags=answers["flags"], notes=note)
    assert accepted["verdict"]["contradictions"][0]["criterion"] == "continuous_learning"


def test_submitted_scorecards_give_the_same_outcomes(api: Api) -> None:
    for name, answers, expected, possible in ROWS:
        scored = api.ok("POST", "/api/v1/rubrics/social-media-screen/score", json=answers)
        # A contradiction (a flag raised or implied against a top rating) needs a note.
        notes = {c["criterion"]: "explained" for c in scored["contradictions"]}
        cid = api.candidate(external_id=name)["id"]
        scorecard = api.assessment(
            cid, "Ana", answers["ratings"], flags=answers.get("flags", []), notes=notes
        )
        check(name, scorecard["verdict"], expected, possible)
        panel = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
        check(name, panel, expected, possible)


def test_tamis_score_gives_the_same_outcomes() -> None:
    lines = "".join(json.dumps({"id": name, **answers}) + "\n" for name, answers, *_ in ROWS)
    result = tamis(None, "score", "--lang", "en", stdin=lines)
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    for (name, _answers, expected, possible), verdict in zip(ROWS, verdicts, strict=True):
        assert verdict["id"] == name
        check(name, verdict, expected, possible)
