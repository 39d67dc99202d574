"""CPU time of the two hot reads, Tamis against the bare endpoints, in one process.

The candidates page (100,000 candidates stored) and a panel verdict (candidates with 0, 1 or 2
submitted scorecards), each request driven straight through the ASGI app with the worker-thread
hops run inline, and timed in CPU time of the process (`time.process_time`), not wall time: a
figure that holds when other work loads the machine. The bare endpoints are bench_api.py's.

    .venv/bin/python bench/bench_reads_cpu.py [--requests 300] [--profile page|verdict]
"""

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_api  # noqa: E402
import fastapi.dependencies.utils  # noqa: E402
import fastapi.routing  # noqa: E402
import starlette.concurrency  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

import app.core.routing  # noqa: E402
from app.access import service as keys  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings, shipped_criteria_dir  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.main import create_app  # noqa: E402

PATHS = {
    "candidates page": "/api/v1/candidates?limit=20&status=in_review",
    "panel verdict": "/api/v1/candidates/@ID@/verdict",
}


async def _inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _run_inline() -> None:
    """Run the worker-thread calls in the event loop's thread (one thread: CPU is all ours)."""
    for module in (fastapi.routing, fastapi.dependencies.utils, app.core.routing):
        if hasattr(module, "run_in_threadpool"):
            module.run_in_threadpool = _inline  # type: ignore[attr-defined]
    starlette.concurrency.run_in_threadpool = _inline  # type: ignore[assignment]


async def _call(asgi: Any, full: str, headers: list[tuple[bytes, bytes]]) -> int:
    path, _, query = full.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
        "root_path": "",
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await asyncio.wait_for(asgi(scope, receive, send), 30)
    return status[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=["page", "verdict"])
    parser.add_argument("--lines", type=int, default=50, help="profile lines shown")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'reads.db'}"
    upgrade(url)
    settings = Settings(
        database_url=url, criteria_dir=shipped_criteria_dir(), env="test", webhook_worker=False
    )
    bare_module = types.ModuleType("bare_app")
    exec(bench_api.BARE_APP, bare_module.__dict__)  # noqa: S102 - the benchmark's own source
    tamis = create_app(settings)
    with TestClient(tamis) as client:
        with command_session(settings, "benchmark") as session:
            _row, key = keys.create(session, name="benchmark", role="admin")
        auth = {"Authorization": f"Bearer {key}"}
        position = client.post("/api/v1/positions", json={"title": "CM"}, headers=auth).json()
        ids = []
        for n in range(200):
            candidate = client.post(
                "/api/v1/candidates",
                json={"full_name": f"C {n}", "position_id": position["id"]},
                headers=auth,
            ).json()
            ids.append(candidate["id"])
            for k in range(n % 3):  # 0, 1 or 2 scorecards
                body = bench_api.submission_body(f"I {k}", f"i{k}-{n}@example.org")
                answer = client.post(
                    f"/api/v1/candidates/{candidate['id']}/assessments", json=body, headers=auth
                )
                assert answer.status_code == 201, answer.text
        bench_api.fill_candidates(url, position["id"], bench_api.READ_CANDIDATES)
    _run_inline()
    loop = asyncio.new_event_loop()
    headers = [(b"authorization", f"Bearer {key}".encode()), (b"host", b"bench")]
    counter = iter(range(10**9))

    def get(asgi: Any, path: str) -> None:
        full = path.replace("@ID@", ids[next(counter) % len(ids)])
        status = loop.run_until_complete(_call(asgi, full, headers))
        assert status == 200, (full, status)

    def cpu_us(asgi: Any, path: str) -> float:
        for _ in range(30):
            get(asgi, path)
        rounds = []
        for _ in range(5):
            start = time.process_time()
            for _ in range(options.requests // 5):
                get(asgi, path)
            rounds.append((time.process_time() - start) / (options.requests // 5) * 1e6)
        return statistics.median(rounds)

    if options.profile:
        path = PATHS["candidates page" if options.profile == "page" else "panel verdict"]
        for _ in range(30):
            get(tamis, path)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(options.requests):
            get(tamis, path)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(options.lines)
        stats.sort_stats("tottime").print_stats(options.lines)
        return
    print(f"# CPU time per request, one process, {options.requests} requests, median of 5")
    for name, path in PATHS.items():
        bare, ours = cpu_us(bare_module.app, path), cpu_us(tamis, path)
        print(
            f"{name:16s} bare {bare:7.0f} µs   Tamis {ours:7.0f} µs   "
            f"Tamis {ours / bare:5.1f} x the bare endpoint's CPU (share {bare / ours:.1%})"
        )


if __name__ == "__main__":
    main()
