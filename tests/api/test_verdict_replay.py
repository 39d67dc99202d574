"""Verdicts stored before rules version 2 read back unchanged after the migration that brings it.

The database is migrated to the revision before rules versions existed, a screening is stored
there as the service stored it then (rubric snapshot, pinned candidate, submitted scorecard,
verdict record), then the database is migrated to the head and read through the API.
"""

import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, Table, create_engine
from sqlmodel import SQLModel

import app.tables  # noqa: F401  (every table's metadata)
from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.main import create_app
from app.rubric import load_rubrics
from app.scoring import Answers, score
from tests.api.conftest import auth, make_key, scratch_postgres
from tests.rubric.test_shipped_rubric import ALL

BEFORE_RULES = "0005"
# Every criterion at 4 and six warnings: rules 1 said "hire" (warnings never added up); rules 2
# say "hold" (from two warnings on).
SIX_WARNINGS = [
    "vanity_metrics",
    "audience_as_targets",
    "one_true_way",
    "platform_chasing",
    "quick_wins_only",
    "single_viral_case",
]
ANSWERS = Answers(ratings=dict.fromkeys(ALL, 4), flags=[{"id": f} for f in SIX_WARNINGS])


@pytest.fixture
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind (parametrised like the API tests)."""
    if "postgresql" in request.node.name:
        with scratch_postgres(request.getfixturevalue("postgres_template")) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        shutil.rmtree(tmp_path, ignore_errors=True)


def store_as_before(url: str) -> tuple[str, str]:
    """A screening stored with the schema and rules of revision 0005; (candidate, assessment)."""
    upgrade(url, BEFORE_RULES)
    rubric = load_rubrics(shipped_criteria_dir())["social-media-screen"]
    old = score(rubric, ANSWERS, "en", rules_version=1)
    assert old.recommendation == "hire"
    now = datetime.now(UTC)
    ids = {k: uuid.uuid4() for k in ("position", "version", "candidate", "assessment", "verdict")}
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)  # the tables as revision 0005 made them
    stored_answers = ANSWERS.model_dump(mode="json")
    with engine.begin() as connection:
        rows = {
            "positions": {
                "id": ids["position"],
                "version": 1,
                "title": "Community manager",
                "description": "",
                "rubric_id": rubric.id,
                "readiness": {},
                "created_at": now,
                "updated_at": now,
            },
            "rubric_versions": {
                "id": ids["version"],
                "rubric_id": rubric.id,
                "version": rubric.version,
                "content_hash": rubric.content_hash,
                "document": rubric.model_dump(mode="json"),
                "created_at": now,
            },
            "candidates": {
                "id": ids["candidate"],
                "version": 1,
                "position_id": ids["position"],
                "full_name": "Zoë Lefèvre-Dubois",
                "status": "in_review",
                "recommendation": old.recommendation,
                "search_text": "zoe lefevre-dubois",
                "rubric_version_id": ids["version"],
                "created_at": now,
                "updated_at": now,
            },
            "assessments": {
                "id": ids["assessment"],
                "version": 1,
                "candidate_id": ids["candidate"],
                "interviewer_name": "Ana",
                "interviewer_email": "ana@example.org",
                "status": "submitted",
                "answers": stored_answers,
                "summary": "",
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
            },
            "assessment_revisions": {
                "id": uuid.uuid4(),
                "assessment_id": ids["assessment"],
                "revision": 1,
                "answers": stored_answers,
                "summary": "",
                "created_at": now,
            },
            "verdicts": {
                "id": ids["verdict"],
                "assessment_id": ids["assessment"],
                "revision": 1,
                "rubric_version_id": ids["version"],
                "recommendation": old.recommendation,
                "score": old.score,
                "coverage": old.coverage,
                "cause": "submitted",
                "created_at": now,
            },
        }
        for name, row in rows.items():
            reflected = tables.tables[name]
            # The columns revision 0005 has, with the service's own column types.
            app_table = SQLModel.metadata.tables[name]
            table = Table(
                name,
                MetaData(),
                *(
                    Column(
                        c.name,
                        app_table.c[c.name].type,
                        nullable=c.nullable,
                        server_default=c.server_default,
                    )
                    for c in reflected.c
                ),
            )
            known = {k: v for k, v in row.items() if k in table.c}
            missing = [c.name for c in table.c if not c.nullable and c.name not in known]
            assert not [m for m in missing if table.c[m].server_default is None], (name, missing)
            connection.execute(table.insert().values(**known))
    engine.dispose()
    return str(ids["candidate"]), str(ids["assessment"])


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_verdicts_stored_before_rules_two_read_back_unchanged(kind: str, old_database: str) -> None:
    candidate_id, assessment_id = store_as_before(old_database)
    upgrade(old_database)
    settings = Settings(database_url=old_database, criteria_dir=shipped_criteria_dir(), env="test")
    with TestClient(create_app(settings), headers=auth(make_key(settings))) as client:
        assessment = client.get(f"/api/v1/assessments/{assessment_id}").json()
        assert assessment["verdict"]["recommendation"] == "hire"
        assert assessment["verdict"]["rules_version"] == 1
        panel = client.get(f"/api/v1/candidates/{candidate_id}/verdict").json()
        assert (panel["recommendation"], panel["rules_version"]) == ("hire", 1)
        found = client.get("/api/v1/candidates", params={"recommendation": "hire"}).json()
        assert [c["id"] for c in found["items"]] == [candidate_id]
        export = client.get("/api/v1/exports/assessments", params={"format": "csv"})
        assert export.status_code == 200
        assert ",hire," in export.text
        # The explicit move to the current rules: six warnings now add up to "hold".
        rescored = client.post(f"/api/v1/candidates/{candidate_id}/rescore")
        assert rescored.status_code == 200, rescored.text
        assert (rescored.json()["recommendation"], rescored.json()["rules_version"]) == ("hold", 2)
        found = client.get("/api/v1/candidates", params={"recommendation": "hold"}).json()
        assert [c["id"] for c in found["items"]] == [candidate_id]
