"""The `tamis` command, run as a user runs it: a separate process, files and pipes."""

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from tests.factories import shipped_document, write_rubric
from tests.rubric.test_shipped_rubric import ALL, CORE

TAMIS = str(Path(sys.executable).parent / "tamis")


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TAMIS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_validate_the_shipped_rubric() -> None:
    result = run("criteria", "validate")
    assert result.returncode == 0, result.stderr
    assert "1 rubric(s) valid" in result.stdout
    assert "18 criteria, 14 red flags, 5 role questions" in result.stdout


def test_validate_a_copy_with_a_negative_weight(tmp_path: Path) -> None:
    doc = shipped_document()
    doc["criteria"][2]["weight"] = -1
    path = write_rubric(tmp_path, doc)
    result = run("criteria", "validate", str(tmp_path))
    assert result.returncode == 1
    assert str(path) in result.stderr
    assert "criteria[2].weight" in result.stderr
    assert "greater than 0" in result.stderr
    # The environment variable is honoured the same way.
    from_env = run("criteria", "validate", env={"TAMIS_CRITERIA_DIR": str(tmp_path)})
    assert from_env.returncode == 1
    assert "criteria[2].weight" in from_env.stderr


def test_show_json_carries_every_identifier_in_both_languages(shipped: Rubric) -> None:
    result = run("criteria", "show", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "social-media-screen"
    assert data["version"] == shipped.version
    assert data["scale"] == {"min": 1, "max": 4}
    assert set(data["thresholds"]) == {"strong_hire", "hire", "hold"}
    assert len(data["criteria"]) == 18
    assert len(data["flags"]) == 14
    assert len(data["role_questions"]) == 5
    for c in data["criteria"]:
        assert c["title"]["fr"]
        assert c["title"]["en"]
        assert sorted(c["anchors"]) == ["1", "2", "3", "4"]
        for anchor in c["anchors"].values():
            assert anchor["fr"]
            assert anchor["en"]
        assert c["questions"]["fr"]
        assert c["questions"]["en"]
        assert c["source"]["seed"]
    for f in data["flags"]:
        assert f["title"]["fr"]
        assert f["title"]["en"]
        assert f["severity"] in ("dealbreaker", "warning")
    for q in data["role_questions"]:
        assert q["question"]["fr"]
        assert q["warning"]["en"]


def test_show_as_text() -> None:
    result = run("criteria", "show", "--lang", "fr")
    assert result.returncode == 0
    assert "Mesure de l’impact" in result.stdout


def test_score_good_and_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a", "ratings": dict.fromkeys(ALL, 4)}),
        json.dumps({"ratings": {"measures_impact": 7}}),
        "{not json",
        "",
        json.dumps(
            {
                "id": "b",
                "ratings": dict.fromkeys(ALL, 4),
                "flags": ["followers_as_proof"],
                "language": "fr",
            }
        ),
        json.dumps([1, 2]),
    ]
    result = run("score", stdin="\n".join(lines) + "\n")
    assert result.returncode == 1
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(v["id"], v["recommendation"]) for v in verdicts] == [
        ("a", "strong_hire"),
        ("b", "no_hire"),
    ]
    assert "«\u202fLes abonnés comme preuve\u202f»" in verdicts[1]["reasons"][0]["text"]
    assert (
        "«\u202fN’engagez jamais un “Expert en Réseaux Sociaux”\u202f!\u202f», point 2"
        in (verdicts[1]["reasons"][0]["text"])
    )
    errors = result.stderr.splitlines()
    assert (
        errors[0] == "line 2: ratings.measures_impact: rating 7 is off the scale 1–4 "
        "(valid: 1, 2, 3, 4, not_observed)"
    )
    assert errors[1].startswith("line 3: invalid JSON")
    assert errors[2].startswith("line 6: (line): each line must be a JSON object")
    assert errors[-1] == "3 line(s) could not be scored."


def test_score_a_file_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(
        json.dumps(
            {
                "ratings": {"measures_impact": 3, "context_fit": 2},
                "flags": [{"id": "vanity_metrics", "note": "x"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    first, second = run("score", str(path)), run("score", str(path))
    assert first.returncode == 0
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["recommendation"] == "incomplete"
    missing = run("score", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr


def test_score_a_panel_line() -> None:
    line = {
        "panel": [
            {"interviewer": "Ana", "ratings": dict.fromkeys(ALL, 4)},
            {"interviewer": "Bruno", "ratings": {**dict.fromkeys(ALL, 4), "measures_impact": 2}},
        ],
        "language": "en",
    }
    result = run("score", stdin=json.dumps(line))
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["raters"] == ["Ana", "Bruno"]
    assert [c["criterion_id"] for c in verdict["calibration"]] == ["measures_impact"]
    bad = run(
        "score", stdin=json.dumps({"panel": [{"interviewer": "Ana", "ratings": {"nope": 1}}]})
    )
    assert "line 1: panel[0].ratings.nope: unknown criterion" in bad.stderr


answers = st.fixed_dictionaries(
    {
        "ratings": st.dictionaries(
            st.sampled_from([*CORE, "context_fit", "test_and_learn"]), st.integers(1, 4)
        ),
        "flags": st.lists(
            st.sampled_from(["vanity_metrics", "one_true_way", "fake_engagement"]), max_size=2
        ),
        "language": st.sampled_from(["fr", "en"]),
    }
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(answers, min_size=1, max_size=40))
def test_promises_hold_from_outside(batch: list[dict[str, object]]) -> None:
    result = run("score", stdin="".join(json.dumps(a) + "\n" for a in batch))
    assert result.returncode == 0, result.stderr
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(verdicts) == len(batch)
    for given_, verdict in zip(batch, verdicts, strict=True):
        flags = given_["flags"]
        ratings = given_["ratings"]
        assert isinstance(flags, list)
        assert isinstance(ratings, dict)
        # Level 1 of these means exactly a dealbreaker (the anchor implies the flag).
        implied = {"influence_over_audience", "conversation_not_promotion", "measures_impact"}
        if "fake_engagement" in flags or any(ratings.get(c) == 1 for c in implied):
            assert verdict["recommendation"] == "no_hire"
        if verdict["recommendation"] == "incomplete":
            assert len(verdict["possible"]) >= 2 and verdict["settle"]
            assert set(verdict["settle"]) <= {c["id"] for c in verdict["criteria"]} - set(ratings)
        else:
            assert verdict["possible"] == [verdict["recommendation"]]
            assert verdict["settle"] == []
        refs = {r["ref"] for r in verdict["reasons"]}
        implied_or_raised = {f["id"] for f in verdict["flags"]}
        assert set(flags) <= implied_or_raised
        assert refs <= {*CORE, "context_fit", "test_and_learn", "overall", *implied_or_raised}


def test_validate_refuses_a_copy_of_the_rubric_with_an_age_question(tmp_path: Path) -> None:
    doc = shipped_document()
    doc["criteria"][1]["questions"]["en"][0] = "How old are you, and what did you achieve?"
    write_rubric(tmp_path, doc)
    result = run("criteria", "validate", str(tmp_path))
    assert result.returncode == 1
    (line,) = [x for x in result.stderr.splitlines() if "protected ground" in x]
    assert str(tmp_path / "social-media-screen.yaml") in line
    assert "criteria[1].questions.en[0]" in line  # the item and the field
    assert "'how old'" in line.lower() and "(age)" in line  # the word and its ground
