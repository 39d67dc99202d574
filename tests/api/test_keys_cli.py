"""`tamis keys`: the secret is printed once, stored hashed, and works until revoked."""

import re
import stat
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.core.config import Settings
from tests.api.conftest import auth


def _tamis(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={
            "TAMIS_DATABASE_URL": settings.database_url,
            "PATH": "/usr/bin:/bin",
            "COLUMNS": "200",
            **env,
        },
        check=False,
        timeout=60,
    )


def test_create_list_revoke(app: FastAPI, settings: Settings) -> None:
    made = _tamis(settings, "keys", "create", "--name", "ATS", "--role", "integration")
    assert made.returncode == 0, made.stderr
    secret = re.search(r"secret \(shown once\): (\S+)", made.stdout)
    assert secret is not None
    key_id = made.stdout.split()[2]
    with TestClient(app, headers=auth(secret.group(1))) as caller:
        assert caller.get("/api/v1/candidates").status_code == 200
        assert caller.get("/api/v1/audit-events").status_code == 403  # integration role

        listed = _tamis(settings, "keys", "list")
        assert "integration" in listed.stdout and "active" in listed.stdout
        assert secret.group(1) not in listed.stdout  # listings never show a secret

        engine = create_engine(settings.database_url)
        with engine.connect() as connection:
            stored = " ".join(
                str(r) for r in connection.execute(text("SELECT * FROM api_keys")).all()
            )
        engine.dispose()
        assert secret.group(1) not in stored  # only its hash is kept

        assert _tamis(settings, "keys", "revoke", key_id).returncode == 0
        assert caller.get("/api/v1/candidates").status_code == 401
    assert "revoked" in _tamis(settings, "keys", "list").stdout


def test_bad_roles_and_interviewers_without_email_are_refused(settings: Settings) -> None:
    wrong = _tamis(settings, "keys", "create", "--name", "x", "--role", "boss")
    assert wrong.returncode == 2 and "admin, recruiter, interviewer, integration" in wrong.stderr
    nameless = _tamis(settings, "keys", "create", "--name", "x", "--role", "interviewer")
    assert nameless.returncode == 2 and "--email" in nameless.stderr


def test_bootstrap_makes_one_local_admin_key(
    app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "admin-key.txt"
    production = _tamis(settings, "keys", "bootstrap", "--out", str(out), TAMIS_ENV="production")
    assert production.returncode == 0 and "tamis keys create" in production.stdout
    assert not out.exists()  # production never creates a key by itself

    first = _tamis(settings, "keys", "bootstrap", "--out", str(out))
    assert first.returncode == 0 and str(out) in first.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with TestClient(app, headers=auth(out.read_text().strip())) as admin:
        assert admin.get("/api/v1/audit-events").status_code == 200
    again = _tamis(settings, "keys", "bootstrap", "--out", str(out))
    assert again.returncode == 0 and again.stdout == ""  # a key exists: nothing to do
