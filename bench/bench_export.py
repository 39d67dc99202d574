"""Exporting 100,000 submitted assessments as CSV over HTTP, against a raw sqlite3 cursor.

Fills a SQLite database with N assessments (4 per candidate, each with its verdict), starts
`tamis serve` on loopback and streams GET /api/v1/exports/assessments to nowhere, sampling the
server's resident memory every 20 ms. The baseline, in the same run, is a plain sqlite3 cursor
running the same join and writing the same CSV rows with the csv module. Prints both times, their
ratio, and the server's memory growth during the export.

    .venv/bin/python bench/bench_export.py [--rows 100000]
"""

import argparse
import csv
import io
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.access import service as keys  # noqa: E402
from app.assessments.models import Assessment, VerdictRecord  # noqa: E402
from app.candidates.models import Candidate  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings, shipped_criteria_dir  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.positions.models import Position  # noqa: E402
from app.rubric import load_rubrics  # noqa: E402
from app.rubric.store import RubricVersion  # noqa: E402
from tests.pg import free_port  # noqa: E402

RUBRIC = load_rubrics(shipped_criteria_dir())["social-media-screen"]
CRITERIA = [c.id for c in RUBRIC.criteria]
PER_CANDIDATE = 4


def fill(url: str, rows: int) -> None:
    """N submitted assessments with their verdicts, inserted in bulk."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    version_id, position_id = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(
            insert(RubricVersion),
            [
                {
                    "id": version_id,
                    "rubric_id": RUBRIC.id,
                    "version": RUBRIC.version,
                    "content_hash": "0" * 64,
                    "document": {},
                    "created_at": now,
                }
            ],
        )
        connection.execute(
            insert(Position),
            [
                {
                    "id": position_id,
                    "title": "Community manager",
                    "description": "",
                    "rubric_id": RUBRIC.id,
                    "readiness": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
        for start in range(0, rows, 10_000):
            count = min(10_000, rows - start)
            candidates, assessments, verdicts = [], [], []
            for n in range(start, start + count):
                if n % PER_CANDIDATE == 0:
                    candidate_id = uuid.uuid4()
                    candidates.append(
                        {
                            "id": candidate_id,
                            "version": 1,
                            "position_id": position_id,
                            "full_name": f"Candidate {n // PER_CANDIDATE}",
                            "email": f"c{n // PER_CANDIDATE}@example.org",
                            "status": "in_review",
                            "search_text": "",
                            "rubric_version_id": version_id,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                assessment_id = uuid.uuid4()
                at = now + timedelta(microseconds=n)
                answers = {
                    "ratings": {c: 1 + (n + i) % 4 for i, c in enumerate(CRITERIA)},
                    "flags": [{"id": "vanity_metrics", "note": ""}] if n % 7 == 0 else [],
                    "notes": {},
                    "language": "en",
                }
                assessments.append(
                    {
                        "id": assessment_id,
                        "version": 1,
                        "candidate_id": candidate_id,
                        "interviewer_name": f"Interviewer {n % PER_CANDIDATE}",
                        "interviewer_email": f"i{n % PER_CANDIDATE}@example.org",
                        "status": "submitted",
                        "answers": answers,
                        "summary": "",
                        "revision": 1,
                        "created_at": at,
                        "updated_at": at,
                        "submitted_at": at,
                    }
                )
                verdicts.append(
                    {
                        "id": uuid.uuid4(),
                        "assessment_id": assessment_id,
                        "revision": 1,
                        "rubric_version_id": version_id,
                        "recommendation": "hire",
                        "score": 70.5,
                        "coverage": 1.0,
                        "cause": "submitted",
                        "created_at": at,
                    }
                )
            if candidates:
                connection.execute(insert(Candidate), candidates)
            connection.execute(insert(Assessment), assessments)
            connection.execute(insert(VerdictRecord), verdicts)
    engine.dispose()


BASELINE_SQL = """
SELECT a.id, a.submitted_at, a.revision, a.candidate_id, c.full_name, c.email, c.external_id,
       c.position_id, p.title, a.interviewer_name, a.interviewer_email, a.answers,
       v.recommendation, v.score, v.coverage, r.rubric_id, r.version
FROM assessments a
JOIN candidates c ON c.id = a.candidate_id
JOIN positions p ON p.id = c.position_id
JOIN (SELECT assessment_id, max(created_at) AS at FROM verdicts GROUP BY assessment_id) l
  ON l.assessment_id = a.id
JOIN verdicts v ON v.assessment_id = a.id AND v.created_at = l.at
JOIN rubric_versions r ON r.id = v.rubric_version_id
WHERE a.status = 'submitted'
ORDER BY a.submitted_at, a.id
"""


def baseline(path: Path) -> tuple[float, int]:
    """The same rows through a raw sqlite3 cursor and the csv module, to nowhere."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    rows = 0
    for row in connection.execute(BASELINE_SQL):
        ratings = json.loads(row[11])["ratings"]
        flags = " ".join(f["id"] for f in json.loads(row[11])["flags"])
        writer.writerow([*row[:11], *(ratings.get(c) for c in CRITERIA), flags, *row[12:]])
        rows += 1
        if buffer.tell() > 65536:
            buffer.seek(0)
            buffer.truncate()
    connection.close()
    return time.perf_counter() - started, rows


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def through_tamis(url: str, path: Path) -> tuple[float, int, int, int]:
    """Stream the export from a real server: seconds, rows, RSS before and peak (KiB)."""
    settings = Settings(database_url=url, criteria_dir=shipped_criteria_dir())
    with command_session(settings, "benchmark") as session:
        _key, secret = keys.create(session, name="benchmark", role="admin")
    port = free_port()
    env = {**os.environ, "TAMIS_DATABASE_URL": url, "TAMIS_WEBHOOK_WORKER": "false"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        headers = {"Authorization": f"Bearer {secret}"}
        httpx.get(f"{base}/api/v1/rubrics", headers=headers)  # warm up
        before = rss_kib(server.pid)
        peak = before
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_kib(server.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        lines = 0
        with httpx.stream(
            "GET", f"{base}/api/v1/exports/assessments", headers=headers, timeout=600
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        return elapsed, lines - 1, before, peak
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        started = time.perf_counter()
        fill(url, args.rows)
        print(
            f"# export benchmark, {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}; SQLite, "
            f"{args.rows} assessments (filled in {time.perf_counter() - started:.1f} s)"
        )
        raw_seconds, raw_rows = baseline(path)
        seconds, rows, before, peak = through_tamis(url, path)
        again, _ = baseline(path)
    raw = min(raw_seconds, again)
    print(f"raw sqlite3 cursor + csv     {raw:7.2f} s   {raw_rows / raw:9.0f} rows/s")
    print(f"Tamis GET /exports (HTTP)    {seconds:7.2f} s   {rows / seconds:9.0f} rows/s")
    print(
        f"ratio: Tamis takes {seconds / raw:.1f} x the raw cursor's time; rows {rows} = {raw_rows}"
    )
    print(
        f"server memory: {before / 1024:.1f} MiB before, peak {peak / 1024:.1f} MiB during "
        f"the export (+{(peak - before) / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
