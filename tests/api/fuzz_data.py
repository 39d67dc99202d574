"""Data for the fuzzer: real rows to point at, and a valid body for each operation.

Random identifiers only ever reach the 404 branch, and random bodies rarely pass the rubric's
rules, so on its own the fuzzer never sees a submission, a rescore or a report succeed. Every
other example of an operation is therefore *seeded*: its path points at rows made here (a
fresh one when the operation uses it up: submit, erase, delete), and its body is a valid one;
the response is still checked against the documented schema. The others stay as generated.
"""

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.rubric.test_shipped_rubric import CORE

RUBRIC = "social-media-screen"
Body = Callable[[int], Any]


class Seeds:
    """Rows made through the API, handed out one by one where an operation uses them up."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.position = self._post("/api/v1/positions", {"title": "Community manager"})["id"]
        self.serial = itertools.count()

    def _post(self, url: str, body: Any, status: int = 201) -> dict[str, Any]:
        response = self.client.post(url, json=body)
        assert response.status_code == status, (url, response.text)
        result: dict[str, Any] = response.json()
        return result

    def candidate(self) -> str:
        n = next(self.serial)
        body = {"full_name": f"Candidate {n}", "position_id": self.position}
        return str(self._post("/api/v1/candidates", body)["id"])

    def assessment(self, candidate_id: str, status: str) -> str:
        n = next(self.serial)
        body = {
            "interviewer": {"name": f"Interviewer {n}", "email": f"i{n}@example.org"},
            "ratings": dict.fromkeys(CORE, 3),
            "status": status,
        }
        return str(self._post(f"/api/v1/candidates/{candidate_id}/assessments", body)["id"])

    def screened(self) -> str:
        """A candidate with one submitted scorecard (a verdict, a report)."""
        candidate_id = self.candidate()
        self.assessment(candidate_id, "submitted")
        return candidate_id

    def webhook(self) -> str:
        # The worker is off in the fuzzing app: nothing is ever sent to this loopback address.
        body = {"url": "http://127.0.0.1:9/hooks", "events": ["candidate.created"]}
        return str(self._post("/api/v1/webhooks", body)["id"])


def _path_parameters(seeds: Seeds, method: str, path: str) -> dict[str, str]:
    """Ids of rows the operation can succeed on; fresh ones for what it uses up."""
    values: dict[str, str] = {}
    if "{rubric_id}" in path:
        values["rubric_id"] = RUBRIC
    if "{position_id}" in path:
        values["position_id"] = seeds.position
    if "{webhook_id}" in path:
        values["webhook_id"] = seeds.webhook()
    if "{delivery_id}" in path:  # a delivery waiting in the outbox (the worker is off)
        seeds.candidate()  # candidate.created: one delivery for the webhook just made
        deliveries = seeds.client.get(f"/api/v1/webhooks/{values['webhook_id']}/deliveries")
        assert deliveries.status_code == 200, deliveries.text
        values["delivery_id"] = deliveries.json()["items"][0]["id"]
    if "{candidate_id}" in path:
        # Deleting is refused once a candidate has a record (erasure is the way then).
        deleting = method == "DELETE" and path.endswith("{candidate_id}")
        values["candidate_id"] = seeds.candidate() if deleting else seeds.screened()
    if "{assessment_id}" in path:
        submitted = path.endswith(("/amendments", "/revisions")) or method == "GET"
        values["assessment_id"] = seeds.assessment(
            seeds.candidate(), "submitted" if submitted else "draft"
        )
    return values


def _bodies(seeds: Seeds) -> dict[tuple[str, str], Body]:
    """A valid body for each operation that takes one."""
    return {
        ("POST", "/api/v1/rubrics/{rubric_id}/score"): lambda n: {
            "ratings": dict.fromkeys(CORE, 1 + n % 4)
        },
        ("POST", "/api/v1/positions"): lambda n: {"title": f"Position {n}"},
        ("PATCH", "/api/v1/positions/{position_id}"): lambda n: {"title": f"Renamed {n}"},
        ("POST", "/api/v1/candidates"): lambda n: {
            "full_name": f"New {n}",
            "position_id": seeds.position,
        },
        ("PATCH", "/api/v1/candidates/{candidate_id}"): lambda n: {"source": f"source {n}"},
        ("POST", "/api/v1/candidates/{candidate_id}/assessments"): lambda n: {
            "interviewer": {"name": "Fuzz", "email": f"fuzz{n}@example.org"},
            "ratings": dict.fromkeys(CORE, 1 + n % 4),
            "status": "submitted" if n % 2 else "draft",
        },
        ("POST", "/api/v1/candidates/{candidate_id}/decisions"): lambda n: {
            "decision": "reject",
            "decided_by": "Claire Dupont",
            "rationale": f"Reason {n}",
        },
        ("PATCH", "/api/v1/assessments/{assessment_id}"): lambda n: {"summary": f"Draft {n}"},
        ("POST", "/api/v1/assessments/{assessment_id}/amendments"): lambda n: {
            "reason": f"Misread {n}",
            "ratings": {CORE[0]: 1 + n % 4},
        },
        ("POST", "/api/v1/webhooks"): lambda n: {
            "url": f"http://127.0.0.1:9/hooks/{n}",
            "events": ["assessment.submitted"],
        },
        ("POST", "/api/v1/red-flags/detect"): lambda n: {
            "text": "Je ne regarde que les likes, les chiffres parlent d'eux-mêmes.",
            "language": "fr" if n % 2 else None,
        },
        # JSON Lines (a string, as the schema says): one scorecard for a candidate found or
        # created by external id.
        ("POST", "/api/v1/imports/assessments"): lambda n: (
            json.dumps(
                {
                    "candidate": {
                        "position_id": seeds.position,
                        "external_id": f"fuzz-{n}",
                        "full_name": f"Imported {n}",
                    },
                    "interviewer": {"name": "Fuzz", "email": f"fuzz{n}@example.org"},
                    "ratings": dict.fromkeys(CORE, 1 + n % 4),
                    "status": "submitted" if n % 2 else "draft",
                }
            )
            + "\n"
        ),
        ("POST", "/api/v1/candidates/{candidate_id}/screenings"): lambda n: {
            "language": "fr" if n % 2 else "en",
            "valid_days": 1 + n % 30,
        },
    }


class Seeder:
    """Seeds every other valid example of each operation; counts the statuses each one got."""

    def __init__(self, client: TestClient) -> None:
        self.seeds = Seeds(client)
        self.bodies = _bodies(self.seeds)
        self.examples: Counter[tuple[str, str]] = Counter()
        self.statuses: defaultdict[tuple[str, str], Counter[int]] = defaultdict(Counter)

    def seed(self, case: Any) -> bool:
        """Point `case` at seeded rows with a valid body, every other time; whether it did."""
        meta = getattr(case, "meta", None)
        if meta is not None and (
            not meta.generation.mode.is_positive
            or any(not c.mode.is_positive for c in (meta.components or {}).values())
        ):
            return False  # a request made to be refused (in any part) stays as it is
        operation = (case.method.upper(), case.path)
        self.examples[operation] += 1
        n = self.examples[operation]
        if n % 2:
            return False
        if case.path_parameters is not None or "{" in case.path:
            case.path_parameters = {
                **(case.path_parameters or {}),
                **_path_parameters(self.seeds, *operation),
            }
        if operation in self.bodies:
            case.body = self.bodies[operation](n)
        return True

    def record(self, case: Any, status: int) -> None:
        self.statuses[(case.method.upper(), case.path)][status] += 1

    def without_success(self, operations: set[tuple[str, str]]) -> Iterator[str]:
        """Those of `operations` that never got a 2xx answer (with the statuses they got)."""
        for method, path in sorted(operations):
            statuses = self.statuses.get((method, path), Counter())
            if not any(200 <= s < 300 for s in statuses):
                yield f"{method} {path}: {dict(statuses)}"
