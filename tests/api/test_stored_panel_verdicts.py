"""The panel verdict is stored as facts when it changes, and read from them.

Each submission, amendment and rescore stores the panel verdict's facts (no text) under the key
of what they were made from (rules and rubric versions, scorecards and revisions); a reader
serves them, written in its language, when its scorecards give the same key, and works the
verdict out by the pinned versions otherwise. Erasure drops them (they hold notes).
"""

import json
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, update

from app.assessments.models import StoredPanelVerdict
from app.candidates.models import Candidate
from app.commands import command_session
from app.core.config import Settings
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry
from app.verdicts import service as verdicts
from tests.api.conftest import Api, auth, make_key
from tests.rubric.test_shipped_rubric import CORE

PANELS = StoredPanelVerdict.__table__  # type: ignore[attr-defined]


def _row(settings: Settings, cid: str) -> Any:
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        row = connection.execute(
            select(PANELS).where(PANELS.c.candidate_id == uuid.UUID(cid))
        ).first()
    engine.dispose()
    return row


def _set_facts(settings: Settings, cid: str, **changes: Any) -> None:
    row = _row(settings, cid)
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            update(PANELS)
            .where(PANELS.c.candidate_id == uuid.UUID(cid))
            .values(facts={**row.facts, **changes})
        )
    engine.dispose()


def _worked_out(settings: Settings, cid: str, language: str) -> dict[str, Any]:
    """The panel verdict worked out from the scorecards by the pinned versions (no stored row)."""
    registry = RubricRegistry(load_rubrics(settings.criteria_dir))
    with command_session(settings, "test") as session:
        candidate = session.get_one(Candidate, uuid.UUID(cid))
        verdict, _members, _rubric = verdicts.panel_with_members(
            session,
            registry,
            candidate,
            language,  # type: ignore[arg-type]
            stored=False,
        )
        return verdict.model_dump(mode="json")


def _check_served_equals_worked_out(api: Api, settings: Settings, cid: str) -> None:
    row = _row(settings, cid)
    assert row is not None
    for language in ("en", "fr"):
        served = api.ok("GET", f"/api/v1/candidates/{cid}/verdict?lang={language}")
        assert served == _worked_out(settings, cid, language)
        assert served["language"] == language
    # The candidate's stored recommendation (list filters) is the panel's.
    assert (
        api.ok("GET", f"/api/v1/candidates/{cid}")["recommendation"] == row.facts["recommendation"]
    )


def test_the_stored_panel_verdict_equals_the_worked_out_one_after_every_change(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    assert _row(settings, cid) is None  # nothing submitted, nothing stored
    for language in ("en", "fr"):  # the empty panel's verdict, the same as worked out
        empty = api.ok("GET", f"/api/v1/candidates/{cid}/verdict?lang={language}")
        assert empty == _worked_out(settings, cid, language)
        assert empty["raters"] == [] and empty["recommendation"] == "incomplete"
    ana = api.assessment(
        cid,
        "Ana",
        dict.fromkeys(CORE, 3),
        flags=[{"id": "vanity_metrics", "note": "page views"}],
        notes={CORE[0]: "ties sign-ups to the goal", "measures_impact": "page views only"},
        overall_recommendation="hire",
        summary="Solide.",
    )
    _check_served_equals_worked_out(api, settings, cid)
    first_key = _row(settings, cid).panel_key

    api.assessment(cid, "Bruno", {**dict.fromkeys(CORE, 4), CORE[1]: 1})
    _check_served_equals_worked_out(api, settings, cid)
    served = api.ok("GET", f"/api/v1/candidates/{cid}/verdict?lang=fr")
    assert served["raters"] == ["Ana", "Bruno"] and served["calibration"]
    assert any("Ana" in r["text"] and "Bruno" in r["text"] for r in served["reasons"])
    assert _row(settings, cid).panel_key != first_key

    api.ok(
        "POST",
        f"/api/v1/assessments/{ana['id']}/amendments",
        201,
        json={"reason": "relu mes notes", "ratings": {CORE[2]: 1}},
    )
    _check_served_equals_worked_out(api, settings, cid)

    rescored = api.ok("POST", f"/api/v1/candidates/{cid}/rescore")
    assert rescored == _worked_out(settings, cid, "en")
    _check_served_equals_worked_out(api, settings, cid)

    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "advance", "decided_by": "Claire", "rationale": "à revoir en équipe"},
    )
    _check_served_equals_worked_out(api, settings, cid)


def test_the_reader_serves_the_stored_facts_and_ignores_a_row_made_from_other_scorecards(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Ana", dict.fromkeys(CORE, 3))
    api.assessment(cid, "Bruno", dict.fromkeys(CORE, 4))
    honest = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")

    # What is served is the stored row, not a recomputation: a marked row shows through ...
    _set_facts(settings, cid, score=12.5)
    assert api.ok("GET", f"/api/v1/candidates/{cid}/verdict")["score"] == 12.5
    # The report reads the same row (and still lists each interviewer's answers).
    report = api.ok("GET", f"/api/v1/candidates/{cid}/report")
    assert report["verdict"]["score"] == 12.5
    assert report["interviewers"] == ["Ana", "Bruno"]
    assert {c["ratings"]["Bruno"] for c in report["criteria"] if c["id"] in CORE} == {4}
    # ... unless it was made from other scorecards: then the verdict is worked out again.
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            update(PANELS).where(PANELS.c.candidate_id == uuid.UUID(cid)).values(panel_key="0" * 64)
        )
    engine.dispose()
    assert api.ok("GET", f"/api/v1/candidates/{cid}/verdict") == honest
    assert api.ok("GET", f"/api/v1/candidates/{cid}/report")["verdict"]["score"] == honest["score"]

    # The next change stores the right facts again.
    api.assessment(cid, "Chloé", dict.fromkeys(CORE, 2))
    assert _row(settings, cid).panel_key != "0" * 64
    _check_served_equals_worked_out(api, settings, cid)


def test_erasure_drops_the_stored_panel_verdict_with_its_notes(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Ana", dict.fromkeys(CORE, 3), notes={CORE[0]: "Zoë a parlé de sa fille"})
    assert "sa fille" in str(_row(settings, cid).facts)
    api.ok("POST", f"/api/v1/candidates/{cid}/erase")
    assert _row(settings, cid) is None
    verdict = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    assert "sa fille" not in str(verdict)
    assert verdict == _worked_out(settings, cid, "en")


def test_a_blind_interviewer_gets_no_stored_panel_verdict(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Ana", dict.fromkeys(CORE, 3))
    assert _row(settings, cid) is not None
    bruno = make_key(settings, "interviewer", "bruno@example.org")
    refused = client.get(f"/api/v1/candidates/{cid}/verdict", headers=auth(bruno))
    assert refused.status_code == 403
    assert "Ana" not in refused.text
    listed = client.get("/api/v1/candidates", headers=auth(bruno)).json()["items"]
    assert [c["recommendation"] for c in listed if c["id"] == cid] == [None]
    # Once Bruno submits, he reads the stored verdict, which now counts him.
    client.post(
        f"/api/v1/candidates/{cid}/assessments",
        headers=auth(bruno),
        json={
            "interviewer": {"name": "Bruno", "email": "bruno@example.org"},
            "ratings": dict.fromkeys(CORE, 4),
            "status": "submitted",
        },
    ).raise_for_status()
    seen = client.get(f"/api/v1/candidates/{cid}/verdict", headers=auth(bruno))
    assert seen.status_code == 200 and seen.json()["raters"] == ["Ana", "Bruno"]
    assert seen.json() == _worked_out(settings, cid, "en")


def test_a_bulk_import_stores_the_panel_verdicts_it_changes(
    api: Api, client: TestClient, settings: Settings
) -> None:
    position = api.position()
    # An existing candidate with an amended scorecard (revision 2) gets one more by import.
    old = api.candidate(position["id"], external_id="old-1")
    ana = api.assessment(old["id"], "Ana", dict.fromkeys(CORE, 3))
    api.ok(
        "POST",
        f"/api/v1/assessments/{ana['id']}/amendments",
        201,
        json={"reason": "relu", "ratings": {CORE[0]: 4}},
    )
    new = {"position_id": position["id"], "external_id": "imp-1", "full_name": "Zoë L."}

    def line(name: str, **fields: Any) -> str:
        return json.dumps(
            {
                "interviewer": {"name": name, "email": f"{name.lower()}@example.org"},
                "ratings": dict.fromkeys(CORE, 2 + len(name) % 3),
                "summary": "Vu en entretien.",
                **fields,
            }
        )

    lines = [
        line("Bruno", candidate_id=old["id"]),
        line("Chloé", candidate=new),
        line("Dan", candidate=new),
    ]
    response = client.post(
        "/api/v1/imports/assessments",
        content="\n".join(lines) + "\n",
        headers={"Content-Type": "application/jsonl"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 3
    imported = api.ok("GET", "/api/v1/candidates", params={"q": "imp-1"})["items"][0]
    for cid in (old["id"], imported["id"]):
        _check_served_equals_worked_out(api, settings, cid)
        # ... and what is served is the stored row (its key matches the scorecards read).
        _set_facts(settings, cid, score=1.5)
        assert api.ok("GET", f"/api/v1/candidates/{cid}/verdict")["score"] == 1.5
