"""The audit trail, erasure, the right-of-access export and retention."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app.assessments.models import Assessment, VerdictRecord
from app.candidates.models import Candidate
from app.commands import command_session
from app.core.config import Settings
from app.core.types import utcnow
from app.decisions.models import Decision
from app.positions.models import Position
from app.privacy.service import inactive_since, retention_cutoff
from app.screenings.models import Screening
from tests.api.conftest import Api
from tests.commands import tamis
from tests.rubric.test_shipped_rubric import ALL

NAME, EMAIL, EXTERNAL = "Zoë Lefèvre-Dubois", "zoe.lefevre@example.org", "ats-zoe-77"
NOTE, SUMMARY = "Zoë parle de ses 40k abonnés", "Zoë hésite sur la mesure"


def _screened(api: Api) -> dict[str, str]:
    # Sent with an Idempotency-Key, as an HR tool retrying safely would: the stored response
    # for replays holds the name and email too.
    candidate = api.ok(
        "POST",
        "/api/v1/candidates",
        201,
        json={
            "full_name": NAME,
            "email": EMAIL,
            "external_id": EXTERNAL,
            "position_id": api.position()["id"],
        },
        headers={"Idempotency-Key": "create-zoe"},
    )
    cid = candidate["id"]
    ratings = dict.fromkeys(ALL, 3)
    first = api.assessment(
        cid,
        "Ana",
        ratings,
        notes={"measures_impact": NOTE},
        summary=SUMMARY,
        flags=[{"id": "vanity_metrics", "note": f"{NAME} cite ses likes"}],
    )
    api.ok(
        "POST",
        f"/api/v1/assessments/{first['id']}/amendments",
        201,
        json={"reason": f"relu les notes sur {NAME}", "ratings": {"measures_impact": 2}},
    )
    api.assessment(cid, "Bob", ratings, notes={"hands_on_practice": f"{NAME} anime un forum"})
    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "reject", "decided_by": "Claire", "rationale": f"{NAME} pas prête"},
    )
    return candidate


def test_every_write_is_audited_without_personal_data(api: Api, client: TestClient) -> None:
    candidate = _screened(api)
    cid = candidate["id"]
    api.ok("PATCH", f"/api/v1/candidates/{cid}", json={"status": "withdrawn"})
    events = api.ok("GET", f"/api/v1/audit-events?resource_id={cid}")["items"]
    actions = [e["action"] for e in reversed(events)]
    assert actions[0] == "candidate.created" and actions[-1] == "candidate.updated"
    update = events[0]
    assert update["changes"]["status"] == {"before": "rejected", "after": "withdrawn"}
    assert update["actor"]["role"] == "admin" and update["operation"] == "update_candidate"
    created = events[-1]["changes"]
    assert created["full_name"] == {"personal": True} and created["email"] == {"personal": True}

    every = api.ok("GET", "/api/v1/audit-events?limit=100")["items"]
    kinds = {e["action"] for e in every}
    assert {
        "assessment.created",
        "assessment_revision.created",
        "verdict.created",
        "decision.created",
        "position.created",
    } <= kinds
    dump = str(every)
    for secret in (NAME, EMAIL, EXTERNAL, NOTE, SUMMARY, "Claire", "ana@example.org"):
        assert secret not in dump
    amended = next(
        e
        for e in every
        if e["operation"] == "amend_assessment" and e["action"] == "assessment.updated"
    )
    assert amended["changes"]["answers"]["before"]["ratings"]["measures_impact"] == 3
    assert amended["changes"]["answers"]["after"]["ratings"]["measures_impact"] == 2
    assert "notes" not in amended["changes"]["answers"]["after"]

    # Filters: by resource type, by actor, by time; pagination.
    only = api.ok("GET", "/api/v1/audit-events?resource_type=decision")["items"]
    assert [e["action"] for e in only] == ["decision.created"]
    actor = update["actor"]["id"]
    by_actor = api.ok("GET", f"/api/v1/audit-events?actor_id={actor}&limit=100")["items"]
    assert by_actor == [e for e in every if e["actor"]["id"] == actor]
    assert len(by_actor) >= 10
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert api.ok("GET", "/api/v1/audit-events", params={"since": later})["items"] == []
    page = api.ok("GET", "/api/v1/audit-events?limit=2")
    assert len(page["items"]) == 2 and page["next"]


def test_the_audit_trail_cannot_be_changed(
    api: Api, client: TestClient, settings: Settings
) -> None:
    api.candidate()
    assert client.delete("/api/v1/audit-events").status_code == 405
    assert client.put("/api/v1/audit-events", json={}).status_code == 405
    engine = create_engine(settings.database_url)
    try:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM audit_events")).scalar()
    finally:
        engine.dispose()
    assert count and count >= 2


def _database_holds(settings: Settings, needles: list[str]) -> set[str]:
    """The needles found anywhere in the database: every row of every table, and on SQLite
    the bytes of the database file and its write-ahead log."""
    found: set[str] = set()
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            tables = MetaData()
            tables.reflect(connection)
            for table in tables.sorted_tables:
                for row in connection.execute(table.select()):
                    found |= {n for n in needles if n in str(tuple(row))}
    finally:
        engine.dispose()
    if settings.database_url.startswith("sqlite"):
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                content = file.read_bytes()
                found |= {n for n in needles if n.encode() in content}
    return found


def test_erasure_leaves_no_personal_data_anywhere(
    api: Api, client: TestClient, settings: Settings
) -> None:
    candidate = _screened(api)
    cid = candidate["id"]
    needles = [
        NAME,
        EMAIL,
        EXTERNAL,
        NOTE,
        SUMMARY,
        "cite ses likes",
        "relu les notes",
        "anime un forum",
        "pas prête",
    ]
    assert _database_holds(settings, needles) == set(needles)  # the check can find them

    erased = api.ok("POST", f"/api/v1/candidates/{cid}/erase")
    assert erased["erased_at"] and erased["full_name"] == "" and erased["email"] is None
    again = client.post(f"/api/v1/candidates/{cid}/erase")
    assert again.status_code == 409
    assert again.json()["detail"].startswith("the candidate's personal data was erased")
    assert client.patch(f"/api/v1/candidates/{cid}", json={"full_name": NAME}).status_code == 409

    responses = [
        client.get(f"/api/v1/candidates/{cid}"),
        client.get("/api/v1/candidates", params={"q": "zoe"}),
        client.get(f"/api/v1/candidates/{cid}/assessments"),
        client.get(f"/api/v1/candidates/{cid}/verdict"),
        client.get(f"/api/v1/candidates/{cid}/decisions"),
        client.get(f"/api/v1/candidates/{cid}/export"),
        client.get("/api/v1/audit-events?limit=100"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert not [n for n in needles if n in response.text], response.url
    assert client.get("/api/v1/candidates", params={"q": "zoe"}).json()["items"] == []
    assert _database_holds(settings, needles) == set()
    # The candidate's row keeps no text, not even the folded one the search reads.
    with command_session(settings, "test: read") as session:
        row = session.get_one(Candidate, uuid.UUID(cid))
        kept = (row.full_name, row.email, row.external_id, row.source, row.search_text)
    assert kept == ("", None, None, None, "")

    # The anonymous ratings stay, for statistics.
    scorecards = client.get(f"/api/v1/candidates/{cid}/assessments").json()
    assert [s["ratings"]["measures_impact"] for s in scorecards] == [2, 3]
    assert (
        scorecards[0]["flags"] == [{"id": "vanity_metrics", "note": ""}]
        or scorecards[0]["flags"][0]["id"] == "vanity_metrics"
    )
    events = api.ok("GET", f"/api/v1/audit-events?resource_type=candidate&resource_id={cid}")
    assert "candidate.erased" in [e["action"] for e in events["items"]]
    # HR tools learn of it (webhooks, the event feed) by id only, to erase their own copy.
    feed = api.ok("GET", "/api/v1/events", params={"type": "candidate.erased"})["items"]
    assert [(e["type"], e["data"]) for e in feed] == [("candidate.erased", {"candidate_id": cid})]


def test_export_holds_everything_about_the_candidate(api: Api, client: TestClient) -> None:
    candidate = _screened(api)
    export = api.ok("GET", f"/api/v1/candidates/{candidate['id']}/export")
    assert export["candidate"]["full_name"] == NAME and export["candidate"]["email"] == EMAIL
    assert export["position"]["title"] == "Community manager"
    first = export["assessments"][0]
    assert first["summary"] == SUMMARY and first["answers"]["notes"]["measures_impact"] == NOTE
    assert [r["revision"] for r in first["revisions"]] == [1, 2]
    assert first["revisions"][1]["reason"] == f"relu les notes sur {NAME}"
    assert [v["cause"] for v in first["verdicts"]] == ["submitted", "amended"]
    assert export["decisions"][0]["rationale"] == f"{NAME} pas prête"
    assert export["audit_events"][0]["action"] == "candidate.created"


def test_retention_erases_inactive_candidates(
    api: Api, client: TestClient, settings: Settings
) -> None:
    old = _screened(api)
    recent = api.candidate(full_name="Léa Martin")
    long_ago = utcnow() - timedelta(days=400)
    with command_session(settings, "test: age the data") as session:
        session.get_one(Candidate, uuid.UUID(old["id"])).updated_at = long_ago
        for assessment in session.exec(select(Assessment)):
            assessment.updated_at = long_ago
        for decision in session.exec(select(Decision)):
            session.delete(decision)

    missing = tamis(settings, "retention", "apply")
    assert missing.returncode == 2 and "TAMIS_RETENTION_DAYS" in missing.stderr
    dry = tamis(settings, "retention", "apply", "--days", "365", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would erase candidate {old['id']}" in dry.stdout
    assert api.ok("GET", f"/api/v1/candidates/{old['id']}")["full_name"] == NAME

    done = tamis(settings, "retention", "apply", "--days", "365")
    assert done.returncode == 0, done.stderr
    assert "1 candidate(s)" in done.stdout
    assert api.ok("GET", f"/api/v1/candidates/{old['id']}")["erased_at"]
    assert api.ok("GET", f"/api/v1/candidates/{recent['id']}")["full_name"] == "Léa Martin"
    events = api.ok("GET", f"/api/v1/audit-events?resource_id={old['id']}")["items"]
    erased = next(e for e in events if e["action"] == "candidate.erased")
    assert erased["actor"] == {"kind": "system", "id": "cli", "name": "cli", "role": "admin"}
    assert erased["operation"] == "retention apply"


def test_recent_activity_of_any_kind_keeps_a_candidate(
    api: Api, client: TestClient, settings: Settings
) -> None:
    """Each clause of "inactive" on its own: a recent change to the candidate, to one of their
    scorecards, or a recent decision keeps them; the cutoff instant itself counts as recent."""
    cutoff = (utcnow() - timedelta(days=365)).replace(microsecond=0)
    long_ago, recently = cutoff - timedelta(days=30), cutoff + timedelta(days=30)
    names = [
        *("idle", "assessed", "decided", "changed", "erased"),
        *("at_cutoff", "assessed_at_cutoff", "decided_at_cutoff"),
    ]
    ids = {name: api.candidate(full_name=name)["id"] for name in names}
    for name in ("idle", "assessed", "decided", "assessed_at_cutoff"):
        api.assessment(ids[name], "Ana", {"measures_impact": 2}, status="draft")
    for name in ("idle", "decided", "decided_at_cutoff"):
        api.ok(
            "POST",
            f"/api/v1/candidates/{ids[name]}/decisions",
            201,
            json={"decision": "reject", "decided_by": "Claire", "rationale": "incomplete"},
        )
    api.ok("POST", f"/api/v1/candidates/{ids['erased']}/erase")
    candidate_at = dict.fromkeys(names, long_ago) | {
        "changed": recently,
        "at_cutoff": cutoff,
    }
    assessment_at = {"assessed": recently, "assessed_at_cutoff": cutoff}
    decision_at = {"decided": recently, "decided_at_cutoff": cutoff}
    with command_session(settings, "test: age the data") as session:
        for name, cid in ids.items():
            uid = uuid.UUID(cid)
            session.get_one(Candidate, uid).updated_at = candidate_at[name]
            for assessment in session.exec(
                select(Assessment).where(Assessment.candidate_id == uid)
            ):
                assessment.updated_at = assessment_at.get(name, long_ago)
            for decision in session.exec(select(Decision).where(Decision.candidate_id == uid)):
                decision.created_at = decision_at.get(name, long_ago)
    with command_session(settings, "test: read") as session:
        inactive = {str(c.id) for c in inactive_since(session, cutoff)}
    assert inactive == {ids["idle"]}


def _invite(client: TestClient, candidate_id: str) -> tuple[str, str]:
    """A new self-screen link: its id, and its path on the app under test."""
    created = client.post(f"/api/v1/candidates/{candidate_id}/screenings", json={"language": "fr"})
    assert created.status_code == 201, created.text
    # The link is on the public URL; the same path is served by the app under test.
    return created.json()["id"], "/screening/" + created.json()["url"].rsplit("/screening/", 1)[1]


def _answered_screening(api: Api, client: TestClient, candidate_id: str, answer: str) -> None:
    _, path = _invite(client, candidate_id)
    skipped = ["where_and_since_when", "campaigns_admired", "changed_mind", "listening"]
    form = {
        "answer.measuring_impact": answer,
        **{f"skip.{q}": "1" for q in [*skipped, "audience_and_influence"]},
        "action": "send",
    }
    sent = TestClient(client.app).post(path, data=form)
    assert sent.status_code == 200, sent.text


def test_erasure_empties_what_it_keeps_and_touches_no_one_else(
    api: Api, client: TestClient
) -> None:
    erased, other = _screened(api), api.candidate(full_name="Léa Martin")
    _answered_screening(api, client, erased["id"], "Zoë mesure tout au clic près.")
    _answered_screening(api, client, other["id"], "Léa suit les conversions.")
    api.ok("POST", f"/api/v1/candidates/{erased['id']}/erase")

    export = api.ok("GET", f"/api/v1/candidates/{erased['id']}/export")
    assert [s["responses"] for s in export["self_screens"]] == [{}]
    for scorecard in export["assessments"]:
        assert scorecard["summary"] == "" and scorecard["answers"]["notes"] == {}
        for revision in scorecard["revisions"]:
            assert revision["summary"] == "" and revision["reason"] is None
            assert revision["answers"]["notes"] == {}
            assert all(set(f) == {"id"} for f in revision["answers"]["flags"])
    assert [d["rationale"] for d in export["decisions"]] == [""]
    revisions = api.ok("GET", f"/api/v1/assessments/{export['assessments'][0]['id']}/revisions")
    assert [r["revision"] for r in revisions] == [1, 2]
    # Another candidate's self-screen answers stay.
    kept = api.ok("GET", f"/api/v1/candidates/{other['id']}/export")
    assert "Léa suit les conversions." in str(kept["self_screens"][0]["responses"])
    # The export's shape: when, which position, and never the link's secret or a row version.
    assert set(kept) == {
        "exported_at",
        "candidate",
        "position",
        "assessments",
        "decisions",
        "self_screens",
        "audit_events",
    }
    assert {"revisions", "verdicts", "answers", "summary"} <= set(export["assessments"][0])
    assert kept["position"] == {"id": other["position_id"], "title": "Community manager"}
    assert "token_hash" not in kept["self_screens"][0]
    assert all("version" not in a for a in export["assessments"])


def test_erasure_closes_an_unused_link_and_keeps_the_dates_of_the_others(
    api: Api, client: TestClient, settings: Settings
) -> None:
    cid = api.candidate(full_name=NAME)["id"]
    _answered_screening(api, client, cid, "Je suis les conversions.")
    pending, path = _invite(client, cid)
    expired, _ = _invite(client, cid)
    with command_session(settings, "test: expire") as session:
        session.get_one(Screening, uuid.UUID(expired)).expires_at = utcnow() - timedelta(days=2)
    before = {s["id"]: s for s in api.ok("GET", f"/api/v1/candidates/{cid}/screenings")}
    assert sorted(s["status"] for s in before.values()) == ["answered", "expired", "pending"]
    public = TestClient(client.app)
    assert public.get(path).status_code == 200

    started = utcnow()
    api.ok("POST", f"/api/v1/candidates/{cid}/erase")
    # The link sent to the erased candidate no longer takes answers about them.
    closed = public.get(path)
    assert closed.status_code == 410 and "expiré" in closed.text
    after = {s["id"]: s for s in api.ok("GET", f"/api/v1/candidates/{cid}/screenings")}
    assert after[pending]["status"] == "expired"
    assert started <= datetime.fromisoformat(after[pending]["expires_at"]) <= utcnow()
    # The answered and the expired links keep their status and their dates.
    for other in set(before) - {pending}:
        kept = ("status", "expires_at", "used_at")
        assert [after[other][k] for k in kept] == [before[other][k] for k in kept]


def test_the_export_lists_each_history_in_time_order(
    api: Api, client: TestClient, settings: Settings
) -> None:
    """Scorecards, decisions and verdicts come oldest first by their own times, and revisions
    by number, whatever order the database returns rows in (on PostgreSQL an updated row moves
    within its table): here the times are moved so that insertion order and time order
    disagree."""
    cid = _screened(api)["id"]  # Ana's scorecard (submitted, then amended), Bob's, a rejection
    api.ok(
        "POST",
        f"/api/v1/candidates/{cid}/decisions",
        201,
        json={"decision": "advance", "decided_by": "Claire", "rationale": "second look"},
    )
    with command_session(settings, "test: move the times") as session:
        ana, bob = session.exec(
            select(Assessment)
            .where(Assessment.candidate_id == uuid.UUID(cid))
            .order_by(Assessment.interviewer_name)
        ).all()
        bob.created_at = ana.created_at - timedelta(minutes=5)
        first, second = session.exec(
            select(Decision)
            .where(Decision.candidate_id == uuid.UUID(cid))
            .order_by(Decision.created_at)
        ).all()
        second.created_at = first.created_at - timedelta(minutes=5)
        submitted, amended = session.exec(
            select(VerdictRecord)
            .where(VerdictRecord.assessment_id == ana.id)
            .order_by(VerdictRecord.created_at)
        ).all()
        amended.created_at = submitted.created_at - timedelta(minutes=5)
        order = {"ana": str(ana.id), "bob": str(bob.id)}
        assert (first.decision, submitted.cause) == ("reject", "submitted")

    export = api.ok("GET", f"/api/v1/candidates/{cid}/export")
    assert [a["id"] for a in export["assessments"]] == [order["bob"], order["ana"]]
    assert [d["decision"] for d in export["decisions"]] == ["advance", "reject"]
    scorecard = export["assessments"][1]
    assert [v["cause"] for v in scorecard["verdicts"]] == ["amended", "submitted"]
    assert [r["revision"] for r in scorecard["revisions"]] == [1, 2]


def test_the_retention_cutoff_is_that_many_days_ago() -> None:
    before = utcnow()
    cutoff = retention_cutoff(365)
    assert before - timedelta(days=365, seconds=1) < cutoff <= utcnow() - timedelta(days=365)


def test_a_command_is_audited_as_the_system(
    api: Api, client: TestClient, settings: Settings
) -> None:
    position = api.position()
    with command_session(settings, "test: a command") as session:
        session.get_one(Position, uuid.UUID(position["id"])).title = "Renamed from the CLI"
    events = api.ok("GET", f"/api/v1/audit-events?resource_id={position['id']}")["items"]
    [renamed] = [e for e in events if e["operation"] == "test: a command"]
    assert renamed["action"] == "position.updated"
    assert renamed["actor"] == {"kind": "system", "id": "cli", "name": "cli", "role": "admin"}
