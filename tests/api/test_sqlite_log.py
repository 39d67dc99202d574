"""The server folds SQLite's write-ahead log in with a thread of its own (app/core/checkpoint.py),
started and stopped with the application; PostgreSQL has no such thread."""

import shutil
import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.config import Settings
from app.main import create_app
from tests.api.conftest import Api, auth, make_key


def _threads() -> int:
    return sum(t.name == "tamis-checkpoint" for t in threading.enumerate())


def _autocheckpoint(app: FastAPI) -> int:
    with app.state.engine.connect() as connection:
        return int(connection.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def test_the_checkpoint_thread_lives_with_the_server(settings: Settings) -> None:
    app = create_app(settings)
    before = _threads()
    with TestClient(app, headers=auth(make_key(settings))) as client:
        Api(client).candidate()  # requests are served while the thread runs
        if settings.database_url.startswith("sqlite"):
            assert _threads() == before + 1
            assert _autocheckpoint(app) == 0  # no COMMIT folds the log in
            checkpointer = app.state.checkpointer
            checkpointer.checkpoint()
            assert checkpointer.checkpoints >= 1
        else:
            assert _threads() == before
            assert not hasattr(app.state, "checkpointer")
    assert _threads() == before


def test_without_the_thread_sqlite_folds_the_log_itself(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "tamis.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(database_url=f"sqlite:///{path}", env="test", sqlite_checkpoint_seconds=0)
    app = create_app(settings)
    before = _threads()
    with TestClient(app, headers=auth(make_key(settings))) as client:
        Api(client).candidate()
        assert _threads() == before
        assert _autocheckpoint(app) == 1000
