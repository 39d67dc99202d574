"""Idempotency-Key on its own (app/core/idempotency.py): which keys are read, what makes two
requests the same, what a replay gives back, and how long a key lives. The API tests check the
same rules through the routes (tests/api/test_retries_and_edits.py)."""

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core import idempotency
from app.core.errors import InvalidInput
from app.core.idempotency import IdempotencyRecord, KeyReused
from app.core.types import utcnow
from tests.pg import postgres_for_tests


def request(
    method: str = "POST", path: str = "/api/v1/x", query: str = "", **headers: str
) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    return Request(
        {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": query.encode(),
            "headers": raw,
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "root_path": "",
        }
    )


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    IdempotencyRecord.__table__.create(engine)  # type: ignore[attr-defined]
    with Session(engine) as session:
        yield session


def test_a_key_is_read_on_post_only_and_must_be_visible_ascii() -> None:
    assert idempotency.key_of(request("GET", Idempotency_Key="k")) is None
    assert idempotency.key_of(request("PATCH", Idempotency_Key="k")) is None
    assert idempotency.key_of(request()) is None
    for good in ("k", "!", "~", "a" * 255, "order-42/retry#1"):
        assert idempotency.key_of(request(Idempotency_Key=good)) == good
    for bad in ("", "a b", "a" * 256, "clé", "tab\there", "\x7f"):
        with pytest.raises(InvalidInput) as refused:
            idempotency.key_of(request(Idempotency_Key=bad))
        assert refused.value.detail == "Idempotency-Key must be 1 to 255 visible ASCII characters"
        assert [(e.loc, e.message) for e in refused.value.errors] == [
            ("header:Idempotency-Key", "1 to 255 visible ASCII characters")
        ]


def test_two_requests_are_the_same_when_method_path_query_and_body_are() -> None:
    first = idempotency.fingerprint(request(query="a=1"), b"{}")
    assert first == idempotency.fingerprint(request(query="a=1"), b"{}")
    assert len(first) == 64
    others = [
        idempotency.fingerprint(request("PUT", query="a=1"), b"{}"),
        idempotency.fingerprint(request(path="/api/v1/y", query="a=1"), b"{}"),
        idempotency.fingerprint(request(query="a=2"), b"{}"),
        idempotency.fingerprint(request(query="a=1"), b"{ }"),
        # The parts are kept apart: moving a character from the path to the query changes it.
        idempotency.fingerprint(request(path="/api/v1/xa", query="=1"), b"{}"),
    ]
    assert first not in others
    assert len(set(others)) == len(others)
    streamed = idempotency.fingerprint_start(request(query="a=1"))
    streamed.update(b"{")
    streamed.update(b"}")
    assert streamed.hexdigest() == first


def _answer() -> Response:
    response = JSONResponse({"id": "c-1", "token": "secret"}, status_code=201)
    response.headers["Location"] = "/api/v1/things/c-1"
    response.headers["ETag"] = '"1"'
    response.headers["X-Other"] = "not kept"
    return response


def test_a_remembered_answer_is_replayed_to_its_principal_only(session: Session) -> None:
    assert not idempotency.recorded(session, "p1", "k")
    assert idempotency.replay(session, "p1", "k", "print") is None
    idempotency.remember(session, "p1", "k", "print", _answer())
    assert idempotency.recorded(session, "p1", "k")
    replayed = idempotency.replay(session, "p1", "k", "print")
    assert replayed is not None
    assert replayed.status_code == 201
    assert replayed.media_type == "application/json"
    assert bytes(replayed.body) == b'{"id":"c-1","token":"secret"}'
    assert replayed.headers["location"] == "/api/v1/things/c-1"
    assert replayed.headers["etag"] == '"1"'
    assert replayed.headers["idempotent-replayed"] == "true"
    assert "x-other" not in replayed.headers
    # Another principal, or another key, finds nothing.
    assert idempotency.replay(session, "p2", "k", "print") is None
    assert not idempotency.recorded(session, "p2", "k")
    assert idempotency.replay(session, "p1", "k2", "print") is None
    # The same key with another request is refused.
    with pytest.raises(KeyReused) as reused:
        idempotency.replay(session, "p1", "k", "other print")
    assert (reused.value.status, reused.value.kind) == (422, "idempotency-key-reused")
    assert reused.value.detail == (
        "this Idempotency-Key was already used with another request: use a new key"
    )
    assert [(e.loc, e.message) for e in reused.value.errors] == [
        ("header:Idempotency-Key", "already used with another request")
    ]


def test_a_key_lives_a_day_then_gives_way(session: Session) -> None:
    idempotency.remember(session, "p1", "old", "print-1", _answer())
    idempotency.remember(session, "p1", "fresh", "print-2", _answer())
    records = {r.key: r for r in session.exec(select(IdempotencyRecord)).all()}
    records["old"].created_at = utcnow() - timedelta(hours=24, seconds=1)
    records["fresh"].created_at = utcnow() - timedelta(hours=23, minutes=59)
    session.flush()
    assert not idempotency.recorded(session, "p1", "old")
    assert idempotency.replay(session, "p1", "old", "another print") is None
    assert idempotency.recorded(session, "p1", "fresh")
    # The expired record gives way to a new answer under the same key (no unique-key clash).
    idempotency.remember(session, "p1", "old", "print-3", JSONResponse([1], status_code=200))
    replayed = idempotency.replay(session, "p1", "old", "print-3")
    assert replayed is not None and bytes(replayed.body) == b"[1]"
    assert idempotency.purge_expired(session) == 0
    records["fresh"].created_at = utcnow() - timedelta(hours=25)
    session.flush()
    assert idempotency.purge_expired(session) == 1
    assert sorted(r.key for r in session.exec(select(IdempotencyRecord)).all()) == ["old"]
    assert timedelta(hours=24) == idempotency.TTL


def test_a_stored_answer_never_holds_a_secret(session: Session) -> None:
    idempotency.withhold(session, "token", "absent")
    idempotency.remember(session, "p1", "k", "print", _answer())
    replayed = idempotency.replay(session, "p1", "k", "print")
    assert replayed is not None
    assert bytes(replayed.body).decode() == (
        '{"id":"c-1","token":"(shown once; not kept for replays)"}'
    )
    # The rest of the body is kept as it was sent: UTF-8, not escaped.
    idempotency.remember(
        session, "p1", "utf8", "print", JSONResponse({"name": "Léa", "token": "t"})
    )
    named = idempotency.replay(session, "p1", "utf8", "print")
    assert named is not None
    assert (
        bytes(named.body) == '{"name":"Léa","token":"(shown once; not kept for replays)"}'.encode()
    )
    # A body that is no object has no field to withhold: kept as it was.
    idempotency.remember(session, "p1", "list", "print", JSONResponse(["token"]))
    listed = idempotency.replay(session, "p1", "list", "print")
    assert listed is not None and bytes(listed.body) == b'["token"]'


def test_an_answer_without_a_media_type_is_stored_as_json(session: Session) -> None:
    idempotency.remember(session, "p1", "k", "print", Response(b"{}", status_code=200))
    replayed = idempotency.replay(session, "p1", "k", "print")
    assert replayed is not None and replayed.media_type == "application/json"


def test_erasure_forgets_the_answers_that_mention_a_text_and_only_those(session: Session) -> None:
    bodies = {
        "a": "cand_1%x",
        "b": "cand_1%y",
        "c": "candX1%x",  # `_` taken as a wildcard would match it
        "d": "cand_1zzx",  # `%` taken as a wildcard would match it
        "e": "other",
    }
    for key, mention in bodies.items():
        idempotency.remember(session, "p1", key, "print", JSONResponse({"id": mention}))
    idempotency.forget_mentions(session, "cand_1%x")
    # `_` and `%` are taken as they are, not as LIKE wildcards.
    assert sorted(r.key for r in session.exec(select(IdempotencyRecord)).all()) == list("bcde")
    # A backslash too (a plain-text body keeps it as it is).
    plain = Response(b"path a\\b here", media_type="text/plain")
    idempotency.remember(session, "p1", "slash", "print", plain)
    idempotency.forget_mentions(session, "a\\c")
    assert len(session.exec(select(IdempotencyRecord)).all()) == 5
    idempotency.forget_mentions(session, "a\\b")
    assert sorted(r.key for r in session.exec(select(IdempotencyRecord)).all()) == list("bcde")


def test_a_day_is_a_day_to_the_microsecond(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    monkeypatch.setattr("app.core.idempotency.utcnow", lambda: now)
    day = idempotency.TTL
    tick = timedelta(microseconds=1)

    def stored(principal: str, key: str, age: timedelta) -> None:
        idempotency.remember(session, principal, key, f"print-{key}", _answer())
        record = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal_id == principal, IdempotencyRecord.key == key
            )
        ).one()
        record.created_at = now - age
        session.flush()

    stored("p1", "exactly", day)
    stored("p1", "almost", day - tick)
    assert not idempotency.recorded(session, "p1", "exactly")  # expired at a day exactly
    assert idempotency.replay(session, "p1", "exactly", "another print") is None
    assert idempotency.recorded(session, "p1", "almost")
    assert idempotency.replay(session, "p1", "almost", "print-almost") is not None
    # A live record keeps its key: a second answer under it fails (a concurrent twin does).
    with pytest.raises(IntegrityError), session.begin_nested():
        idempotency.remember(session, "p1", "almost", "print-x", _answer())
    # The expired one gives way, and only it: others' expired records stay until the purge.
    stored("p2", "exactly", day)
    stored("p1", "old", day + tick)
    idempotency.remember(session, "p1", "exactly", "print-new", _answer())
    left = {(r.principal_id, r.key) for r in session.exec(select(IdempotencyRecord)).all()}
    assert left == {("p1", "exactly"), ("p1", "almost"), ("p2", "exactly"), ("p1", "old")}
    assert idempotency.purge_expired(session) == 2  # p2's, a day old exactly, and p1's "old"
    left = {(r.principal_id, r.key) for r in session.exec(select(IdempotencyRecord)).all()}
    assert left == {("p1", "exactly"), ("p1", "almost")}


@pytest.fixture(scope="module")
def postgresql_engine() -> Iterator[Engine]:
    with postgres_for_tests() as base:
        engine = create_engine(f"{base}/postgres")
        IdempotencyRecord.__table__.create(engine)  # type: ignore[attr-defined]
        try:
            yield engine
        finally:
            engine.dispose()


def _waiting_advisory_locks(engine: Engine) -> int:
    with engine.connect() as connection:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return int(connection.execute(text(query)).scalar_one())


def test_on_postgresql_a_twin_request_waits_for_the_first_then_replays_it(
    postgresql_engine: Engine,
) -> None:
    engine = postgresql_engine
    first = Session(engine)
    assert idempotency.replay(first, "p1", "twin", "print") is None  # holds the key's lock now
    found: list[Response | None] = []

    def twin() -> None:
        with Session(engine) as second:
            found.append(idempotency.replay(second, "p1", "twin", "print"))
            second.commit()

    waiting = threading.Thread(target=twin)
    waiting.start()
    deadline = time.monotonic() + 20
    while _waiting_advisory_locks(engine) == 0:  # the twin waits on the key's lock
        assert time.monotonic() < deadline, "the twin request did not wait for the first"
        assert not found, "the twin request did not wait for the first"
        time.sleep(0.02)
    # Another key, or another principal, does not wait.
    with Session(engine) as other:
        assert idempotency.replay(other, "p1", "another key", "print") is None
        assert idempotency.replay(other, "p2", "twin", "print") is None
    idempotency.remember(first, "p1", "twin", "print", _answer())
    first.commit()
    waiting.join(timeout=20)
    assert not waiting.is_alive()
    [replayed] = found
    assert replayed is not None and replayed.status_code == 201
    first.close()
