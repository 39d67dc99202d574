"""SQLite's write-ahead log folded in by a thread: with it, a COMMIT never copies the log into the
database file; the thread does, while writers go on; without it, SQLite does it in a COMMIT."""

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.core.checkpoint import WalCheckpointer
from app.core.db import make_engine

ROW = "x" * 3000  # about one page each: 1,500 rows take the log well past 1,000 pages


def _engine(path: Path, background: bool) -> Engine:
    engine = make_engine(f"sqlite:///{path}", background_checkpoints=background)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)"))
    return engine


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "log.db"


def _write(engine: Engine, rows: int, start: int = 0) -> None:
    for n in range(start, start + rows):  # one COMMIT each, as requests do
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (id, note) VALUES (:id, :note)"),
                               {"id": n, "note": ROW})  # fmt: skip


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_by_default_a_commit_folds_the_log_into_the_file(db: Path) -> None:
    engine = _engine(db, background=False)
    try:
        assert _autocheckpoint(engine) == 1000
        before = os.path.getsize(db)
        _write(engine, 1500)
        assert os.path.getsize(db) > before + 1000 * 4096  # some COMMIT copied the log
    finally:
        engine.dispose()


def test_with_background_checkpoints_only_the_checkpointer_folds_the_log(db: Path) -> None:
    engine = _engine(db, background=True)
    try:
        assert _autocheckpoint(engine) == 0
        before = os.path.getsize(db)
        _write(engine, 1500)
        assert os.path.getsize(db) == before  # no COMMIT copied anything: all of it is in the log
        assert _count(engine) == 1500
        busy, pages, copied = WalCheckpointer(engine, 1.0).checkpoint()
        assert (busy, copied) == (0, pages) and pages >= 1500
        assert os.path.getsize(db) > before + 1500 * 4096
        assert _count(engine) == 1500
    finally:
        engine.dispose()


def test_the_thread_folds_the_log_while_writers_go_on_and_stops(db: Path) -> None:
    engine = _engine(db, background=True)
    checkpointer = WalCheckpointer(engine, 0.02)
    checkpointer.start()
    try:
        before = os.path.getsize(db)
        writer = threading.Thread(target=_write, args=(engine, 600))
        writer.start()
        deadline = time.monotonic() + 30
        while checkpointer.checkpoints < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        writer.join()
        running = [t for t in threading.enumerate() if t.name == "tamis-checkpoint"]
        assert len(running) == 1 and running[0].daemon  # never holds up the process's exit
        assert checkpointer.checkpoints >= 3
        assert os.path.getsize(db) > before  # the thread copied the log into the file
        assert _count(engine) == 600
    finally:
        checkpointer.stop()
    assert not any(t.name == "tamis-checkpoint" for t in threading.enumerate())
    checkpointer.stop()  # stopping again does nothing
    _write(engine, 50, start=600)
    size = os.path.getsize(db)
    time.sleep(0.1)
    assert os.path.getsize(db) == size  # stopped: nothing folds the log any more
    engine.dispose()


def test_a_failed_run_is_logged_retried_and_does_not_stop_the_thread(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = _engine(db, background=True)
    checkpointer = WalCheckpointer(engine, 0.02)
    calls = {"n": 0}
    real = checkpointer.checkpoint

    def flaky() -> tuple[int, int, int]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk hiccup")
        return real()

    checkpointer.checkpoint = flaky  # type: ignore[method-assign]
    checkpointer.start()
    try:
        deadline = time.monotonic() + 30
        while checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert calls["n"] >= 3 and checkpointer.checkpoints >= 2
        failures = [r for r in caplog.records if r.name == "tamis" and r.exc_info]
        assert len(failures) == 1
        assert failures[0].getMessage() == "SQLite checkpoint failed; retrying in 0.02 s"
        assert "disk hiccup" in caplog.text
    finally:
        checkpointer.stop()
        engine.dispose()
