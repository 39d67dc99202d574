"""Group commit on a real SQLite file: queued units share one COMMIT, each answered after it; a
failing unit loses only its own writes; a failed COMMIT writes nothing of the group."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from app.core.db import UnitOfWork, after_commit, make_engine
from app.core.groupcommit import GroupCommit

Work = Callable[[UnitOfWork], Any]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)"))
    yield engine
    engine.dispose()


def _visible(engine: Engine, row_id: int) -> bool:
    """Whether another connection sees the row (it is committed)."""
    with engine.connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM t WHERE id = :id"), {"id": row_id})
        return bool(found.scalar_one())


def _insert(row_id: int, then: Callable[[], None] | None = None) -> Work:
    def work(unit: UnitOfWork) -> Any:
        try:
            unit.session.execute(text("INSERT INTO t (id, note) VALUES (:id, 'x')"), {"id": row_id})
            if then is not None:
                then()
        except BaseException:
            unit.rollback()
            raise
        unit.commit()
        return row_id

    return work


def _fail() -> None:
    raise ValueError("refused")


class Outcome:
    """What one request thread got back, and whether its row was committed at that moment."""

    def __init__(self) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.visible_on_return: bool | None = None


def _in_one_group(gate: GroupCommit, engine: Engine, works: list[Work]) -> list[Outcome]:
    """Queue every work while the writer's turn is held, then let them run: one group."""
    outcomes = [Outcome() for _ in works]

    def request(number: int, work: Work) -> None:
        unit = UnitOfWork(engine)
        try:
            outcomes[number].result = gate.run(unit, lambda: work(unit))
        except BaseException as exc:
            outcomes[number].error = exc
        outcomes[number].visible_on_return = _visible(engine, number)

    threads = [threading.Thread(target=request, args=(n, w)) for n, w in enumerate(works)]
    with gate:  # the turn of some other writer: every request queues meanwhile
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while gate.pending() < len(works):
            assert time.monotonic() < deadline, "the requests did not queue"
            time.sleep(0.01)
    for thread in threads:
        thread.join(10)
    return outcomes


def _commits(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


def test_queued_units_share_one_commit_and_are_answered_after_it(engine: Engine) -> None:
    gate = GroupCommit(engine)
    commits = _commits(engine)
    outcomes = _in_one_group(gate, engine, [_insert(n) for n in range(6)])
    assert [o.result for o in outcomes] == list(range(6))
    assert all(o.error is None for o in outcomes)
    assert all(o.visible_on_return for o in outcomes)  # each answer came after its COMMIT
    assert gate.sizes == [6] and len(commits) == 1


def test_a_failing_unit_loses_only_its_own_writes(engine: Engine) -> None:
    gate = GroupCommit(engine)
    works = [_insert(n, _fail if n == 2 else None) for n in range(5)]
    works[4] = _insert(0)  # a duplicate primary key: refused by the database itself
    outcomes = _in_one_group(gate, engine, works)
    assert isinstance(outcomes[2].error, ValueError)
    assert outcomes[4].error is not None and "UNIQUE" in str(outcomes[4].error)
    assert [o.result for o in outcomes] == [0, 1, None, 3, None]
    assert [_visible(engine, n) for n in range(5)] == [True, True, False, True, False]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 3


def test_a_failed_commit_writes_nothing_of_the_group_and_fails_each(engine: Engine) -> None:
    gate = GroupCommit(engine)

    def refuse(_conn: Any) -> None:
        raise OSError("disk I/O error")

    event.listen(engine, "commit", refuse)
    outcomes = _in_one_group(gate, engine, [_insert(n) for n in range(4)])
    event.remove(engine, "commit", refuse)
    assert all(isinstance(o.error, OSError) for o in outcomes)
    assert not any(_visible(engine, n) for n in range(4))
    # The writer is free again: the next request goes through alone.
    unit = UnitOfWork(engine)
    assert gate.run(unit, lambda: _insert(7)(unit)) == 7 and _visible(engine, 7)


def test_after_commit_steps_wait_for_the_group_commit(engine: Engine) -> None:
    gate = GroupCommit(engine)
    seen: dict[int, bool] = {}

    def with_step(row_id: int) -> Work:
        def work(unit: UnitOfWork) -> Any:
            after_commit(unit.session, lambda e: seen.__setitem__(row_id, _visible(e, row_id)))
            return _insert(row_id)(unit)

        return work

    works = [with_step(n) for n in range(3)] + [_insert(3, _fail)]
    outcomes = _in_one_group(gate, engine, works)
    assert seen == {0: True, 1: True, 2: True}  # run after the COMMIT; none for the failure
    assert isinstance(outcomes[3].error, ValueError)


def test_a_lone_unit_commits_on_its_own(engine: Engine) -> None:
    gate = GroupCommit(engine)
    unit = UnitOfWork(engine)
    assert gate.run(unit, lambda: _insert(1)(unit)) == 1
    assert _visible(engine, 1) and gate.sizes == [] and not unit.grouped
