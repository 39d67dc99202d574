"""Nonsense gets a clear problem document, never a 500, and leaves stored data as it was."""

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api
from tests.rubric.test_shipped_rubric import ALL


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe\xfa", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"null", "application/json"),
        (b'{"title": "x"}', "text/plain"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
    ],
)
def test_malformed_bodies(client: TestClient, content: bytes, content_type: str) -> None:
    response = client.post(
        "/api/v1/positions", content=content, headers={"content-type": content_type}
    )
    # 415: not JSON at all; 422: JSON, but not a position
    assert response.status_code == (415 if content_type == "text/plain" else 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/positions").json()["items"] == []


def test_hostile_values(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    url = f"/api/v1/candidates/{candidate['id']}/assessments"
    interviewer = {"name": "Ana", "email": "ana@example.org"}
    cases = [
        {"interviewer": interviewer, "ratings": {"measures_impact": 10**40}},
        {"interviewer": interviewer, "ratings": {"measures_impact": -3}},
        {"interviewer": interviewer, "ratings": {"measures_impact": 1e308}},
        {"interviewer": interviewer, "notes": {"measures_impact": "x" * 30_000}},
        {"interviewer": {"name": "Ana", "email": "'; DROP TABLE candidates; --"}},
        {"interviewer": interviewer, "summary": "nul \u0000 byte", "status": "draft"},
    ]
    for body in cases:
        response = client.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    stored = client.post(
        url,
        json={
            "interviewer": interviewer,
            "ratings": dict.fromkeys(ALL, 3),
            "summary": "<script>alert(1)</script>' OR 1=1",
        },
    )
    assert stored.status_code == 201
    assert stored.json()["summary"] == "<script>alert(1)</script>' OR 1=1"
    assert client.get("/api/v1/candidates", params={"q": "' OR 1=1 --"}).json()["items"] == []
    assert client.get("/api/v1/candidates", params={"limit": 10**30}).status_code == 422
    assert (
        api.ok("GET", f"/api/v1/candidates/{candidate['id']}")["full_name"] == "Zoë Lefèvre-Dubois"
    )


def test_nul_in_a_name_is_refused_on_every_database(api: Api, client: TestClient) -> None:
    position = api.position()
    response = client.post(
        "/api/v1/candidates", json={"full_name": "A\u0000B", "position_id": position["id"]}
    )
    assert response.status_code == 422
    assert client.get("/api/v1/candidates").json()["items"] == []


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )
    wrong = client.put("/api/v1/positions")
    assert wrong.status_code == 405 and wrong.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/positions", "GET, HEAD, POST"),
        ("DELETE", "/api/v1/candidates", "GET, HEAD, POST"),
        ("POST", "/healthz", "GET, HEAD"),
        ("POST", "/static/app.css", "GET, HEAD"),
    ],
)
def test_a_method_not_allowed_names_every_method_the_path_answers(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    # RFC 9110 15.5.6: a 405 MUST carry Allow, listing the target's methods (HEAD wherever
    # GET is answered).
    wrong = client.request(method, path)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == allowed
    for listed in allowed.split(", "):  # and each one listed is answered
        assert client.request(listed, path).status_code not in (404, 405)
