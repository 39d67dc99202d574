"""Safe retries (Idempotency-Key) and safe concurrent edits (ETag / If-Match)."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.config import Settings
from tests.api.conftest import Api, auth, make_key
from tests.api.servers import live_server
from tests.rubric.test_shipped_rubric import CORE


def _count(api: Api) -> int:
    return len(api.ok("GET", "/api/v1/candidates?limit=100")["items"])


def test_one_idempotency_key_creates_one_candidate(api: Api, client: TestClient) -> None:
    position = api.position()
    body = {"full_name": "Zoë", "position_id": position["id"]}
    headers = {"Idempotency-Key": "ats-req-42"}
    first = client.post("/api/v1/candidates", json=body, headers=headers)
    second = client.post("/api/v1/candidates", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["location"] == first.headers["location"]
    assert _count(api) == 1

    other = client.post("/api/v1/candidates", json={**body, "full_name": "Léa"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == "header:Idempotency-Key"
    assert _count(api) == 1
    # Another key is another request; no key at all is never replayed.
    assert (
        client.post("/api/v1/candidates", json=body, headers={"Idempotency-Key": "k2"}).json()["id"]
        != first.json()["id"]
    )
    client.post("/api/v1/candidates", json=body)
    assert _count(api) == 3


def test_a_failed_request_is_not_remembered(api: Api, client: TestClient) -> None:
    position = api.position()
    headers = {"Idempotency-Key": "retry-me"}
    bad = client.post("/api/v1/candidates", json={"position_id": position["id"]}, headers=headers)
    assert bad.status_code == 422
    good = client.post(
        "/api/v1/candidates",
        json={"full_name": "Zoë", "position_id": position["id"]},
        headers=headers,
    )
    assert good.status_code == 201


def test_idempotency_keys_are_per_caller_and_checked(
    app: FastAPI, api: Api, client: TestClient, settings: Settings
) -> None:
    position = api.position()
    body = {"full_name": "Zoë", "position_id": position["id"]}
    headers = {"Idempotency-Key": "same"}
    mine = client.post("/api/v1/candidates", json=body, headers=headers)
    other_caller = TestClient(app, headers=auth(make_key(settings, "recruiter")))
    theirs = other_caller.post("/api/v1/candidates", json=body, headers=headers)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]

    latin = {"Idempotency-Key": "é".encode("latin-1") * 3}
    response = client.post("/api/v1/candidates", json=body, headers=latin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "header:Idempotency-Key"
    response = client.post("/api/v1/candidates", json=body, headers={"Idempotency-Key": "x" * 256})
    assert response.status_code == 422


def test_assessment_submission_is_idempotent(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    body = {
        "interviewer": {"name": "Ana", "email": "ana@example.org"},
        "ratings": {"measures_impact": 3},
    }
    headers = {"Idempotency-Key": "scorecard-1"}
    url = f"/api/v1/candidates/{candidate['id']}/assessments"
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(api.ok("GET", url)) == 1


def test_etag_and_if_match_refuse_a_stale_write(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    url = f"/api/v1/candidates/{candidate['id']}"
    read = client.get(url)
    tag = read.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    first = client.patch(url, json={"source": "referral"}, headers={"If-Match": tag})
    second = client.patch(url, json={"source": "job board"}, headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["etag"] != tag
    assert second.status_code == 412
    assert second.json()["type"].endswith("/precondition-failed")
    assert client.get(url).json()["source"] == "referral"  # the first write was not lost
    assert client.get(url).headers["etag"] == first.headers["etag"]
    # `*` and a list holding the current tag pass; no If-Match is the caller's choice.
    current = first.headers["etag"]
    assert client.patch(url, json={"source": "a"}, headers={"If-Match": "*"}).status_code == 200
    now = client.get(url).headers["etag"]
    assert (
        client.patch(url, json={"source": "b"}, headers={"If-Match": f'"x", {now}'}).status_code
        == 200
    )
    assert client.patch(url, json={"source": "c"}, headers={"If-Match": current}).status_code == 412
    # DELETE too: a stale tag deletes nothing, the current one deletes.
    stale = client.delete(url, headers={"If-Match": current})
    assert stale.status_code == 412 and stale.json()["type"].endswith("/precondition-failed")
    assert client.get(url).json()["source"] == "b"
    assert (
        client.delete(url, headers={"If-Match": client.get(url).headers["etag"]}).status_code == 204
    )
    assert client.get(url).status_code == 404


def test_etags_on_positions_and_assessments(api: Api, client: TestClient) -> None:
    position = api.position()
    url = f"/api/v1/positions/{position['id']}"
    tag = client.get(url).headers["etag"]
    assert client.patch(url, json={"title": "CM"}, headers={"If-Match": tag}).status_code == 200
    assert client.patch(url, json={"title": "SM"}, headers={"If-Match": tag}).status_code == 412
    assert client.get(url).json()["title"] == "CM"

    candidate = api.candidate(position["id"])
    draft = api.assessment(candidate["id"], "Ana", {"measures_impact": 2}, status="draft")
    aurl = f"/api/v1/assessments/{draft['id']}"
    tag = client.get(aurl).headers["etag"]
    edit = client.patch(aurl, json={"ratings": {"measures_impact": 3}}, headers={"If-Match": tag})
    assert edit.status_code == 200
    stale = client.patch(aurl, json={"ratings": {"measures_impact": 1}}, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert client.get(aurl).json()["ratings"]["measures_impact"] == 3
    assert client.post(f"{aurl}/submit", headers={"If-Match": tag}).status_code == 412


@pytest.mark.live
def test_concurrent_retries_and_edits_on_a_real_server(settings: Settings) -> None:
    """Ten simultaneous requests: one creation for one key, one success for one ETag."""
    secret = make_key(settings)
    with live_server(settings) as server:
        tamis = httpx.Client(base_url=server.url, headers=auth(secret), timeout=30)
        position = tamis.post("/api/v1/positions", json={"title": "CM"}).json()
        body = {"full_name": "Zoë", "position_id": position["id"]}

        def create(_: int) -> httpx.Response:
            return tamis.post("/api/v1/candidates", json=body, headers={"Idempotency-Key": "k"})

        with ThreadPoolExecutor(10) as pool:
            created = list(pool.map(create, range(10)))
        assert [r.status_code for r in created] == [201] * 10
        assert len({r.json()["id"] for r in created}) == 1
        assert len(tamis.get("/api/v1/candidates").json()["items"]) == 1

        url = f"/api/v1/candidates/{created[0].json()['id']}"
        tag = tamis.get(url).headers["etag"]

        def edit(n: int) -> httpx.Response:
            return tamis.patch(url, json={"source": f"s{n}"}, headers={"If-Match": tag})

        with ThreadPoolExecutor(10) as pool:
            edits = list(pool.map(edit, range(10)))
        assert sorted(r.status_code for r in edits) == [200] + [412] * 9
        winner = next(r for r in edits if r.status_code == 200).json()["source"]
        assert tamis.get(url).json()["source"] == winner


def test_every_write_answers_with_the_etag_of_what_it_wrote(api: Api, client: TestClient) -> None:
    """Create, edit, submit, amend and rescore each return the ETag a GET would give next, and
    that tag is the one If-Match accepts."""
    candidate = api.candidate()
    created = client.post(
        f"/api/v1/candidates/{candidate['id']}/assessments",
        json={
            "interviewer": {"name": "Ana", "email": "ana@example.org"},
            "ratings": dict.fromkeys(CORE, 3),
            "status": "draft",
        },
    )
    assert created.status_code == 201
    url = f"/api/v1/assessments/{created.json()['id']}"
    tags = [created.headers["etag"]]
    assert client.get(url).headers["etag"] == tags[-1]

    edited = client.patch(url, json={"summary": "s"}, headers={"If-Match": tags[-1]})
    tags.append(edited.headers["etag"])
    submitted = client.post(f"{url}/submit", headers={"If-Match": tags[-1]})
    assert submitted.status_code == 200, submitted.text
    tags.append(submitted.headers["etag"])
    assert client.get(url).headers["etag"] == tags[-1]
    amended = client.post(
        f"{url}/amendments",
        json={"ratings": {CORE[0]: 4}, "reason": "misread my notes"},
        headers={"If-Match": tags[-1]},
    )
    assert amended.status_code == 201, amended.text
    tags.append(amended.headers["etag"])
    assert client.get(url).headers["etag"] == tags[-1]
    assert len(set(tags)) == len(tags)  # every write made a new version
    # The tag before the amendment is stale now; the one it returned is current.
    stale = client.post(
        f"{url}/amendments",
        json={"ratings": {CORE[0]: 2}, "reason": "r"},
        headers={"If-Match": tags[-2]},
    )
    assert stale.status_code == 412

    rescored = client.post(f"/api/v1/candidates/{candidate['id']}/rescore")
    assert rescored.status_code == 200
    candidate_url = f"/api/v1/candidates/{candidate['id']}"
    assert rescored.headers["etag"] == client.get(candidate_url).headers["etag"]
    assert (
        client.patch(
            candidate_url, json={"source": "x"}, headers={"If-Match": rescored.headers["etag"]}
        ).status_code
        == 200
    )


def test_creates_of_records_without_a_version_carry_an_etag(api: Api, client: TestClient) -> None:
    """Decisions, webhooks and screening links have no version; their creates still answer with
    an ETag (a digest of what was sent), distinct per record and kept by an idempotent replay."""
    cid = api.candidate()["id"]
    decision = {"decision": "reject", "decided_by": "Claire", "rationale": "Not this time"}
    event = "candidate.created"  # to a loopback port where nothing listens
    made = {
        "decision": (f"/api/v1/candidates/{cid}/decisions", decision),
        "webhook": ("/api/v1/webhooks", {"url": "http://127.0.0.1:9/h", "events": [event]}),
        "screening": (f"/api/v1/candidates/{cid}/screenings", {"language": "fr"}),
    }
    tags = {}
    for name, (url, body) in made.items():
        first = client.post(url, json=body, headers={"Idempotency-Key": f"etag-{name}"})
        assert first.status_code == 201, (name, first.text)
        assert first.headers["etag"].startswith('"') and len(first.headers["etag"]) > 4, name
        replay = client.post(url, json=body, headers={"Idempotency-Key": f"etag-{name}"})
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.headers["etag"] == first.headers["etag"], name
        again = client.post(url, json=body)
        assert again.status_code == 201
        assert again.headers["etag"] != first.headers["etag"], name  # another record
        tags[name] = first.headers["etag"]
    assert len(set(tags.values())) == len(tags)
