"""`tamis import assessments FILE [--atomic]`: the same import from a file, with the same
per-line report, on SQLite and PostgreSQL."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from app.core.config import Settings
from tests.api.conftest import Api
from tests.api.test_import import body, counts, jsonl, quiet_settings
from tests.commands import tamis


@pytest.fixture
def settings(database_url: str) -> Settings:
    return quiet_settings(database_url)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    made = create_engine(settings.database_url)
    yield made
    made.dispose()


def _file(tmp_path: Path, api: Api) -> Path:
    position = api.position()
    candidate = {"position_id": position["id"], "external_id": "f-1", "full_name": "Ana Lima"}
    bad = body("Bob", candidate=candidate)
    bad["flags"] = [{"id": "no_such_flag"}]
    path = tmp_path / "history.jsonl"
    path.write_text(
        jsonl([body("Ana", candidate=candidate), bad, body("Cid", candidate=candidate)]),
        encoding="utf-8",
    )
    return path


def test_the_command_imports_the_good_lines_and_lists_the_bad_ones(
    api: Api, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path, api)
    start = counts(engine)
    done = tamis(settings, "import", "assessments", str(path))
    assert done.returncode == 1, done.stderr  # a line was refused
    assert "line 2: flags[0].id:" in done.stderr
    assert "vanity_metrics" in done.stderr  # the valid flag ids are listed
    assert "2 imported, 1 refused of 3 line(s); 1 candidate(s) created" in done.stdout
    after = counts(engine)
    assert after["assessments"] - start["assessments"] == 2
    assert after["verdicts"] - start["verdicts"] == 2
    listed = api.ok("GET", "/api/v1/candidates", params={"q": "f-1"})["items"]
    assert listed[0]["recommendation"] is not None
    actions = api.ok("GET", "/api/v1/audit-events", params={"resource_id": listed[0]["id"]})
    operations = {e["operation"] for e in actions["items"]}
    assert operations == {"import assessments"}
    assert {e["actor"]["kind"] for e in actions["items"]} == {"system"}


def test_atomic_imports_nothing_and_json_gives_the_api_report(
    api: Api, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    path = _file(tmp_path, api)
    start = counts(engine)
    done = tamis(settings, "import", "assessments", str(path), "--atomic", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["refused"], report["outcome"]) == (0, 1, "rolled_back")
    assert [(e["line"], e["loc"]) for e in report["errors"]] == [(2, "flags[0].id")]
    assert counts(engine) == start
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text(
        "\n".join(line for n, line in enumerate(path.read_text().splitlines()) if n != 1),
        encoding="utf-8",
    )
    done = tamis(settings, "import", "assessments", str(fixed), "--atomic")
    assert done.returncode == 0, done.stderr
    assert "2 imported, 0 refused" in done.stdout
