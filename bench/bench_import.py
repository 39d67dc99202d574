"""The bulk import's rate against the per-request submission's, in the same run, same server.

One uvicorn process of Tamis on loopback, on SQLite and on PostgreSQL. The per-request rate is
wrk's (32 connections) on `POST /candidates/{id}/assessments`, each a submitted scorecard; the
import rate is one streamed `POST /imports/assessments` of the same scorecards as JSON Lines,
first for existing candidates (`candidate_id`), then creating the candidates (`candidate`, by
external id). Both paths validate, pin, score, and write the audit and feed events. Prints one
line per figure and the ratios (target: at least 20 x).

    .venv/bin/python bench/bench_import.py [--db sqlite|postgresql|both] [--lines 20000]

`--profile` runs the import service in this process instead (no server, no wrk), on a fresh
SQLite file and a throwaway PostgreSQL (`--db`), for existing candidates then creating them,
and prints the top of a cProfile (with `--timed`: the CPU time a line takes, no cProfile).

    .venv/bin/python bench/bench_import.py --profile [--db sqlite] [--lines 4000] [--timed]
"""

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api import (  # noqa: E402
    WRK_SCRIPT,
    _wrk,
    fill_candidates,
    free_port,
    post,
    start,
    uvicorn,
)

from app.access import service as keys  # noqa: E402
from app.access.models import system  # noqa: E402
from app.audit import recorder  # noqa: E402
from app.candidates.models import Candidate  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings, shipped_criteria_dir  # noqa: E402
from app.core.db import UnitOfWork, make_engine  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.events import service as event_feed  # noqa: E402
from app.imports.service import Importer  # noqa: E402
from app.positions import service as positions  # noqa: E402
from app.positions.models import PositionCreate  # noqa: E402
from app.rubric import load_rubrics  # noqa: E402
from app.rubric.store import RubricRegistry  # noqa: E402
from tests.pg import postgres_server  # noqa: E402

PER_REQUEST_CANDIDATES = 1000
RUBRIC = load_rubrics(shipped_criteria_dir())["social-media-screen"]
# `complete`: every criterion rated (a determined verdict); `core`: the core criteria only, whose
# verdict the engine settles by trying the outcomes the unrated criteria could still give.
SHAPES = {
    "complete": [c.id for c in RUBRIC.criteria],
    "core": [c.id for c in RUBRIC.criteria if c.group == "core"],
}
RATED = SHAPES["complete"]
CHUNK_LINES = 200


def scorecard(name: str, email: str) -> dict[str, Any]:
    """A submitted scorecard: the criteria of the shape rated, one flag, a note on each."""
    return {
        "interviewer": {"name": name, "email": email},
        "ratings": {c: 3 + (i % 2) for i, c in enumerate(RATED)},
        "flags": [{"id": "vanity_metrics", "note": "quoted page views"}],
        "notes": dict.fromkeys(RATED, "seen in the case study"),
        "summary": "Solid practitioner.",
        "language": "en",
        "status": "submitted",
    }


def per_request(base: str, ids: list[str], seconds: int, workdir: Path, key: str) -> dict[str, Any]:
    template = json.dumps(scorecard("Interviewer @N@", f"i@N@-{uuid.uuid4().hex[:8]}@example.org"))
    lua_ids = ", ".join(f'"{i}"' for i in ids)
    script = WRK_SCRIPT % {"ids": lua_ids, "template": json.dumps(template), "key": key}
    return _wrk(script, base, seconds, 32, workdir)


def _body(lines: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """JSON Lines, sent in chunks of a few hundred lines (chunked transfer, never whole)."""
    batch: list[str] = []
    for line in lines:
        batch.append(json.dumps(line))
        if len(batch) == CHUNK_LINES:
            yield ("\n".join(batch) + "\n").encode()
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode()


def bulk(base: str, key: str, lines: Iterator[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """One streamed import: its report and how long it took."""
    started = time.perf_counter()
    response = httpx.post(
        f"{base}/api/v1/imports/assessments",
        content=_body(lines),
        headers={"Content-Type": "application/jsonl", "Authorization": f"Bearer {key}"},
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    return report, elapsed


def for_existing(ids: list[str], per_candidate: int, run: str) -> Iterator[dict[str, Any]]:
    for n in range(per_candidate):
        for candidate_id in ids:
            yield {
                **scorecard(f"I{n}", f"i{n}-{run}@example.org"),
                "candidate_id": candidate_id,
            }


def creating(position_id: str, count: int, per_candidate: int) -> Iterator[dict[str, Any]]:
    for c in range(count):
        for n in range(per_candidate):
            yield {
                **scorecard(f"I{n}", f"i{n}@example.org"),
                "candidate": {
                    "position_id": position_id,
                    "external_id": f"ats-{c}",
                    "full_name": f"Imported {c}",
                },
                "submitted_at": "2025-03-14T10:30:00Z",
            }


def _new_ids(database_url: str, known: set[str]) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        found = [str(i) for i in connection.execute(select(Candidate.__table__.c.id)).scalars()]  # type: ignore[attr-defined]
    engine.dispose()
    return [i for i in found if i not in known]


def _server_cpu(port: int) -> float:
    """CPU seconds (user and system) the Tamis server listening on `port` has used so far: a
    figure that holds on a loaded machine, where wall-clock rates depend on the other load."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if b"uvicorn" in command and str(port).encode() in command:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def measure(database_url: str, lines: int, seconds: int, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "TAMIS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env["TAMIS_WEBHOOK_WORKER"] = "false"
    subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT
    )
    results: dict[str, Any] = {}
    with ExitStack() as stack:
        port = free_port()
        start(stack, uvicorn("app.main:create_app", port, True), env, port, workdir / "tamis.log")
        base = f"http://127.0.0.1:{port}"
        with command_session(Settings(database_url=database_url), "benchmark") as session:
            _row, key = keys.create(session, name="benchmark", role="admin")
        position = str(post(base, "/api/v1/positions", {"title": "Community manager"}, key)["id"])
        fill_candidates(database_url, position, PER_REQUEST_CANDIDATES)
        ids = _new_ids(database_url, set())
        per_candidate = 2
        fill_candidates(database_url, position, lines // per_candidate + 500)
        import_ids = _new_ids(database_url, set(ids))
        warm_ids, import_ids = import_ids[:500], import_ids[500:]
        # Warm both paths up (rubric snapshot, caches), then measure one after the other.
        per_request(base, ids, 2, workdir, key)
        bulk(base, key, for_existing(warm_ids, 1, "warm"))
        cpu = _server_cpu(port)
        results["per-request"] = per_request(base, ids, seconds, workdir, key)
        results["cpu per-request"], cpu = _server_cpu(port) - cpu, _server_cpu(port)
        results["import existing"] = bulk(base, key, for_existing(import_ids, per_candidate, "m"))
        results["cpu import existing"], cpu = _server_cpu(port) - cpu, _server_cpu(port)
        results["import creating"] = bulk(
            base, key, creating(position, lines // per_candidate, per_candidate)
        )
        results["cpu import creating"] = _server_cpu(port) - cpu
    errors = [line for line in (workdir / "tamis.log").read_text().splitlines() if "Error" in line]
    if errors:
        print(f"server errors ({len(errors)}), last ones:", *errors[-5:], sep="\n  ")
    return results


def _numbered(lines: Iterator[dict[str, Any]]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines, 1):
        yield number, json.dumps(line).encode()


def _database(kind: str, workdir: Path, stack: ExitStack) -> str:
    """A fresh database's URL: a SQLite file in `workdir`, or a database on a throwaway
    PostgreSQL server that `stack` stops."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    server = stack.enter_context(postgres_server())
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE bench"))
    admin.dispose()
    return f"{server}/bench"


def profile(lines: int, top: int, out: str | None, kind: str, timed: bool) -> None:
    """The import service in this process on a fresh SQLite file (or a throwaway PostgreSQL),
    under cProfile (`timed`: without it, the CPU time a line takes)."""
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = _database(kind, Path(tmp), stack)
        upgrade(url)
        recorder.install()  # as the app does (create_app): the audit trail and the event feed
        event_feed.install()
        engine = make_engine(url)
        registry = RubricRegistry(load_rubrics(shipped_criteria_dir()))
        unit = UnitOfWork(engine)
        unit.session.info.update(principal=system("benchmark"), operation="benchmark")
        position = positions.create(unit.session, registry, PositionCreate(title="CM")).id
        unit.commit()
        per_candidate = 2
        fill_candidates(url, position, lines // per_candidate + 500)
        ids = _new_ids(url, set())
        warm_ids, ids = ids[:500], ids[500:]

        def run(source: Iterator[dict[str, Any]]) -> tuple[dict[str, Any], float, float]:
            importer = Importer(engine, registry, principal=system("benchmark"))
            started, cpu = time.perf_counter(), time.process_time()
            report = importer.run(_numbered(source)).model_dump()
            return report, time.perf_counter() - started, time.process_time() - cpu

        run(for_existing(warm_ids, 1, "warm"))  # the rubric snapshot, caches
        stats = cProfile.Profile()
        if not timed:
            stats.enable()
        existing = run(for_existing(ids, per_candidate, "m"))
        created = run(creating(str(position), lines // per_candidate, per_candidate))
        stats.disable()
        engine.dispose()
    under = "without cProfile" if timed else "under cProfile"
    for label, (report, elapsed, cpu) in (("existing", existing), ("creating", created)):
        lines = max(report["lines"], 1)
        print(
            f"import {label}: {report['imported']} imported, {report['refused']} refused, "
            f"{elapsed / lines * 1e3:.3f} ms a line, {cpu / lines * 1e3:.3f} ms of CPU "
            f"({kind}, {under})"
        )
    if timed:
        return
    if out:
        stats.dump_stats(out)
    pstats.Stats(stats).sort_stats("cumulative").print_stats(top)
    pstats.Stats(stats).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--shape", choices=list(SHAPES), default="complete")
    parser.add_argument("--profile", action="store_true", help="in process, under cProfile")
    parser.add_argument(
        "--timed", action="store_true", help="with --profile: CPU time a line, no cProfile"
    )
    parser.add_argument("--top", type=int, default=40, help="rows of the profile printed")
    parser.add_argument("--profile-out", help="also save the profile (pstats) to this file")
    options = parser.parse_args()
    global RATED  # the scorecard every measurement sends
    RATED = SHAPES[options.shape]
    if options.profile:
        for kind in ["sqlite", "postgresql"] if options.db == "both" else [options.db]:
            profile(options.lines, options.top, options.profile_out, kind, options.timed)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it as root)")
    print(
        f"# import benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; 1 uvicorn process; "
        f"per request: wrk, 32 connections, {options.seconds} s; import: {options.lines} lines, "
        f"one streamed request; scorecards: {options.shape} ({len(RATED)} criteria rated)"
    )
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            workdir = Path(tmp)
            url = _database(kind, workdir, stack)
            results = measure(url, options.lines, options.seconds, workdir)
        print(f"## {kind}")
        wrk = results["per-request"]
        errors = int(wrk["errors_status"] + wrk["errors_connect"] + wrk["errors_timeout"])
        rate = wrk["rps"]
        print(
            f"{kind} per-request submit          {rate:9.1f} assessments/s   "
            f"requests {int(wrk['requests'])}   errors {errors}"
        )
        for label, name in (
            ("existing candidates", "import existing"),
            ("candidates created", "import creating"),
        ):
            report, elapsed = results[name]
            print(
                f"{kind} import, {label:19s} {report['imported'] / elapsed:9.1f} assessments/s   "
                f"lines {report['lines']}   imported {report['imported']}   "
                f"refused {report['refused']}   {elapsed:.2f} s"
            )
        for label, name in (
            ("existing candidates", "import existing"),
            ("candidates created", "import creating"),
        ):
            report, elapsed = results[name]
            ratio = report["imported"] / elapsed / rate if rate else float("nan")
            print(
                f"{kind} ratio import ({label}): {ratio:.1f} x the per-request rate "
                "(target >= 20 x)"
            )
        # The same comparison in the server's CPU time per assessment (the database server's
        # is not counted), which a loaded machine disturbs far less than the rates.
        ok = wrk["requests"] - wrk["errors_status"]
        per_request_cpu = results["cpu per-request"] / ok if ok else float("nan")
        print(f"{kind} server CPU per submission, per request   {per_request_cpu * 1e3:7.3f} ms")
        for label, name in (
            ("existing candidates", "import existing"),
            ("candidates created", "import creating"),
        ):
            report, _elapsed = results[name]
            line_cpu = results[f"cpu {name}"] / max(report["imported"], 1)
            print(
                f"{kind} server CPU per line, import ({label}) {line_cpu * 1e3:7.3f} ms   "
                f"{per_request_cpu / line_cpu:.1f} x less than per request"
            )


if __name__ == "__main__":
    main()
