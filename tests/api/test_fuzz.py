"""Schemathesis against /openapi.json: no 500, and every response matches its documented schema.

The application is built when the module is collected (schemathesis' lazy pytest fixtures do not
work with this pytest), on its own SQLite file, with an admin key. Every other example points at
real rows with a valid body (tests/api/fuzz_data.py), so each operation is also checked where it
succeeds; the last test asserts that every operation did get a 2xx.
"""

import json
import os
import tempfile
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RULE_MARKER, Bundle, precondition, rule
from schemathesis.generation.stateful.state_machine import StepInput
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.core.config import Settings, shipped_criteria_dir
from app.core.migrate import upgrade
from app.main import create_app
from tests.api.conftest import auth, make_key
from tests.api.fuzz_data import Seeder

# `make fuzz`: a deeper run with new random examples each time (TAMIS_FUZZ_EXAMPLES per operation).
DEEP = int(os.environ.get("TAMIS_FUZZ_EXAMPLES", "0"))
# Scenarios of the stateful phase and calls in each, seeded like the examples.
STATEFUL_EXAMPLES = 60
STATEFUL_STEPS = 16
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
        },
        # Scenarios follow the links with valid requests; refusals are the examples' business.
        # Only the document's own links are followed (no links inferred from the schemas).
        "phases": {
            "stateful": {"generation": {"mode": "positive"}, "inference": {"algorithms": []}}
        },
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


# The screening the stateful phase must walk through the document's links, in order.
CHAIN = (
    "createPosition",
    "createCandidate",
    "createAssessment",
    "updateAssessment",
    "submitAssessment",
    "getPanelVerdict",
    "recordDecision",
)
# operationId -> status -> number of calls the stateful phase made.
CALLS: defaultdict[str, Counter[int]] = defaultdict(Counter)
# operationId -> 2xx answers to calls made by following a link (not a first call).
LINKED_SUCCESSES: Counter[str] = Counter()
# Candidates with an assessment submitted by following links, and those of them that then got a
# decision, also by following links: whole screenings.
SUBMITTED: set[str] = set()
SCREENED: set[str] = set()
_POSITIONS = "POST /api/v1/positions -> 201"

_Workflow: Any = schema.as_state_machine()
_CREATE_POSITION = schema.find_operation_by_id("createPosition")
_LINK_RULES = [
    getattr(value, RULE_MARKER)
    for name, value in vars(_Workflow).items()
    if hasattr(value, RULE_MARKER) and name not in _Workflow.root_rules
]


def _followable(machine: Any) -> bool:
    """Whether some link can be followed from what the scenario has got so far."""
    return any(
        all(machine.bundle(b.name) for b in rule_.bundles)
        and all(condition(machine) for condition in rule_.preconditions)
        for rule_ in _LINK_RULES
    )


class _ScreeningWorkflow(_Workflow):  # type: ignore[misc]
    """Chains calls along the document's links: position → candidate → assessment → ratings →
    submit → verdict → decision → report, with ids, ETags and bodies from real responses.

    A scenario starts by opening a position (Schemathesis does not take `createPosition` as a
    starting point: it reads `rubric_id` as a reference to a resource nothing creates), and
    opens another only when no link is left to follow; every other call follows a link the
    scenario chose, with the values the link gives or not (Schemathesis leaves some out, to
    explore).
    """

    # No scenario starts from a random id: it only ever gets a 404 (the examples check those).
    locals().update(dict.fromkeys(_Workflow.root_rules))
    root_rules = frozenset()

    @precondition(lambda self: not self.bundle(_POSITIONS) or not _followable(self))  # type: ignore[untyped-decorator]
    @rule(  # type: ignore[untyped-decorator]
        target=Bundle("catch_all"),
        input=st.builds(
            lambda: StepInput.initial(_CREATE_POSITION.Case(body={"title": "Community manager"}))
        ),
    )
    def open_position(self, input: Any) -> Any:
        self.recorder.record_case(case=input.case)
        self.control.record_step(input, self.recorder)
        return self._step(input)

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": KEY}

    def step(self, input: Any) -> Any:
        # The generated case may carry its own (random) Authorization: the key replaces it. A
        # generated Idempotency-Key gets a fresh value: Hypothesis replays a scenario's choices,
        # and the same key again would (rightly) get the stored answer, not a new call.
        headers = {**(input.case.headers or {}), **KEY}
        if "Idempotency-Key" in headers:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        input.case.headers = headers
        output = super().step(input)
        operation_id = input.case.operation.definition.raw["operationId"]
        status = output.response.status_code
        CALLS[operation_id][status] += 1
        if input.transition is not None and 200 <= status < 300:
            LINKED_SUCCESSES[operation_id] += 1
            if operation_id in {"submitAssessment", "recordDecision"}:
                candidate = output.response.json()["candidate_id"]
                if operation_id == "submitAssessment":
                    SUBMITTED.add(candidate)
                elif candidate in SUBMITTED:
                    SCREENED.add(candidate)
        return output

    def validate_response(
        self, response: object, case: schemathesis.Case, **kwargs: object
    ) -> None:
        case.validate_response(
            response,  # type: ignore[arg-type]
            excluded_checks=[positive_data_acceptance],
            transport_kwargs=kwargs or None,
        )


def test_the_stateful_phase_walks_a_whole_screening_over_the_links() -> None:
    _ScreeningWorkflow.run(
        settings=settings(
            max_examples=DEEP or STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=not DEEP,
            suppress_health_check=list(HealthCheck),
        )
    )
    report = {operation: dict(statuses) for operation, statuses in sorted(CALLS.items())}
    print("stateful calls per operation (status: count):", report)
    print("whole screenings (submitted, then decided, over links):", len(SCREENED))
    # Every answer held the contract (validate_response, per step) and none was a server error.
    assert all(s < 500 for statuses in CALLS.values() for s in statuses), report
    # The whole screening was reached by following links: a random id only ever gets a 404, so a
    # submission or a decision that succeeded got its id, ETag and body from an earlier answer.
    reached = {operation: LINKED_SUCCESSES[operation] for operation in CHAIN[1:]}
    assert all(count >= 1 for count in reached.values()), (reached, report)
    # And at least once in one go: a candidate's assessment submitted, then a decision on them.
    assert SCREENED, (reached, report)
