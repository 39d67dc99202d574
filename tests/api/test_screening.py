"""A whole screening through the API: scorecards, the panel verdict, decisions, replay."""

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, create_engine, select

from app.assessments.models import VerdictRecord
from app.core.config import Settings
from app.main import create_app
from tests.api.conftest import Api
from tests.factories import shipped_document, write_rubric
from tests.rubric.test_shipped_rubric import ALL, CORE

ALL_FOURS = dict.fromkeys(ALL, 4)  # every criterion: a determinate verdict


def test_draft_edit_submit_and_amend(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    draft = api.assessment(
        candidate["id"], "Ana", {"measures_impact": 3}, status="draft", summary="first look"
    )
    assert draft["status"] == "draft" and draft["verdict"] is None and draft["revision"] == 0
    url = f"/api/v1/assessments/{draft['id']}"
    early = client.post(f"{url}/submit")
    assert early.status_code == 422
    assert {e["loc"] for e in early.json()["errors"]} == {
        f"ratings.{c}" for c in CORE if c != "measures_impact"
    }
    assert api.ok("GET", url)["status"] == "draft"  # the refused submission changed nothing

    edited = api.ok(
        "PATCH",
        url,
        json={"ratings": {**ALL_FOURS, "measures_impact": None}, "notes": {"context_fit": "n"}},
    )
    assert edited["ratings"]["measures_impact"] is None and edited["notes"] == {"context_fit": "n"}
    # At 2: measures_impact (weight 4), hands_on_practice (3), conversation_not_promotion (3),
    # knows_creative_cases (2); every other criterion at 4 (weights 20 in all, of 32):
    # (20 + (4 + 3 + 3 + 2) / 3) / 32 = 75 -> hire
    lowered = dict.fromkeys(
        [
            "measures_impact",
            "hands_on_practice",
            "conversation_not_promotion",
            "knows_creative_cases",
        ],
        2,
    )
    api.ok("PATCH", url, json={"ratings": lowered})
    submitted = api.ok("POST", f"{url}/submit")
    assert submitted["status"] == "submitted" and submitted["revision"] == 1
    assert (submitted["verdict"]["score"], submitted["verdict"]["recommendation"]) == (75.0, "hire")
    assert submitted["verdict"]["rules_version"] == 2
    assert client.post(f"{url}/submit").status_code == 409
    assert client.patch(url, json={"summary": "x"}).status_code == 409

    amended = api.ok(
        "POST",
        f"{url}/amendments",
        201,
        json={"reason": "misread my notes", "ratings": {"measures_impact": 4}},
    )
    # measures_impact 4: (24 + (3 + 3 + 2) / 3) / 32 = 83.3 -> strong hire
    assert amended["revision"] == 2
    assert (amended["verdict"]["score"], amended["verdict"]["recommendation"]) == (
        83.3,
        "strong_hire",
    )
    revisions = api.ok("GET", f"{url}/revisions")
    assert [(r["revision"], r["ratings"]["measures_impact"], r["reason"]) for r in revisions] == [
        (1, 2, None),
        (2, 4, "misread my notes"),
    ]
    assert client.post(f"{url}/amendments", json={"reason": " "}).status_code == 422


def test_invalid_scorecards_are_refused_with_the_valid_values(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    url = f"/api/v1/candidates/{candidate['id']}/assessments"
    base = {"interviewer": {"name": "Ana", "email": "ana@example.org"}}
    off = client.post(url, json={**base, "ratings": {"measures_impact": 7}}).json()
    assert off["errors"] == [
        {
            "loc": "ratings.measures_impact",
            "message": "rating 7 is off the scale 1–4",
            "valid": [1, 2, 3, 4, "not_observed"],
        }
    ]
    unknown = client.post(url, json={**base, "ratings": {"charisma": 3}}).json()
    assert (
        unknown["errors"][0]["loc"] == "ratings.charisma"
        and "measures_impact" in unknown["errors"][0]["valid"]
    )
    flag = client.post(url, json={**base, "flags": [{"id": "too_cool"}]}).json()
    assert (
        flag["errors"][0]["loc"] == "flags[0].id"
        and "fake_engagement" in flag["errors"][0]["valid"]
    )
    wrong_type = client.post(url, json={**base, "ratings": {"measures_impact": "three"}})
    assert (
        wrong_type.status_code == 422
        and wrong_type.json()["errors"][0]["loc"] == "ratings.measures_impact"
    )
    status = client.post(url, json={**base, "status": "final"}).json()
    assert status["errors"][0]["valid"] == ["draft", "submitted"]
    assert api.ok("GET", url) == []  # nothing was stored
    api.assessment(candidate["id"], "Ana", ALL_FOURS)
    twice = client.post(url, json={**base, "ratings": ALL_FOURS})
    assert twice.status_code == 409


def test_panel_verdict_with_calibration_and_a_dealbreaker(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    api.assessment(cid, "Ana", ALL_FOURS)
    api.assessment(cid, "Bruno", {**ALL_FOURS, "measures_impact": 2, "knows_creative_cases": 3})
    verdict = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    assert verdict["raters"] == ["Ana", "Bruno"]
    assert [(c["criterion_id"], c["ratings"]) for c in verdict["calibration"]] == [
        ("measures_impact", {"Ana": 4, "Bruno": 2})
    ]
    assert verdict["agreement"] is not None
    assert api.ok("GET", f"/api/v1/candidates/{cid}")["recommendation"] == verdict["recommendation"]

    flags = [{"id": "fake_engagement", "note": "bought 5k followers"}]
    # Rated 4 on influence while raising fake engagement: a contradiction needs a note.
    unexplained = client.post(
        f"/api/v1/candidates/{cid}/assessments",
        json={
            "interviewer": {"name": "Chloé", "email": "chloe@example.org"},
            "ratings": ALL_FOURS,
            "flags": flags,
            "status": "submitted",
        },
    )
    assert unexplained.status_code == 422
    assert [e["loc"] for e in unexplained.json()["errors"]] == ["notes.influence_over_audience"]
    api.assessment(
        cid,
        "Chloé",
        ALL_FOURS,
        flags=flags,
        notes={"influence_over_audience": "real results elsewhere, but the followers were bought"},
    )
    verdict = api.ok("GET", f"/api/v1/candidates/{cid}/verdict", params={"lang": "en"})
    assert verdict["recommendation"] == "no_hire"
    first = verdict["reasons"][0]
    assert first["ref"] == "fake_engagement"
    assert (
        "Fake engagement" in first["text"]
        and "Chloé" in first["text"]
        and ".txt" not in first["text"]
    )
    assert [(c["flag"], c["criterion"], c["by"]) for c in verdict["contradictions"]] == [
        ("fake_engagement", "influence_over_audience", "Chloé")
    ]
    french = api.ok("GET", f"/api/v1/candidates/{cid}/verdict", headers={"Accept-Language": "fr"})
    assert french["reasons"][0]["text"].startswith(
        "Signal rédhibitoire «\u202fEngagement factice\u202f»"
    )
    listed = api.ok("GET", "/api/v1/candidates", params={"recommendation": "no_hire"})["items"]
    assert [c["id"] for c in listed] == [cid]


def test_decisions_need_a_rationale_against_the_advice(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    url = f"/api/v1/candidates/{cid}/decisions"
    incomplete = client.post(url, json={"decision": "advance", "decided_by": "Claire"})
    assert incomplete.status_code == 422 and incomplete.json()["errors"][0]["loc"] == "rationale"
    blank = client.post(
        url, json={"decision": "advance", "decided_by": "Claire", "rationale": "  \n "}
    )
    assert blank.status_code == 422

    api.assessment(cid, "Ana", {**ALL_FOURS, "measures_impact": 1}, flags=["cannot_measure_impact"])
    against = client.post(
        url, json={"decision": "hire", "decided_by": "Claire"}, params={"lang": "fr"}
    )
    assert against.status_code == 422
    assert "justification écrite" in against.json()["detail"]
    assert api.ok("GET", url) == []  # refused: nothing stored
    assert api.ok("GET", f"/api/v1/candidates/{cid}")["status"] == "in_review"

    followed = api.ok("POST", url, 201, json={"decision": "reject", "decided_by": "Claire"})
    assert followed["against_recommendation"] is False and followed["recommendation"] == "no_hire"
    overridden = api.ok(
        "POST",
        url,
        201,
        json={
            "decision": "advance",
            "decided_by": "Marc",
            "rationale": "Second chance: check metrics.",
        },
    )
    assert overridden["against_recommendation"] is True
    history = api.ok("GET", url)
    assert [(d["decision"], d["decided_by"]) for d in history] == [
        ("reject", "Claire"),
        ("advance", "Marc"),
    ]
    assert api.ok("GET", f"/api/v1/candidates/{cid}")["status"] == "advanced"
    assert client.post(url, json={"decision": "fire", "decided_by": "X"}).json()["errors"][0][
        "valid"
    ] == [
        "advance",
        "hire",
        "reject",
    ]


def test_stored_verdicts_survive_a_restart_with_other_weights(
    api: Api, client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    ana = api.assessment(
        cid, "Ana", {**ALL_FOURS, "hands_on_practice": 2, "continuous_learning": 3}
    )
    before = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    old_version = before["rubric_version"]

    changed = shipped_document()
    for criterion in changed["criteria"]:
        if criterion["id"] == "hands_on_practice":
            criterion["weight"] = 40
    write_rubric(tmp_path / "criteria", changed)
    other = Settings(
        database_url=settings.database_url, criteria_dir=tmp_path / "criteria", env="test"
    )
    with TestClient(create_app(other), headers=client.headers) as restarted:
        again = restarted.get(f"/api/v1/candidates/{cid}/verdict").json()
        assert again == before  # same rubric version, same score, same reasons
        # A new assessment of the same candidate is scored with the version they are pinned to.
        second = Api(restarted).assessment(cid, "Bruno", ALL_FOURS)
        assert second["verdict"]["rubric_version"] == old_version
        rescored = restarted.post(f"/api/v1/candidates/{cid}/rescore").json()
        assert rescored["rubric_version"] != old_version
        ana_now = Api(restarted).ok("GET", f"/api/v1/assessments/{ana['id']}")["verdict"]
        assert ana_now["rubric_version"] == rescored["rubric_version"]
        assert ana_now["score"] != ana["verdict"]["score"]  # the new weight counts now
        versions = restarted.get("/api/v1/rubrics/social-media-screen").json()["versions"]
        assert [v["version"] for v in versions] == [old_version, rescored["rubric_version"]]

    # The verdict Ana's scorecard got first is still stored, unchanged, beside the new one.
    engine = create_engine(settings.database_url)
    with Session(engine) as session:
        records = session.exec(
            select(VerdictRecord)
            .where(VerdictRecord.assessment_id == uuid.UUID(ana["id"]))
            .order_by(col(VerdictRecord.created_at))
        ).all()
    engine.dispose()
    assert [r.cause for r in records] == ["submitted", "rescored"]
    kept, new = records
    assert kept.rubric_version_id != new.rubric_version_id
    assert (kept.score, kept.recommendation) == (
        pytest.approx(ana["verdict"]["score"]),
        ana["verdict"]["recommendation"],
    )
    assert (new.score, new.recommendation) == (
        pytest.approx(ana_now["score"]),
        ana_now["recommendation"],
    )


def test_a_broken_rubric_stops_start_up(settings: Settings, tmp_path: Path) -> None:
    doc = shipped_document()
    doc["criteria"][0]["weight"] = -1
    write_rubric(tmp_path, doc)
    from app.rubric import RubricError

    with pytest.raises(RubricError) as caught:
        create_app(Settings(database_url=settings.database_url, criteria_dir=tmp_path))
    assert "criteria[0].weight" in str(caught.value) and "social-media-screen.yaml" in str(
        caught.value
    )


def test_not_observed_people_and_engine_through_the_api(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    url = f"/api/v1/candidates/{cid}/assessments"
    # "not observed" answers a core criterion (submission accepts it) but is no good news.
    unseen = {**ALL_FOURS, "hands_on_practice": "not_observed"}
    ana = api.assessment(
        cid, "Ana", unseen, overall_recommendation="hire", summary="Sharp on measurement."
    )
    assert ana["ratings"]["hands_on_practice"] == "not_observed"
    assert ana["overall_recommendation"] == "hire"
    assert ana["verdict"]["recommendation"] == "incomplete"
    assert ana["verdict"]["settle"] == ["hands_on_practice"]
    assert "hands_on_practice" not in {
        r["ref"] for r in ana["verdict"]["reasons"] if "/4" in r["text"]
    }
    # The panel shows each person's own view beside the engine's, and names the disagreement.
    api.assessment(cid, "Bruno", ALL_FOURS, overall_recommendation="strong_hire")
    verdict = api.ok("GET", f"/api/v1/candidates/{cid}/verdict", params={"lang": "en"})
    assert verdict["recommendation"] == "strong_hire"  # Bruno's 4 is the only rating
    assert [
        (p["name"], p["overall_recommendation"], p["agrees"]) for p in verdict["interviewers"]
    ] == [
        ("Ana", "hire", False),
        ("Bruno", "strong_hire", True),
    ]
    assert verdict["interviewers"][0]["summary"] == "Sharp on measurement."
    overall = [r["text"] for r in verdict["reasons"] if r["ref"] == "overall"]
    assert "Ana recommends “hire”; the engine says “strong hire”." in overall
    hands = " ".join(r["text"] for r in verdict["reasons"] if r["ref"] == "hands_on_practice")
    assert "Ana not observed, Bruno 4 → 4 (lower median)" in hands
    bad = client.post(
        url,
        json={
            "interviewer": {"name": "Chloé", "email": "chloe@example.org"},
            "overall_recommendation": "maybe",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "overall_recommendation"
