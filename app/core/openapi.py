"""The OpenAPI document as a contract clients are generated from.

FastAPI writes the document from the routes; `finish` then states what the routes share and
FastAPI cannot see: every error as `application/problem+json`, the 406/415/500/503 answers, the
`Idempotency-Key`, `ETag`, `Location`, `Idempotent-Replayed` and `Retry-After` headers, `?lang=` on
every operation, examples on every operation, short operation ids, and the links that chain a
screening (position → candidate → assessment → submit → verdict → decision).
"""

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.core.errors import PROBLEM_JSON, STATUS_KINDS, TITLES, TYPE_BASE
from app.core.text import NO_NUL, NOT_BLANK

Document = dict[str, Any]

# Route name -> operationId, where the camel-cased function name would not say it well.
OPERATION_IDS = {
    "healthz": "getHealth",
    "get_verdict": "getPanelVerdict",
    "rescore": "rescoreCandidate",
    "candidate_report": "getCandidateReport",
    "candidate_report_pdf": "getCandidateReportPdf",
    "export_candidate": "exportCandidateData",
    "invite": "createScreening",
    "preview_score": "previewScore",
}

TAGS = [
    {"name": "service", "description": "Whether the service is up."},
    {"name": "rubrics", "description": "The interview rubrics, their versions, a score preview."},
    {"name": "positions", "description": "Open positions, each screened with one rubric."},
    {"name": "candidates", "description": "Candidates, their panel verdict and the decisions."},
    {"name": "assessments", "description": "Interviewers' scorecards: draft, submit, amend."},
    {"name": "imports", "description": "Bulk import of past assessments (JSON Lines)."},
    {"name": "privacy", "description": "A candidate's personal data: access export, erasure."},
    {"name": "webhooks", "description": "Signed event deliveries to HR tools, with their log."},
    {"name": "events", "description": "The events webhooks carry, as a feed to poll."},
    {"name": "audit", "description": "Who changed what, when (never personal data)."},
    {"name": "reports", "description": "The candidate report and the assessment export."},
    {"name": "red flags", "description": "Red-flag cues read from a candidate's words."},
    {"name": "self-screen", "description": "Invitations to the candidates' self-screen."},
]

LICENSE = {"name": "MIT", "identifier": "MIT"}
SERVERS = [{"url": "/", "description": "The Tamis server that serves this document."}]

# What a rubric id looks like (criteria/ and /work/shared/design/rubric-sources.md).
RUBRIC_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
# Map properties whose keys are ids of the rubric, and which ids.
_CRITERION_ID = "A criterion id of the rubric (`GET /api/v1/rubrics/{id}`)."
KEYED_BY_RUBRIC_IDS = {
    "ratings": _CRITERION_ID,
    "notes": _CRITERION_ID,
    "readiness": "A role question id of the rubric (`role_questions` in "
    "`GET /api/v1/rubrics/{id}`).",
}

_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The version of the resource, to send back in `If-Match`. Records "
        "that have no version (decisions, webhooks, screening links, deliveries) carry a digest "
        "of the representation sent instead.",
        "schema": {"type": "string", "examples": ['"3"']},
    },
    "Location": {
        "description": "The URL of the resource created or changed.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "IdempotentReplayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same `Idempotency-Key`: nothing was done again.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "RetryAfter": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0, "examples": [5]},
    },
}
_PARAMETERS: dict[str, dict[str, Any]] = {
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any 1 to 255 visible ASCII characters, new for each intended change. "
        "A retry with the same key and body gets the first answer again (with "
        "`Idempotent-Replayed: true`); the same key with another body is refused with 422. "
        "Keys are kept for 24 hours, per API key.",
        "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
        "example": "7d0b6c2e-1f9a-4c51-9a55-2f0d3e1c9b11",
    },
    "Lang": {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of every text in the response (else `Accept-Language`, "
        "else English). Accepted by every operation.",
        "schema": {"$ref": "#/components/schemas/Language"},
    },
}
_HEADER_NAMES = {"ETag": "ETag", "Location": "Location"}

_EXAMPLE_DETAILS = {
    400: "If-Match must name an ETag: it is empty",
    401: "an API key is required: send `Authorization: Bearer <key>`",
    403: "the role 'interviewer' may not do this (needs candidates:write)",
    404: "no candidate 3fa85f64-5717-4562-b3fc-2c963f66afa6",
    405: "Method Not Allowed",
    406: "none of the types in Accept can be served (available: application/json)",
    409: "the assessment is already submitted",
    412: 'the resource is now at ETag "4": read it again and redo the change',
    413: "the request body is over the limit of 1048576 bytes",
    415: "the body must be JSON (Content-Type: application/json)",
    422: "ratings.measures_impact: rating 7 is off the scale 1–4 (valid: 1, 2, 3, 4)",
    428: "this change needs an If-Match header",
    500: "An unexpected error occurred.",
    503: "the database is unavailable (gone, or out of space); retry in a moment",
}
EXTRA_KINDS = {400: "bad-request", 406: "not-acceptable", 422: "validation-error"}


def operation_id(route: APIRoute) -> str:
    """A short, stable operationId: the endpoint's name in camelCase (`createAssessment`)."""
    name = OPERATION_IDS.get(route.name, route.name)
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _problem_example(status: int) -> dict[str, Any]:
    kind = STATUS_KINDS.get(status) or EXTRA_KINDS.get(status, "http-error")
    example: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": TITLES.get(kind, TITLES["http-error"])["en"],
        "status": status,
        "detail": _EXAMPLE_DETAILS.get(status, "HTTP error"),
        "instance": "/api/v1/candidates",
    }
    if status == 422:
        example["errors"] = [
            {
                "loc": "ratings.measures_impact",
                "message": "rating 7 is off the scale 1–4",
                "valid": [1, 2, 3, 4],
            }
        ]
    return example


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    kind = STATUS_KINDS.get(status) or EXTRA_KINDS.get(status, "http-error")
    response: dict[str, Any] = {
        "description": description or TITLES.get(kind, TITLES["http-error"])["en"],
        "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF, "example": _problem_example(status)}},
    }
    if status == 503:
        response["headers"] = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "How to authenticate: `Bearer`.",
                "schema": {"type": "string"},
            }
        }
    if status == 405:
        response["headers"] = {
            "Allow": {"description": "The methods the path answers.", "schema": {"type": "string"}}
        }
    return response


class _Examples:
    """Examples made from the schemas (their `examples`, formats, enums and bounds)."""

    FORMATS: Mapping[str, Any] = {
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "date-time": "2026-11-22T10:00:00Z",
        "date": "2026-11-22",
        "email": "camille.martin@example.org",
        "uri": "https://ats.example.org/hooks/tamis",
        "uri-reference": "/api/v1/candidates/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "binary": "",
    }

    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas

    def of(self, schema: Mapping[str, Any], depth: int = 0, *, writing: bool = False) -> Any:
        """An example value valid for `schema` (only required properties when `writing`)."""
        if depth > 8:
            return None
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = self.schemas.get(name, {})
            if not writing and "examples" in target and target["examples"]:
                return copy.deepcopy(target["examples"][0])
            return self.of(target, depth + 1, writing=writing)
        for key in ("const", "example"):
            if key in schema:
                return copy.deepcopy(schema[key])
        if schema.get("examples"):
            return copy.deepcopy(schema["examples"][0])
        if "default" in schema and schema["default"] is not None:
            return copy.deepcopy(schema["default"])
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self.of(options[0], depth + 1, writing=writing)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            required = set(schema.get("required", []))
            return {
                name: self.of(prop, depth + 1, writing=writing)
                for name, prop in schema.get("properties", {}).items()
                if not writing or name in required
            }
        if kind == "array":
            item = self.of(schema.get("items", {}), depth + 1, writing=writing)
            return [item] if item is not None and schema.get("minItems", 0) > 0 else []
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return schema.get("minimum", 0.5)
        if kind == "boolean":
            return False
        if kind == "string":
            if schema.get("format") in self.FORMATS:
                return self.FORMATS[schema["format"]]
            return "text"[: schema.get("maxLength", 4)] if schema.get("minLength", 0) else "text"
        return None


def _not_null(parameter: dict[str, Any]) -> None:
    """A parameter is absent or has a value: `null` in its schema only confuses clients."""
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if options and any(o.get("type") == "null" for o in options):
        kept = [o for o in options if o.get("type") != "null"]
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        parameter["schema"] = {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}
        if rest.get("default", 0) is None:
            parameter["schema"].pop("default")


def _add_parameter(operation: dict[str, Any], name: str, ref: str) -> None:
    params = operation.setdefault("parameters", [])
    if any(p.get("name") == name for p in params if "name" in p):
        params[:] = [p for p in params if p.get("name") != name]
    params.append({"$ref": f"#/components/parameters/{ref}"})


def _link(
    operation_id: str,
    description: str,
    body: dict[str, Any] | None = None,
    *,
    replace_body: bool = False,
    if_match: bool = False,
    **parameters: str,
) -> dict[str, Any]:
    """A link to `operation_id`: its path parameters, its request body (runtime expressions or
    constants) and, with `if_match`, this answer's ETag sent back as `If-Match`."""
    link: dict[str, Any] = {"operationId": operation_id, "description": description}
    if if_match:
        parameters["header.If-Match"] = "$response.header.ETag"
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    if replace_body:
        # The body is the whole request, not fields to merge into another: a fuzzer that follows
        # the link (Schemathesis) sends it as written.
        link["x-schemathesis"] = {"merge_body": False}
    return link


# The ratings links put on a draft: every criterion of the shipped rubric (criteria/).
_LINK_RATINGS = {
    "continuous_learning": 3,
    "influence_over_audience": 3,
    "history_of_the_social_web": 3,
    "hands_on_practice": 3,
    "conversation_not_promotion": 3,
    "measures_impact": 3,
    "knows_creative_cases": 3,
}
_LINK_RATINGS_SAVED = {**_LINK_RATINGS, "measures_impact": 4}

# Where a screening goes next: operationId -> {status: {link name: link}}. Each link carries
# what the next call needs from this answer: the id, the ETag as `If-Match`, and a body.
LINKS: dict[str, dict[str, dict[str, dict[str, Any]]]] = {
    "createPosition": {
        "201": {
            "GetPosition": _link("getPosition", "The position", position_id="$response.body#/id"),
            "CreateCandidate": _link(
                "createCandidate",
                "Add a candidate to this position",
                {"position_id": "$response.body#/id", "full_name": "Camille Martin"},
                replace_body=True,
            ),
        }
    },
    "createCandidate": {
        "201": {
            "GetCandidate": _link(
                "getCandidate", "The candidate", candidate_id="$response.body#/id"
            ),
            "CreateAssessment": _link(
                "createAssessment",
                "Start an interviewer's scorecard: a draft, to rate further or submit",
                {
                    "interviewer": {"name": "Ana Martin", "email": "ana@example.org"},
                    "ratings": _LINK_RATINGS,
                    "status": "draft",
                },
                replace_body=True,
                candidate_id="$response.body#/id",
            ),
        }
    },
    "createAssessment": {
        "201": {
            "GetAssessment": _link(
                "getAssessment", "The scorecard", assessment_id="$response.body#/id"
            ),
            "SaveRatings": _link(
                "updateAssessment",
                "Save the draft's ratings",
                {"ratings": _LINK_RATINGS_SAVED},
                replace_body=True,
                assessment_id="$response.body#/id",
                if_match=True,
            ),
            "SubmitAssessment": _link(
                "submitAssessment",
                "Submit the draft",
                assessment_id="$response.body#/id",
                if_match=True,
            ),
        }
    },
    "updateAssessment": {
        "200": {
            "GetAssessment": _link(
                "getAssessment", "The scorecard", assessment_id="$response.body#/id"
            ),
            "SubmitAssessment": _link(
                "submitAssessment",
                "Submit the draft as saved",
                assessment_id="$response.body#/id",
                if_match=True,
            ),
        }
    },
    "submitAssessment": {
        "200": {
            "GetPanelVerdict": _link(
                "getPanelVerdict",
                "The panel verdict with this assessment",
                candidate_id="$response.body#/candidate_id",
            ),
            "AmendAssessment": _link(
                "amendAssessment",
                "Correct it",
                assessment_id="$response.body#/id",
                if_match=True,
            ),
        }
    },
    "getPanelVerdict": {
        "200": {
            "RecordDecision": _link(
                "recordDecision",
                "Record a decision on this verdict",
                {
                    "decision": "advance",
                    "decided_by": "Claire Dupont",
                    "rationale": "Panel verdict read line by line.",
                },
                candidate_id="$response.body#/candidate_id",
            ),
        }
    },
    "recordDecision": {
        "201": {
            "GetCandidateReport": _link(
                "getCandidateReport",
                "The report with this decision",
                candidate_id="$response.body#/candidate_id",
            ),
            "ListDecisions": _link(
                "listDecisions",
                "Every decision on the candidate",
                candidate_id="$response.body#/candidate_id",
            ),
        }
    },
}

# Operations whose success answer carries an ETag (single versioned resources).
ETAG_OPERATIONS = {
    "createPosition",
    "getPosition",
    "updatePosition",
    "createCandidate",
    "getCandidate",
    "updateCandidate",
    "createAssessment",
    "getAssessment",
    "updateAssessment",
    "submitAssessment",
    "amendAssessment",
    # Records without a version: the ETag is a digest of the representation sent.
    "recordDecision",
    "createWebhook",
    "createScreening",
    "redeliverDelivery",
}
# Operations whose success answer carries a Location (creates, submit, amend).
LOCATION_OPERATIONS = {
    "createPosition",
    "createCandidate",
    "createAssessment",
    "submitAssessment",
    "amendAssessment",
    "recordDecision",
    "createWebhook",
    "createScreening",
    "redeliverDelivery",
}


def _finish_operation(
    path: str, method: str, operation: dict[str, Any], examples: _Examples
) -> None:
    op_id = operation.get("operationId", "")
    is_api = path.startswith("/api/")
    if is_api:
        _add_parameter(operation, "lang", "Lang")
    if method == "post":
        _add_parameter(operation, "Idempotency-Key", "IdempotencyKey")
    for parameter in operation.get("parameters", []):
        _not_null(parameter)
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = {int(code) for code in responses if code.isdigit()}
    extra = {406, 500}
    if is_api:
        extra |= {422, 503}
    body = operation.get("requestBody")
    if body is not None:
        extra |= {413, 415}
    names = {p.get("name") for p in operation.get("parameters", []) if "name" in p}
    if "If-Match" in names:
        extra |= {400, 412}
    for status in sorted(statuses | extra):
        code = str(status)
        if status >= 400:
            description = responses.get(code, {}).get("description")
            responses[code] = _problem(status, description)
    responses.pop("default", None)
    for code, response in responses.items():
        if not code.startswith("2"):
            continue
        headers = response.setdefault("headers", {})
        if op_id in ETAG_OPERATIONS:
            headers["ETag"] = {"$ref": "#/components/headers/ETag"}
        if op_id in LOCATION_OPERATIONS:
            headers["Location"] = {"$ref": "#/components/headers/Location"}
        if method == "post":
            headers["Idempotent-Replayed"] = {"$ref": "#/components/headers/IdempotentReplayed"}
        if not headers:
            response.pop("headers")
        for media, content in response.get("content", {}).items():
            schema = content.get("schema")
            if schema is not None and "example" not in content and "json" in media:
                content["example"] = examples.of(schema)
        if op_id in LINKS and code in LINKS[op_id]:
            response["links"] = LINKS[op_id][code]
    if body is not None:
        for content in body.get("content", {}).values():
            if "schema" in content and "example" not in content and "examples" not in content:
                content["example"] = examples.of(content["schema"], writing=True)


# Schemas whose `ratings` map is keyed by interviewer, not by criterion.
BY_INTERVIEWER = frozenset({"ReportCriterion", "Calibration"})


def _state_map_keys(schemas: dict[str, Any]) -> None:
    for schema_name, schema in schemas.items():
        if schema_name in BY_INTERVIEWER:
            continue
        for name, prop in schema.get("properties", {}).items():
            what = KEYED_BY_RUBRIC_IDS.get(name)
            if what is None:
                continue
            for branch in [prop, *prop.get("anyOf", [])]:
                if "additionalProperties" in branch:
                    branch["propertyNames"] = {"pattern": RUBRIC_ID_PATTERN, "description": what}


def _consts_as_enums(node: Any) -> None:
    """`const` inside `anyOf` as a one-value `enum`: the same meaning, and generators that parse
    a const branch without falling through to the next one (openapi-python-client) read it."""
    if isinstance(node, dict):
        for option in node.get("anyOf", []):
            if isinstance(option, dict) and "const" in option and "enum" not in option:
                option["enum"] = [option.pop("const")]
        for value in node.values():
            _consts_as_enums(value)
    elif isinstance(node, list):
        for value in node:
            _consts_as_enums(value)


def _referenced(node: Any, schemas: Mapping[str, Any]) -> set[str]:
    """Names of the component schemas `node` reaches through `$ref`, transitively."""
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in found:
                    found.add(name)
                    pending.append(schemas.get(name, {}))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _defaults_in_words(document: Document) -> None:
    """In schemas only ever sent (request bodies), an optional property's default is said in its
    description instead of a `default` keyword: generators read `default` as "always present"
    (openapi-typescript makes such a property required), which holds for answers, not for
    what a client writes."""
    schemas = document["components"]["schemas"]
    written: set[str] = set()
    read: set[str] = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            written |= _referenced(operation.get("requestBody", {}), schemas)
            read |= _referenced(operation.get("responses", {}), schemas)
            read |= _referenced(operation.get("parameters", []), schemas)
    for name in sorted(written - read):
        schema = schemas[name]
        required = set(schema.get("required", []))
        for prop_name, prop in schema.get("properties", {}).items():
            if prop_name in required or "default" not in prop:
                continue
            default = prop.pop("default")
            said = f"When absent: `{json.dumps(default, ensure_ascii=False)}`."
            prop["description"] = f"{prop['description']} {said}" if "description" in prop else said


# The text rules each pattern stands for, in words, and what `format: email` accepts.
TEXT_RULES = {
    NOT_BLANK: "No NUL character (U+0000); leading and trailing whitespace is trimmed and "
    "something must remain.",
    NO_NUL: "No NUL character (U+0000).",
}
EMAIL_RULE = (
    "An email address (RFC 5322; international addresses accepted). The domain must contain a "
    "dot; special-use domains ("
    + ", ".join(f"`.{name}`" for name in SPECIAL_USE_DOMAIN_NAMES)
    + ") and IP addresses in brackets are refused; no DNS lookup is made, so reserved example "
    "domains such as `example.org` are accepted. The domain is stored lower-cased."
)


def _say(holder: dict[str, Any], sentence: str) -> None:
    said = holder.get("description", "")
    if sentence not in said:
        holder["description"] = f"{said} {sentence}".strip()


def _text_rules_in_words(document: Document) -> None:
    """Beside each string's pattern or `format: email`, the rule in words (in the description
    of the property or parameter)."""
    holders: list[dict[str, Any]] = []
    for schema in document["components"]["schemas"].values():
        holders.extend(schema.get("properties", {}).values())
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                holders.extend(p for p in operation.get("parameters", []) if "schema" in p)
    for holder in holders:
        schema = holder.get("schema", holder)
        for branch in [schema, *schema.get("anyOf", []), schema.get("items", {})]:
            if branch.get("pattern") in TEXT_RULES:
                _say(holder, TEXT_RULES[branch["pattern"]])
            if branch.get("format") == "email":
                _say(holder, EMAIL_RULE)


def finish(document: Document) -> Document:
    """State in `document` what every operation shares (see the module docstring)."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["headers"] = {**_HEADERS, **components.get("headers", {})}
    components["parameters"] = {**_PARAMETERS, **components.get("parameters", {})}
    schemas.setdefault(
        "Language",
        {"type": "string", "enum": ["fr", "en"], "description": "A language of Tamis' texts."},
    )
    _state_map_keys(schemas)
    _consts_as_enums(schemas)
    document["tags"] = TAGS
    document["servers"] = SERVERS
    document.setdefault("info", {})["license"] = LICENSE
    examples = _Examples(schemas)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and method in {"get", "post", "patch", "put", "delete"}:
                _finish_operation(path, method, operation, examples)
    _defaults_in_words(document)
    _text_rules_in_words(document)
    health = document.get("paths", {}).get("/healthz", {}).get("get")
    if health is not None:
        health["security"] = []
    return document


def install(app: FastAPI) -> None:
    """Serve the finished document as the app's OpenAPI document, computed once."""
    build: Callable[[], Document] = app.openapi
    finished: list[Document] = []

    def openapi() -> Document:
        if not finished:
            finished.append(finish(build()))
        return finished[0]

    app.openapi = openapi  # type: ignore[method-assign]
