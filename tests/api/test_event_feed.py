"""The event feed: the events webhooks carry, each exactly once and in commit order, across a
server killed mid-stream and twenty concurrent writers, on SQLite and PostgreSQL."""

import threading
import time
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import LiveServer, Receiver
from tests.rubric.test_shipped_rubric import CORE

WRITERS = 20
PER_WRITER = 6


def _feed(client: TestClient, after: str = "0", **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/events", params={"after": after, **params})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_the_feed_carries_what_the_webhooks_carry(api: Api, client: TestClient) -> None:
    assert _feed(client) == {"items": [], "next": "0"}
    with Receiver() as receiver:
        api.ok(
            "POST",
            "/api/v1/webhooks",
            201,
            json={"url": receiver.url, "events": ["candidate.created", "assessment.submitted"]},
        )
        candidate = api.candidate()
        api.assessment(candidate["id"], "Ana", dict.fromkeys(CORE, 4))
        deliveries = receiver.wait_for(2)
    page = _feed(client)
    types = [e["type"] for e in page["items"]]
    assert types[:2] == ["candidate.created", "assessment.submitted"]
    assert "verdict.changed" in types  # in the feed even with no webhook subscribed to it
    assert page["next"] == page["items"][-1]["cursor"]
    assert [int(e["cursor"]) for e in page["items"]] == sorted(
        int(e["cursor"]) for e in page["items"]
    )
    for headers, body in deliveries:
        import json

        sent = json.loads(body)
        assert sent["id"] == headers["webhook-id"]  # the event id in the body and the header
        fed = next(e for e in page["items"] if e["id"] == sent["id"])
        assert fed["type"] == sent["type"] and fed["data"] == sent["data"]
    assert page["items"][0]["data"] == {
        "candidate_id": candidate["id"],
        "position_id": candidate["position_id"],
    }
    # Reading on from `next` gives nothing new; a type filter keeps only that type.
    assert _feed(client, page["next"]) == {"items": [], "next": page["next"]}
    only = _feed(client, type="assessment.submitted")["items"]
    assert [e["type"] for e in only] == ["assessment.submitted"]
    second = _feed(client, limit=1)
    assert len(second["items"]) == 1 and second["next"] == second["items"][0]["cursor"]
    # A refused request leaves no event behind.
    refused = client.post("/api/v1/candidates", json={"full_name": "x", "position_id": "nope"})
    assert refused.status_code == 422
    assert _feed(client, page["next"])["items"] == []
    bad = client.get("/api/v1/events", params={"after": "-1"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == "query:after"


class _Poller(threading.Thread):
    """Polls the feed from cursor 0 until stopped and drained, surviving a dead server."""

    def __init__(self, url: list[str], headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url, self.headers = url, headers
        self.events: list[dict[str, Any]] = []
        self.cursor = "0"
        self.stop = threading.Event()
        self.failures = 0

    def run(self) -> None:
        with httpx.Client(headers=self.headers, timeout=10) as http:
            while True:
                # Read before the request: an empty page fetched before `stop` was set may
                # predate the last acknowledged write, so it does not prove the feed drained.
                stopping = self.stop.is_set()
                try:
                    response = http.get(
                        f"{self.url[0]}/api/v1/events", params={"after": self.cursor, "limit": 7}
                    )
                except httpx.HTTPError:
                    self.failures += 1
                    time.sleep(0.05)
                    continue
                if response.status_code != 200:
                    self.failures += 1
                    time.sleep(0.05)
                    continue
                page = response.json()
                self.events += page["items"]
                self.cursor = page["next"]
                if not page["items"]:
                    if stopping:
                        return
                    time.sleep(0.01)


def _writer(url: list[str], headers: dict[str, str], position_id: str, created: list[str]) -> None:
    with httpx.Client(headers=headers, timeout=30) as http:
        for index in range(PER_WRITER):
            body = {
                "full_name": f"Writer {threading.get_ident()} {index}",
                "position_id": position_id,
            }
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    response = http.post(f"{url[0]}/api/v1/candidates", json=body)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is down: try again when it is back
                    continue
                if response.status_code == 201:
                    created.append(response.json()["id"])
                    break
                assert response.status_code == 503, response.text  # only "retry later"
                time.sleep(0.05)


def test_every_event_once_in_commit_order_across_a_kill(settings: Settings) -> None:
    headers = auth(make_key(settings))
    first = LiveServer(settings).start()
    url = [first.url]
    second: LiveServer | None = None
    try:
        position = httpx.post(
            f"{first.url}/api/v1/positions", json={"title": "Feed"}, headers=headers, timeout=30
        ).json()
        poller = _Poller(url, headers)
        poller.start()
        created: list[str] = []
        writers = [
            threading.Thread(target=_writer, args=(url, headers, position["id"], created))
            for _ in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while len(created) < WRITERS * PER_WRITER // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.kill()  # mid-stream: writers and the poller are all busy
        second = LiveServer(settings).start()
        url[0] = second.url
        for writer in writers:
            writer.join(timeout=120)
        poller.stop.set()
        poller.join(timeout=60)
        assert not poller.is_alive()
    finally:
        first.kill()
        if second is not None:
            second.kill()

    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            stored = [
                (str(seq), event_id)
                for seq, event_id in connection.execute(
                    text("SELECT seq, id FROM events ORDER BY seq")
                )
            ]
    finally:
        engine.dispose()
    read = [(e["cursor"], e["id"]) for e in poller.events]
    assert len({event_id for _c, event_id in read}) == len(read), "an event came twice"
    assert read == stored, "the feed missed or reordered events"
    fed_candidates = {e["data"]["candidate_id"] for e in poller.events}
    assert set(created) <= fed_candidates  # every acknowledged write is in the feed
    assert len(created) == WRITERS * PER_WRITER


def test_a_later_commit_never_shows_before_an_earlier_number(settings: Settings) -> None:
    """Transaction A takes its event number, then stalls before its commit ends; B commits an
    event meanwhile. A reader must never see B's event without A's (it would move past A's)."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.orm import Session as OrmSession

    from app.core.db import READONLY, UnitOfWork, make_engine
    from app.core.types import utcnow
    from app.events import service as feed

    feed.install()
    engine = make_engine(settings.database_url, busy_timeout_ms=20_000)
    numbered, release = threading.Event(), threading.Event()

    def stall(session: OrmSession) -> None:
        if session.info.get("stall"):
            numbered.set()
            release.wait(30)

    sa_event.listen(OrmSession, "before_commit", stall)  # runs after feed's own listener
    try:

        def commit(name: str, stalls: bool) -> None:
            unit = UnitOfWork(engine)
            unit.session.info["stall"] = stalls
            feed.record(unit.session, f"msg_{name}", "candidate.created", utcnow(), {})
            unit.commit()

        first = threading.Thread(target=commit, args=("a", True))
        first.start()
        assert numbered.wait(30)
        second = threading.Thread(target=commit, args=("b", False))
        second.start()
        second.join(timeout=1.0)  # B waits for A (or, without the ordering, commits now)

        def visible() -> list[str]:
            with engine.execution_options(**{READONLY: True}).connect() as connection:
                rows = connection.execute(text("SELECT id FROM events ORDER BY seq"))
                return [event_id for (event_id,) in rows]

        assert visible() == []  # never ["msg_b"]: a poller would skip msg_a for good
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
        assert visible() == ["msg_a", "msg_b"]
    finally:
        release.set()
        sa_event.remove(OrmSession, "before_commit", stall)
        engine.dispose()
