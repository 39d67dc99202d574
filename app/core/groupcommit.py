"""Group commit behind SQLite's one writer: write requests that queue together share a COMMIT.

SQLite runs one write transaction at a time, and the COMMIT (the write-ahead log's append and
sync) is a large part of a small write. A process's write requests therefore queue here: the
thread whose turn it is (the leader) takes the requests queued so far and runs them one after
the other in ONE transaction, each in a SAVEPOINT of its own (`UnitOfWork.join`), then commits
once. A request that fails rolls back to its savepoint: its writes are gone, the others' stay.
Every request of the group gets its answer (or its error) only after that COMMIT; if the COMMIT
fails, every request of the group gets that error and nothing of the group is written. A request
alone in the queue runs in its own transaction, exactly as without grouping.

The writer's turn is also a plain gate (`with gate:`) for writers that commit on their own
(the bulk import). PostgreSQL does not use this: its writers commit in parallel.
"""

import contextvars
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine

from app.core.db import UnitOfWork

MAX_GROUP = 8  # a request waits for at most 7 others queued after it


class _Job:
    """One request's unit of work and the work that uses and commits it."""

    def __init__(self, unit: UnitOfWork, work: Callable[[], Any]) -> None:
        self.unit, self.work = unit, work
        self.context = contextvars.copy_context()  # the request thread's, for the leader's run
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.context.run(self.work)
        except BaseException as exc:  # delivered to the request's own thread
            self.error = exc

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """The writers' queue of one process on SQLite, committing queued requests together."""

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP) -> None:
        self.engine, self.max_group = engine, max_group
        self._state = threading.Condition()
        self._busy = False
        self._queue: list[_Job] = []
        self.sizes: list[int] = []  # the size of each group run with a shared COMMIT (recent)

    def __enter__(self) -> None:
        """Take the writer's turn (for a writer that commits on its own)."""
        with self._state:
            while self._busy:
                self._state.wait()
            self._busy = True

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        with self._state:
            self._busy = False
            self._state.notify_all()

    def pending(self) -> int:
        """How many requests wait for a turn."""
        with self._state:
            return len(self._queue)

    def run(self, unit: UnitOfWork, work: Callable[[], Any]) -> Any:
        """Run `work` (which uses `unit` and commits or rolls it back) in the next group; return
        its result, or raise its error, once the group's transaction is committed."""
        job = _Job(unit, work)
        with self._state:
            self._queue.append(job)
        while True:
            with self._state:
                while self._busy and not job.done:
                    self._state.wait()
                if job.done:
                    return job.outcome()
                self._busy = True
                group = self._queue[: self.max_group]
                del self._queue[: self.max_group]
            try:
                if len(group) == 1:
                    group[0].run()  # alone: its own transaction, as without grouping
                else:
                    self._run_group(group)
            finally:
                with self._state:
                    for queued in group:
                        queued.done = True
                    self._busy = False
                    self._state.notify_all()

    def _run_group(self, group: list[_Job]) -> None:
        connection = self.engine.connect()
        try:
            with connection.begin():
                for job in group:
                    job.unit.join(connection)
                    job.run()
                    _left_clean(connection, job)
            # Committed (the `with` block): now the after-commit steps, then the answers.
            self.sizes = [*self.sizes[-99:], len(group)]
        except BaseException as exc:
            for job in group:  # rolled back: nothing of the group is written
                job.result, job.error = None, job.error or exc
                if not job.unit.closed:
                    job.unit.rollback()
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            connection.close()
        for job in group:
            if job.error is None:
                job.unit.committed()


def _left_clean(connection: Connection, job: _Job) -> None:
    """A unit ends with its savepoint released or rolled back; one left open is rolled back
    (its writes must not ride on the group's COMMIT) and the unit counts as failed."""
    if not job.unit.closed:
        job.unit.rollback()
        job.error = job.error or RuntimeError("the unit of work was left open")
    nested = connection.get_nested_transaction()
    if nested is not None:
        nested.rollback()
        job.result, job.error = None, job.error or RuntimeError("a savepoint was left open")
