"""The security review's findings (issue 14), each on SQLite and PostgreSQL.

Blind scoring in every representation of a candidate, outcome statuses only from decisions,
erased candidates refusing writes, refused submissions changing nothing.
"""

import base64
import io
import json
import re
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import insert, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from app.access import users
from app.access.policy import Role
from app.assessments import service as assessments
from app.audit.models import AuditEvent
from app.candidates.models import Candidate
from app.cli import proxy_options
from app.commands import command_session
from app.core.config import Settings
from app.core.db import make_engine
from app.core.errors import RuleViolation
from app.core.idempotency import IdempotencyRecord
from app.core.migrate import alembic_config, upgrade
from app.core.types import utcnow
from app.main import create_app
from app.rubric.store import RubricVersion
from app.web.session import SESSION_COOKIE
from app.webhooks import delivery, destinations
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import live_server
from tests.api.test_webhooks import EVENTS
from tests.commands import tamis
from tests.pg import free_port
from tests.rubric.test_shipped_rubric import CORE

ALL_THREES = dict.fromkeys(CORE, 3)
PASSWORD = "correct horse battery"  # noqa: S105 - the test accounts' password


def as_key(app: FastAPI, settings: Settings, role: Role, email: str | None = None) -> TestClient:
    return TestClient(app, headers=auth(make_key(settings, role, email)))


def signed_in(app: FastAPI, settings: Settings, role: Role, email: str) -> TestClient:
    """A browser-like client with a session cookie of a new account."""
    with command_session(settings, "test setup") as session:
        user = users.create(session, email=email, name=email, role=role, password=PASSWORD)
        token, _row = users.open_session(session, user)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    return client


def _decided(api: Api) -> dict[str, Any]:
    """A candidate two others assessed (no_hire territory) and a recruiter rejected."""
    candidate = api.candidate()
    cid = candidate["id"]
    low = dict.fromkeys(CORE, 1)
    api.assessment(cid, "Bob", low)
    api.assessment(cid, "Cleo", low)
    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "reject", "decided_by": "Claire", "rationale": "weak on every criterion"},
    )
    return api.ok("GET", f"/api/v1/candidates/{cid}")


# Blind scoring ------------------------------------------------------------------------------


def test_blind_interviewer_learns_nothing_from_the_candidate(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    fresh = api.candidate()  # nobody assessed: the baseline an interviewer sees
    decided = _decided(api)
    cid = decided["id"]
    assert decided["recommendation"] is not None and decided["status"] == "rejected"
    ina = as_key(app, settings, "interviewer", "ina@example.org")

    seen = ina.get(f"/api/v1/candidates/{cid}")
    body = seen.json()
    assert body["recommendation"] is None
    assert body["status"] == "in_review"
    assert body["updated_at"] == body["created_at"]
    etag_before = seen.headers["etag"]
    # Others keep working: what she reads does not move.
    api.ok("POST", f"/api/v1/candidates/{cid}/rescore")
    api.assessment(cid, "Dan", dict.fromkeys(CORE, 4))
    again = ina.get(f"/api/v1/candidates/{cid}")
    assert again.headers["etag"] == etag_before and again.json() == body

    # The list and its filters follow the same rule.
    listed = ina.get("/api/v1/candidates", params={"limit": 100}).json()["items"]
    mine = next(c for c in listed if c["id"] == cid)
    assert mine["recommendation"] is None and mine["status"] == "in_review"
    for recommendation in ("strong_hire", "hire", "hold", "no_hire", "incomplete"):
        found = ina.get("/api/v1/candidates", params={"recommendation": recommendation}).json()
        assert found["items"] == [], recommendation
    assert ina.get("/api/v1/candidates", params={"status": "rejected"}).json()["items"] == []
    in_review = ina.get("/api/v1/candidates", params={"status": "in_review"}).json()["items"]
    assert {c["id"] for c in in_review} == {cid, fresh["id"]}
    assert ina.get(f"/api/v1/candidates/{cid}/verdict").status_code == 403
    # Exports and reports are not hers to read at all.
    assert ina.get(f"/api/v1/candidates/{cid}/report").status_code == 403

    # Once she submits, she sees what the others see.
    ina.post(
        f"/api/v1/candidates/{cid}/assessments",
        json={
            "interviewer": {"name": "Ina", "email": "ina@example.org"},
            "ratings": ALL_THREES,
            "status": "submitted",
        },
    ).raise_for_status()
    lifted = ina.get(f"/api/v1/candidates/{cid}").json()
    assert lifted["status"] == "rejected" and lifted["recommendation"] is not None
    filtered = ina.get("/api/v1/candidates", params={"status": "rejected"}).json()["items"]
    assert [c["id"] for c in filtered] == [cid]
    by_verdict = ina.get(
        "/api/v1/candidates", params={"recommendation": lifted["recommendation"]}
    ).json()["items"]
    assert [c["id"] for c in by_verdict] == [cid]


def test_blind_interviewer_sees_no_badge_in_the_pages(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    decided = _decided(api)
    browser = signed_in(app, settings, "interviewer", "ina@example.org")
    listing = browser.get("/candidates")
    assert listing.status_code == 200, listing.text
    assert 'class="badge' not in listing.text
    assert "Rejected" not in listing.text.split("<tbody>")[-1]
    filtered = browser.get("/candidates", params={"recommendation": decided["recommendation"]})
    assert decided["id"] not in filtered.text
    detail = browser.get(f"/candidates/{decided['id']}")
    assert detail.status_code == 200
    assert "Rejected" not in detail.text
    recruiter = signed_in(app, settings, "recruiter", "rae@example.org")
    assert 'class="badge' in recruiter.get("/candidates").text


# Outcome statuses ---------------------------------------------------------------------------


def test_outcome_statuses_come_only_from_decisions(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    ats = as_key(app, settings, "integration")
    position = api.position()
    for outcome in ("hired", "rejected", "advanced"):
        made = ats.post(
            "/api/v1/candidates",
            json={"full_name": "Léa", "position_id": position["id"], "status": outcome},
        )
        assert made.status_code == 422, made.text
        problem = made.json()
        assert problem["errors"][0]["loc"] == "status"
        assert set(problem["errors"][0]["valid"]) == {"new", "in_review", "withdrawn"}
    cid = api.candidate(position["id"])["id"]
    for outcome in ("hired", "rejected", "advanced"):
        changed = ats.patch(f"/api/v1/candidates/{cid}", json={"status": outcome})
        assert changed.status_code == 422, changed.text
    assert api.ok("GET", f"/api/v1/candidates/{cid}")["status"] == "new"
    # A decided outcome is not undone by a PATCH either (withdrawn, the candidate's choice, is).
    decided = _decided(api)
    undo = ats.patch(f"/api/v1/candidates/{decided['id']}", json={"status": "new"})
    assert undo.status_code == 409 and undo.json()["errors"][0]["valid"] == ["withdrawn"]
    withdrawn = ats.patch(f"/api/v1/candidates/{decided['id']}", json={"status": "withdrawn"})
    assert withdrawn.status_code == 200


# Erased candidates --------------------------------------------------------------------------


def test_an_erased_candidate_refuses_every_write(
    app: FastAPI, api: Api, client: TestClient, settings: Settings
) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    draft = api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/assessments",
        201,
        json={"interviewer": {"name": "Bob", "email": "bob@example.org"}, "ratings": ALL_THREES},
    )
    link = api.ok("POST", f"/api/v1/candidates/{cid}/screenings", 201, json={})["url"]
    api.ok("POST", f"/api/v1/candidates/{cid}/erase")

    writes: list[tuple[str, str, Any]] = [
        ("PATCH", f"/api/v1/candidates/{cid}", {"source": "again"}),
        (
            "POST",
            f"/api/v1/candidates/{cid}/assessments",
            {"interviewer": {"name": "Ana", "email": "ana@example.org"}, "summary": "notes"},
        ),
        ("PATCH", f"/api/v1/assessments/{draft['id']}", {"summary": "more notes"}),
        ("POST", f"/api/v1/assessments/{draft['id']}/submit", None),
        (
            "POST",
            f"/api/v1/candidates/{cid}/decisions",
            {"decision": "reject", "decided_by": "Claire", "rationale": "why"},
        ),
        ("POST", f"/api/v1/candidates/{cid}/screenings", {}),
        ("POST", f"/api/v1/candidates/{cid}/rescore", None),
        ("POST", f"/api/v1/candidates/{cid}/erase", None),
    ]
    for method, url, body in writes:
        response = client.request(method, url, json=body)
        assert response.status_code == 409, (method, url, response.text)
        assert "erased" in response.json()["detail"]
    # The unused self-screen link no longer takes answers.
    path = "/" + link.split("/", 3)[3]
    public = TestClient(app)
    assert public.get(path).status_code == 410
    assert public.post(path, data={"answer.q": "x"}).status_code == 410
    # Nor is the anonymous record deleted (it has an assessment and an invitation).
    assert client.delete(f"/api/v1/candidates/{cid}").status_code == 409


# Validate before mutating -------------------------------------------------------------------


def test_a_refused_submission_pins_nothing(app: FastAPI, api: Api, settings: Settings) -> None:
    cid = api.candidate()["id"]
    draft = api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/assessments",
        201,
        json={"interviewer": {"name": "Bob", "email": "bob@example.org"}, "ratings": {}},
    )
    registry = app.state.registry
    with command_session(settings, "test") as session:
        versions = session.exec(select(func.count()).select_from(RubricVersion)).one()
        row = assessments.get(session, uuid.UUID(draft["id"]))
        try:
            assessments.submit(session, registry, row)
        except RuleViolation:
            pass
        else:  # pragma: no cover - the draft has no rating
            raise AssertionError("an incomplete draft was submitted")
    with command_session(settings, "test") as session:
        candidate = session.get_one(Candidate, row.candidate_id)
        assert candidate.rubric_version_id is None
        assert session.exec(select(func.count()).select_from(RubricVersion)).one() == versions
        assert assessments.get(session, uuid.UUID(draft["id"])).status == "draft"


# Webhook destinations -----------------------------------------------------------------------

# Every one of these is refused without a single packet sent: numeric hosts and `localhost`
# resolve locally, and the check runs before any connection.
NOT_PUBLIC = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://127.0.0.2:8080/hook",
    "http://localhost:8000/hook",
    "http://[::1]/hook",
    "http://0.0.0.0/hook",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://240.0.0.1/hook",
]


def test_webhooks_to_non_public_addresses_are_refused(
    api: Api, client: TestClient, settings: Settings
) -> None:
    strict = create_app(settings.model_copy(update={"webhook_allowed_hosts": ""}))
    admin = TestClient(strict, headers=auth(make_key(settings)))
    for url in NOT_PUBLIC:
        refused = admin.post("/api/v1/webhooks", json={"url": url, "events": EVENTS})
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["errors"][0]["loc"] == "url", url
    assert api.ok("GET", "/api/v1/webhooks") == []
    # The operator's allow-list (here 127.0.0.1, the tests' receiver) is the one way in.
    allowed = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h", "events": EVENTS}
    )
    assert allowed.status_code == 201


def test_the_destination_check_resolves_names() -> None:
    public = destinations.check(
        "https://hooks.example.org/tamis", frozenset(), resolve=lambda _h, _p: ["93.184.215.14"]
    )
    assert public == destinations.Destination("hooks.example.org", 443, "93.184.215.14")
    assert (
        destinations.pinned_url("https://hooks.example.org/tamis?a=1", public)
        == "https://93.184.215.14:443/tamis?a=1"
    )
    # A name that resolves to an internal address (or to several, one of them internal).
    for answer in (["10.1.2.3"], ["93.184.215.14", "169.254.169.254"], ["fd00::1"], []):
        with pytest.raises(destinations.DestinationRefused):
            destinations.check(
                "https://hooks.example.org/x", frozenset(), resolve=lambda _h, _p, a=answer: a
            )
    allowed = destinations.check("http://Receiver.internal/x", frozenset({"receiver.internal"}))
    assert allowed.address is None


def test_each_delivery_checks_the_destination_again() -> None:
    """DNS may answer differently after the subscription: the delivery is refused, unsent."""
    url = "https://hooks.example.org/x"
    item = delivery._Claimed(uuid.uuid4(), "msg_1", "{}", url, "whsec_", delivery.utcnow())
    with httpx.Client(transport=httpx.MockTransport(_must_not_send)) as never:
        status, error = delivery.send(never, item, frozenset(), lambda _h, _p: ["127.0.0.1"])
    assert status is None and error == "refused: the destination is not a public address"


def _must_not_send(request: httpx.Request) -> httpx.Response:  # pragma: no cover
    raise AssertionError(f"a request was sent to {request.url}")


def test_the_delivery_log_keeps_network_details_out(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    ats = as_key(app, settings, "integration")
    closed = f"http://127.0.0.1:{free_port()}/hooks"  # nothing listens there
    hook = ats.post("/api/v1/webhooks", json={"url": closed, "events": ["candidate.created"]})
    assert hook.status_code == 201, hook.text
    api.candidate()  # the app's delivery worker runs while `api`'s client is open
    deadline = time.monotonic() + 10
    log: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not (log and log[0]["attempts"]):
        time.sleep(0.05)
        log = ats.get(f"/api/v1/webhooks/{hook.json()['id']}/deliveries").json()["items"]
    assert log and log[0]["attempts"] >= 1
    assert log[0]["last_error"] == "could not connect or send"
    assert "Errno" not in json.dumps(log) and "refused" not in json.dumps(log)


# Personal data in the audit trail and the access export ------------------------------------


def test_source_never_enters_the_audit_trail_or_the_export(api: Api) -> None:
    cid = api.candidate(source="cousin of the CEO")["id"]
    api.ok("PATCH", f"/api/v1/candidates/{cid}", json={"source": "met at a party"})
    trail = api.ok("GET", "/api/v1/audit-events", params={"resource_id": cid})["items"]
    assert all(e["changes"].get("source") in (None, {"personal": True}) for e in trail)
    assert "cousin" not in json.dumps(trail) and "party" not in json.dumps(trail)
    api.ok("POST", f"/api/v1/candidates/{cid}/erase")
    exported = json.dumps(api.ok("GET", f"/api/v1/candidates/{cid}/export"))
    assert "cousin" not in exported and "party" not in exported


def test_the_migration_scrubs_values_already_in_the_trail(database_url: str) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "0006")
    engine = make_engine(database_url)
    event = {
        "id": uuid.uuid4(),
        "created_at": utcnow(),
        "actor_kind": "key",
        "actor_id": "k",
        "actor_name": "ATS",
        "actor_role": "integration",
        "operation": "update_candidate",
        "action": "candidate.updated",
        "resource_type": "candidate",
        "resource_id": str(uuid.uuid4()),
        "changes": {
            "source": {"before": "cousin of the CEO", "after": "met at a party"},
            "status": {"before": "new", "after": "withdrawn"},
        },
    }
    with engine.begin() as connection:
        connection.execute(insert(AuditEvent.__table__), [event])  # type: ignore[attr-defined]
    command.upgrade(config, "head")
    with engine.connect() as connection:
        changes = connection.execute(select(AuditEvent.changes)).scalar_one()
        assert changes == {
            "source": {"personal": True},
            "status": {"before": "new", "after": "withdrawn"},
        }
        # The trail is append-only again.
        with pytest.raises(DBAPIError):
            connection.execute(update(AuditEvent.__table__).values(action="x"))  # type: ignore[attr-defined]
    engine.dispose()


# Sign-in: throttling, accounts, sessions, passwords -----------------------------------------


def _sign_in(client: TestClient, email: str, password: str) -> httpx.Response:
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )


def _account(settings: Settings, email: str, role: Role = "recruiter") -> None:
    with command_session(settings, "test setup") as session:
        users.create(session, email=email, name="Ana", role=role, password=PASSWORD)


def test_sign_in_is_throttled_per_account(app: FastAPI, settings: Settings) -> None:
    _account(settings, "ana@example.org")
    _account(settings, "bea@example.org")
    browser = TestClient(app, follow_redirects=False)
    for _ in range(app.state.sign_in_throttle.account.amount):
        assert _sign_in(browser, "ana@example.org", "wrong password").status_code == 401
    # Then even the right password waits, and is not checked.
    blocked = _sign_in(browser, "ANA@example.org", PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "Too many failed attempts" in blocked.text
    # Another account is not locked out by it.
    assert _sign_in(browser, "bea@example.org", PASSWORD).status_code == 303


def test_sign_in_is_throttled_per_address(settings: Settings) -> None:
    settings = settings.model_copy(update={"sign_in_limit_per_address": "6/15minutes"})
    _account(settings, "ana@example.org")
    browser = TestClient(create_app(settings), follow_redirects=False)
    for n in range(6):
        assert _sign_in(browser, f"guess{n}@example.org", "wrong password").status_code == 401
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 429


def test_sign_in_and_out_are_audited(app: FastAPI, settings: Settings, api: Api) -> None:
    _account(settings, "ana@example.org")
    browser = TestClient(app, follow_redirects=False)
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 303
    page = browser.get("/candidates").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    assert browser.post("/sign-out", data={"csrf_token": csrf.group(1)}).status_code == 303
    actions = [e["action"] for e in api.ok("GET", "/api/v1/audit-events")["items"]]
    assert "user.signed_in" in actions and "user.signed_out" in actions


def test_accounts_can_be_disabled_and_passwords_reset(settings: Settings, app: FastAPI) -> None:
    _account(settings, "ana@example.org")
    browser = TestClient(app, follow_redirects=False)
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 303
    assert browser.get("/candidates").status_code == 200

    disabled = tamis(settings, "users", "disable", "ana@example.org")
    assert disabled.returncode == 0 and "1 session(s) ended" in disabled.stdout, disabled.stderr
    assert browser.get("/candidates").status_code == 303  # signed out at once
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 401
    listed = tamis(settings, "users", "list")
    assert "ana@example.org\trecruiter\tdisabled" in listed.stdout
    assert tamis(settings, "users", "enable", "ana@example.org").returncode == 0
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 303

    weak = tamis(settings, "users", "set-password", "ana@example.org", "--password", "1234567890")
    assert weak.returncode != 0 and "at least 12 characters" in weak.stderr
    common = tamis(
        settings, "users", "set-password", "ana@example.org", "--password", "password1234"
    )
    assert common.returncode != 0 and "too easy to guess" in common.stderr
    new = "plume violette sur le quai"
    changed = tamis(settings, "users", "set-password", "ana@example.org", "--password", new)
    assert changed.returncode == 0 and "1 session(s) ended" in changed.stdout, changed.stderr
    assert browser.get("/candidates").status_code == 303
    assert _sign_in(browser, "ana@example.org", PASSWORD).status_code == 401
    assert _sign_in(browser, "ana@example.org", new).status_code == 303
    assert tamis(settings, "users", "disable", "nobody@example.org").returncode == 1


# The PDF report -----------------------------------------------------------------------------


def test_long_notes_wrap_and_split_across_pages(api: Api, client: TestClient) -> None:
    cid = api.candidate()["id"]
    sentence = "Anime la communauté du forum chaque soir et mesure l’effet de ses messages. "
    long_note = (sentence * 45)[:3000]  # about 3,000 characters
    unbroken = "x" * 1500  # a single word wider than any column
    criterion = CORE[0]
    for name, note in (("Ana", long_note), ("Bob", unbroken)):
        api.assessment(
            cid,
            name,
            ALL_THREES,
            notes={criterion: note},
            summary=note,
        )
    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "advance", "decided_by": "Claire", "rationale": long_note * 3},
    )
    for language in ("en", "fr"):
        response = client.get(f"/api/v1/candidates/{cid}/report?format=pdf&lang={language}")
        assert response.status_code == 200, response.text[:500]
        pages = PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(p.extract_text() for p in pages)
        assert len(pages) >= 3
        # Every word of the note is printed, the last sentence included.
        flat = " ".join(text.split())
        assert "mesure l’effet de ses messages" in flat
        assert long_note.split()[-2] in flat


# The Low list -------------------------------------------------------------------------------


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/api/v1/candidates", "/sign-in", "/healthz", "/api/v1/nowhere"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store", path
    static = client.get("/static/app.css")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def _cursor(created: str) -> str:
    raw = json.dumps([created, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_crafted_cursors_are_422(api: Api, client: TestClient) -> None:
    api.candidate()
    for created in (
        "2026-01-01T00:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ):
        for path in ("/api/v1/candidates", "/api/v1/audit-events", "/api/v1/positions"):
            response = client.get(path, params={"cursor": _cursor(created)})
            assert response.status_code == 422, (path, created, response.text)
            assert response.json()["errors"][0]["loc"] == "query:cursor"


def test_unicode_digits_in_the_assessment_form_are_422(
    app: FastAPI, api: Api, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    browser = signed_in(app, settings, "interviewer", "ina@example.org")
    form = browser.get(f"/candidates/{cid}/assessment").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    for digit in ("²", "①"):
        response = browser.post(
            f"/candidates/{cid}/assessment",
            data={"csrf_token": csrf.group(1), f"rating.{CORE[0]}": digit, "summary": "kept"},
        )
        assert response.status_code == 422, response.text[:300]
        assert "kept" in response.text  # what was typed comes back
        preview = browser.post(
            f"/candidates/{cid}/assessment/preview",
            data={"csrf_token": csrf.group(1), f"rating.{CORE[0]}": digit},
        )
        assert preview.status_code == 200


def test_idempotency_records_hold_no_secret_and_go_with_the_candidate(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate()["id"]
    key = {"Idempotency-Key": "invite-1"}
    first = client.post(f"/api/v1/candidates/{cid}/screenings", json={}, headers=key)
    assert first.status_code == 201
    token = first.json()["url"].rsplit("/", 1)[1]
    replay = client.post(f"/api/v1/candidates/{cid}/screenings", json={}, headers=key)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"] and token not in replay.text
    hook = client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/h", "events": EVENTS},
        headers={"Idempotency-Key": "hook-1"},
    )
    with command_session(settings, "test") as session:
        stored = " ".join(r.body for r in session.exec(select(IdempotencyRecord)))
    assert token not in stored and hook.json()["secret"] not in stored

    # A deleted candidate's name goes with the stored answer that created them.
    made = client.post(
        "/api/v1/candidates",
        json={"full_name": "Yann Kerouac", "position_id": api.position()["id"]},
        headers={"Idempotency-Key": "create-yann"},
    )
    assert client.delete(f"/api/v1/candidates/{made.json()['id']}").status_code == 204
    with command_session(settings, "test") as session:
        stored = " ".join(r.body for r in session.exec(select(IdempotencyRecord)))
    assert "Kerouac" not in stored


def test_deleting_a_candidate_with_a_record_is_refused(api: Api, client: TestClient) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Bob", ALL_THREES)
    refused = client.delete(f"/api/v1/candidates/{cid}")
    assert refused.status_code == 409 and "/erase" in refused.json()["detail"]
    assert len(api.ok("GET", f"/api/v1/candidates/{cid}/assessments")) == 1
    # Without a record, deletion is audited and complete.
    other = api.candidate()["id"]
    assert client.delete(f"/api/v1/candidates/{other}").status_code == 204
    trail = api.ok("GET", "/api/v1/audit-events", params={"resource_id": other})["items"]
    assert trail[0]["action"] == "candidate.deleted"


def test_a_decision_records_who_recorded_it(api: Api) -> None:
    cid = api.candidate()["id"]
    api.assessment(cid, "Bob", ALL_THREES)
    decision = api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "reject", "decided_by": "On behalf of Claire", "rationale": "r"},
    )
    assert decision["decided_by"] == "On behalf of Claire"
    assert decision["recorded_by"]["kind"] == "key"
    assert decision["recorded_by"]["name"] == "test admin"
    trail = api.ok("GET", "/api/v1/audit-events", params={"resource_id": decision["id"]})
    assert trail["items"][0]["actor"]["id"] == decision["recorded_by"]["id"]


def test_forwarded_headers_are_believed_only_from_configured_proxies(
    settings: Settings,
) -> None:
    assert proxy_options(settings) == {"proxy_headers": False, "forwarded_allow_ips": ""}
    behind = settings.model_copy(update={"trusted_proxies": "10.0.0.2, 10.0.0.3"})
    assert proxy_options(behind) == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.2,10.0.0.3",
    }


def test_forwarded_for_does_not_dodge_the_throttle(settings: Settings) -> None:
    """Against a real `tamis serve`: a loopback client rotating X-Forwarded-For stays one
    address for the sign-in throttle."""
    _account(settings, "ana@example.org")
    per_address = {"TAMIS_SIGN_IN_LIMIT_PER_ADDRESS": "6/15minutes"}
    with (
        live_server(settings, **per_address) as server,
        httpx.Client(base_url=server.url) as browser,
    ):
        for n in range(6):
            spoof = {"X-Forwarded-For": f"203.0.113.{n}"}
            response = _sign_in_http(browser, f"guess{n}@example.org", "wrong", spoof)
            assert response.status_code == 401
        blocked = _sign_in_http(
            browser, "ana@example.org", PASSWORD, {"X-Forwarded-For": "1.2.3.4"}
        )
        assert blocked.status_code == 429


def _sign_in_http(
    browser: httpx.Client, email: str, password: str, headers: dict[str, str]
) -> httpx.Response:
    form = browser.get("/sign-in", headers=headers).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    return browser.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        headers=headers,
    )


def test_invitation_links_use_the_public_url(api: Api, client: TestClient) -> None:
    cid = api.candidate()["id"]
    made = client.post(
        f"/api/v1/candidates/{cid}/screenings", json={}, headers={"Host": "evil.example"}
    )
    assert made.status_code == 201
    assert made.json()["url"].startswith("http://127.0.0.1:8000/screening/")


def test_nul_in_self_screen_answers_is_refused_and_kept(
    app: FastAPI, api: Api, client: TestClient
) -> None:
    cid = api.candidate()["id"]
    made = api.ok("POST", f"/api/v1/candidates/{cid}/screenings", 201, json={"language": "en"})
    path = "/screening/" + made["url"].rsplit("/screening/", 1)[1]
    questions = next(iter(app.state.questionnaires.values())).questions
    form = {f"answer.{q.id}": f"answer to {q.id}" for q in questions}
    form[f"answer.{questions[0].id}"] = "before\x00after"
    form["action"] = "send"  # the final send, after the review
    public = TestClient(app)
    refused = public.post(path, data=form)
    assert refused.status_code == 422
    assert "control character" in refused.text and f"answer to {questions[1].id}" in refused.text
    assert "before" in refused.text and "after" in refused.text
    listed = api.ok("GET", f"/api/v1/candidates/{cid}/screenings")
    assert listed[0]["status"] == "pending"  # nothing stored, the link still works
    form[f"answer.{questions[0].id}"] = "before after"
    assert public.post(path, data=form).status_code == 200
    trail = api.ok("GET", "/api/v1/audit-events", params={"resource_id": made["id"]})["items"]
    answered = next(e for e in trail if e["action"] == "screening.updated")
    assert answered["actor"]["kind"] == "invitation" and answered["actor"]["id"] == made["id"]


def test_a_new_sqlite_file_is_private(tmp_path: Path) -> None:
    for name, make in (
        ("engine.db", lambda url: make_engine(url).dispose()),
        ("migrated.db", upgrade),
    ):
        path = tmp_path / name
        make(f"sqlite:///{path}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
