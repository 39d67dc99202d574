"""SQLite: the write-ahead log folded into the database file by a thread, not by a request.

By default SQLite checkpoints its log inside the COMMIT that takes it past 1,000 pages: that
request copies some 4 MB into the database file and syncs it, while the others queue behind the
write lock. A submission writes about 33 pages, so one in thirty paid for it, which made the
slowest requests several times slower than the median. With this thread running, the server's
connections leave checkpoints to it (`PRAGMA wal_autocheckpoint=0`, set by `make_engine`), and it
runs a PASSIVE checkpoint every `interval` seconds: it copies what no reader still needs, takes
no write lock and never waits for one, so requests go on writing meanwhile (SQLite's "Write-Ahead
Logging", section "Application-Initiated Checkpoints"). Durability does not change: a COMMIT is
in the log either way; the checkpoint only moves it into the database file.

A process that opens the database without this thread (the commands) keeps SQLite's automatic
checkpoints. When the last connection to the file closes, SQLite checkpoints what is left.
"""

import logging
import threading
from typing import cast

from sqlalchemy import Engine

log = logging.getLogger("tamis")


class WalCheckpointer:
    """A daemon thread running `PRAGMA wal_checkpoint(PASSIVE)` on `engine` every `interval` s."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine = engine
        self.interval = interval
        self.checkpoints = 0  # completed runs, for tests and diagnostics
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def checkpoint(self) -> tuple[int, int, int]:
        """Run one PASSIVE checkpoint now: (busy, pages in the log, pages copied), as SQLite
        reports them (busy is 1 when another checkpoint was running)."""
        connection = self.engine.raw_connection()  # outside any transaction, as a checkpoint needs
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            # A PRAGMA wal_checkpoint answers with exactly one row of three numbers.
            busy, pages, copied = cast(tuple[int, int, int], cursor.fetchone())
            cursor.close()
        finally:
            connection.close()
        self.checkpoints += 1
        return int(busy), int(pages), int(copied)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint()
            except Exception:  # a failed run is retried at the next tick; requests go on
                log.exception("SQLite checkpoint failed; retrying in %s s", self.interval)

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tamis-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it; a last checkpoint folds in what is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.checkpoint()
