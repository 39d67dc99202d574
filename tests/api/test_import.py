"""Bulk import (POST /api/v1/imports/assessments): bad lines reported by number and field, the
rest imported with the same verdicts, audit events, feed events and webhook outbox rows as the
per-request path; atomic imports; a streamed body over 1 MiB; Idempotency-Key replays; limits.
On SQLite and PostgreSQL (the `database_url` fixture)."""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from app.assessments.models import Assessment, StoredPanelVerdict, VerdictRecord
from app.audit.models import AuditEvent
from app.candidates.models import Candidate
from app.core.config import Settings, shipped_criteria_dir
from app.events.models import Event
from app.main import create_app
from app.webhooks.models import WebhookDelivery
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import live_server
from tests.rubric.test_shipped_rubric import ALL, CORE

JSONL = {"Content-Type": "application/jsonl"}
URL = "/api/v1/imports/assessments"


def quiet_settings(database_url: str) -> Settings:
    """No delivery worker: the outbox rows stay as the import wrote them."""
    return Settings(
        database_url=database_url,
        criteria_dir=shipped_criteria_dir(),
        env="test",
        webhook_worker=False,
        webhook_allowed_hosts="127.0.0.1",
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return quiet_settings(database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = create_engine(settings.database_url)
    yield made
    made.dispose()


def body(name: str, **fields: Any) -> dict[str, Any]:
    """A submittable scorecard: every criterion rated, one flag explained by a note."""
    return {
        "interviewer": {"name": name, "email": f"{name.lower()}@example.org"},
        "ratings": {c: 3 + (i % 2) for i, c in enumerate(ALL)},
        "flags": [{"id": "vanity_metrics", "note": "quoted page views"}],
        "notes": {
            "influence_over_audience": "large audience, but vanity figures quoted",
            "measures_impact": "ties sign-ups to the goal, yet quoted page views too",
        },
        "summary": "Solid practitioner.",
        "language": "en",
        **fields,
    }


def jsonl(lines: list[Any]) -> str:
    return "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            model.__tablename__: connection.execute(
                select(func.count()).select_from(model.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
            for model in (Candidate, Assessment, VerdictRecord, AuditEvent, Event, WebhookDelivery)
        }


def audit_of(api: Api, resource_id: str) -> list[dict[str, Any]]:
    items = api.ok("GET", "/api/v1/audit-events", params={"resource_id": resource_id, "limit": 100})
    return list(reversed(items["items"]))  # oldest first


def comparable(event: dict[str, Any], ids: dict[str, str]) -> tuple[str, str]:
    """An audit event without what differs between two writes of the same thing (ids, times)."""
    changes = json.dumps(event["changes"], sort_keys=True)
    for real, placeholder in ids.items():
        changes = changes.replace(real, placeholder)
    return event["action"], changes


def feed(client: TestClient) -> list[dict[str, Any]]:
    page = client.get("/api/v1/events", params={"limit": 100})
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def _subscribe(api: Api, events: list[str]) -> dict[str, Any]:
    """A webhook to a loopback port nothing listens on: its deliveries are only recorded."""
    hook: dict[str, Any] = api.ok(
        "POST", "/api/v1/webhooks", 201, json={"url": "http://127.0.0.1:9/hook", "events": events}
    )
    return hook


def test_a_mixed_file_reports_bad_lines_and_imports_the_rest_as_one_by_one(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    hook = _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    # The rubric version is stored by the first submission ever; do that one first.
    warm = api.candidate(position["id"], external_id="warm-up")
    api.ok(
        "POST",
        f"/api/v1/candidates/{warm['id']}/assessments",
        201,
        json=body("Zed", status="submitted"),
    )
    # The reference: the same scorecard through the per-request path.
    reference = api.candidate(position["id"], external_id="ref-1", email=None)
    one_by_one = api.ok(
        "POST",
        f"/api/v1/candidates/{reference['id']}/assessments",
        201,
        json={**body("Ana"), "status": "submitted"},
    )
    existing = api.candidate(position["id"], external_id="old-7")
    before = {e["id"] for e in feed(client)}
    new_candidate = {
        "position_id": position["id"],
        "external_id": "imp-1",
        "full_name": "Zoë Lefèvre-Dubois",
    }
    off_scale = body("Bob", candidate=new_candidate)
    off_scale["ratings"][CORE[0]] = 7
    unexplained = body("Cid", candidate=new_candidate)
    unexplained["notes"] = {}
    lines = [
        body("Ana", candidate=new_candidate, submitted_at="2025-03-14T10:30:00+01:00"),
        off_scale,
        "",  # blank: skipped, still counted as a line number
        unexplained,
        body("Dan", candidate_id=str(uuid.uuid4())),
        "{not json",
        body("Eve", candidate=new_candidate),
        body("ana", candidate=new_candidate),  # Ana again, in other letters
        body("Fay", candidate_id=existing["id"], status="draft"),
    ]
    response = client.post(URL, content=jsonl(lines), headers=JSONL)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["lines"], report["imported"], report["refused"]) == (8, 3, 5)
    assert report["candidates_created"] == 1 and report["outcome"] == "complete"
    found = {(e["line"], e["loc"]) for e in report["errors"]}
    assert found == {
        (2, f"ratings.{CORE[0]}"),
        (4, "notes.influence_over_audience"),
        (4, "notes.measures_impact"),
        (5, "candidate_id"),
        (6, "(line)"),
        (8, "interviewer.email"),
    }
    scale = next(e for e in report["errors"] if e["line"] == 2)
    assert scale["valid"] == [1, 2, 3, 4, "not_observed"]

    # The imported candidate: found by position and external id, two scorecards, pinned.
    listed = api.ok("GET", "/api/v1/candidates", params={"q": "imp-1"})["items"]
    assert len(listed) == 1
    imported = listed[0]
    scorecards = api.ok("GET", f"/api/v1/candidates/{imported['id']}/assessments")
    assert sorted(a["interviewer"]["email"] for a in scorecards) == [
        "ana@example.org",
        "eve@example.org",
    ]
    ana = next(a for a in scorecards if a["interviewer"]["name"] == "Ana")
    assert ana["submitted_at"].startswith("2025-03-14T09:30:00")
    # Same answers, same verdict as the one submitted one by one.
    assert ana["verdict"] == one_by_one["verdict"]
    for name in ("ratings", "flags", "notes", "summary", "status", "revision"):
        assert ana[name] == one_by_one[name]
    assert api.ok("GET", f"/api/v1/assessments/{ana['id']}/revisions")[0]["revision"] == 1
    assert (
        imported["recommendation"]
        == api.ok("GET", f"/api/v1/candidates/{imported['id']}/verdict")["recommendation"]
    )
    draft = api.ok("GET", f"/api/v1/candidates/{existing['id']}/assessments")
    assert [(a["status"], a["verdict"]) for a in draft] == [("draft", None)]

    # The audit trail: the same events with the same changes as one by one.
    rubric_version = {
        a["changes"]["rubric_version_id"]["after"]
        for a in audit_of(api, reference["id"])
        if "rubric_version_id" in a["changes"]
    }.pop()
    for ours, theirs, ids in (
        (ana["id"], one_by_one["id"], {imported["id"]: "C", reference["id"]: "C"}),
    ):
        mine = [comparable(e, ids) for e in audit_of(api, ours)]
        reference_events = [comparable(e, ids) for e in audit_of(api, theirs)]
        # The submitted_at of a past assessment is its own; the rest is alike.
        assert [a for a, _ in mine] == [a for a, _ in reference_events] == ["assessment.created"]
        mine_changes = json.loads(mine[0][1])
        theirs_changes = json.loads(reference_events[0][1])
        mine_changes.pop("submitted_at"), theirs_changes.pop("submitted_at")
        assert mine_changes == theirs_changes
    with engine.connect() as connection:
        rows = connection.execute(
            select(AuditEvent.__table__).where(  # type: ignore[attr-defined]
                AuditEvent.__table__.c.action.in_(
                    ["assessment_revision.created", "verdict.created"]
                )  # type: ignore[attr-defined]
            )
        ).all()
    by_assessment: dict[str, dict[str, Any]] = {}
    for row in rows:
        owner = row.changes["assessment_id"]["after"]
        by_assessment.setdefault(owner, {})[row.action] = row
    for action in ("assessment_revision.created", "verdict.created"):
        mine_row, theirs_row = (
            by_assessment[ana["id"]][action],
            by_assessment[one_by_one["id"]][action],
        )
        mine_changes = {k: v for k, v in mine_row.changes.items() if k != "assessment_id"}
        theirs_changes = {k: v for k, v in theirs_row.changes.items() if k != "assessment_id"}
        assert mine_changes == theirs_changes
        assert (mine_row.actor_kind, mine_row.operation) == ("key", "import_assessments")
    assert by_assessment[ana["id"]]["verdict.created"].changes["rubric_version_id"] == {
        "after": rubric_version
    }
    # The candidate: created, then changed by each submission, as through the API.
    mine = audit_of(api, imported["id"])
    theirs = audit_of(api, reference["id"])
    assert [e["action"] for e in mine[:2]] == [e["action"] for e in theirs]
    assert [e["action"] for e in theirs] == ["candidate.created", "candidate.updated"]
    assert mine[1]["changes"] == theirs[1]["changes"]
    assert set(mine[0]["changes"]) == set(theirs[0]["changes"]) | {"external_id"} - {"email"}

    # Feed events and outbox rows: what the per-request path leaves, for each line.
    events = [e for e in feed(client) if e["id"] not in before]
    assert [e["type"] for e in events][:3] == [
        "candidate.created",
        "assessment.submitted",
        "verdict.changed",
    ]
    assert events[0]["data"] == {"candidate_id": imported["id"], "position_id": position["id"]}
    assert events[1]["data"] == {
        "assessment_id": ana["id"],
        "candidate_id": imported["id"],
        "revision": 1,
    }
    assert events[2]["data"] == {
        "candidate_id": imported["id"],
        "before": None,
        "after": one_by_one["verdict"]["recommendation"],
    }
    submitted = [e for e in events if e["type"] == "assessment.submitted"]
    assert len(submitted) == 2  # Ana and Eve; the draft is not submitted
    outbox = api.ok("GET", f"/api/v1/webhooks/{hook['id']}/deliveries", params={"limit": 100})
    delivered = {d["event_id"] for d in outbox["items"]}
    assert {e["id"] for e in events} <= delivered
    # A delivery's body is the event as the feed shows it.
    with engine.connect() as connection:
        sent = connection.execute(
            select(WebhookDelivery.__table__.c.body).where(  # type: ignore[attr-defined]
                WebhookDelivery.__table__.c.event_id == events[1]["id"]  # type: ignore[attr-defined]
            )
        ).scalar_one()
    assert json.loads(sent)["data"] == events[1]["data"]


def _scorecard(name: str, rating: int, **fields: Any) -> dict[str, Any]:
    """A submitted scorecard rating every criterion `rating`, a note on each (no flag)."""
    return {
        "interviewer": {"name": name, "email": f"{name.lower()}@example.org"},
        "ratings": dict.fromkeys(ALL, rating),
        "notes": dict.fromkeys(ALL, f"{name} saw it"),
        "summary": f"{name}'s summary.",
        "language": "en",
        "status": "submitted",
        **fields,
    }


def _stored_panel(engine: Engine, candidate_id: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(
            select(StoredPanelVerdict.__table__).where(  # type: ignore[attr-defined]
                StoredPanelVerdict.__table__.c.candidate_id == uuid.UUID(candidate_id)  # type: ignore[attr-defined]
            )
        ).one()


def test_lines_for_one_candidate_in_a_batch_leave_what_submissions_one_by_one_leave(
    api: Api, client: TestClient, engine: Engine
) -> None:
    """Three lines for one candidate in a batch (another candidate's line and a refused line
    between them): the recommendation after each, the candidate's audit rows, the feed events
    and webhook deliveries, the panel verdict and its stored facts are those of three
    submissions one by one. The panel's recommendation changes with each line (strong hire, no
    hire, then hire by the shipped rules), so the intermediate ones are checked too."""
    position = api.position()
    hook = _subscribe(api, ["assessment.submitted", "verdict.changed"])
    warm = api.candidate(position["id"], external_id="warm-up")  # stores the rubric version
    api.ok("POST", f"/api/v1/candidates/{warm['id']}/assessments", 201, json=body("Zed"))
    reference = api.candidate(position["id"], external_id="ref")
    imported = api.candidate(position["id"], external_id="imp")
    other = api.candidate(position["id"], external_id="other")
    cards = [_scorecard("Ana", 4), _scorecard("Bob", 2), _scorecard("Cid", 3)]

    before = {e["id"] for e in feed(client)}
    submitted = [
        api.ok("POST", f"/api/v1/candidates/{reference['id']}/assessments", 201, json=card)
        for card in cards
    ]
    theirs_events = [e for e in feed(client) if e["id"] not in before]
    before |= {e["id"] for e in theirs_events}

    minutes = iter(range(10))

    def at() -> str:  # the panel's order is the order of submission, as one by one
        return f"2025-03-14T10:0{next(minutes)}:00Z"

    refused = _scorecard("Dan", 7, candidate_id=imported["id"])
    lines = [
        {**cards[0], "candidate_id": imported["id"], "submitted_at": at()},
        {**_scorecard("Eve", 2), "candidate_id": other["id"], "submitted_at": at()},
        {**cards[1], "candidate_id": imported["id"], "submitted_at": at()},
        refused,
        {**cards[2], "candidate_id": imported["id"], "submitted_at": at()},
    ]
    response = client.post(URL, content=jsonl(lines), headers=JSONL)
    assert response.status_code == 200, response.text
    assert (response.json()["imported"], response.json()["refused"]) == (4, 1)
    mine_events = [e for e in feed(client) if e["id"] not in before]

    # Same panel verdict, served and stored, and the same recommendation on the candidate.
    ids = {reference["id"]: "C", imported["id"]: "C"}
    scorecards = api.ok("GET", f"/api/v1/candidates/{imported['id']}/assessments")
    by_name = {a["interviewer"]["name"]: a["id"] for a in scorecards}
    for theirs in submitted:
        ids[theirs["id"]] = ids[by_name[theirs["interviewer"]["name"]]] = theirs["interviewer"][
            "name"
        ]

    def plain(value: Any) -> Any:
        text = json.dumps(value, sort_keys=True)
        for real, placeholder in ids.items():
            text = text.replace(real, placeholder)
        return json.loads(text)

    served = [
        api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
        for cid in (reference["id"], imported["id"])
    ]
    assert served[0]["recommendation"] != "incomplete"
    assert plain(served[1]) == plain(served[0])
    stored = [_stored_panel(engine, cid) for cid in (reference["id"], imported["id"])]
    assert stored[1].facts == stored[0].facts
    assert stored[1].rules_version == stored[0].rules_version
    candidates = [api.ok("GET", f"/api/v1/candidates/{c['id']}") for c in (reference, imported)]
    assert candidates[1]["recommendation"] == candidates[0]["recommendation"]

    # The same events, in the same order, with the same data (the other candidate's between).
    def of_candidate(events: list[dict[str, Any]], cid: str) -> list[Any]:
        return [plain([e["type"], e["data"]]) for e in events if e["data"]["candidate_id"] == cid]

    mine = of_candidate(mine_events, imported["id"])
    assert mine == of_candidate(theirs_events, reference["id"])
    changes = [data for kind, data in mine if kind == "verdict.changed"]
    assert len(changes) == 3 and changes[0]["before"] is None
    assert len({c["after"] for c in changes}) == 3  # three different recommendations in turn
    assert [e["type"] for e in mine_events] == [
        "assessment.submitted",
        "verdict.changed",
        "assessment.submitted",  # the other candidate's
        "verdict.changed",
        "assessment.submitted",
        "verdict.changed",
        "assessment.submitted",
        "verdict.changed",
    ]
    outbox = api.ok("GET", f"/api/v1/webhooks/{hook['id']}/deliveries", params={"limit": 100})
    delivered = {d["event_id"] for d in outbox["items"]}
    assert {e["id"] for e in mine_events} <= delivered

    # The candidate's audit rows: one change per submission, the same changes.
    def audited(cid: str) -> list[Any]:
        return [plain(comparable(e, ids)) for e in audit_of(api, cid)[1:]]  # after its creation

    assert audited(imported["id"]) == audited(reference["id"])
    assert len(audited(reference["id"])) == 3


def test_an_atomic_import_with_a_bad_line_imports_nothing(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    candidate = {"position_id": position["id"], "external_id": "a-1", "full_name": "Ana Lima"}
    bad = body("Bob", candidate=candidate)
    bad["ratings"]["no_such_criterion"] = 2
    start = counts(engine)
    response = client.post(
        URL,
        params={"atomic": "true"},
        content=jsonl([body("Ana", candidate=candidate), bad, body("Cid", candidate=candidate)]),
        headers=JSONL,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert (problem["imported"], problem["refused"], problem["status"]) == (0, 1, 422)
    assert [(e["line"], e["loc"]) for e in problem["errors"]] == [(2, "ratings.no_such_criterion")]
    assert CORE[0] in problem["errors"][0]["valid"]
    assert counts(engine) == start
    # The same file, fixed, goes in whole.
    fixed = client.post(
        URL,
        params={"atomic": "true"},
        content=jsonl([body("Ana", candidate=candidate), body("Bob", candidate=candidate)]),
        headers=JSONL,
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["imported"], fixed.json()["candidates_created"]) == (2, 1)


def _streamed(lines: list[dict[str, Any]]) -> Iterator[bytes]:
    """The body in small chunks, without a Content-Length (chunked transfer)."""
    for line in lines:
        yield (json.dumps(line) + "\n").encode()


def test_a_streamed_body_over_one_mebibyte_is_imported(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    long_summary = "Talks through a real community crisis, step by step. " * 30
    lines = [
        body(
            f"I{n}",
            summary=long_summary,
            candidate={
                "position_id": position["id"],
                "external_id": f"c-{n // 3}",
                "full_name": f"Candidate {n // 3}",
            },
        )
        for n in range(1200)
    ]
    size = sum(len(json.dumps(line)) + 1 for line in lines)
    assert size > 1024 * 1024 + 100_000
    response = client.post(URL, content=_streamed(lines), headers=JSONL)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["refused"], report["candidates_created"]) == (1200, 0, 400)
    assert counts(engine)["assessments"] == 1200
    # Everywhere else the 1 MiB limit still holds.
    big = client.post(
        "/api/v1/positions",
        content=b'{"title": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 413


@pytest.mark.live
@pytest.mark.parametrize("atomic", [True, False])
def test_over_the_import_limit_is_413_mid_stream(
    settings: Settings, engine: Engine, atomic: bool
) -> None:
    with TestClient(create_app(settings), headers=auth(make_key(settings))) as client:
        position = Api(client).position()
    lines = [
        body(
            f"I{n}",
            candidate={
                "position_id": position["id"],
                "external_id": f"c-{n}",
                "full_name": f"Candidate {n}",
            },
        )
        for n in range(2000)
    ]
    # A live server and a chunked body: the body arrives as it is sent, and the limit is met
    # mid-stream, after the first batch of 500 lines (the server reads in chunks of up to a few
    # hundred kB, so one or two batches are whole by then).
    limit = sum(len(json.dumps(line)) + 1 for line in lines[:1500])
    secret = make_key(settings)
    start = counts(engine)
    with live_server(settings, TAMIS_MAX_IMPORT_BYTES=str(limit)) as server:
        response = httpx.post(
            server.url + URL,
            params={"atomic": str(atomic).lower()},
            content=_streamed(lines),
            headers={**JSONL, **auth(secret)},
            timeout=60,
        )
    assert response.status_code == 413, response.text
    assert response.json()["type"].endswith("/payload-too-large"), response.text
    added = counts(engine)["assessments"] - start["assessments"]
    if atomic:
        assert counts(engine) == start
        assert "nothing was imported" in response.json()["detail"]
    else:  # the batches committed before the limit are kept, and the answer says how many
        assert added in (500, 1000), response.text
        assert f"the {added} lines imported before it are kept" in response.json()["detail"]


def test_the_same_idempotency_key_replays_the_report(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    candidate = {"position_id": position["id"], "external_id": "k-1", "full_name": "Ana Lima"}
    content = jsonl([body("Ana", candidate=candidate), {"oops": True}])
    headers = {**JSONL, "Idempotency-Key": "import-2025-03"}
    first = client.post(URL, content=content, headers=headers)
    assert first.status_code == 200, first.text
    assert (first.json()["imported"], first.json()["refused"]) == (1, 1)
    start = counts(engine)
    again = client.post(URL, content=content, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert counts(engine) == start
    other = client.post(URL, content=jsonl([body("Bob", candidate=candidate)]), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert counts(engine) == start
    # Without the key, the same file again refuses the scorecard already imported: every line
    # refused, nothing imported is a 422 listing them.
    again_without_key = client.post(URL, content=content, headers=JSONL)
    assert again_without_key.status_code == 422
    retried = again_without_key.json()
    assert retried["imported"] == 0
    assert {(e["line"], e["loc"]) for e in retried["errors"]} >= {(1, "interviewer.email")}


def test_who_may_import_and_in_which_media_type(
    api: Api, client: TestClient, settings: Settings
) -> None:
    content = jsonl([body("Ana", candidate_id=str(uuid.uuid4()))])
    unsigned = client.post(URL, content=content, headers={**JSONL, "Authorization": ""})
    assert unsigned.status_code == 401
    for role in ("interviewer", "integration"):  # neither writes anyone's assessments
        secret = make_key(settings, role, email="ana@example.org")
        refused = client.post(URL, content=content, headers={**JSONL, **auth(secret)})
        assert refused.status_code == 403, refused.text
    recruiter = make_key(settings, "recruiter")
    allowed = client.post(URL, content=content, headers={**JSONL, **auth(recruiter)})
    assert allowed.status_code == 422 and allowed.json()["refused"] == 1  # its only line
    wrong = client.post(URL, content=content, headers={"Content-Type": "text/csv"})
    assert wrong.status_code == 415
    assert "application/jsonl" in wrong.json()["errors"][0]["valid"]
    unknown = client.post(URL, params={"atomik": "1"}, content=content, headers=JSONL)
    assert unknown.status_code == 422


def test_the_openapi_document_describes_the_import(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"][URL]["post"]
    content = operation["requestBody"]["content"]["application/jsonl"]
    assert content["schema"]["contentSchema"] == {"$ref": "#/components/schemas/ImportLine"}
    first = json.loads(content["example"].splitlines()[0])
    assert set(first) <= set(document["components"]["schemas"]["ImportLine"]["properties"])
    assert "413" in operation["responses"] and "200" in operation["responses"]
