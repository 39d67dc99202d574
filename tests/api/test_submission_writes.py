"""The submission's hot path (SQLAlchemy Core, app/audit/writes.py): one transaction holds the
scorecard, its revision and verdict, the candidate's change, the audit events, the outbox and the
event feed; a fault in the middle of those writes leaves nothing behind."""

import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, inspect, text

from app.assessments.models import Assessment
from app.assessments.service import _built
from app.core.config import Settings, shipped_criteria_dir
from app.core.types import utcnow
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import live_server
from tests.rubric.test_shipped_rubric import ALL

RATINGS = dict.fromkeys(ALL, 4)
# What one submission writes, each by its first words.
WRITES = (
    "INSERT INTO assessments ",
    "INSERT INTO assessment_revisions ",
    "INSERT INTO verdicts ",
    "UPDATE candidates ",
    "INSERT INTO audit_events ",
    "INSERT INTO webhook_deliveries ",
    "INSERT INTO events ",
)


@pytest.fixture
def plain_client(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    """A client that gets a 500 as an answer instead of the server's exception."""
    with TestClient(
        app, headers=auth(make_key(settings)), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _subscribe(api: Api) -> None:
    # Loopback only (the settings allow 127.0.0.1); nothing needs to answer there.
    api.ok(
        "POST",
        "/api/v1/webhooks",
        201,
        json={
            "url": "http://127.0.0.1:9/tamis",
            "events": ["assessment.submitted", "verdict.changed"],
        },
    )


def _count(engine: Engine, table: str, where: str = "", **params: Any) -> int:
    with engine.connect() as connection:
        statement = text(f"SELECT count(*) FROM {table} {where}")  # noqa: S608 - test's own names
        return int(connection.execute(statement, params).scalar_one())


def _body(name: str) -> dict[str, Any]:
    return {
        "interviewer": {"name": name, "email": f"{name.lower()}@example.org"},
        "ratings": RATINGS,
        "status": "submitted",
    }


class Transactions:
    """The statements the engine's connections run, cut into transactions by COMMIT/ROLLBACK."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.open: dict[int, list[str]] = {}
        self.ended: list[tuple[list[str], str]] = []

    def _statement(self, conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        self.open.setdefault(id(conn.connection.dbapi_connection), []).append(" ".join(sql.split()))

    def _commit(self, conn: Any) -> None:
        self._end(conn, "COMMIT")

    def _rollback(self, conn: Any) -> None:
        self._end(conn, "ROLLBACK")

    def _end(self, conn: Any, how: str) -> None:
        statements = self.open.pop(id(conn.connection.dbapi_connection), [])
        self.ended.append((statements, how))

    def __enter__(self) -> "Transactions":
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        event.listen(self.engine, "rollback", self._rollback)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def holding(self, first_words: str) -> tuple[list[str], str]:
        """The one ended transaction with a statement starting with `first_words`."""
        found = [t for t in self.ended if any(s.startswith(first_words) for s in t[0])]
        assert len(found) == 1, found
        return found[0]


def test_one_submission_is_one_transaction_with_its_trail_and_outbox(
    api: Api, client: TestClient, app: FastAPI
) -> None:
    _subscribe(api)
    candidate = api.candidate()
    engine: Engine = app.state.engine
    with Transactions(engine) as seen:
        response = client.post(
            f"/api/v1/candidates/{candidate['id']}/assessments", json=_body("Ana")
        )
    assert response.status_code == 201, response.text
    statements, how = seen.holding("INSERT INTO assessments ")
    assert how == "COMMIT"
    for write in WRITES:
        assert any(s.startswith(write) for s in statements), (write, statements)

    # What it wrote is there after the 201, and the trail says what changed.
    assessment_id = response.json()["id"]
    assert _count(engine, "assessment_revisions", "WHERE revision = 1") == 1
    assert _count(engine, "verdicts", "WHERE cause = 'submitted'") == 1
    assert _count(engine, "webhook_deliveries", "WHERE event_type = 'assessment.submitted'") == 1
    assert _count(engine, "events", "WHERE type = 'assessment.submitted'") == 1
    trail = api.ok("GET", "/api/v1/audit-events?limit=100")["items"]
    by_action = {e["action"]: e for e in trail if e["operation"] == "create_assessment"}
    assert set(by_action) == {
        "assessment.created",
        "assessment_revision.created",
        "verdict.created",
        "candidate.updated",
        "rubric_version.created",  # the first pin stores the rubric version
    }
    created = by_action["assessment.created"]
    assert created["resource_id"] == assessment_id
    assert created["changes"]["interviewer_email"] == {"personal": True}
    assert created["changes"]["status"] == {"after": "submitted"}
    assert created["changes"]["revision"] == {"after": 1}
    assert created["changes"]["answers"]["after"]["ratings"] == RATINGS
    verdict = by_action["verdict.created"]["changes"]
    assert verdict["cause"] == {"after": "submitted"}
    assert verdict["recommendation"] == {"after": response.json()["verdict"]["recommendation"]}
    changed = by_action["candidate.updated"]["changes"]
    assert changed["status"] == {"before": "new", "after": "in_review"}
    assert changed["recommendation"]["before"] is None
    assert changed["rules_version"]["before"] is None and changed["rules_version"]["after"]
    assert "version" not in changed and "updated_at" not in changed


def test_a_submission_bumps_each_etag_once(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    before = client.get(f"/api/v1/candidates/{cid}").headers["ETag"]
    body = {**_body("Ana"), "status": "draft"}
    draft = client.post(f"/api/v1/candidates/{cid}/assessments", json=body)
    assert draft.status_code == 201 and draft.headers["ETag"] == '"1"'
    middle = client.get(f"/api/v1/candidates/{cid}").headers["ETag"]
    assert int(middle.strip('"')) == int(before.strip('"')) + 1  # new -> in_review
    url = f"/api/v1/assessments/{draft.json()['id']}"
    submitted = client.post(f"{url}/submit", headers={"If-Match": '"1"'})
    assert submitted.status_code == 200, submitted.text
    assert submitted.headers["ETag"] == '"2"' == client.get(url).headers["ETag"]
    assert submitted.json()["status"] == "submitted" and submitted.json()["revision"] == 1
    after = client.get(f"/api/v1/candidates/{cid}").headers["ETag"]
    assert int(after.strip('"')) == int(middle.strip('"')) + 1  # pinned, recommendation set
    stale = client.post(
        f"{url}/amendments", json={"reason": "typo", "summary": "x"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    amended = client.post(
        f"{url}/amendments", json={"reason": "typo", "summary": "x"}, headers={"If-Match": '"2"'}
    )
    assert amended.status_code == 201, amended.text
    assert amended.headers["ETag"] == '"3"' and amended.json()["revision"] == 2
    assert amended.json()["summary"] == "x"


@pytest.mark.parametrize("failing", ["INSERT INTO verdicts ", "INSERT INTO audit_events "])
def test_a_fault_amid_the_writes_leaves_nothing(
    plain_client: TestClient, app: FastAPI, failing: str
) -> None:
    api = Api(plain_client)
    _subscribe(api)
    candidate = api.candidate()
    engine: Engine = app.state.engine
    counts = {
        table: _count(engine, table)
        for table in ("assessments", "assessment_revisions", "verdicts", "audit_events", "events")
    }
    counts["webhook_deliveries"] = _count(engine, "webhook_deliveries")

    def fail(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if " ".join(sql.split()).startswith(failing):
            raise RuntimeError("the disk went away")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        response = plain_client.post(
            f"/api/v1/candidates/{candidate['id']}/assessments", json=_body("Ana")
        )
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert response.status_code == 500
    for table, count in counts.items():
        assert _count(engine, table) == count, table
    after = api.ok("GET", f"/api/v1/candidates/{candidate['id']}")
    assert after["status"] == "new" and after.get("recommendation") is None
    # The same request goes through once the fault is gone.
    again = plain_client.post(
        f"/api/v1/candidates/{candidate['id']}/assessments", json=_body("Ana")
    )
    assert again.status_code == 201, again.text


@pytest.mark.live
def test_concurrent_submissions_refused_ones_change_nothing(settings: Settings) -> None:
    """Twenty writers at once on one server: the accepted submissions are all there with their
    trail, the refused ones (a duplicate interviewer, a scorecard that cannot be submitted) left
    nothing."""
    _twenty_writers(settings)


@pytest.mark.live
def test_concurrent_submissions_with_group_commit(sqlite_template: Path, tmp_path: Path) -> None:
    """The same on SQLite with group commit: refused requests share a COMMIT with accepted ones
    and still leave nothing; every accepted one is there."""
    path = tmp_path / "grouped.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite:///{path}", criteria_dir=shipped_criteria_dir(), env="test"
    )
    _twenty_writers(settings, TAMIS_SQLITE_GROUP_COMMIT="true")


def _twenty_writers(settings: Settings, **env: str) -> None:
    secret = make_key(settings)
    with live_server(settings, **env) as server:
        tamis = httpx.Client(base_url=server.url, headers=auth(secret), timeout=60)
        position = tamis.post("/api/v1/positions", json={"title": "CM"}).json()
        candidate = tamis.post(
            "/api/v1/candidates", json={"full_name": "Zoë", "position_id": position["id"]}
        ).json()
        url = f"/api/v1/candidates/{candidate['id']}/assessments"

        def submit(n: int) -> tuple[int, int]:
            body = _body(f"W{n % 14}")  # writers 14..19 repeat an interviewer of 0..5
            if n % 7 == 3:
                body["ratings"] = {}  # nothing rated: refused with 422
            client = httpx.Client(base_url=server.url, headers=auth(secret), timeout=60)
            return n, client.post(url, json=body).status_code

        with ThreadPoolExecutor(20) as pool:
            statuses = dict(pool.map(submit, range(20)))
        accepted = {n for n, status in statuses.items() if status == 201}
        assert all(statuses[n] == 422 for n in (3, 10, 17)), statuses
        assert sorted(statuses.values()) == [201] * 12 + [409] * 5 + [422] * 3, statuses
        # Each interviewer once: one of each pair that shares an email got in.
        emails = {f"w{n % 14}@example.org" for n in accepted}
        assert len(emails) == len(accepted) == 14 - 2  # W3 and W10 only sent unratable cards
        scorecards = tamis.get(url).json()
        assert sorted(s["interviewer"]["email"] for s in scorecards) == sorted(emails)
        verdict = tamis.get(f"/api/v1/candidates/{candidate['id']}/verdict").json()
        assert len(verdict["assessments"]) == len(accepted)
        assert (
            tamis.get(f"/api/v1/candidates/{candidate['id']}").json()["recommendation"]
            == (verdict["recommendation"])
        )
        trail = tamis.get("/api/v1/audit-events?resource_type=assessment&limit=100").json()
        assert {e["resource_id"] for e in trail["items"]} == {s["id"] for s in scorecards}


def test_the_created_assessment_is_the_one_its_columns_make() -> None:
    """`create` returns its row built as the ORM builds what it loads (no `__init__`): the same
    fields, fields set and state as `Assessment(**row)`, and no change pending."""
    now = utcnow()
    row = {
        "id": uuid.uuid4(),
        "version": 1,
        "candidate_id": uuid.uuid4(),
        "interviewer_name": "Zoë",
        "interviewer_email": "zoe@example.org",
        "status": "submitted",
        "answers": {"ratings": {"a": 3}, "flags": [], "notes": {}, "language": "fr"},
        "summary": "Solide.",
        "revision": 1,
        "created_at": now,
        "updated_at": now,
        "submitted_at": now,
    }
    built, made = _built(row), Assessment(**row)
    assert built.model_dump() == made.model_dump() == row
    assert built.model_fields_set == made.model_fields_set
    assert inspect(built).transient and inspect(made).transient
    assert not inspect(built).modified
