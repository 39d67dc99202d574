"""Who may do what: keys, roles, and blind scoring."""

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.access import service as keys
from app.commands import command_session
from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.rubric.test_shipped_rubric import ALL

ALL_THREES = dict.fromkeys(ALL, 3)


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, concrete path) under /api/v1 in the OpenAPI document."""
    operations = []
    for path, item in app.openapi()["paths"].items():
        if path.startswith("/api/v1"):
            concrete = path.replace("{rubric_id}", "social-media-screen")
            concrete = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), concrete)
            operations += [(method.upper(), concrete) for method in item]
    return operations


def test_every_api_path_needs_a_valid_key(app: FastAPI, client: TestClient) -> None:
    operations = _operations(app)
    assert len(operations) >= 25  # the walk covers the whole API, not a few paths
    anonymous = TestClient(app)
    for method, path in operations:
        for headers in ({}, auth("tamis_not-a-key"), {"Authorization": "Basic YTpi"}):
            response = anonymous.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.get("/healthz").status_code == 200


def test_the_openapi_document_declares_the_key(app: FastAPI) -> None:
    document = app.openapi()
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/v1"):
                assert {"ApiKey": []} in operation["security"], (method, path)
                assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_a_revoked_key_stops_working(app: FastAPI, client: TestClient, settings: Settings) -> None:
    secret = make_key(settings, "recruiter")
    caller = TestClient(app, headers=auth(secret))
    assert caller.get("/api/v1/candidates").status_code == 200
    with command_session(settings, "test") as session:
        key = next(k for k in keys.list_all(session) if k.role == "recruiter")
        keys.revoke(session, key.id)
    assert caller.get("/api/v1/candidates").status_code == 401


def _as(app: FastAPI, settings: Settings, role: Any, email: str | None = None) -> TestClient:
    return TestClient(app, headers=auth(make_key(settings, role, email)))


def test_each_role_gets_403_where_it_should(
    app: FastAPI, api: Api, client: TestClient, settings: Settings
) -> None:
    position = api.position()
    candidate = api.candidate(position["id"])
    assessment = api.assessment(candidate["id"], "Ana", ALL_THREES)
    cid, aid = candidate["id"], assessment["id"]
    new_candidate = {"full_name": "Léa", "position_id": position["id"]}
    decision = {"decision": "advance", "decided_by": "Claire", "rationale": "ok"}
    webhook = {"url": "http://127.0.0.1:9/hook", "events": ["candidate.created"]}
    forbidden: dict[str, list[tuple[str, str, Any]]] = {
        "interviewer": [
            ("POST", "/api/v1/positions", {"title": "x"}),
            ("POST", "/api/v1/candidates", new_candidate),
            ("PATCH", f"/api/v1/candidates/{cid}", {"status": "withdrawn"}),
            ("DELETE", f"/api/v1/candidates/{cid}", None),
            ("POST", f"/api/v1/candidates/{cid}/decisions", decision),
            ("GET", f"/api/v1/candidates/{cid}/decisions", None),
            ("POST", f"/api/v1/candidates/{cid}/rescore", None),
            ("POST", f"/api/v1/candidates/{cid}/erase", None),
            ("GET", f"/api/v1/candidates/{cid}/export", None),
            ("PATCH", f"/api/v1/assessments/{aid}", {"summary": "mine now"}),
            ("POST", f"/api/v1/assessments/{aid}/amendments", {"reason": "r"}),
            ("GET", "/api/v1/webhooks", None),
            ("GET", "/api/v1/audit-events", None),
        ],
        "integration": [
            ("POST", f"/api/v1/candidates/{cid}/decisions", decision),
            ("GET", f"/api/v1/candidates/{cid}/assessments", None),
            ("GET", f"/api/v1/assessments/{aid}", None),
            ("POST", f"/api/v1/candidates/{cid}/rescore", None),
            ("GET", "/api/v1/audit-events", None),
        ],
        "recruiter": [
            ("GET", "/api/v1/audit-events", None),
            ("POST", "/api/v1/webhooks", webhook),
            ("GET", "/api/v1/webhooks", None),
        ],
    }
    allowed: dict[str, list[tuple[str, str, Any]]] = {
        "interviewer": [
            ("GET", f"/api/v1/candidates/{cid}", None),
            ("GET", f"/api/v1/positions/{position['id']}", None),
            ("GET", "/api/v1/rubrics", None),
        ],
        "integration": [
            ("POST", "/api/v1/candidates", new_candidate),
            ("GET", f"/api/v1/candidates/{cid}/verdict", None),
            ("GET", f"/api/v1/candidates/{cid}/decisions", None),
            ("POST", "/api/v1/webhooks", webhook),
        ],
        "recruiter": [
            ("POST", f"/api/v1/candidates/{cid}/decisions", decision),
            ("GET", f"/api/v1/assessments/{aid}", None),
            ("GET", f"/api/v1/candidates/{cid}/export", None),
        ],
    }
    for role, calls in forbidden.items():
        caller = _as(app, settings, role, "ina@example.org" if role == "interviewer" else None)
        for method, url, body in calls:
            response = caller.request(method, url, json=body)
            assert response.status_code == 403, (role, method, url, response.text)
            assert response.json()["type"].endswith("/forbidden")
        for method, url, body in allowed[role]:
            response = caller.request(method, url, json=body)
            assert response.status_code in (200, 201), (role, method, url, response.text)
    # Nothing the refused calls tried was done: one decision (the recruiter's), no change.
    assert len(api.ok("GET", f"/api/v1/candidates/{cid}/decisions")) == 1
    assert api.ok("GET", f"/api/v1/candidates/{cid}")["full_name"] == "Zoë Lefèvre-Dubois"
    assert api.ok("GET", f"/api/v1/assessments/{aid}")["summary"] == ""


def test_an_interviewer_writes_only_in_their_own_name(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    ina = _as(app, settings, "interviewer", "Ina@Example.org")
    body = {"ratings": ALL_THREES, "status": "submitted"}
    someone_else = {**body, "interviewer": {"name": "Bob", "email": "bob@example.org"}}
    response = ina.post(f"/api/v1/candidates/{cid}/assessments", json=someone_else)
    assert response.status_code == 403
    own = {**body, "interviewer": {"name": "Ina", "email": "ina@example.org"}}
    assert ina.post(f"/api/v1/candidates/{cid}/assessments", json=own).status_code == 201


def test_blind_scoring_hides_the_panel_until_one_submits(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    bob = api.assessment(
        cid, "Bob", {**ALL_THREES, "measures_impact": 1}, notes={"measures_impact": "n"}
    )
    ina = _as(app, settings, "interviewer", "ina@example.org")

    assert ina.get(f"/api/v1/assessments/{bob['id']}").status_code == 403
    assert ina.get(f"/api/v1/assessments/{bob['id']}/revisions").status_code == 403
    assert ina.get(f"/api/v1/candidates/{cid}/verdict").status_code == 403
    assert ina.get(f"/api/v1/candidates/{cid}/assessments").json() == []

    draft = ina.post(
        f"/api/v1/candidates/{cid}/assessments",
        json={"interviewer": {"name": "Ina", "email": "ina@example.org"}, "ratings": ALL_THREES},
    ).json()
    # A draft is not enough: she sees her own scorecard only.
    listed = ina.get(f"/api/v1/candidates/{cid}/assessments").json()
    assert [a["id"] for a in listed] == [draft["id"]]
    assert ina.get(f"/api/v1/candidates/{cid}/verdict").status_code == 403

    submitted = ina.post(f"/api/v1/assessments/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.text
    assert ina.get(f"/api/v1/assessments/{bob['id']}").json()["ratings"]["measures_impact"] == 1
    listed = ina.get(f"/api/v1/candidates/{cid}/assessments").json()
    assert {a["id"] for a in listed} == {bob["id"], draft["id"]}
    verdict = ina.get(f"/api/v1/candidates/{cid}/verdict")
    assert verdict.status_code == 200 and len(verdict.json()["assessments"]) == 2


@pytest.mark.parametrize("role", ["recruiter", "admin"])
def test_recruiters_and_admins_are_not_blind(
    app: FastAPI, api: Api, settings: Settings, role: str
) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Bob", ALL_THREES)
    caller = _as(app, settings, role)
    assert caller.get(f"/api/v1/candidates/{cid}/verdict").status_code == 200
    assert len(caller.get(f"/api/v1/candidates/{cid}/assessments").json()) == 1


def test_a_submission_unblinds_only_its_own_candidate(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    position = api.position()["id"]
    first, other = api.candidate(position)["id"], api.candidate(position)["id"]
    bob = api.assessment(other, "Bob", ALL_THREES)
    ina = _as(app, settings, "interviewer", "ina@example.org")
    own = {"interviewer": {"name": "Ina", "email": "ina@example.org"}, "ratings": ALL_THREES}
    assert (
        ina.post(
            f"/api/v1/candidates/{first}/assessments", json={**own, "status": "submitted"}
        ).status_code
        == 201
    )
    assert ina.get(f"/api/v1/candidates/{first}/verdict").status_code == 200
    blind = ina.get(f"/api/v1/candidates/{other}/verdict")
    assert blind.status_code == 403 and blind.json()["detail"].startswith("blind scoring")
    assert ina.get(f"/api/v1/assessments/{bob['id']}").status_code == 403
    # An interviewer key without an email has submitted nothing: blind everywhere.
    anonymous = _as(app, settings, "interviewer")
    assert anonymous.get(f"/api/v1/candidates/{first}/verdict").status_code == 403


def test_who_may_change_a_scorecard(app: FastAPI, api: Api, settings: Settings) -> None:
    cid = api.candidate()["id"]
    ina = _as(app, settings, "interviewer", "ina@example.org")
    own = {"interviewer": {"name": "Ina", "email": "ina@example.org"}, "ratings": ALL_THREES}
    draft = ina.post(f"/api/v1/candidates/{cid}/assessments", json=own).json()
    url = f"/api/v1/assessments/{draft['id']}"
    # Another interviewer may not; a recruiter (assessments:all) may.
    bob = _as(app, settings, "interviewer", "bob@example.org")
    refused = bob.patch(url, json={"summary": "mine now"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "only the interviewer who wrote an assessment may change it"
    assert _as(app, settings, "recruiter").patch(url, json={"summary": "s"}).status_code == 200
    # Writing in someone else's name is refused with the reason.
    theirs = {**own, "interviewer": {"name": "Bob", "email": "bob@example.org"}}
    other = ina.post(f"/api/v1/candidates/{api.candidate()['id']}/assessments", json=theirs)
    assert other.json()["detail"] == (
        "an interviewer writes assessments in their own name: the email must be the key's"
    )
