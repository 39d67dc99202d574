"""Positions, candidates and rubrics through the API, on SQLite and PostgreSQL."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import live_server


def test_healthz_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            if path.startswith("/api/v1/") and "{" in path:
                assert "application/problem+json" in str(operation["responses"]), f"{method} {path}"


def test_position_readiness_warnings_in_both_languages(api: Api, client: TestClient) -> None:
    position = api.position(readiness={"role_autonomy": "no", "role_strategic_voice": "yes"})
    assert position["readiness"] == {
        "role_strategic_voice": "yes",
        "role_in_content_process": "unknown",
        "role_autonomy": "no",
        "role_seniority_fit": "unknown",
        "role_measurement_means": "unknown",
    }
    assert [w["question_id"] for w in position["warnings"]] == ["role_autonomy"]
    fr = client.get(
        f"/api/v1/positions/{position['id']}", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    ).json()
    assert fr["warnings"][0]["text"].startswith("Sans autonomie")
    assert fr["warnings"][0]["text"] != position["warnings"][0]["text"]
    patched = api.ok(
        "PATCH", f"/api/v1/positions/{position['id']}", json={"readiness": {"role_autonomy": "yes"}}
    )
    assert patched["warnings"] == [] and patched["readiness"]["role_strategic_voice"] == "yes"


def test_position_errors_name_field_and_valid_values(client: TestClient) -> None:
    response = client.post(
        "/api/v1/positions", json={"title": "CM", "readiness": {"role_budget": "no"}}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["loc"] == "readiness.role_budget" and "role_autonomy" in error["valid"]
    bad_value = client.post(
        "/api/v1/positions", json={"title": "CM", "readiness": {"role_autonomy": "maybe"}}
    )
    (error,) = bad_value.json()["errors"]
    assert error["loc"] == "readiness.role_autonomy" and error["valid"] == ["yes", "no", "unknown"]
    unknown_rubric = client.post("/api/v1/positions", json={"title": "CM", "rubric_id": "nope"})
    assert unknown_rubric.json()["errors"][0]["valid"] == ["social-media-screen"]
    assert client.get("/api/v1/positions/6f1c3a52-8a43-4b8e-9a53-1f5f3f0c2b1d").status_code == 404
    assert client.post("/api/v1/positions", json={"title": ""}).status_code == 422
    assert client.get("/api/v1/positions").json()["items"] == []


def test_candidate_lifecycle(api: Api, client: TestClient) -> None:
    position = api.position()
    candidate = api.candidate(position["id"], external_id="ats-1", source="referral")
    assert candidate["status"] == "new" and candidate["recommendation"] is None
    url = f"/api/v1/candidates/{candidate['id']}"
    assert api.ok("GET", url)["full_name"] == "Zoë Lefèvre-Dubois"
    patched = api.ok("PATCH", url, json={"status": "withdrawn", "source": None})
    assert patched["status"] == "withdrawn" and patched["source"] is None
    assert client.patch(url, json={"status": "gone"}).status_code == 422
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404


def test_external_id_is_unique_per_position(api: Api, client: TestClient) -> None:
    first, second = api.position(), api.position()
    api.candidate(first["id"], external_id="ats-1")
    again = client.post(
        "/api/v1/candidates",
        json={"full_name": "Other", "position_id": first["id"], "external_id": "ats-1"},
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["loc"] == "external_id"
    api.candidate(second["id"], external_id="ats-1")  # another position: allowed
    assert len(api.ok("GET", "/api/v1/candidates")["items"]) == 2  # the refused one left nothing


def test_candidate_needs_an_existing_position(client: TestClient) -> None:
    body = {"full_name": "X", "position_id": "6f1c3a52-8a43-4b8e-9a53-1f5f3f0c2b1d"}
    assert client.post("/api/v1/candidates", json=body).status_code == 404
    bad_email = client.post("/api/v1/candidates", json={**body, "email": "not-an-email"})
    assert bad_email.status_code == 422 and bad_email.json()["errors"][0]["loc"] == "email"


def test_list_filters_and_cursor_pagination(api: Api, client: TestClient) -> None:
    first, second = api.position(), api.position()
    made = [
        api.candidate(first["id"], full_name=f"Person {n}", email=f"p{n}@example.org")
        for n in range(7)
    ]
    api.candidate(
        second["id"], full_name="Élodie Martin", email="elodie@example.org", status="withdrawn"
    )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"position_id": first["id"], "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.ok("GET", "/api/v1/candidates", params=params)
        seen += [c["id"] for c in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in reversed(made)]  # newest first, each once
    assert [
        c["full_name"] for c in api.ok("GET", "/api/v1/candidates", params={"q": "élodie"})["items"]
    ] == ["Élodie Martin"]
    assert len(api.ok("GET", "/api/v1/candidates", params={"q": "P3@EXAMPLE"})["items"]) == 1
    assert len(api.ok("GET", "/api/v1/candidates", params={"q": "%"})["items"]) == 0
    assert len(api.ok("GET", "/api/v1/candidates", params={"status": "withdrawn"})["items"]) == 1
    assert client.get("/api/v1/candidates", params={"limit": 101}).status_code == 422
    assert client.get("/api/v1/candidates", params={"cursor": "garbage!"}).status_code == 422
    bad = client.get("/api/v1/candidates", params={"recommendation": "maybe"}).json()
    assert "strong_hire" in bad["errors"][0]["valid"]


def test_rubrics_endpoints(client: TestClient) -> None:
    (rubric,) = client.get("/api/v1/rubrics").json()
    assert rubric["id"] == "social-media-screen" and rubric["versions"] == []
    one = client.get("/api/v1/rubrics/social-media-screen").json()
    assert len(one["criteria"]) == 18 and one["scale"] == {"min": 1, "max": 4}
    assert client.get("/api/v1/rubrics/nope").status_code == 404
    preview = client.post(
        "/api/v1/rubrics/social-media-screen/score?lang=fr",
        json={"ratings": {"measures_impact": 4}},
    )
    assert preview.status_code == 200 and preview.json()["recommendation"] == "incomplete"
    off = client.post(
        "/api/v1/rubrics/social-media-screen/score", json={"ratings": {"measures_impact": 9}}
    )
    assert off.status_code == 422 and off.json()["errors"][0]["valid"] == [
        1,
        2,
        3,
        4,
        "not_observed",
    ]


def test_oversized_body_gets_413(api: Api, client: TestClient) -> None:
    position = api.position()
    huge = {"title": "x", "description": "a" * (1024 * 1024 + 10)}
    response = client.post("/api/v1/positions", json=huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert api.ok("GET", "/api/v1/positions")["items"][0]["id"] == position["id"]


@pytest.mark.live
def test_chunked_oversized_body_to_a_live_server_gets_413(settings: Settings) -> None:
    """No Content-Length to look at: the bytes are counted as uvicorn hands them over."""
    secret = make_key(settings)

    def chunks() -> Iterator[bytes]:
        yield b'{"title": "x", "description": "'
        for _ in range(1100):  # 1.1 MiB, in 1 KiB chunks
            yield b"a" * 1024
        yield b'"}'

    with live_server(settings) as server:
        tamis = httpx.Client(base_url=server.url, headers=auth(secret), timeout=30)
        response = tamis.post(
            "/api/v1/positions",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
        assert response.request.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/payload-too-large")
        assert tamis.get("/api/v1/positions").json()["items"] == []  # nothing was stored
        # Under the limit, the same chunked stream is read whole and stored.
        small = tamis.post(
            "/api/v1/positions",
            content=iter([b'{"title": "x", ', b'"description": "', b"a" * 2048, b'"}']),
            headers={"Content-Type": "application/json"},
        )
        assert small.status_code == 201, small.text
        assert len(small.json()["description"]) == 2048


def test_unknown_body_keys_name_the_valid_ones(api: Api, client: TestClient) -> None:
    response = client.post("/api/v1/positions", json={"title": "CM", "colour": "blue"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": "colour",
            "message": "unknown key",
            "valid": ["description", "readiness", "rubric_id", "title"],
        }
    ]
    assert "colour: unknown key (valid: description, readiness" in response.json()["detail"]
    # Nested models name their own keys.
    candidate = api.candidate()
    nested = client.post(
        f"/api/v1/candidates/{candidate['id']}/assessments",
        json={
            "interviewer": {"name": "Ana", "email": "ana@example.org", "phone": "1"},
            "ratings": {},
            "bogus": 1,
        },
    )
    assert nested.status_code == 422
    errors = {e["loc"]: e for e in nested.json()["errors"]}
    assert errors["interviewer.phone"]["valid"] == ["email", "name"]
    assert "interviewer" in errors["bogus"]["valid"] and "ratings" in errors["bogus"]["valid"]
    assert api.ok("GET", f"/api/v1/candidates/{candidate['id']}/assessments") == []


def test_a_list_item_is_the_candidate_as_read_alone(api: Api) -> None:
    """The page reads plain rows (ids as the driver gives them); its items are exactly the
    detail's representation, ids included."""
    made = api.candidate(external_id="hr-42", source="referral")
    listed = api.ok("GET", "/api/v1/candidates")["items"]
    alone = api.ok("GET", f"/api/v1/candidates/{made['id']}")
    assert listed == [alone]
    assert alone["position_id"] == made["position_id"] and alone["id"] == made["id"]
