"""Schemathesis against /openapi.json: no 500, and every response matches its documented schema.

The application is built when the module is collected (schemathesis' lazy pytest fixtures do not
work with this pytest), on its own SQLite file, with an admin key. Every other example points at
real rows with a valid body (tests/api/fuzz_data.py), so each operation is also checked where it
succeeds; the last test asserts that every operation did get a 2xx.
"""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.main import create_app
from tests.api.conftest import auth, make_key
from tests.api.fuzz_data import Seeder

# `make fuzz`: a deeper run with new random examples each time (TAMIS_FUZZ_EXAMPLES per operation).
DEEP = int(os.environ.get("TAMIS_FUZZ_EXAMPLES", "0"))
_DATABASE = Path(tempfile.mkdtemp(prefix="tamis-fuzz-")) / "fuzz.db"
upgrade(f"sqlite:///{_DATABASE}")
_SETTINGS = Settings(
    database_url=f"sqlite:///{_DATABASE}",
    criteria_dir=shipped_criteria_dir(),
    env="test",
    webhook_worker=False,
    # The seeded webhooks point at a loopback port; the worker is off, nothing is ever sent.
    webhook_allowed_hosts="127.0.0.1",
)
KEY = auth(make_key(_SETTINGS))
# A body over the size limit is refused with 413 (documented): a rejection like 422.
_CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    "400",
                    "401",
                    "403",
                    "404",
                    "405",
                    "406",
                    "409",
                    "413",
                    "415",
                    "422",
                    "428",
                    "429",
                ]
            }
        }
    }
)


@schemathesis.serializer("application/jsonl")
def _json_lines(_ctx: Any, value: Any) -> bytes:
    """The bulk import's body: bytes as they are (generated or seeded), anything else as one
    JSON line."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return (json.dumps(value) + "\n").encode()


_APP = create_app(_SETTINGS)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP, config=_CONFIG)
SEEDER = Seeder(TestClient(_APP, headers=KEY))


@schema.parametrize()
@settings(
    max_examples=DEEP or 25,
    deadline=None,
    derandomize=not DEEP,  # the same examples on every run: CI fails on code, not on luck
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_the_api_holds_its_contract(case: schemathesis.Case) -> None:
    # Every check but "a schema-valid request is accepted": some rules cannot be written in a
    # schema (a cursor the API did not make, a candidate that does not exist), and refusing
    # those with 404 or 422 is the right answer.
    SEEDER.seed(case)
    response = case.call_and_validate(headers=KEY, excluded_checks=[positive_data_acceptance])
    SEEDER.record(case, response.status_code)


def test_every_operation_got_a_2xx_answer() -> None:
    """Runs after the fuzzing above: each documented operation succeeded at least once."""
    documented = {
        (method.upper(), path)
        for path, operations in _APP.openapi()["paths"].items()
        for method in operations
    }
    assert documented - set(SEEDER.statuses) == set(), "operations never called"
    assert list(SEEDER.without_success(documented)) == []


# (operationId, status) of every call the stateful phase made.
_SEEN: set[tuple[str, int]] = set()


class _ScreeningWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Chains calls along the document's links: position → candidate → assessment → submit →
    verdict → decision → report, with real ids from real responses."""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": KEY}

    def step(self, input: Any) -> Any:
        # The generated case may carry its own (random) Authorization: the key replaces it.
        input.case.headers = {**(input.case.headers or {}), **KEY}
        output = super().step(input)
        operation_id = input.case.operation.definition.raw["operationId"]
        _SEEN.add((operation_id, output.response.status_code))
        return output

    def validate_response(
        self, response: object, case: schemathesis.Case, **kwargs: object
    ) -> None:
        case.validate_response(
            response,  # type: ignore[arg-type]
            excluded_checks=[positive_data_acceptance],
            transport_kwargs=kwargs or None,
        )


def test_the_links_hold_their_contract_statefully() -> None:
    links = [
        link
        for operations in schema.raw_schema["paths"].values()
        for operation in operations.values()
        for response in operation.get("responses", {}).values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) >= 10  # the stateful phase has a screening to walk
    _ScreeningWorkflow.run(
        settings=settings(
            max_examples=6,
            stateful_step_count=7,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The phase ran scenarios of chained calls, and every answer held the contract (checked
    # per step by validate_response); no answer was a server error.
    assert len({operation for operation, _status in _SEEN}) >= 5, sorted(_SEEN)
    assert all(status < 500 for _operation, status in _SEEN), sorted(_SEEN)
