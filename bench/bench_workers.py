"""Two server workers against one, on one PostgreSQL: submission throughput at the same p99.

`tamis serve --workers 1`, then `--workers 2`, on the same PostgreSQL server (a throwaway one from
Debian's binaries, on loopback). wrk, a separate process, submits assessments over `--connections`
connections. The one-worker run sets the baseline: its throughput and its p99. The two-worker
server is then loaded at the same number of connections and at more (1.5×, 2×); the figure is
the best throughput among its runs whose p99 is no worse than the baseline's (×1.05 for noise),
against the baseline's throughput. Each run submits to candidates of its own, created fresh, so
no run pays for a bigger panel left by an earlier one. Throughput counts only 2xx/3xx answers;
errors are printed.

    .venv/bin/python bench/bench_workers.py [--seconds 10] [--connections 32]
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
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_api import submission_body  # noqa: E402

from app.access import service as keys  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings  # noqa: E402
from tests.pg import postgres_server  # noqa: E402

CANDIDATES_PER_RUN = 300
P99_TOLERANCE = 1.05

SCRIPT = """
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
done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("JSON {\\"requests\\": %%d, \\"errors_status\\": %%d, " ..
    "\\"errors_connect\\": %%d, \\"errors_timeout\\": %%d, \\"p50_ms\\": %%.3f, " ..
    "\\"p99_ms\\": %%.3f, \\"rps\\": %%.1f}\\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    ok / (summary.duration / 1e6)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve(stack: ExitStack, env: dict[str, str], workers: int, log: Path) -> str:
    """`tamis serve --workers N` on a free loopback port; its URL once /healthz answers."""
    port = free_port()
    handle = stack.enter_context(log.open("w"))
    command = ["-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *command, "--no-access-log"],
        env=env,
        cwd=ROOT,
        stdout=handle,
        stderr=handle,
        start_new_session=True,
    )

    def stop() -> None:
        process.send_signal(signal.SIGINT)  # uvicorn's supervisor stops its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    stack.callback(stop)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # imports take long on a loaded machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text()[-2000:]}")


def candidates(url: str, key: str, count: int) -> list[str]:
    """`count` new candidates (through the API) for one run to submit to."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        position = c.post("/api/v1/positions", json={"title": "Community manager"}).json()

        def one(n: int) -> str:
            body = {"full_name": f"Candidate {n}", "position_id": position["id"]}
            answer = c.post("/api/v1/candidates", json=body)
            answer.raise_for_status()
            return str(answer.json()["id"])

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, range(count)))


def body(name: str, email: str) -> dict[str, object]:
    """bench_api.py's submission, with the note its raised flag asks for on a top rating."""
    sent = submission_body(name, email)
    notes = sent.setdefault("notes", {})
    assert isinstance(notes, dict)
    notes.setdefault(
        "influence_over_audience", "page views quoted, but the community grew on its own"
    )
    return sent


def check(url: str, key: str, candidate_id: str) -> None:
    """One submission by hand first: a benchmark of refusals would measure nothing."""
    answer = httpx.post(
        f"{url}/api/v1/candidates/{candidate_id}/assessments",
        json=body("Check", "check@example.org"),
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"a submission was refused: {answer.status_code} {answer.text[:1000]}")


def load(
    url: str, ids: list[str], key: str, seconds: int, connections: int, run: str, workdir: Path
) -> dict[str, float]:
    template = json.dumps(body("Interviewer @N@", f"i@N@-{run}@example.org"))
    script = workdir / f"{run}.lua"
    script.write_text(
        SCRIPT
        % {
            "ids": ", ".join(f'"{i}"' for i in ids),
            "template": json.dumps(template),
            "key": key,
        }
    )
    options = ["-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run(  # noqa: S603 - wrk with arguments built here
        [shutil.which("wrk") or "wrk", *options, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"^JSON (.*)$", output, flags=re.MULTILINE)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    result: dict[str, float] = json.loads(match.group(1))
    return result


def line(name: str, r: dict[str, float]) -> str:
    errors = int(r["errors_status"] + r["errors_connect"] + r["errors_timeout"])
    return (
        f"{name:34s} {r['rps']:8.1f} req/s   p50 {r['p50_ms']:8.2f} ms   p99 {r['p99_ms']:8.2f} ms"
        f"   requests {int(r['requests'])}   errors {errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it as root)")
    seconds, connections = options.seconds, options.connections
    print(
        f"# workers benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; PostgreSQL, submissions, "
        f"wrk {connections} connections (and more for 2 workers), {seconds} s a run"
    )
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        base = stack.enter_context(postgres_server())
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        database_url = f"{base}/bench"
        env = {**os.environ, "TAMIS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
        env.pop("TAMIS_RATE_LIMIT_URL", None)
        subprocess.run(
            [sys.executable, "-m", "app.cli", "db", "upgrade"], env=env, check=True, cwd=ROOT
        )
        with command_session(Settings(database_url=database_url), "benchmark") as session:
            _row, key = keys.create(session, name="benchmark", role="admin")

        results: dict[str, dict[str, float]] = {}
        plans = {1: [connections], 2: [connections, connections * 3 // 2, connections * 2]}
        for workers, loads in plans.items():
            with ExitStack() as server:
                url = serve(server, env, workers, workdir / f"serve-{workers}.log")
                warm = candidates(url, key, 50)
                check(url, key, warm[0])
                load(url, warm, key, 2, connections, f"warm{workers}", workdir)
                for c in loads:
                    ids = candidates(url, key, CANDIDATES_PER_RUN)
                    name = f"{workers} worker{'s' if workers > 1 else ''}, {c} connections"
                    results[name] = load(url, ids, key, seconds, c, f"w{workers}c{c}", workdir)
                    print(line(name, results[name]), flush=True)
                errors = [
                    row
                    for row in (workdir / f"serve-{workers}.log").read_text().splitlines()
                    if "Error" in row or "Traceback" in row
                ]
                if errors:  # while it runs: its shutdown is not counted
                    print(f"server errors ({len(errors)}), last ones:", *errors[-5:], sep="\n  ")

    one = results[f"1 worker, {connections} connections"]
    if one["rps"] == 0:
        sys.exit("no submission succeeded with 1 worker: no ratio")
    two = {name: r for name, r in results.items() if name.startswith("2 workers")}
    within = {n: r for n, r in two.items() if r["p99_ms"] <= one["p99_ms"] * P99_TOLERANCE}
    if within:
        best_name, best = max(within.items(), key=lambda item: item[1]["rps"])
        print(
            "ratio 2 workers vs 1 (PostgreSQL, submit): throughput "
            f"{best['rps'] / one['rps']:.2f} x"
            f" at the same p99 ({best_name}: p99 {best['p99_ms']:.1f} ms; 1 worker: p99 "
            f"{one['p99_ms']:.1f} ms)"
        )
    else:
        same = two[f"2 workers, {connections} connections"]
        print(
            "ratio 2 workers vs 1 (PostgreSQL, submit): throughput "
            f"{same['rps'] / one['rps']:.2f} x"
            f" at {connections} connections, but no 2-worker run kept the 1-worker p99 "
            f"({same['p99_ms']:.1f} ms against {one['p99_ms']:.1f} ms)"
        )


if __name__ == "__main__":
    main()
