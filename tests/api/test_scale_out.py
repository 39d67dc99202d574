"""Several servers on one database: two `tamis serve` processes, as two machines would run them.

Each server here is its own process tree (its own uvicorn, its own webhook worker, no memory
shared with the other): what they agree on, they agree on through the database. The throttles
count across both, each webhook event reaches the receiver once, and servers started at the
same time on an empty database migrate it once.
"""

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.core.config import Settings, shipped_criteria_dir
from app.core.ratelimit import DatabaseStorage, sqlite_counts_url
from tests.api.conftest import auth, make_key
from tests.api.servers import ROOT, LiveServer, Receiver, live_server, wait_until

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ACCOUNT_LIMIT = 4


def _failed_sign_in(server: LiveServer, email: str) -> int:
    """One wrong password for `email` on `server` (with a valid form token): the status."""
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        form = browser.get("/sign-in")
        token = CSRF.search(form.text)
        assert token, form.text[:500]
        answer = browser.post(
            "/sign-in",
            data={"email": email, "password": "not the password", "csrf_token": token.group(1)},
        )
    return answer.status_code


@pytest.fixture
def two_servers(settings: Settings) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = {"TAMIS_SIGN_IN_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT}/15minutes"}
    with live_server(settings, **env) as first, live_server(settings, **env) as second:
        assert first.process and second.process and first.process.pid != second.process.pid
        yield first, second


@pytest.mark.live
def test_two_servers_count_failed_sign_ins_together(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    first, second = two_servers
    # Alternate between the servers: each sees half the attempts, the limit holds on the total.
    statuses = [
        _failed_sign_in((first, second)[n % 2], "zoe@example.org") for n in range(ACCOUNT_LIMIT + 2)
    ]
    assert statuses == [401] * ACCOUNT_LIMIT + [429, 429]
    # Another account is not held back by this one's failures, on either server.
    assert _failed_sign_in(second, "other@example.org") == 401


@pytest.mark.live
def test_two_servers_count_failed_sign_ins_together_in_redis(settings: Settings) -> None:
    """With TAMIS_RATE_LIMIT_URL naming a Redis server, the counts live there, not in the
    database, and both servers still share them."""
    import redis

    from tests.redis_server import redis_server

    with redis_server() as url:
        env = {"TAMIS_SIGN_IN_LIMIT_PER_ACCOUNT": f"{ACCOUNT_LIMIT}/15minutes",
               "TAMIS_RATE_LIMIT_URL": url}  # fmt: skip
        with live_server(settings, **env) as first, live_server(settings, **env) as second:
            statuses = [
                _failed_sign_in((first, second)[n % 2], "zoe@example.org")
                for n in range(ACCOUNT_LIMIT + 2)
            ]
            assert statuses == [401] * ACCOUNT_LIMIT + [429, 429]
            assert _failed_sign_in(first, "other@example.org") == 401
            client = redis.Redis.from_url(url)
            try:
                assert client.dbsize() > 0  # the hits were counted in Redis ...
            finally:
                client.close()
    assert _database_hits(settings) == 0  # ... and not where the database storage keeps them


def _database_hits(settings: Settings) -> int:
    """The hits the database storage holds (on SQLite, in its file beside the database)."""
    url = settings.database_url
    if make_url(url).get_backend_name() == "sqlite":
        url = sqlite_counts_url(url) or url
        if not Path(make_url(url).database or "").exists():
            return 0
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("rate_limit_hits"):
                return 0
            return int(
                connection.execute(text("SELECT count(*) FROM rate_limit_hits")).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.mark.live
def test_two_servers_count_self_screen_requests_together(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    first, second = two_servers
    statuses = []
    for n in range(32):
        server = (first, second)[n % 2]
        forged = f"/screening/{uuid.uuid4().hex}"  # an unknown link: 404, still counted
        statuses.append(httpx.get(server.url + forged, timeout=30).status_code)
    # 30 a minute per client address, over both servers: 15 each, then both refuse.
    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429, 429]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.live
def test_two_servers_deliver_each_webhook_event_once(settings: Settings) -> None:
    secret = make_key(settings)
    with (
        Receiver() as receiver,
        live_server(settings) as first,
        live_server(settings, workers=2) as second,
    ):
        clients = [
            httpx.Client(base_url=s.url, headers=auth(secret), timeout=30) for s in (first, second)
        ]
        hook = clients[0].post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["candidate.created"]}
        )
        assert hook.status_code == 201, hook.text
        position = clients[1].post("/api/v1/positions", json={"title": "CM"}).json()
        created = set()
        for n in range(30):
            body = {"full_name": f"C {n}", "position_id": position["id"]}
            answer = clients[n % 2].post("/api/v1/candidates", json=body)
            assert answer.status_code == 201, answer.text
            created.add(answer.json()["id"])
        receiver.wait_for(30, timeout=60)

        def log() -> list[dict[str, object]]:
            url = f"/api/v1/webhooks/{hook.json()['id']}/deliveries?limit=100"
            items: list[dict[str, object]] = clients[0].get(url).json()["items"]
            return items

        wait_until(
            lambda: [d["status"] for d in log()] == ["delivered"] * 30, 60, "30 recorded deliveries"
        )
        assert all(d["attempts"] == 1 for d in log())
        # Both servers' workers were polling the one outbox the whole time; nothing came twice.
        ids = [h["webhook-id"] for h, _ in receiver.received]
        bodies = [body.decode() for _, body in receiver.received]
    assert len(ids) == len(set(ids)) == 30
    assert {cid for cid in created if any(cid in body for body in bodies)} == created


def _empty_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    base = request.getfixturevalue("postgres_template")
    name = f"fresh_{uuid.uuid4().hex}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrades_started_together_migrate_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _empty_database(kind, tmp_path, request)
    env = {"TAMIS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "app.cli", "db", "upgrade"]
    runs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    said = sorted(out.split(":", 1)[0] for out, _err in outputs)
    assert said == [
        "database already at head",
        "database already at head",
        "database migrated to head",
    ]
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        hits = connection.execute(text("SELECT count(*) FROM rate_limit_hits")).scalar_one()
    engine.dispose()
    assert len(versions) == 1 and hits == 0


@pytest.mark.live
def test_servers_started_together_with_migrate_come_up_on_an_empty_database(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _empty_database("postgresql", tmp_path, request)
    settings = Settings(database_url=url, criteria_dir=shipped_criteria_dir(), env="test")
    servers = [LiveServer(settings, args=("--migrate",)) for _ in range(2)]
    try:
        for server in servers:  # both launched before either is waited for: they race
            server.launch()
        for server in servers:
            server.ready()
            assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        said = [
            line.split(":", 1)[0]
            for server in servers
            for line in server.output().splitlines()
            if line.startswith("database ")
        ]
        assert sorted(said) == ["database already at head", "database migrated to head"]
    finally:
        for server in servers:
            server.kill()
            server.log.close()


def test_the_database_storage_counts_hits_in_a_moving_window(settings: Settings) -> None:
    """The storage itself: a limit of 3 takes 3 hits, refuses the 4th, and clearing frees it."""
    from sqlmodel import create_engine as make

    engine = make(settings.database_url)
    storage = DatabaseStorage(engine)
    try:
        hits = [storage.acquire_entry("k", 3, 60) for _ in range(4)]
        assert hits == [True, True, True, False]
        start, counted = storage.get_moving_window("k", 3, 60)
        assert counted == 3 and start > 0
        assert storage.acquire_entry("other", 3, 60)
        storage.clear("k")
        assert storage.get_moving_window("k", 3, 60)[1] == 0
        assert storage.acquire_entry("k", 3, 60, amount=3)
        assert not storage.acquire_entry("k", 3, 60)
    finally:
        engine.dispose()


def test_a_rate_limit_url_names_a_storage_it_knows() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=r"'ftp://counts' is not a rate-limit storage"):
        Settings(rate_limit_url="ftp://counts")
    assert Settings(rate_limit_url="redis://127.0.0.1:6379").rate_limit_url
    assert Settings(rate_limit_url="").rate_limit_url is None  # unset: the database
