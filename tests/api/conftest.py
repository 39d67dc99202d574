"""API test fixtures: each test runs on a fresh SQLite file and a fresh PostgreSQL database."""

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.access import service as keys
from app.access.policy import Role
from app.commands import command_session
from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.main import create_app
from tests.pg import postgres_for_tests


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL server for the session with a migrated template database."""
    with postgres_for_tests() as base:
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE tamis_template"))
        upgrade(f"{base}/tamis_template")
        try:
            yield base
        finally:
            admin.dispose()


@contextmanager
def scratch_postgres(base: str, template: str | None = None) -> Iterator[str]:
    """A PostgreSQL database of its own (a copy of `template`, or empty), dropped afterwards."""
    name = f"t_{uuid.uuid4().hex}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    copy = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "tamis.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    with scratch_postgres(request.getfixturevalue("postgres_template"), "tamis_template") as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        criteria_dir=shipped_criteria_dir(),
        env="test",
        webhook_poll_seconds=0.05,
        webhook_retry_base_seconds=0.2,
        # The tests' receivers listen on loopback, which webhooks may reach only when allowed.
        webhook_allowed_hosts="127.0.0.1",
    )


def make_key(settings: Settings, role: Role = "admin", email: str | None = None) -> str:
    """A new API key's secret, made the way `tamis keys create` makes it."""
    with command_session(settings, "test setup") as session:
        _key, secret = keys.create(session, name=f"test {role}", role=role, email=email)
    return secret


def auth(secret: str) -> dict[str, str]:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    """A client that sends an admin key with every request."""
    with TestClient(app, headers=auth(make_key(settings))) as test_client:
        yield test_client


class Api:
    """Small helpers that build the usual objects through the API, as a client would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def ok(self, method: str, url: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, url, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def position(self, **fields: Any) -> dict[str, Any]:
        return self.ok(
            "POST", "/api/v1/positions", 201, json={"title": "Community manager", **fields}
        )

    def candidate(self, position_id: str | None = None, **fields: Any) -> dict[str, Any]:
        position_id = position_id or self.position()["id"]
        body = {
            "full_name": "Zoë Lefèvre-Dubois",
            "email": "zoe@example.org",
            "position_id": position_id,
        }
        return self.ok("POST", "/api/v1/candidates", 201, json={**body, **fields})

    def assessment(
        self, candidate_id: str, name: str, ratings: dict[str, int], **fields: Any
    ) -> dict[str, Any]:
        body = {
            "interviewer": {"name": name, "email": f"{name.lower()}@example.org"},
            "ratings": ratings,
            "status": "submitted",
            **fields,
        }
        return self.ok("POST", f"/api/v1/candidates/{candidate_id}/assessments", 201, json=body)


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)
