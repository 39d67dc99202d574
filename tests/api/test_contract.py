"""The OpenAPI document as integrators use it: validated, then a client generated from it runs a
whole screening against a live server.

The client is made by `openapi-python-client` (a generator nobody here wrote) into a temporary
directory, imported, and driven as an HR tool would: position → candidate → assessment → submit
→ verdict → decision → PDF report. Errors must arrive typed as problem details.
"""

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.core.config import Settings, shipped_criteria_dir
from tests.api.conftest import make_key
from tests.api.servers import LiveServer, live_server

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
REDOCLY = BIN.parent / "redocly" / "node_modules" / ".bin" / "redocly"
TYPESCRIPT = BIN.parent / "typescript"
WRITE_METHODS = {"post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """A live server on a fresh SQLite file, and an admin key."""
    from app.core.migrate import upgrade

    path = tmp_path_factory.mktemp("contract") / "tamis.db"
    upgrade(f"sqlite:///{path}")
    settings = Settings(
        database_url=f"sqlite:///{path}",
        criteria_dir=shipped_criteria_dir(),
        env="test",
    )
    key = make_key(settings)
    with live_server(settings) as live:
        yield live, key


@pytest.fixture(scope="module")
def document(server: tuple[LiveServer, str]) -> dict[str, Any]:
    live, _key = server
    response = httpx.get(f"{live.url}/openapi.json", timeout=30)
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises with the path of the first fault
    assert document["openapi"].startswith("3.1")


def test_every_error_is_a_problem_document(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(document)
    faults = []
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            if code[0] in "45" and set(response.get("content", {})) != {"application/problem+json"}:
                faults.append(f"{method} {path} {code}")
        codes = set(operation["responses"])
        expected = {"406", "500"} | ({"422", "503"} if path.startswith("/api/") else set())
        if "requestBody" in operation:
            expected |= {"413", "415"}
        if not expected <= codes:
            faults.append(f"{method} {path}: missing {sorted(expected - codes)}")
        if "503" in codes:
            assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert faults == []


def test_operations_have_short_ids_examples_and_shared_headers(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _p, _m, op in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z]{2,30}", i) for i in ids), ids
    assert {"createAssessment", "getPanelVerdict", "submitAssessment"} <= set(ids)
    parameters = document["components"]["parameters"]
    for path, method, operation in _operations(document):
        names = {
            parameters[p["$ref"].rsplit("/", 1)[-1]]["name"] if "$ref" in p else p["name"]
            for p in operation.get("parameters", [])
        }
        where = f"{method} {path}"
        if path.startswith("/api/"):
            assert "lang" in names, where
        if method == "post":
            assert "Idempotency-Key" in names, where
        for media in operation.get("requestBody", {}).get("content", {}).values():
            assert "example" in media or "examples" in media, where
        for code, response in operation["responses"].items():
            for media_type, media in response.get("content", {}).items():
                if "json" in media_type and "schema" in media:
                    assert "example" in media or "examples" in media, f"{where} {code}"
        if operation["operationId"] in {"createCandidate", "createAssessment", "submitAssessment"}:
            success = next(r for c, r in operation["responses"].items() if c.startswith("2"))
            assert {"ETag", "Location", "Idempotent-Replayed"} <= set(success["headers"]), where
    assert document["paths"]["/healthz"]["get"]["security"] == []
    assert all(tag.get("description") for tag in document["tags"])
    assert document["servers"] and document["info"]["license"]["name"] == "MIT"


def test_no_default_is_refused_by_its_own_schema(document: dict[str, Any]) -> None:
    faults = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "default" in node and "$ref" not in node:
                schema = {k: v for k, v in node.items() if k != "default"}
                schema["components"] = document["components"]
                for error in Draft202012Validator(schema).iter_errors(node["default"]):
                    faults.append(f"{where}: {error.message}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(document["components"]["schemas"], "schemas")
    walk(document["paths"], "paths")
    assert faults == []


def test_rubric_maps_state_their_keys_and_binaries_are_typed(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    answers = schemas["Answers"]["properties"]
    assert answers["ratings"]["propertyNames"]["pattern"] == "^[a-z][a-z0-9_]*$"
    # Maps that may be null (an edit, an amendment) state their keys on the map branch too.
    for name, field in [
        ("AssessmentUpdate", "ratings"),
        ("AssessmentUpdate", "notes"),
        ("Amendment", "ratings"),
        ("Amendment", "notes"),
        ("PositionCreate", "readiness"),
        ("PositionUpdate", "readiness"),
    ]:
        prop = schemas[name]["properties"][field]
        maps = [b for b in [prop, *prop.get("anyOf", [])] if "additionalProperties" in b]
        assert maps and all(m["propertyNames"]["pattern"] == "^[a-z][a-z0-9_]*$" for m in maps), (
            name,
            field,
        )
    pdf = document["paths"]["/api/v1/candidates/{candidate_id}/report.pdf"]["get"]
    assert pdf["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    export = document["paths"]["/api/v1/exports/assessments"]["get"]["responses"]["200"]
    assert export["content"]["text/csv"]["schema"]["type"] == "string"
    rubric = document["paths"]["/api/v1/rubrics/{rubric_id}"]["get"]["responses"]["200"]
    assert rubric["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RubricPublic"
    }


def _npm_install(prefix: Path, packages: list[str]) -> None:
    """Install npm `packages` under `prefix` (the test command installs what it lacks)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"npm and node are required in CI to install {packages}")
        pytest.skip(f"npm or node is not installed: {packages} cannot be installed")
    subprocess.run(
        [
            "npm",
            "install",
            *("--silent", "--no-fund", "--no-audit"),
            *("--prefix", str(prefix)),
            *packages,
        ],
        check=True,
        timeout=600,
    )


def _pinned(name: str) -> str:
    """A value the Makefile pins (`NAME := value`)."""
    found = re.search(rf"^{name} := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found is not None, name
    return found.group(1).strip()


def _written_only(document: dict[str, Any]) -> set[str]:
    """Component schemas reached from request bodies and never from an answer or parameter."""
    text = {"in": "", "out": ""}
    for _path, _method, operation in _operations(document):
        text["in"] += json.dumps(operation.get("requestBody", {}))
        text["out"] += json.dumps([operation["responses"], operation.get("parameters", [])])
    schemas = document["components"]["schemas"]

    def closure(seed: str) -> set[str]:
        found: set[str] = set()
        pending = re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", seed)
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending += re.findall(
                    r"#/components/schemas/([A-Za-z0-9_.-]+)", json.dumps(schemas[name])
                )
        return found

    return closure(text["in"]) - closure(text["out"])


def test_rules_clients_cannot_guess_are_stated(document: dict[str, Any]) -> None:
    """Cursor format, the NUL and whitespace rules, the email domains, and the defaults of
    what a client writes (as words: generators read `default` as "always present")."""
    schemas = document["components"]["schemas"]
    for path, method, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "cursor":
                assert parameter["schema"]["pattern"] == "^[A-Za-z0-9_-]{1,256}$", path
                assert "A-Z a-z 0-9 _ -" in parameter["description"], (method, path)
    page = schemas["Page_PositionPublic_"]["properties"]["next"]
    assert page["anyOf"][0]["pattern"] == "^[A-Za-z0-9_-]{1,256}$"
    texts = emails = 0
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            branches = [prop, *prop.get("anyOf", [])]
            where = f"{name}.{field}"
            if any(b.get("pattern") == r"^[^\x00]*[^\s\x00][^\x00]*$" for b in branches):
                assert "No NUL character" in prop["description"], where
                assert "whitespace is trimmed and something must remain" in prop["description"]
                texts += 1
            elif any(b.get("pattern") == r"^[^\x00]*$" for b in branches):
                assert "No NUL character (U+0000)." in prop["description"], where
                texts += 1
            if any(b.get("format") == "email" for b in branches):
                assert "`.localhost`" in prop["description"], where
                assert "`example.org`" in prop["description"], where
                emails += 1
    assert texts >= 20 and emails >= 3, (texts, emails)
    written = _written_only(document)
    assert {"AssessmentCreate", "CandidateCreate", "PositionCreate"} <= written
    for name in written:
        for field, prop in schemas[name].get("properties", {}).items():
            if field not in schemas[name].get("required", []):
                assert "default" not in prop, f"{name}.{field}"
    status = schemas["AssessmentCreate"]["properties"]["status"]
    assert status["description"].startswith('When absent: `"draft"`.'), status


def _redocly() -> Path:
    """Redocly CLI at the version the Makefile pins, installed from npm when missing."""
    if not REDOCLY.exists():
        _npm_install(REDOCLY.parents[2], [f"@redocly/cli@{_pinned('REDOCLY_VERSION')}"])
    return REDOCLY


def test_redocly_recommended_rules_pass(document: dict[str, Any], tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    result = subprocess.run(
        [
            str(_redocly()),
            "lint",
            "--extends=recommended",
            "--format=json",
            str(spec),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    problems = [(p["ruleId"], p["message"]) for p in report["problems"]]
    assert report["totals"]["errors"] == 0, problems
    assert report["totals"]["warnings"] == 0, problems


def _link_chain(document: dict[str, Any]) -> list[str]:
    by_id = {op["operationId"]: op for _p, _m, op in _operations(document)}
    chain, current = ["createPosition"], "createPosition"
    for target in (
        "createCandidate",
        "createAssessment",
        "submitAssessment",
        "getPanelVerdict",
        "recordDecision",
    ):
        links = [
            link["operationId"]
            for response in by_id[current]["responses"].values()
            for link in response.get("links", {}).values()
        ]
        assert target in links, f"no link from {current} to {target}"
        chain.append(target)
        current = target
    return chain


def test_links_chain_a_screening(document: dict[str, Any]) -> None:
    assert len(_link_chain(document)) == 6


@pytest.fixture(scope="module")
def client_package(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The Python client `openapi-python-client` generates from the served document."""
    where = tmp_path_factory.mktemp("client")
    spec = where / "openapi.json"
    spec.write_text(json.dumps(document))
    # JSON Lines (the bulk import) is a body of bytes to a client generator.
    config = where / "config.json"
    config.write_text(
        json.dumps({"content_type_overrides": {"application/jsonl": "application/octet-stream"}})
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            *("--path", str(spec)),
            *("--meta", "none"),
            *("--config", str(config)),
            *("--output-path", str(where / "tamis_client")),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=where,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    try:
        return importlib.import_module("tamis_client")
    finally:
        sys.path.remove(str(where))


def _api(name: str) -> Any:
    return importlib.import_module(f"tamis_client.api.{name}")


def test_a_generated_client_runs_a_whole_screening(
    client_package: Any, server: tuple[LiveServer, str]
) -> None:
    live, key = server
    models = importlib.import_module("tamis_client.models")
    client = client_package.AuthenticatedClient(base_url=live.url, token=key)
    create_position = _api("positions.create_position")
    position = create_position.sync(
        client=client,
        body=models.PositionCreate(title="Community manager"),
        idempotency_key="contract-position-1",
    )
    assert isinstance(position, models.PositionPublic), position

    created = _api("candidates.create_candidate").sync_detailed(
        client=client,
        body=models.CandidateCreate(full_name="Camille Martin", position_id=position.id),
    )
    candidate = created.parsed
    assert isinstance(candidate, models.CandidatePublic), created.content
    assert created.headers["location"].endswith(f"/candidates/{candidate.id}")

    rubric = _api("rubrics.get_rubric").sync(rubric_id=position.rubric_id, client=client)
    assert isinstance(rubric, models.RubricPublic), rubric
    ratings = models.AssessmentCreateRatings.from_dict({c.id: 3 for c in rubric.criteria})
    started = _api("candidates.create_assessment").sync_detailed(
        candidate_id=candidate.id,
        client=client,
        body=models.AssessmentCreate(
            interviewer=models.Interviewer(name="Alex Morel", email="alex@example.org"),
            ratings=ratings,
        ),
    )
    draft = started.parsed
    assert isinstance(draft, models.AssessmentPublic), started.content
    assert started.headers["location"].endswith(f"/assessments/{draft.id}")

    # An empty If-Match is a 400, typed as problem details; nothing changes.
    refused = _api("assessments.submit_assessment").sync(
        assessment_id=draft.id, client=client, if_match=""
    )
    assert isinstance(refused, models.ProblemDetails), refused
    assert refused.status == 400

    submitted = _api("assessments.submit_assessment").sync_detailed(
        assessment_id=draft.id, client=client, lang=models.Language.FR
    )
    assert isinstance(submitted.parsed, models.AssessmentPublic), submitted.content
    assert submitted.parsed.status.value == "submitted"
    assert "location" in submitted.headers

    verdict = _api("candidates.get_panel_verdict").sync(candidate_id=candidate.id, client=client)
    assert isinstance(verdict, models.CandidateVerdict), verdict
    decision = _api("candidates.record_decision").sync(
        candidate_id=candidate.id,
        client=client,
        body=models.DecisionCreate(
            decision=models.DecisionCreateDecision.ADVANCE,
            decided_by="Dominique Roy",
            rationale="Panel read line by line.",
        ),
    )
    assert isinstance(decision, models.DecisionPublic), decision

    report = _api("reports.get_candidate_report_pdf").sync(candidate_id=candidate.id, client=client)
    assert isinstance(report, client_package.types.File), report
    assert report.payload.read().startswith(b"%PDF")

    missing = _api("candidates.get_candidate").sync(
        candidate_id="3fa85f64-5717-4562-b3fc-2c963f66afa6", client=client
    )
    assert isinstance(missing, models.ProblemDetails), missing
    assert missing.status == 404 and missing.type_.endswith("not-found")
    data = _api("privacy.export_candidate_data").sync(candidate_id=candidate.id, client=client)
    assert isinstance(data, models.CandidateDataExport), data
    assert len(data.assessments) == 1


def test_negotiation_and_media_types(server: tuple[LiveServer, str]) -> None:
    live, key = server
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=live.url, headers=headers, timeout=30) as http:
        assert http.get("/api/v1/rubrics", headers={"Accept": "text/csv"}).status_code == 406
        ok = http.get("/api/v1/rubrics", headers={"Accept": "text/html;q=0.5, */*;q=0.1"})
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/json"
        plain = http.post(
            "/api/v1/positions",
            content=b'{"title": "x"}',
            headers={"Content-Type": "text/plain"},
        )
        assert plain.status_code == 415
        assert plain.headers["content-type"] == "application/problem+json"
        assert http.get("/api/v1/webhooks", params={"lang": "fr"}).status_code == 200
        wrong = http.get("/api/v1/webhooks", params={"lang": "de"})
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == "query:lang"


def test_a_typescript_client_compiles_strictly_and_runs_a_screening(
    document: dict[str, Any], server: tuple[LiveServer, str], tmp_path: Path
) -> None:
    """`openapi-typescript` types the paths, `tsc --strict` checks a small `openapi-fetch`
    client (errors typed as problem details, defaulted fields optional in request bodies,
    `Idempotency-Key` and `If-Match` passed as declared headers), and node runs it."""
    modules = TYPESCRIPT / "node_modules"
    if not (modules / ".bin" / "tsc").exists():
        _npm_install(TYPESCRIPT, _pinned("TYPESCRIPT_PACKAGES").split())
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "package.json").write_text('{"type": "module", "private": true}')
    (tmp_path / "node_modules").symlink_to(modules, target_is_directory=True)
    shutil.copy(ROOT / "tests" / "api" / "typescript" / "screening.ts", tmp_path)
    config = {
        "compilerOptions": {
            "strict": True,
            "target": "es2022",
            "module": "nodenext",
            "moduleResolution": "nodenext",
            "outDir": "out",
            "noEmitOnError": True,
            "types": [],
        },
        "files": ["screening.ts"],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))

    def run(*command: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env={**os.environ, **(env or {})},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    bins = modules / ".bin"
    run(str(bins / "openapi-typescript"), "openapi.json", "--output", "api.d.ts")
    run(str(bins / "tsc"), "--project", "tsconfig.json")
    live, key = server
    output = run("node", "out/screening.js", env={"TAMIS_URL": live.url, "TAMIS_KEY": key})
    outcome = json.loads(output.strip().splitlines()[-1])
    assert outcome == {
        "position": outcome["position"],
        "replayed": True,
        "draft": "draft",
        "stale": 412,
        "submitted": "submitted",
        "verdict": True,
        "decision": "advance",
        "missing": 404,
        "missingType": "https://tamis.dev/problems/not-found",
    }
