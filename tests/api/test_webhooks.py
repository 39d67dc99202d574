"""Webhooks: subscriptions, signed deliveries from the outbox, retries, and restarts."""

import json
import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import Receiver, live_server
from tests.rubric.test_shipped_rubric import ALL

EVENTS = [
    "candidate.created",
    "assessment.submitted",
    "verdict.changed",
    "decision.recorded",
    "candidate.erased",
]


def _subscribe(api: Api, url: str, events: list[str] = EVENTS) -> dict[str, str]:
    return api.ok("POST", "/api/v1/webhooks", 201, json={"url": url, "events": events})


def test_subscriptions_show_the_secret_once(api: Api, client: TestClient) -> None:
    created = _subscribe(api, "https://ats.example.org/hooks", ["assessment.submitted"])
    assert created["secret"].startswith("whsec_")
    listed = api.ok("GET", "/api/v1/webhooks")
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in api.ok("GET", f"/api/v1/webhooks/{created['id']}")
    bad = client.post("/api/v1/webhooks", json={"url": "ftp://x", "events": ["nope"]})
    assert bad.status_code == 422
    assert {e["loc"] for e in bad.json()["errors"]} == {"url", "events[0]"}
    assert client.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert api.ok("GET", "/api/v1/webhooks") == []


def test_a_receiver_gets_signed_events_it_can_verify(api: Api, client: TestClient) -> None:
    with Receiver() as receiver:
        hook = _subscribe(api, receiver.url)
        only_submissions = _subscribe(api, receiver.url + "?only", ["assessment.submitted"])
        candidate = api.candidate()
        assessment = api.assessment(candidate["id"], "Ana", dict.fromkeys(ALL, 4))
        api.ok(
            "POST",
            f"/api/v1/candidates/{candidate['id']}/decisions",
            201,
            json={"decision": "hire", "decided_by": "Claire"},
        )
        api.ok("POST", f"/api/v1/candidates/{candidate['id']}/erase")
        deliveries = receiver.wait_for(6)

    by_type: dict[str, list[dict[str, object]]] = {}
    for headers, body in deliveries:
        assert headers["webhook-id"].startswith("msg_")
        # Each subscription signs with its own secret; exactly one of the two verifies.
        verified = []
        for secret in (hook["secret"], only_submissions["secret"]):
            try:
                verified.append(Verifier(secret).verify(body, headers))
            except WebhookVerificationError:
                continue
        assert len(verified) == 1, "exactly one secret verifies the signature"
        by_type.setdefault(verified[0]["type"], []).append(verified[0])

    submitted = by_type["assessment.submitted"]
    assert len(submitted) == 2  # both subscriptions want it, with one event id
    assert submitted[0]["data"] == {
        "assessment_id": assessment["id"],
        "candidate_id": candidate["id"],
        "revision": 1,
    }
    assert by_type["verdict.changed"][0]["data"]["after"] == "strong_hire"
    assert by_type["decision.recorded"][0]["data"]["decision"] == "hire"
    assert by_type["candidate.erased"][0]["data"] == {"candidate_id": candidate["id"]}
    assert "Zoë" not in json.dumps(by_type)  # payloads carry ids, never personal data

    headers, body = next(d for d in deliveries if b"candidate.created" in d[1])
    with pytest.raises(WebhookVerificationError):
        Verifier(hook["secret"]).verify(body + b" ", headers)  # a changed body fails

    log = api.ok("GET", f"/api/v1/webhooks/{hook['id']}/deliveries")["items"]
    assert {d["status"] for d in log} == {"delivered"} and len(log) == 5
    assert all(d["attempts"] == 1 and d["response_status"] == 204 for d in log)


def test_failed_deliveries_are_retried_with_backoff(api: Api, client: TestClient) -> None:
    with Receiver(status=503) as receiver:
        hook = _subscribe(api, receiver.url, ["candidate.created"])
        api.candidate()
        receiver.wait_for(2)  # the first attempt, and a retry after the backoff
        receiver.status = 200
        receiver.wait_for(3)
        ids = {h["webhook-id"] for h, _ in receiver.received}
    assert len(ids) == 1  # every attempt carries the same event id, for de-duplication
    log = api.ok("GET", f"/api/v1/webhooks/{hook['id']}/deliveries")["items"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] >= 3
    assert log[0]["response_status"] == 200


def test_undelivered_events_survive_a_crash(settings: Settings) -> None:
    secret = make_key(settings)
    # Short backoff: the failed attempts before the crash must not push the retry far away.
    fast = {"TAMIS_WEBHOOK_RETRY_BASE_SECONDS": "0.05"}
    with live_server(settings, **fast) as server:
        tamis = httpx.Client(base_url=server.url, headers=auth(secret), timeout=10)
        with Receiver() as probe:
            receiver_port = probe.port  # a port that will be free again: the receiver is down
        hook = tamis.post(
            "/api/v1/webhooks",
            json={
                "url": f"http://127.0.0.1:{receiver_port}/hooks",
                "events": ["candidate.created"],
            },
        ).json()
        position = tamis.post("/api/v1/positions", json={"title": "CM"}).json()
        created = tamis.post(
            "/api/v1/candidates", json={"full_name": "Zoë", "position_id": position["id"]}
        ).json()
        server.kill()  # SIGKILL with the event undelivered

    with Receiver(port=receiver_port) as receiver, live_server(settings, **fast) as server:
        headers, body = receiver.wait_for(1, timeout=30)[0]
        event = Verifier(hook["secret"]).verify(body, headers)
        assert event["data"]["candidate_id"] == created["id"]
        log = httpx.get(
            f"{server.url}/api/v1/webhooks/{hook['id']}/deliveries", headers=auth(secret)
        ).json()["items"]
        assert uuid.UUID(log[0]["id"]) and log[0]["event_type"] == "candidate.created"


def test_several_server_processes_deliver_each_event_once(settings: Settings) -> None:
    """Two worker processes share the outbox: every event arrives, none twice (PostgreSQL
    claims with SKIP LOCKED; on SQLite the claims queue on the write lock)."""
    secret = make_key(settings)
    with Receiver() as receiver, live_server(settings, workers=2) as server:
        tamis = httpx.Client(base_url=server.url, headers=auth(secret), timeout=10)
        tamis.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["candidate.created"]})
        position = tamis.post("/api/v1/positions", json={"title": "CM"}).json()
        for n in range(30):
            body = {"full_name": f"C {n}", "position_id": position["id"]}
            assert tamis.post("/api/v1/candidates", json=body).status_code == 201
        receiver.wait_for(30)
        time.sleep(1)  # time for a duplicate to show up, if the claim let one through
        ids = [h["webhook-id"] for h, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 30
