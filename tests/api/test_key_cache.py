"""A request whose API key was authenticated a moment ago skips the separate read that
authenticates it; a revocation still stops the key's next request, read or write, at once (and a
refused write changes nothing); a remembered key only ever answers for itself."""

import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from starlette.requests import Request

from app.access import service as keys
from app.access.models import Principal
from app.access.service import KeyCache
from app.commands import command_session
from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.rubric.test_shipped_rubric import ALL

ALL_THREES = dict.fromkeys(ALL, 3)


def _revoke(settings: Settings, name: str) -> None:
    """Revoke the key named `name` from another session (as `tamis keys revoke` would)."""
    with command_session(settings, "test") as session:
        key = next(k for k in keys.list_all(session) if k.name == name)
        keys.revoke(session, key.id)


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


def test_a_key_revoked_elsewhere_stops_its_next_read_at_once(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    candidate = api.candidate()
    api.assessment(candidate["id"], "Ana", ALL_THREES)
    secret = make_key(settings, "recruiter")
    reads = ["/api/v1/candidates", f"/api/v1/candidates/{candidate['id']}/verdict"]
    with TestClient(app, headers=auth(secret)) as caller:
        for path in reads:
            assert caller.get(path).status_code == 200
        assert app.state.key_cache.lookup_secret(secret) is not None  # remembered by a read
        _revoke(settings, "test recruiter")
        for path in reads:
            refused = caller.get(path)
            assert refused.status_code == 401, (path, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert {"recommendation", "items"}.isdisjoint(refused.json())
        # The refusal forgot the key: it is looked up again, and refused again.
        assert app.state.key_cache.lookup_secret(secret) is None
        assert caller.get(reads[0]).status_code == 401


def test_the_hot_reads_check_a_remembered_key_in_their_own_query_even_when_it_finds_nothing(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    """The page and the panel verdict carry the remembered key's check in their first query (no
    statement of its own); when that query finds no row, the check runs on its own: a revoked
    key gets 401, never the 404 or the empty page its request would otherwise get."""
    candidate = api.candidate()
    api.assessment(candidate["id"], "Ana", ALL_THREES)
    secret = make_key(settings, "recruiter")
    verdict = f"/api/v1/candidates/{candidate['id']}/verdict"
    missing = "/api/v1/candidates/00000000-0000-4000-8000-000000000000/verdict"
    empty_page = "/api/v1/candidates?status=hired"
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.state.engine
    with TestClient(app, headers=auth(secret)) as caller:
        assert caller.get(verdict).status_code == 200  # remembers the key
        event.listen(engine, "before_cursor_execute", keep)
        try:
            for path in ("/api/v1/candidates", verdict):
                statements.clear()
                assert caller.get(path).status_code == 200
                keys_read = [s for s in statements if "api_keys" in s]
                assert len(keys_read) == 1, statements  # within the page's or verdict's query
                assert "candidates" in keys_read[0]
            assert caller.get(missing).status_code == 404
            assert caller.get(empty_page).json()["items"] == []
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        for path in (missing, empty_page, verdict, "/api/v1/candidates"):
            assert caller.get(verdict).status_code == 200  # the key remembered (again)
            assert app.state.key_cache.lookup_secret(secret) is not None
            _revoke(settings, "test recruiter")
            refused = caller.get(path)
            assert refused.status_code == 401, (path, refused.text)
            assert {"recommendation", "items"}.isdisjoint(refused.json())
            _unrevoke(settings, "test recruiter")


def _unrevoke(settings: Settings, name: str) -> None:
    """Let the key named `name` work again (only a test does this)."""
    with command_session(settings, "test") as session:
        key = next(k for k in keys.list_all(session) if k.name == name)
        key.revoked_at = None
        session.add(key)


def test_a_remembered_key_never_answers_for_another_key(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    candidate = api.candidate()
    api.assessment(candidate["id"], "Ana", ALL_THREES)
    verdict = f"/api/v1/candidates/{candidate['id']}/verdict"
    admin = make_key(settings, "admin")
    ina = make_key(settings, "interviewer", "ina@example.org")
    with TestClient(app) as caller:
        for _ in range(2):  # both keys remembered, in turn
            assert caller.get(verdict, headers=auth(admin)).status_code == 200
            listed = caller.get("/api/v1/candidates", headers=auth(admin)).json()["items"]
            assert listed[0]["recommendation"] is not None
            # The interviewer has not submitted: blind scoring hides the verdict from her.
            assert caller.get(verdict, headers=auth(ina)).status_code == 403
            listed = caller.get("/api/v1/candidates", headers=auth(ina)).json()["items"]
            assert listed[0]["recommendation"] is None
        assert app.state.key_cache.lookup_secret(admin).role == "admin"
        assert app.state.key_cache.lookup_secret(ina).role == "interviewer"
        # A secret that only starts or ends like a remembered one is not that key.
        for forged in (admin[:-1], admin + "x", admin.upper(), ina[: len(admin)] + "x"):
            answer = caller.get(verdict, headers={"Authorization": f"Bearer {forged}"})
            assert answer.status_code == 401, forged
        # Revoking one key leaves the other working.
        _revoke(settings, "test interviewer")
        assert caller.get(verdict, headers=auth(ina)).status_code == 401
        assert caller.get(verdict, headers=auth(admin)).status_code == 200


def _request(authorization: str) -> Request:
    headers = [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def test_the_cache_remembers_for_its_seconds_only_and_by_the_whole_header() -> None:
    cache = KeyCache(seconds=0.2, size=2)
    ana = Principal(kind="key", id="1", name="ana", role="admin")
    bob = Principal(kind="key", id="2", name="bob", role="interviewer")
    cache.keep("Bearer tamis_ana", ana)
    cache.keep("Bearer tamis_bob", bob)
    assert cache.lookup(_request("Bearer tamis_ana")) is ana
    assert cache.lookup(_request("Bearer tamis_bob")) is bob
    assert cache.lookup(_request("Bearer tamis_an")) is None
    assert cache.lookup(_request("Bearer tamis_anaa")) is None
    time.sleep(0.25)
    assert cache.lookup(_request("Bearer tamis_ana")) is None  # past its seconds
    cache.keep("Bearer tamis_ana", ana)
    cache.keep("Bearer tamis_cy", bob)  # over the size: the cache starts again
    assert cache.lookup(_request("Bearer tamis_bob")) is None
    assert cache.lookup(_request("Bearer tamis_cy")) is bob
