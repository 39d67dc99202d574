"""One submission's work inside the process, without HTTP: where the hot path spends its time.

Runs the same calls as `POST /api/v1/candidates/{id}/assessments` (authenticate, lock the
candidate, validate, score, store, build the response, commit) in a loop on a fresh SQLite file,
against the baseline the HTTP benchmark uses: validating the same body with the same pydantic
model. Prints both (median of rounds), the ratio, and the SQL statements of one submission.
`--profile` adds the top of a cProfile of the loop. `--tail N` times N submissions one by one,
on a fresh file each, with SQLite's own checkpoints and with the server's checkpoint thread
(app/core/checkpoint.py), and prints their p50, p99 and the ratio of the p99s.

    .venv/bin/python bench/bench_submission.py [--rounds 7] [--calls 100] [--profile] [--tail N]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api import submission_body  # noqa: E402

from app.access import service as keys  # noqa: E402
from app.assessments import service as assessments  # noqa: E402
from app.assessments.models import AssessmentCreate  # noqa: E402
from app.audit import recorder  # noqa: E402
from app.candidates import service as candidates  # noqa: E402
from app.candidates.models import CandidateCreate  # noqa: E402
from app.core.checkpoint import WalCheckpointer  # noqa: E402
from app.core.config import shipped_criteria_dir  # noqa: E402
from app.core.db import UnitOfWork, make_engine  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.events import service as event_feed  # noqa: E402
from app.positions import service as positions  # noqa: E402
from app.positions.models import PositionCreate  # noqa: E402
from app.rubric import load_rubrics  # noqa: E402
from app.rubric.store import RubricRegistry  # noqa: E402

CANDIDATES = 200


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (--profile)")
    parser.add_argument("--tail", type=int, default=0, help="submissions timed one by one")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", options)
    if options.tail:
        tails = {}
        for name, thread in (("SQLite's own checkpoints", False), ("checkpoint thread", True)):
            with tempfile.TemporaryDirectory() as tmp:
                tails[name] = tail(f"sqlite:///{Path(tmp) / 'bench.db'}", options.tail, thread)
        print(f"# {options.tail} submissions one by one, each on a fresh file")
        for name, (p50, p99) in tails.items():
            print(f"{name:26s} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
        own, thread = tails["SQLite's own checkpoints"][1], tails["checkpoint thread"][1]
        print(f"p99 with the thread: {thread / own:.2f} x the p99 with SQLite's own checkpoints")


def tail(url: str, count: int, thread: bool) -> tuple[float, float]:
    """p50 and p99 (ms) of `count` submissions made one by one."""
    engine, submit, _baseline = setup(url, background_checkpoints=thread)
    checkpointer = WalCheckpointer(engine, 1.0) if thread else None
    if checkpointer is not None:
        checkpointer.start()
    times = []
    for n in range(count):
        start = time.perf_counter()
        submit(10**6 + n)
        times.append((time.perf_counter() - start) * 1e3)
    if checkpointer is not None:
        checkpointer.stop()
    engine.dispose()
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


Submit = Callable[[int], None]


def setup(url: str, *, background_checkpoints: bool = False) -> tuple[Engine, Submit, Submit]:
    """A migrated file with 200 candidates, each already assessed once (warmed up): the engine,
    the submission and the baseline (validating the same body), each taking a call number."""
    upgrade(url)
    recorder.install()  # as the app does (create_app): the audit trail and the event feed
    event_feed.install()
    engine = make_engine(url, background_checkpoints=background_checkpoints)
    rubrics = load_rubrics(shipped_criteria_dir())
    registry = RubricRegistry(rubrics)
    unit = UnitOfWork(engine)
    _row, secret = keys.create(unit.session, name="benchmark", role="admin")
    unit.commit()
    authorization = f"Bearer {secret}"

    def open_unit() -> UnitOfWork:
        unit = UnitOfWork(engine)
        principal = keys.authenticate(unit.session, authorization)
        unit.session.info.update(principal=principal, operation="create_assessment")
        return unit

    unit = open_unit()
    position = positions.create(unit.session, registry, PositionCreate(title="Community manager"))
    ids = [
        candidates.create(
            unit.session, CandidateCreate(full_name=f"C {n}", position_id=position.id)
        ).id
        for n in range(CANDIDATES)
    ]
    unit.commit()
    run_id = uuid.uuid4().hex[:8]

    def body(n: int) -> dict[str, object]:
        return submission_body(f"Interviewer {n}", f"i{n}-{run_id}@example.org")

    def baseline(n: int) -> None:
        AssessmentCreate.model_validate(body(n))

    def submit(n: int) -> None:
        data = AssessmentCreate.model_validate(body(n))
        unit = open_unit()
        try:
            candidate = candidates.get(unit.session, ids[n % len(ids)], lock=True)
            assessment = assessments.create(unit.session, registry, candidate, data)
            assessments.to_public(unit.session, registry, assessment, "en").model_dump_json()
        except BaseException:
            unit.rollback()
            raise
        unit.commit()

    for n in range(CANDIDATES):  # warm up: every candidate pinned
        submit(n)
    return engine, submit, baseline


def run(url: str, options: argparse.Namespace) -> None:
    """The median per call against the baseline, the statements, and the profile."""
    engine, submit, baseline = setup(url)
    counter = iter(range(CANDIDATES, 10**9))

    def per_call(function: Callable[[int], None]) -> float:
        start = time.perf_counter()
        for _ in range(options.calls):
            function(next(counter))
        return (time.perf_counter() - start) / options.calls * 1e3

    base = statistics.median(per_call(baseline) for _ in range(options.rounds))
    tamis = statistics.median(per_call(submit) for _ in range(options.rounds))
    print(f"# in-process submission, SQLite; median of {options.rounds} rounds x {options.calls}")
    print(f"validate the body (baseline)      {base:8.3f} ms   1.0 x baseline")
    print(f"submit, scored and committed      {tamis:8.3f} ms   {tamis / base:.1f} x baseline")

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split())[:90])

    event.listen(engine, "before_cursor_execute", record)
    submit(next(counter))
    event.remove(engine, "before_cursor_execute", record)
    print(f"statements of one submission: {len(statements)}")
    for statement in statements:
        print(f"  {statement}")
    if options.profile:
        profile = cProfile.Profile()
        profile.enable()
        per_call(submit)
        profile.disable()
        pstats.Stats(profile).sort_stats(options.sort).print_stats(30)


if __name__ == "__main__":
    main()
