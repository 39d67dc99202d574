"""`tamis keys`: the secret is printed once, stored hashed, and works until revoked."""

import re
import stat
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.core.config import Settings
from tests.api.conftest import auth
from tests.commands import tamis


def test_create_list_revoke(app: FastAPI, settings: Settings) -> None:
    made = tamis(settings, "keys", "create", "--name", "ATS", "--role", "integration")
    assert made.returncode == 0, made.stderr
    secret = re.search(r"secret \(shown once\): (\S+)", made.stdout)
    assert secret is not None
    key_id = made.stdout.split()[2]
    with TestClient(app, headers=auth(secret.group(1))) as caller:
        assert caller.get("/api/v1/candidates").status_code == 200
        assert caller.get("/api/v1/audit-events").status_code == 403  # integration role

        listed = tamis(settings, "keys", "list")
        assert "integration" in listed.stdout and "active" in listed.stdout
        assert secret.group(1) not in listed.stdout  # listings never show a secret

        engine = create_engine(settings.database_url)
        with engine.connect() as connection:
            stored = " ".join(
                str(r) for r in connection.execute(text("SELECT * FROM api_keys")).all()
            )
        engine.dispose()
        assert secret.group(1) not in stored  # only its hash is kept

        assert tamis(settings, "keys", "revoke", key_id).returncode == 0
        assert caller.get("/api/v1/candidates").status_code == 401
    assert "revoked" in tamis(settings, "keys", "list").stdout


def test_bad_roles_and_interviewers_without_email_are_refused(settings: Settings) -> None:
    wrong = tamis(settings, "keys", "create", "--name", "x", "--role", "boss")
    assert wrong.returncode == 2 and "admin, recruiter, interviewer, integration" in wrong.stderr
    nameless = tamis(settings, "keys", "create", "--name", "x", "--role", "interviewer")
    assert nameless.returncode == 2 and "--email" in nameless.stderr


def test_bootstrap_makes_one_local_admin_key(
    app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "admin-key.txt"
    production = tamis(settings, "keys", "bootstrap", "--out", str(out), TAMIS_ENV="production")
    assert production.returncode == 0 and "tamis keys create" in production.stdout
    assert not out.exists()  # production never creates a key by itself

    first = tamis(settings, "keys", "bootstrap", "--out", str(out))
    assert first.returncode == 0 and str(out) in first.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with TestClient(app, headers=auth(out.read_text().strip())) as admin:
        assert admin.get("/api/v1/audit-events").status_code == 200
    again = tamis(settings, "keys", "bootstrap", "--out", str(out))
    assert again.returncode == 0 and again.stdout == ""  # a key exists: nothing to do
