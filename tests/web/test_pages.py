"""The pages over HTTP: sign-in, sessions, CSRF, roles and the first local account."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.access import users
from app.commands import command_session
from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.main import create_app
from app.web.session import SESSION_COOKIE
from tests.commands import tamis
from tests.web.conftest import PASSWORD


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'pages.db'}"
    upgrade(url)
    return Settings(
        database_url=url, criteria_dir=shipped_criteria_dir(), env="test", webhook_worker=False
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with command_session(settings, "test") as session:
        users.create(
            session, email="ana@example.org", name="Ana", role="recruiter", password=PASSWORD
        )
        users.create(
            session, email="ina@example.org", name="Ina", role="interviewer", password=PASSWORD
        )
    with TestClient(create_app(settings), follow_redirects=False) as test_client:
        yield test_client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    token = _csrf(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return _csrf(client.get("/candidates").text)


def test_pages_need_a_session(client: TestClient) -> None:
    for path in (
        "/",
        "/candidates",
        "/positions",
        f"/candidates/{'0' * 8}-0000-0000-0000-{'0' * 12}",
    ):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith(("/sign-in", "/candidates"))
    assert client.get("/candidates").headers["location"] == "/sign-in?next=/candidates"


def test_sign_in_cookie_and_sign_out(client: TestClient) -> None:
    token = _csrf(client.get("/sign-in").text)
    wrong = client.post(
        "/sign-in", data={"email": "ana@example.org", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "ana@example.org" in wrong.text  # typed email kept
    token = _csrf(wrong.text)
    good = client.post(
        "/sign-in",
        data={
            "email": "ana@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert good.headers["location"] == "/candidates"  # never to another site
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/candidates")
    assert page.status_code == 200 and "Ana" in page.text
    assert client.post("/sign-out", data={"csrf_token": _csrf(page.text)}).status_code == 303
    assert client.get("/candidates").status_code == 303


def test_forms_without_their_csrf_token_are_refused(client: TestClient) -> None:
    csrf = _sign_in(client, "ana@example.org")
    refused = client.post("/positions", data={"title": "CM"})
    assert refused.status_code == 403 and "<html" in refused.text  # a page, not JSON
    assert (
        client.post("/positions", data={"title": "CM", "csrf_token": "x" * 43}).status_code == 403
    )
    assert "CM" not in client.get("/positions").text
    assert client.post("/positions", data={"title": "CM", "csrf_token": csrf}).status_code == 303
    assert "CM" in client.get("/positions").text
    stale = client.get("/sign-in").text
    client.cookies.delete("tamis_login_csrf")
    expired = client.post(
        "/sign-in", data={"email": "a", "password": "b", "csrf_token": _csrf(stale)}
    )
    assert expired.status_code == 401


def test_an_interviewer_cannot_add_candidates_and_scores_blind(client: TestClient) -> None:
    csrf = _sign_in(client, "ana@example.org")
    client.post("/positions", data={"title": "CM", "csrf_token": csrf})
    position_id = re.search(r'<option value="([0-9a-f-]{36})"', client.get("/candidates").text)
    assert position_id is not None
    added = client.post(
        "/candidates",
        data={"full_name": "Zoë", "position_id": position_id.group(1), "csrf_token": csrf},
    )
    candidate = added.headers["location"]
    missing = client.post(
        "/candidates",
        data={
            "full_name": "",
            "position_id": position_id.group(1),
            "email": "not-an-email",
            "csrf_token": csrf,
        },
    )
    assert missing.status_code == 422 and 'id="e-email"' in missing.text
    assert 'value="not-an-email"' in missing.text  # what was typed is kept

    client.cookies.clear()
    csrf = _sign_in(client, "ina@example.org")
    page = client.get(candidate).text
    assert "Blind scoring" in page and "Record a decision" not in page
    refused = client.post(
        "/candidates",
        data={"full_name": "X", "position_id": position_id.group(1), "csrf_token": csrf},
    )
    assert refused.status_code == 403


def test_the_first_local_account(settings: Settings) -> None:
    production = tamis(settings, "users", "bootstrap", TAMIS_ENV="production")
    assert production.returncode == 0 and "tamis users create" in production.stdout
    first = tamis(settings, "users", "bootstrap")
    password = re.search(r"admin@localhost / (\S+)", first.stdout)
    assert first.returncode == 0 and password is not None
    assert tamis(settings, "users", "bootstrap").stdout == ""  # printed once only
    with TestClient(create_app(settings), follow_redirects=False) as client:
        _sign_in(client, "admin@localhost", password.group(1))
    made = tamis(
        settings,
        "users",
        "create",
        "--email",
        "bo@example.org",
        "--role",
        "interviewer",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert made.returncode == 0, made.stderr
    with TestClient(create_app(settings), follow_redirects=False) as client:
        _sign_in(client, "bo@example.org")


def _session_cookie(client: TestClient) -> str:
    token = _csrf(client.get("/sign-in").text)
    signed_in = client.post(
        "/sign-in", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 303, signed_in.text
    cookies = [c for c in signed_in.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    assert len(cookies) == 1, signed_in.headers.get_list("set-cookie")
    return cookies[0]


def test_the_session_cookie_is_secure_in_production(client: TestClient, settings: Settings) -> None:
    production = settings.model_copy(update={"env": "production"})
    app = create_app(production)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as https:
        cookie = _session_cookie(https)
        assert "; secure" in cookie.lower() and "httponly" in cookie.lower()
        assert https.get("/candidates").status_code == 200  # sent back over HTTPS
    # Elsewhere (a laptop on http://127.0.0.1) the cookie must work without TLS.
    assert "secure" not in _session_cookie(client).lower()
