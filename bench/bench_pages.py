"""Page timings of the web pages, each beside bare pages served by the same server in the run.

One `tamis serve` process (SQLite file, loopback) per data set: 100 and 10,000 candidates, one of
them with three submitted scorecards. A signed-in client loads each page a few times to warm it,
then N times; the figure is the median (and p90) of those warm loads, in milliseconds, with its
ratio to the bare pages of the same server: /healthz (no template, no database) and /sign-in
(the cheapest page: one template, no database).

    .venv/bin/python bench/bench_pages.py [--loads 30]
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.access import users  # noqa: E402
from app.assessments import service as assessments  # noqa: E402
from app.assessments.models import AssessmentCreate  # noqa: E402
from app.candidates import service as candidates  # noqa: E402
from app.candidates.models import Candidate, CandidateCreate  # noqa: E402
from app.commands import command_session  # noqa: E402
from app.core.config import Settings, shipped_criteria_dir  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.positions import service as positions  # noqa: E402
from app.positions.models import PositionCreate  # noqa: E402
from app.rubric import load_rubrics  # noqa: E402
from app.rubric.store import RubricRegistry  # noqa: E402
from tests.api.servers import LiveServer  # noqa: E402

PASSWORD = "bench password long enough"  # noqa: S105 - a throwaway local account
RUBRICS = load_rubrics(shipped_criteria_dir())
RUBRIC = RUBRICS["social-media-screen"]


def build(directory: Path, count: int) -> tuple[Settings, uuid.UUID]:
    """A database with `count` candidates; the newest has three submitted scorecards."""
    url = f"sqlite:///{directory / f'pages-{count}.db'}"
    upgrade(url)
    settings = Settings(database_url=url, criteria_dir=shipped_criteria_dir(), env="test")
    registry = RubricRegistry(RUBRICS)
    with command_session(settings, "bench setup") as session:
        users.create(session, email="bench@example.org", name="Bench", role="admin",
                     password=PASSWORD)  # fmt: skip
        position = positions.create(session, registry, PositionCreate(title="Community manager"))
        position_id = position.id
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Candidate),
            [
                {
                    "id": uuid.uuid4(),
                    "version": 1,
                    "position_id": position_id,
                    "full_name": f"Bulk {n}",
                    "status": "in_review" if n % 3 else "new",
                    "search_text": f"bulk {n}",
                    "created_at": now - timedelta(seconds=n + 10),
                    "updated_at": now,
                }
                for n in range(count - 1)
            ],
        )
        connection.execute(text("ANALYZE"))
    engine.dispose()
    with command_session(settings, "bench setup") as session:
        candidate = candidates.create(
            session, CandidateCreate(full_name="Zoë Lefèvre-Dubois", position_id=position_id)
        )
        for n, rating in enumerate((2, 3, 4)):
            scorecard = assessments.create(
                session,
                registry,
                candidate,
                AssessmentCreate.model_validate(
                    {
                        "interviewer": {"name": f"Interviewer {n}", "email": f"i{n}@example.org"},
                        "ratings": {c.id: rating for c in RUBRIC.criteria},
                        "notes": {c.id: "Une note d’entretien." for c in RUBRIC.criteria},
                        "summary": "Solide sur la conversation, à revoir sur la mesure.",
                    }
                ),
            )
            assessments.submit(session, registry, scorecard)
        return settings, candidate.id


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, answer.text
    return client


def timed(client: httpx.Client, path: str, loads: int) -> tuple[float, float]:
    """Median and p90 of `loads` warm loads of `path`, in milliseconds."""
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    times = []
    for _ in range(loads):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    loads = parser.parse_args().loads
    print(f"warm loads per page: {loads} (after 3 to warm); one uvicorn worker; SQLite file")
    print(f"{'data set':>8}  {'page':<34} {'median ms':>10} {'p90 ms':>8} "
          f"{'x healthz':>10} {'x sign-in':>10}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for count in (100, 10_000):
            settings, candidate_id = build(Path(folder), count)
            server = LiveServer(settings).start()
            try:
                client = signed_in(server.url)
                pages = [
                    ("bare: /healthz", "/healthz"),
                    ("bare: /sign-in", "/sign-in"),
                    ("candidates list", "/candidates"),
                    ("candidates list, sorted by name", "/candidates?sort=name"),
                    ("candidates list, last page", f"/candidates?page={max(1, count // 50)}"),
                    ("candidate page (3 scorecards)", f"/candidates/{candidate_id}"),
                    ("assessment form", f"/candidates/{candidate_id}/assessment"),
                    ("HTML report", f"/candidates/{candidate_id}/report.html"),
                    ("PDF report", f"/candidates/{candidate_id}/report.pdf"),
                ]
                results = {name: timed(client, path, loads) for name, path in pages}
                health, sign_in = results["bare: /healthz"][0], results["bare: /sign-in"][0]
                for name, (median, p90) in results.items():
                    print(f"{count:>8}  {name:<34} {median:>10.2f} {p90:>8.2f} "
                          f"{median / health:>10.1f} {median / sign_in:>10.1f}")  # fmt: skip
                ratio = results["PDF report"][0] / results["HTML report"][0]
                print(f"{count:>8}  PDF report / HTML report of the same candidate: {ratio:.1f}")
                client.close()
            finally:
                server.kill()


if __name__ == "__main__":
    main()
