"""A write whose API key was authenticated a moment ago skips the separate read that
authenticates it; a revocation still stops the key's next write at once, and changes nothing."""

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.access import service as keys
from app.commands import command_session
from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key


def test_a_key_revoked_elsewhere_stops_its_next_write_at_once(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    position = api.position()
    secret = make_key(settings, "recruiter")
    with TestClient(app, headers=auth(secret)) as caller:
        body = {"full_name": "Léa Martin", "position_id": position["id"]}
        assert caller.post("/api/v1/candidates", json=body).status_code == 201
        # The key is now remembered by the server; revoke it from another process's session.
        assert app.state.key_cache.lookup_secret(secret) is not None
        with command_session(settings, "test") as session:
            key = next(k for k in keys.list_all(session) if k.role == "recruiter")
            keys.revoke(session, key.id)
        refused = caller.post("/api/v1/candidates", json={**body, "full_name": "Noé Petit"})
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert caller.post("/api/v1/candidates", json=body).status_code == 401
    names = [c["full_name"] for c in api.ok("GET", "/api/v1/candidates")["items"]]
    assert names == ["Léa Martin"]  # the refused write changed nothing


def test_an_unknown_or_missing_key_never_reaches_a_write(app: FastAPI, api: Api) -> None:
    position = api.position()
    body = {"full_name": "Léa Martin", "position_id": position["id"]}
    with TestClient(app) as anonymous:
        assert anonymous.post("/api/v1/candidates", json=body).status_code == 401
        wrong = {"Authorization": "Bearer tamis_not-a-key"}
        assert anonymous.post("/api/v1/candidates", json=body, headers=wrong).status_code == 401
    assert api.ok("GET", "/api/v1/candidates")["items"] == []
