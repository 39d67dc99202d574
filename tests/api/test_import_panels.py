"""The bulk import's panel verdicts, worked out and stored once per candidate when the import
ends: whatever the order of the lines, the repeats of a candidate and the batch boundaries, the
import leaves what the same scorecards submitted one by one leave (candidate rows, scorecards,
verdict rows, the stored panel verdict, the verdict served, audit rows, feed events and webhook
deliveries); an import stopped between batches leaves no stale verdict to any reader, and its
retry makes the stored one fresh; an erasure between batches is not undone. On SQLite and
PostgreSQL (the `database_url` fixture)."""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.access.models import system
from app.assessments.models import Assessment, StoredPanelVerdict, VerdictRecord
from app.candidates.models import Candidate
from app.events.models import Event
from app.imports.service import Importer
from app.verdicts.service import panel_key
from app.webhooks.models import WebhookDelivery
from tests.api.conftest import Api
from tests.api.test_import import _scorecard, _subscribe, audit_of, comparable, engine
from tests.rubric.test_shipped_rubric import ALL

__all__ = ["engine"]  # the fixture, shared with test_import

# Interviewers of the generated lines: their ratings make the panel's recommendation move.
PEOPLE = [("Ana", 4), ("Bob", 2), ("Cid", 3), ("Dee", 4), ("Eli", 3)]
START = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Line:
    candidate: int  # index of the candidate in the example
    person: int  # index in PEOPLE
    draft: bool


def _lines() -> st.SearchStrategy[list[Line]]:
    """Lines over up to three candidates, one per (candidate, interviewer), in any order."""
    pairs = st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, len(PEOPLE) - 1), st.booleans()),
        min_size=1,
        max_size=9,
        unique_by=lambda t: (t[0], t[1]),
    )
    return pairs.map(
        lambda items: [Line(c, p, draft and n % 4 == 3) for n, (c, p, draft) in enumerate(items)]
    )


def _card(line: Line) -> dict[str, Any]:
    name, rating = PEOPLE[line.person]
    card = _scorecard(name, rating)
    if line.draft:
        card["status"] = "draft"
    return card


def _rows(engine: Engine, model: Any, column: str, ids: list[Any]) -> list[Any]:
    table = model.__table__
    with engine.connect() as connection:
        return list(connection.execute(select(table).where(table.c[column].in_(ids))))


def _state(api: Api, engine: Engine, candidate_id: str, ids: dict[str, str]) -> dict[str, Any]:
    """What is stored and served of a candidate, ids replaced by placeholders."""
    cid = uuid.UUID(candidate_id)
    row = _rows(engine, Candidate, "id", [cid])[0]
    scorecards = sorted(
        _rows(engine, Assessment, "candidate_id", [cid]), key=lambda a: a.interviewer_name
    )
    by_assessment = {a.id: a.interviewer_name for a in scorecards}
    for a in scorecards:
        ids.setdefault(str(a.id), f"A:{a.interviewer_name}")
    ids.setdefault(candidate_id, "C")
    verdicts = _rows(engine, VerdictRecord, "assessment_id", list(by_assessment))
    panels = _rows(engine, StoredPanelVerdict, "candidate_id", [cid])
    stored = None
    if panels:
        submitted = [
            (a.id, a.revision)
            for a in sorted(scorecards, key=lambda a: (str(a.submitted_at), a.id))
            if a.status == "submitted"
        ]
        fresh = panel_key(panels[0].rules_version, panels[0].rubric_version_id, submitted)
        assert panels[0].panel_key == fresh, "a stored panel verdict left stale"
        stored = (panels[0].facts, panels[0].rules_version, panels[0].rubric_version_id)
    with engine.connect() as connection:
        events = [
            [e.type, e.data]
            for e in connection.execute(select(Event.__table__).order_by(Event.__table__.c.seq))  # type: ignore[attr-defined]
            if e.data.get("candidate_id") == candidate_id
        ]
        delivered = {
            d.event_id
            for d in connection.execute(select(WebhookDelivery.__table__))  # type: ignore[attr-defined]
        }
        all_events = {
            e.id: e.data.get("candidate_id")
            for e in connection.execute(select(Event.__table__))  # type: ignore[attr-defined]
        }
    assert {i for i, c in all_events.items() if c == candidate_id} <= delivered
    state = {
        "candidate": (
            row.status,
            row.recommendation,
            row.rules_version,
            row.rubric_version_id,
            row.version,
        ),
        "scorecards": [
            (a.interviewer_name, a.status, a.revision, a.answers, a.summary) for a in scorecards
        ],
        "verdicts": sorted(
            (
                by_assessment[v.assessment_id],
                v.revision,
                v.recommendation,
                v.score,
                v.coverage,
                v.cause,
                v.rules_version,
                v.rubric_version_id,
            )
            for v in verdicts
        ),
        "stored panel": stored,
        "served": api.ok("GET", f"/api/v1/candidates/{candidate_id}/verdict"),
        # After the candidate's creation, which differs (the import names the external id).
        "audit": [comparable(e, ids) for e in audit_of(api, candidate_id)[1:]],
        "events": events,
    }
    text = json.dumps(state, sort_keys=True, default=str)
    for real, placeholder in ids.items():
        text = text.replace(real, placeholder)
    return dict(json.loads(text))


def _numbered(lines: list[dict[str, Any]]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines, 1):
        yield number, json.dumps(line).encode()


def _importer(client: TestClient, **options: Any) -> Importer:
    app: Any = client.app
    return Importer(
        app.state.engine, app.state.registry, principal=system("test import"), **options
    )


def _warm(api: Api, position: dict[str, Any]) -> None:
    """The first submission ever stores the rubric version: done once, before comparing."""
    warm = api.candidate(position["id"], external_id=f"warm-{uuid.uuid4().hex[:6]}")
    api.ok("POST", f"/api/v1/candidates/{warm['id']}/assessments", 201, json=_scorecard("Zed", 3))


@pytest.mark.parametrize("atomic", [False, True])
def test_any_lines_in_any_batches_leave_what_one_by_one_leaves(
    api: Api, client: TestClient, engine: Engine, atomic: bool
) -> None:
    position = api.position()
    _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    _warm(api, position)

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # a failure is shown as found: shrinking
        # it replays whole imports for minutes
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        lines=_lines(),
        batch_size=st.sampled_from([1, 2, 3, 500]),
        created=st.lists(st.booleans(), min_size=3, max_size=3),
        max_pending=st.sampled_from([1, 20_000]),
    )
    def check(lines: list[Line], batch_size: int, created: list[bool], max_pending: int) -> None:
        tag = uuid.uuid4().hex[:8]
        # Theirs: each scorecard submitted one by one, in the order of the lines.
        theirs = [api.candidate(position["id"], external_id=f"ref-{tag}-{c}") for c in range(3)]
        for line in lines:
            response = client.post(
                f"/api/v1/candidates/{theirs[line.candidate]['id']}/assessments", json=_card(line)
            )
            assert response.status_code == 201, response.text
        # Mine: the same lines imported; a candidate found by id, or created by the import.
        mine = [
            None if created[c] else api.candidate(position["id"], external_id=f"imp-{tag}-{c}")
            for c in range(3)
        ]
        body = []
        for n, line in enumerate(lines):
            card = _card(line)
            if not line.draft:
                card["submitted_at"] = (START + timedelta(minutes=n)).isoformat()
            who = mine[line.candidate]
            if who is None:
                card["candidate"] = {
                    "position_id": position["id"],
                    "external_id": f"imp-{tag}-{line.candidate}",
                    "full_name": "Zoë Lefèvre-Dubois",
                }
            else:
                card["candidate_id"] = who["id"]
            body.append(card)
        importer = _importer(client, batch_size=batch_size, atomic=atomic, max_pending=max_pending)
        report = importer.run(_numbered(body))
        assert (report.imported, report.refused) == (len(lines), 0), report.errors
        assert importer.pending == {}
        found = {
            c["external_id"]: c["id"]
            for c in api.ok("GET", "/api/v1/candidates", params={"q": f"imp-{tag}", "limit": 10})[
                "items"
            ]
        }
        for c in sorted({line.candidate for line in lines}):
            ours = found[f"imp-{tag}-{c}"]
            assert _state(api, engine, ours, {}) == _state(api, engine, theirs[c]["id"], {})

    check()


class Crash(BaseException):
    """The process dies: nothing after it runs (not even the import's own clean-up)."""


def test_an_import_stopped_between_batches_shows_no_stale_verdict_and_its_retry_stores_it(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    _warm(api, position)
    people = ["Ana", "Bob", "Cid"]
    theirs = api.candidate(position["id"], external_id="ref")
    for name, rating in zip(people, (4, 2, 3), strict=True):
        api.ok(
            "POST",
            f"/api/v1/candidates/{theirs['id']}/assessments",
            201,
            json=_scorecard(name, rating),
        )
    mine = api.candidate(position["id"], external_id="imp")
    other = api.candidate(position["id"], external_id="other")
    lines = [
        {
            **_scorecard(name, rating, candidate_id=mine["id"]),
            "submitted_at": (START + timedelta(minutes=n)).isoformat(),
        }
        for n, (name, rating) in enumerate(zip(people, (4, 2, 3), strict=True))
    ] + [_scorecard("Dee", 3, candidate_id=other["id"])]

    def dying() -> Iterator[tuple[int, bytes]]:
        yield from list(_numbered(lines))[:3]  # three batches of one line go in
        raise Crash

    with pytest.raises(Crash):
        _importer(client, batch_size=1).run(dying())
    # Each batch committed its rows and the candidate's recommendation, not the stored panel
    # verdict: readers see the verdict of the three scorecards all the same.
    panels = _rows(engine, StoredPanelVerdict, "candidate_id", [uuid.UUID(mine["id"])])
    assert panels == []  # none was stored before the import
    served = api.ok("GET", f"/api/v1/candidates/{mine['id']}/verdict")
    reference = api.ok("GET", f"/api/v1/candidates/{theirs['id']}/verdict")
    assert len(served["assessments"]) == 3
    assert served["recommendation"] == reference["recommendation"]
    assert served["reasons"] == reference["reasons"]
    listed = api.ok("GET", f"/api/v1/candidates/{mine['id']}")
    assert listed["recommendation"] == reference["recommendation"]

    # The retry of the whole file: the lines in already are refused, the rest goes in, and the
    # candidate's stored panel verdict is made fresh.
    report = _importer(client, batch_size=1).run(_numbered(lines))
    assert (report.imported, report.refused) == (1, 3)
    assert {e.loc for e in report.errors} == {"interviewer.email"}
    assert _state(api, engine, mine["id"], {}) == _state(api, engine, theirs["id"], {})


def test_an_import_stopped_by_an_error_stores_the_verdicts_of_the_batches_kept(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    _warm(api, position)
    mine = api.candidate(position["id"], external_id="imp")

    def failing() -> Iterator[tuple[int, bytes]]:
        yield 1, json.dumps(_scorecard("Ana", 4, candidate_id=mine["id"])).encode()
        raise OSError("the client went away")

    with pytest.raises(OSError, match="went away"):
        _importer(client, batch_size=1).run(failing())
    panels = _rows(engine, StoredPanelVerdict, "candidate_id", [uuid.UUID(mine["id"])])
    assert len(panels) == 1
    _state(api, engine, mine["id"], {})  # fresh (checked there)


def test_an_erasure_between_batches_is_not_undone_by_the_import(
    api: Api, client: TestClient, engine: Engine
) -> None:
    position = api.position()
    _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    _warm(api, position)
    erased = api.candidate(position["id"], external_id="gone")
    kept = api.candidate(position["id"], external_id="kept")

    def lines() -> Iterator[tuple[int, bytes]]:
        yield 1, json.dumps(_scorecard("Ana", 4, candidate_id=erased["id"])).encode()
        # The first batch is committed when the second is read: the candidate is erased then.
        api.ok("POST", f"/api/v1/candidates/{erased['id']}/erase", 200)
        yield 2, json.dumps(_scorecard("Bob", 3, candidate_id=kept["id"])).encode()

    report = _importer(client, batch_size=1).run(lines())
    assert report.imported == 2
    # The stored panel verdict holds the notes and summaries: erasure dropped it, and the
    # import's end did not store it again.
    assert _rows(engine, StoredPanelVerdict, "candidate_id", [uuid.UUID(erased["id"])]) == []
    assert len(_rows(engine, StoredPanelVerdict, "candidate_id", [uuid.UUID(kept["id"])])) == 1


def test_a_scorecard_amended_between_batches_counts_as_amended(
    api: Api, client: TestClient, engine: Engine
) -> None:
    """The import holds the answers of the scorecards it wrote; one amended meanwhile (a new
    revision) is read again: the panel verdict stored at the end is that of the amended one."""
    position = api.position()
    _subscribe(api, ["candidate.created", "assessment.submitted", "verdict.changed"])
    _warm(api, position)
    amendment = {"reason": "misread the case study", "ratings": dict.fromkeys(ALL, 2)}
    theirs = api.candidate(position["id"], external_id="ref")
    first = api.ok(
        "POST", f"/api/v1/candidates/{theirs['id']}/assessments", 201, json=_scorecard("Ana", 4)
    )
    api.ok("POST", f"/api/v1/assessments/{first['id']}/amendments", 201, json=amendment)
    api.ok("POST", f"/api/v1/candidates/{theirs['id']}/assessments", 201, json=_scorecard("Bob", 3))
    mine = api.candidate(position["id"], external_id="imp")

    def lines() -> Iterator[tuple[int, bytes]]:
        card = {**_scorecard("Ana", 4, candidate_id=mine["id"]), "submitted_at": START.isoformat()}
        yield 1, json.dumps(card).encode()
        ana = api.ok("GET", f"/api/v1/candidates/{mine['id']}/assessments")[0]
        api.ok("POST", f"/api/v1/assessments/{ana['id']}/amendments", 201, json=amendment)
        yield 2, json.dumps(_scorecard("Bob", 3, candidate_id=mine["id"])).encode()

    report = _importer(client, batch_size=1).run(lines())
    assert (report.imported, report.refused) == (2, 0)
    ours, reference = _state(api, engine, mine["id"], {}), _state(api, engine, theirs["id"], {})
    assert ours["stored panel"] == reference["stored panel"]
    assert ours["served"] == reference["served"]
    assert ours == reference
