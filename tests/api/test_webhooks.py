"""Webhooks: subscriptions, signed deliveries from the outbox, retries, and restarts."""

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from app.core.config import Settings
from app.core.types import utcnow
from app.main import create_app
from app.webhooks.delivery import LEASE, RetryPolicy, claim, deliver_due, record
from app.webhooks.destinations import allowed_hosts
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import Receiver, live_server, wait_until
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
    created = _subscribe(api, "http://127.0.0.1:9/hooks", ["assessment.submitted"])
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
    url = f"/api/v1/webhooks/{hook['id']}/deliveries"
    wait_until(
        lambda: api.ok("GET", url)["items"][0]["status"] == "delivered",
        10,
        "the delivery recorded as delivered",
    )
    log = api.ok("GET", url)["items"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] >= 3
    assert log[0]["response_status"] == 200


def test_each_attempt_is_logged_filtered_and_a_delivery_can_be_sent_again(
    api: Api, client: TestClient
) -> None:
    with Receiver(status=500) as receiver:
        hook = _subscribe(api, receiver.url, ["candidate.created", "decision.recorded"])
        candidate = api.candidate()
        receiver.wait_for(2)
        receiver.status = 204
        receiver.wait_for(3)
        base = f"/api/v1/webhooks/{hook['id']}/deliveries"

        def recorded() -> bool:  # the receiver answered; the worker then records the attempt
            return bool(api.ok("GET", base, params={"status": "delivered"})["items"])

        wait_until(recorded, 10, "the delivery recorded as delivered")
        delivered = api.ok("GET", base, params={"status": "delivered"})["items"]
        assert [d["event_type"] for d in delivered] == ["candidate.created"]
        assert api.ok("GET", base, params={"status": "failed"})["items"] == []
        assert api.ok("GET", base, params={"event_type": "decision.recorded"})["items"] == []
        bad = client.get(base, params={"status": "lost"})
        assert bad.status_code == 422 and "pending" in bad.json()["errors"][0]["valid"]
        detail = api.ok("GET", f"{base}/{delivered[0]['id']}")
        log = detail["attempt_log"]
        assert [a["number"] for a in log] == list(range(1, len(log) + 1))
        assert [a["response_status"] for a in log[:2]] == [500, 500]
        assert log[-1]["response_status"] == 204 and log[-1]["error"] is None
        assert log[0]["error"] == "the receiver answered 500"
        # Redeliver: the same event id and body, one more attempt in the log.
        before = len(receiver.received)
        again = client.post(f"{base}/{delivered[0]['id']}/redeliver")
        assert again.status_code == 202, again.text
        assert again.headers["location"].endswith(delivered[0]["id"])
        assert again.json()["status"] == "pending"
        receiver.wait_for(before + 1)
        first_headers, first_body = receiver.received[0]
        last_headers, last_body = receiver.received[before]
        assert last_headers["webhook-id"] == first_headers["webhook-id"]
        assert last_body == first_body

        def redelivered() -> bool:
            found = api.ok("GET", f"{base}/{delivered[0]['id']}")
            return found["status"] == "delivered" and len(found["attempt_log"]) == len(log) + 1

        wait_until(redelivered, 10, "the redelivery recorded")
        detail = api.ok("GET", f"{base}/{delivered[0]['id']}")
        assert detail["status"] == "delivered"
        assert len(detail["attempt_log"]) == len(log) + 1
        other = client.get(f"{base}/{uuid.uuid4()}")
        assert other.status_code == 404
    assert candidate["id"] in first_body.decode()


@pytest.mark.live
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
        # Killed between claiming the delivery and recording its failed attempt, the first
        # server leaves it leased: the new one sends it once the lease has run out.
        headers, body = receiver.wait_for(1, timeout=LEASE.total_seconds() + 30)[0]
        event = Verifier(hook["secret"]).verify(body, headers)
        assert event["data"]["candidate_id"] == created["id"]
        log = httpx.get(
            f"{server.url}/api/v1/webhooks/{hook['id']}/deliveries", headers=auth(secret)
        ).json()["items"]
        assert uuid.UUID(log[0]["id"]) and log[0]["event_type"] == "candidate.created"


@pytest.mark.live
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
        hook = tamis.get("/api/v1/webhooks").json()[0]

        def log() -> list[dict[str, object]]:
            url = f"/api/v1/webhooks/{hook['id']}/deliveries?limit=100"
            items: list[dict[str, object]] = tamis.get(url).json()["items"]
            return items

        # Once every delivery is recorded delivered, no worker will claim one again.
        wait_until(
            lambda: [d["status"] for d in log()] == ["delivered"] * 30, 30, "30 recorded deliveries"
        )
        assert all(d["attempts"] == 1 for d in log())  # a second claim would have counted
        ids = [h["webhook-id"] for h, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 30


def _at(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment`."""
    return lambda: moment


def test_retry_schedule_is_5s_times_3_to_the_n_capped_at_6h_then_gives_up_after_12(
    settings: Settings,
) -> None:
    """The shipped schedule, run on a clock the test moves: each failure pushes the next try
    5 s × 3ⁿ⁻¹ away, never more than 6 h; the 12th failure is the last."""
    defaults = Settings(database_url=settings.database_url)  # the shipped retry settings
    policy = RetryPolicy(defaults.webhook_retry_base_seconds, defaults.webhook_max_attempts)
    allowed = allowed_hosts(settings.webhook_allowed_hosts)  # the test's receiver, on loopback
    quiet = settings.model_copy(update={"webhook_worker": False})  # only the test delivers
    app = create_app(quiet)
    expected = [5, 15, 45, 135, 405, 1215, 3645, 10935, 21600, 21600, 21600]
    with (
        Receiver(status=503) as receiver,
        TestClient(app, headers=auth(make_key(quiet))) as client,
        httpx.Client(timeout=10) as sender,
    ):
        api = Api(client)
        hook = _subscribe(api, receiver.url, ["candidate.created"])
        api.candidate()
        engine = app.state.engine
        log_url = f"/api/v1/webhooks/{hook['id']}/deliveries"
        now = utcnow() + timedelta(seconds=1)
        delays = []
        for attempt in range(1, 13):
            assert deliver_due(engine, sender, policy, allowed, clock=_at(now)) == 1, attempt
            delivery = api.ok("GET", log_url)["items"][0]
            assert delivery["attempts"] == attempt and len(receiver.received) == attempt
            if attempt == 12:
                assert delivery["status"] == "failed"
                break
            assert delivery["status"] == "pending"
            due = datetime.fromisoformat(delivery["next_attempt_at"])
            delays.append((due - now).total_seconds())
            early = due - timedelta(milliseconds=1)
            assert deliver_due(engine, sender, policy, allowed, clock=_at(early)) == 0  # not before
            now = due
        assert delays == expected
        later = now + timedelta(days=30)
        assert deliver_due(engine, sender, policy, allowed, clock=_at(later)) == 0  # given up
        assert len(receiver.received) == 12


def test_a_worker_whose_lease_ran_out_records_nothing(settings: Settings) -> None:
    """Worker A claims a delivery and stalls past its lease; worker B claims it again and
    delivers it. A's late outcome, a failure or a success, changes nothing: the delivery stays
    as B left it, with one attempt counted."""
    quiet = settings.model_copy(update={"webhook_worker": False})  # only the test delivers
    app = create_app(quiet)
    policy = RetryPolicy(5, 12)
    with TestClient(app, headers=auth(make_key(quiet))) as client:
        api = Api(client)
        hook = _subscribe(api, "http://127.0.0.1:9/hooks", ["candidate.created"])
        api.candidate()
        engine = app.state.engine
        log_url = f"/api/v1/webhooks/{hook['id']}/deliveries"
        start = utcnow() + timedelta(seconds=1)
        [first] = claim(engine, clock=_at(start))
        assert claim(engine, clock=_at(start + LEASE - timedelta(seconds=1))) == []  # still held
        [second] = claim(engine, clock=_at(start + LEASE + timedelta(seconds=1)))
        assert second.id == first.id and second.lease_until > first.lease_until

        # B fails: the delivery waits for its next attempt; A's late success is dropped.
        failed_at = start + LEASE + timedelta(seconds=2)
        assert record(engine, second, 503, "the receiver answered 503", policy, 5, _at(failed_at))
        assert not record(engine, first, 200, None, policy, 5, _at(failed_at))
        delivery = api.ok("GET", log_url)["items"][0]
        assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == failed_at + timedelta(
            seconds=5
        )

        # B's retry delivers it; A's late failure on that claim is dropped as well.
        retry_at = failed_at + timedelta(seconds=5)
        [third] = claim(engine, clock=_at(retry_at))
        assert record(engine, third, 200, None, policy, 5, _at(retry_at))
        assert not record(engine, second, None, "timed out", policy, 5, _at(retry_at))
        delivery = api.ok("GET", log_url)["items"][0]
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
