"""Submitting an assessment over HTTP, against a bare FastAPI endpoint, in the same run.

Both servers run as one uvicorn process on loopback; wrk (Debian package) sends the same bodies
over 32 connections. The bare endpoint only validates the body with the same pydantic model; Tamis
validates, scores, stores (assessment, revision, verdict, candidate's panel recommendation) and
returns the verdict. Prints throughput, p50 and p99 of each, and the ratios.

    .venv/bin/python bench/bench_api.py [--seconds 10] [--connections 32] [--db sqlite|both]
        [--submit-only]   (TAMIS_SQLITE_GROUP_COMMIT=true: SQLite with group commit)
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.access import service as keys  # noqa: E402
from app.candidates.models import Candidate  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings, shipped_criteria_dir  # noqa: E402
from app.rubric import load_rubrics  # noqa: E402
from tests.pg import postgres_server  # noqa: E402

CANDIDATES = 1000
READ_CANDIDATES = 100_000
CORE = [
    c.id
    for c in load_rubrics(shipped_criteria_dir())["social-media-screen"].criteria
    if c.group == "core"
]

BARE_APP = textwrap.dedent(
    """
    import uuid
    from fastapi import FastAPI
    from app.assessments.models import AssessmentCreate

    app = FastAPI()

    @app.post("/api/v1/candidates/{candidate_id}/assessments", status_code=201)
    def create(candidate_id: uuid.UUID, body: AssessmentCreate) -> AssessmentCreate:
        return body

    from datetime import UTC, datetime
    from types import SimpleNamespace
    from app.candidates.models import CandidatePublic
    from app.core.pagination import Page

    # The same rows Tamis reads (as attribute objects), validated and serialised by the same
    # models on every request: only the database and the framework's plumbing are left out.
    NOW = datetime.now(UTC)
    ROWS = [SimpleNamespace(id=uuid.uuid4(), full_name=f"C {n}", email=f"c{n}@example.org",
                            position_id=uuid.uuid4(), external_id=None, source="referral",
                            status="in_review", recommendation=None, created_at=NOW,
                            updated_at=NOW, erased_at=None) for n in range(20)]

    @app.get("/api/v1/candidates")
    def page(limit: int = 20, status: str | None = None) -> Page[CandidatePublic]:
        return Page(items=[CandidatePublic.model_validate(r) for r in ROWS[:limit]], next="abc")

    @app.get("/api/v1/candidates/{candidate_id}/verdict")
    def verdict(candidate_id: uuid.UUID) -> dict:
        return {"candidate_id": str(candidate_id), "recommendation": "hold", "score": 60.0}
    """
)

# How every wrk run reports: one JSON line that _wrk reads. `rps` counts only the answers that
# are not errors (wrk's errors.status is every non-2xx/3xx answer): a fast 4xx/5xx is no throughput.
DONE = """
done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("JSON {\\"requests\\": %d, \\"errors_status\\": %d, " ..
    "\\"errors_connect\\": %d, " ..
    "\\"errors_timeout\\": %d, \\"p50_ms\\": %.3f, \\"p99_ms\\": %.3f, \\"rps\\": %.1f}\\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    ok / (summary.duration / 1e6)))
end
"""

READ_SCRIPT = """
local ids = {%(ids)s}
local counter = 0
function init(args)
  wrk.headers["Authorization"] = "Bearer %(key)s"
end
request = function()
  counter = counter + 1
  local path = string.gsub("%(path)s", "@ID@", ids[(counter %% #ids) + 1])
  return wrk.format("GET", path)
end
"""

WRK_SCRIPT = """
local ids = {%(ids)s}
local template = %(template)s
local counter = 0
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer %(key)s"
end
request = function()
  counter = counter + 1
  local n = tid * 10000000 + counter
  local path = "/api/v1/candidates/" .. ids[(n %% #ids) + 1] .. "/assessments"
  local body = string.gsub(template, "@N@", tostring(n))
  return wrk.format(nil, path, nil, body)
end
"""


def submission_body(name: str, email: str) -> dict[str, object]:
    """The assessment every submission benchmark sends: core criteria rated, one flag, a note."""
    return {
        "interviewer": {"name": name, "email": email},
        "ratings": {c: 3 + (i % 2) for i, c in enumerate(CORE)},
        "flags": [{"id": "vanity_metrics", "note": "quoted page views"}],
        "notes": {
            "measures_impact": "ties sign-ups to the goal",
            "influence_over_audience": "page views quoted, but the community grew on its own",
        },
        "summary": "Solid practitioner.",
        "language": "en",
        "status": "submitted",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback only)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


def post(base: str, path: str, body: dict[str, object], key: str) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        result: dict[str, object] = json.loads(response.read())
        return result


def start(stack: ExitStack, args: list[str], env: dict[str, str], port: int, log: Path) -> None:
    handle = stack.enter_context(log.open("w"))
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=handle, stderr=handle)  # noqa: S603
    stack.callback(lambda: (process.send_signal(signal.SIGINT), process.wait(timeout=20)))
    wait_until_up(f"http://127.0.0.1:{port}/docs")


def uvicorn(app: str, port: int, factory: bool) -> list[str]:
    args = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
    return args + (["--factory"] if factory else [])


def run_wrk(
    base: str, ids: list[str], seconds: int, connections: int, workdir: Path, run: str, key: str
) -> dict[str, float]:
    """Submit for `seconds`; `run` keeps interviewer emails unique across runs."""
    template = json.dumps(submission_body("Interviewer @N@", f"i@N@-{run}@example.org"))
    lua_ids = ", ".join(f'"{i}"' for i in ids)
    text = WRK_SCRIPT % {"ids": lua_ids, "template": json.dumps(template), "key": key}
    return _wrk(text, base, seconds, connections, workdir)


def run_reads(
    base: str, path: str, ids: list[str], seconds: int, connections: int, workdir: Path, key: str
) -> dict[str, float]:
    """GET `path` (with @ID@ replaced by each id in turn) for `seconds`."""
    lua_ids = ", ".join(f'"{i}"' for i in ids)
    return _wrk(
        READ_SCRIPT % {"ids": lua_ids, "path": path, "key": key},
        base,
        seconds,
        connections,
        workdir,
    )


def _wrk(
    script_text: str, base: str, seconds: int, connections: int, workdir: Path
) -> dict[str, float]:
    script = workdir / "load.lua"
    script.write_text(script_text + DONE)
    output = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^JSON (.*)$", output, flags=re.MULTILINE)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    result: dict[str, float] = json.loads(match.group(1))
    return result


def fill_candidates(database_url: str, position_id: object, count: int) -> None:
    """Store `count` more candidates in bulk (SQL inserts, as an import would)."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    position = uuid.UUID(str(position_id))
    with engine.begin() as connection:
        for start in range(0, count, 10_000):
            connection.execute(
                insert(Candidate),
                [
                    {
                        "id": uuid.uuid4(),
                        "version": 1,
                        "position_id": position,
                        "full_name": f"Bulk {n}",
                        "status": "in_review" if n % 3 else "new",
                        "search_text": f"bulk {n}",
                        "created_at": now - timedelta(seconds=n),
                        "updated_at": now,
                    }
                    for n in range(start, min(start + 10_000, count))
                ],
            )
    with engine.begin() as connection:
        # Planner statistics, as the database would gather after an import (PostgreSQL's
        # autovacuum does it on its own, but not within the seconds before the measurement).
        connection.execute(text("ANALYZE"))
    engine.dispose()


def measure(
    database_url: str, seconds: int, connections: int, workdir: Path, reads: bool = True
) -> dict[str, dict[str, float]]:
    env = {**os.environ, "TAMIS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "app.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT
    )
    (workdir / "bare_app.py").write_text(BARE_APP)
    results: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        tamis_port, bare_port = free_port(), free_port()
        start(
            stack,
            uvicorn("app.main:create_app", tamis_port, True),
            env,
            tamis_port,
            workdir / "tamis.log",
        )
        bare_env = {**env, "PYTHONPATH": f"{workdir}:{ROOT}"}
        start(
            stack,
            uvicorn("bare_app:app", bare_port, False),
            bare_env,
            bare_port,
            workdir / "bare.log",
        )
        base = f"http://127.0.0.1:{tamis_port}"
        with command_session(Settings(database_url=database_url), "benchmark") as session:
            _row, key = keys.create(session, name="benchmark", role="admin")
        position = post(base, "/api/v1/positions", {"title": "Community manager"}, key)
        ids = [
            str(
                post(
                    base,
                    "/api/v1/candidates",
                    {"full_name": f"C {n}", "position_id": position["id"]},
                    key,
                )["id"]
            )
            for n in range(CANDIDATES)
        ]
        # Warm both up, then measure the baseline and Tamis one after the other.
        bare = f"http://127.0.0.1:{bare_port}"
        run_wrk(bare, ids, 2, connections, workdir, "warm", key)
        run_wrk(base, ids, 2, connections, workdir, "warm", key)
        results["bare FastAPI endpoint"] = run_wrk(
            bare, ids, seconds, connections, workdir, "bare", key
        )
        results["Tamis submit"] = run_wrk(base, ids, seconds, connections, workdir, "measured", key)
        # Reads with 100,000 candidates stored: a page of the list, and a panel verdict.
        if reads:
            fill_candidates(database_url, position["id"], READ_CANDIDATES)
        for name, path in (
            ()
            if not reads
            else (
                ("candidates page", "/api/v1/candidates?limit=20&status=in_review"),
                ("panel verdict", "/api/v1/candidates/@ID@/verdict"),
            )
        ):
            run_reads(bare, path, ids, 2, connections, workdir, key)
            results[f"bare GET ({name})"] = run_reads(
                bare, path, ids, seconds, connections, workdir, key
            )
            run_reads(base, path, ids, 2, connections, workdir, key)
            results[f"Tamis GET {name}"] = run_reads(
                base, path, ids, seconds, connections, workdir, key
            )
    errors = [line for line in (workdir / "tamis.log").read_text().splitlines() if "Error" in line]
    if errors:
        print(f"server errors ({len(errors)}), last ones:", *errors[-5:], sep="\n  ")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--submit-only", action="store_true", help="measure the submission only (no reads)"
    )
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it as root)")
    print(
        f"# submit-assessment benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; 1 uvicorn process each, "
        f"{options.connections} connections, {options.seconds} s"
    )
    kinds = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            workdir = Path(tmp)
            if kind == "sqlite":
                url = f"sqlite:///{workdir / 'bench.db'}"
            else:
                base = stack.enter_context(postgres_server())

                admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text("CREATE DATABASE bench"))
                admin.dispose()
                url = f"{base}/bench"
            results = measure(
                url, options.seconds, options.connections, workdir, not options.submit_only
            )
        print(f"\n## {kind}")
        for name, r in results.items():
            errors = r["errors_status"] + r["errors_connect"] + r["errors_timeout"]
            print(
                f"{name:24s} {r['rps']:9.1f} req/s   p50 {r['p50_ms']:8.2f} ms   "
                f"p99 {r['p99_ms']:8.2f} ms   requests {int(r['requests'])}   errors {int(errors)}"
            )
        pairs = (
            ("submit", "bare FastAPI endpoint", "Tamis submit"),
            ("candidates page", "bare GET (candidates page)", "Tamis GET candidates page"),
            ("panel verdict", "bare GET (panel verdict)", "Tamis GET panel verdict"),
        )
        for label, bare_name, tamis_name in pairs:
            if tamis_name not in results:
                continue
            bare, tamis = results[bare_name], results[tamis_name]
            print(
                f"ratio {label}: throughput {tamis['rps'] / bare['rps']:.1%} of the bare "
                f"endpoint; p99 {tamis['p99_ms'] / bare['p99_ms']:.1f} x the bare endpoint's"
            )


if __name__ == "__main__":
    main()
