"""Every error is answered as RFC 9457 problem details: one shape, in the reader's language,
naming the field at fault and the values that would be valid (app/core/errors.py).

A small application of its own installs the handlers, so each rule is checked where it lives,
without the rest of Tamis.
"""

import json
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pytest
from fastapi import FastAPI, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from app.core import errors
from app.core.fields import FieldError


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: int


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["open", "closed", "X-large"]
    items: list[Item] = []
    nested: Item | None = None
    alias_field: int = 0


PROBLEMS: list[type[errors.Problem]] = [
    errors.BadRequest,
    errors.NotAcceptable,
    errors.UnsupportedMediaType,
    errors.Unauthorized,
    errors.Forbidden,
    errors.PreconditionFailed,
    errors.NotFound,
    errors.Conflict,
    errors.RuleViolation,
    errors.InvalidInput,
]


def make_app() -> FastAPI:
    app = FastAPI()
    errors.install_error_handlers(app)

    @app.post("/api/things")
    def create(body: Body, limit: Annotated[int, Query(le=10)] = 1) -> dict[str, str]:
        return {"name": body.name}

    @app.get("/api/things")
    def listing() -> list[str]:
        return []

    @app.delete("/api/things")
    def remove() -> None:
        return None

    @app.put("/api/only-put")
    def only_put() -> None:
        return None

    @app.get("/api/count/{index}")
    def count(index: int, x_count: Annotated[int, Header()] = 0) -> dict[str, int]:
        return {"index": index, "count": x_count}

    @app.get("/api/problem/{index}")
    def problem(index: int) -> None:
        kind = PROBLEMS[index]
        raise kind("what went wrong", [FieldError("ratings.x", "off the scale", [1, 2])])

    @app.get("/api/http/{status}")
    def http(status: int) -> None:
        raise HTTPException(status, f"plain {status}", headers={"X-Kept": "yes"})

    @app.get("/api/data-error")
    def data_error() -> None:
        raise DataError("INSERT", {}, ValueError("NUL"))

    @app.get("/api/db-down/{which}")
    def db_down(which: str) -> None:
        kind = OperationalError if which == "operational" else InterfaceError
        raise kind("SELECT 1", {}, ValueError("gone"))

    @app.get("/api/crash")
    def crash() -> None:
        raise RuntimeError("a bug")

    @app.get("/page/crash")
    def page_crash() -> None:
        raise errors.NotFound("no such page")

    app.mount("/static", StaticFiles(directory=Path(__file__).parent), name="static")
    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app(), raise_server_exceptions=False)


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://tamis.dev/problems/{kind}"
    assert body["status"] == status
    return body


@pytest.mark.parametrize("index", range(len(PROBLEMS)))
def test_a_domain_problem_keeps_its_status_kind_fields_and_title_in_each_language(
    client: TestClient, index: int
) -> None:
    kind = PROBLEMS[index]
    for language in ("en", "fr"):
        response = client.get(f"/api/problem/{index}", headers={"Accept-Language": language})
        body = _problem(response, kind.status, kind.kind)
        assert body["title"] == errors.TITLES[kind.kind][language]
        assert body["detail"] == "what went wrong"
        assert body["instance"] == f"/api/problem/{index}"
        assert body["errors"] == [{"loc": "ratings.x", "message": "off the scale", "valid": [1, 2]}]
    unauthorized = client.get(f"/api/problem/{PROBLEMS.index(errors.Unauthorized)}")
    assert unauthorized.headers["WWW-Authenticate"] == 'Bearer realm="tamis"'
    forbidden = client.get(f"/api/problem/{PROBLEMS.index(errors.Forbidden)}")
    assert "WWW-Authenticate" not in forbidden.headers


def test_the_statuses_and_kinds_of_the_domain_problems() -> None:
    assert [(p.status, p.kind) for p in PROBLEMS] == [
        (400, "bad-request"),
        (406, "not-acceptable"),
        (415, "unsupported-media-type"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (412, "precondition-failed"),
        (404, "not-found"),
        (409, "conflict"),
        (422, "rule-violation"),
        (422, "validation-error"),
    ]
    plain = errors.Problem("x")
    assert (plain.status, plain.kind, plain.headers, plain.errors) == (400, "http-error", None, [])

    class Listed:
        errors: ClassVar[list[FieldError]] = [
            FieldError("a", "bad", ["x", "y"]),
            FieldError("b[0]", "missing"),
        ]

    built = errors.InvalidInput.from_answers(Listed())
    assert built.detail == "a: bad (valid: x, y); b[0]: missing"
    assert built.errors == Listed.errors


def test_an_unknown_key_names_the_keys_that_are_valid_there(client: TestClient) -> None:
    body = {"name": "Ana", "kind": "open", "colour": "red"}
    problem = _problem(client.post("/api/things", json=body), 422, "validation-error")
    keys = ["alias_field", "items", "kind", "name", "nested"]
    assert problem["errors"] == [{"loc": "colour", "message": "unknown key", "valid": keys}]
    assert problem["detail"] == f"colour: unknown key (valid: {', '.join(keys)})"
    # Inside a list item and inside an optional nested object: the inner model's keys.
    inside = {"name": "Ana", "kind": "open", "items": [{"value": 1}, {"value": 2, "x": 0}]}
    problem = _problem(client.post("/api/things", json=inside), 422, "validation-error")
    assert problem["errors"] == [
        {"loc": "items[1].x", "message": "unknown key", "valid": ["value"]}
    ]
    nested = {"name": "Ana", "kind": "open", "nested": {"value": 1, "y": 0}}
    problem = _problem(client.post("/api/things", json=nested), 422, "validation-error")
    assert problem["errors"] == [{"loc": "nested.y", "message": "unknown key", "valid": ["value"]}]


def _request_for(app: FastAPI, loc: list[Any]) -> Request:
    route = next(r for r in app.routes if getattr(r, "path", "") == "/api/things")
    return Request({"type": "http", "route": route, "headers": [], "query_string": b""})


def test_valid_keys_follow_the_body_model_step_by_step() -> None:
    request = _request_for(make_app(), [])
    assert errors._valid_keys(request, ["body", "items", 0, "x"]) == ["value"]
    assert errors._valid_keys(request, ["body", "nested", "x"]) == ["value"]
    assert errors._valid_keys(request, ["body", "name", "x"]) is None  # a str has no keys
    assert errors._valid_keys(request, ["body", "name", "x", "y"]) is None
    assert errors._valid_keys(request, ["body", "unknown", "x"]) is None
    assert errors._valid_keys(request, ["query", "x"]) is None  # not in the body
    assert errors._valid_keys(request, []) is None
    no_route = Request({"type": "http", "headers": [], "query_string": b""})
    assert errors._valid_keys(no_route, ["body", "x"]) is None


def test_a_wrong_value_names_the_valid_values_and_its_place(client: TestClient) -> None:
    body = {"name": "Ana", "kind": "ajar"}
    problem = _problem(client.post("/api/things", json=body), 422, "validation-error")
    # The values exactly as they are spelled, whatever their case or punctuation.
    assert problem["errors"] == [
        {
            "loc": "kind",
            "message": "Input should be 'open', 'closed' or 'X-large'",
            "valid": ["open", "closed", "X-large"],
        }
    ]
    query = client.post("/api/things?limit=99", json={"name": "Ana", "kind": "open"})
    [error] = _problem(query, 422, "validation-error")["errors"]
    assert error["loc"] == "query:limit"
    assert "valid" not in error  # no list of values for a bound
    missing = _problem(client.post("/api/things", json={}), 422, "validation-error")
    assert [(e["loc"], e["message"]) for e in missing["errors"]] == [
        ("name", "Field required"),
        ("kind", "Field required"),
    ]
    path = _problem(client.get("/api/count/abc"), 422, "validation-error")
    assert [e["loc"] for e in path["errors"]] == ["path:index"]
    header = client.get("/api/count/1", headers={"X-Count": "many"})
    assert [e["loc"] for e in _problem(header, 422, "validation-error")["errors"]] == [
        "header:x-count"
    ]
    whole = _problem(client.post("/api/things", json=[1]), 422, "validation-error")
    assert [e["loc"] for e in whole["errors"]] == ["(body)"]


def test_the_detail_lists_the_first_five_errors(client: TestClient) -> None:
    items = [{"value": "x"} for _ in range(7)]
    body = {"name": "Ana", "kind": "open", "items": items}
    problem = _problem(client.post("/api/things", json=body), 422, "validation-error")
    assert len(problem["errors"]) == 7
    assert problem["detail"] == "; ".join(
        f"{e['loc']}: {e['message']}" for e in problem["errors"][:5]
    )


def test_a_body_that_is_not_json_is_invalid_input(client: TestClient) -> None:
    response = client.post(
        "/api/things", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    problem = _problem(response, 422, "validation-error")
    message = (
        "the body is not valid JSON in UTF-8 "
        "(Expecting property name enclosed in double quotes at character 1)"
    )
    assert problem["errors"] == [{"loc": "(body)", "message": message}]
    assert problem["detail"] == f"(body): {message}"
    bytes_ = client.post(
        "/api/things", content=b"\xfa\xfb\xfc", headers={"Content-Type": "application/json"}
    )
    assert _problem(bytes_, 422, "validation-error")["errors"] == [
        {"loc": "(body)", "message": "the body is not valid JSON in UTF-8"}
    ]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "bad-request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not-found"),
        (406, "not-acceptable"),
        (409, "conflict"),
        (412, "precondition-failed"),
        (413, "payload-too-large"),
        (415, "unsupported-media-type"),
        (503, "service-unavailable"),
        (418, "http-error"),
    ],
)
def test_an_http_error_is_a_problem_of_its_kind(client: TestClient, status: int, kind: str) -> None:
    response = client.get(f"/api/http/{status}", headers={"Accept-Language": "fr"})
    problem = _problem(response, status, kind)
    assert problem["detail"] == f"plain {status}"
    assert problem["title"] == errors.TITLES[kind]["fr"]
    assert response.headers["X-Kept"] == "yes"


def test_a_method_not_allowed_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.patch("/api/things")
    _problem(response, 405, "method-not-allowed")
    assert response.headers["Allow"] == "DELETE, GET, HEAD, POST"
    only_put = client.get("/api/only-put")
    _problem(only_put, 405, "method-not-allowed")
    assert only_put.headers["Allow"] == "PUT"  # no GET, so no HEAD either
    static = client.post("/static/test_errors.py")
    _problem(static, 405, "method-not-allowed")
    assert static.headers["Allow"] == "GET, HEAD"
    _problem(client.get("/api/nowhere"), 404, "not-found")


def test_database_failures_and_bugs_are_problems_too(client: TestClient) -> None:
    refused = _problem(client.get("/api/data-error"), 422, "validation-error")
    assert refused["detail"] == "a value cannot be stored (for example a NUL character in a text)"
    for which in ("operational", "interface"):
        response = client.get(f"/api/db-down/{which}")
        down = _problem(response, 503, "service-unavailable")
        assert down["detail"] == (
            "the database is unavailable (gone, or out of space); retry in a moment"
        )
        assert response.headers["Retry-After"] == "5"
    crash = client.get("/api/crash", headers={"Accept-Language": "fr"})
    body = _problem(crash, 500, "internal-error")
    assert (body["detail"], body["title"]) == ("An unexpected error occurred.", "Erreur interne")
    assert "a bug" not in crash.text  # nothing of the inside is told


def test_the_web_pages_get_a_page_and_the_api_keeps_problem_json() -> None:
    app = make_app()
    rendered: list[tuple[int, str]] = []

    def page(request: Request, status: int, detail: str) -> Response:
        rendered.append((status, detail))
        assert request.url.path == "/page/crash"
        return HTMLResponse(f"<p>{detail}</p>", status_code=status)

    app.state.problem_page = page
    client = TestClient(app)
    response = client.get("/page/crash")
    assert (response.status_code, response.text) == (404, "<p>no such page</p>")
    assert rendered == [(404, "no such page")]
    api = client.get("/api/problem/6")
    _problem(api, 404, "not-found")
    assert rendered == [(404, "no such page")]


def test_the_documented_problem_answers() -> None:
    documented = errors.problem_responses(401, 418, 422, 503)
    assert {s: d["description"] for s, d in documented.items()} == {
        401: "Authentication required",
        418: "HTTP error",
        422: "Invalid input",
        503: "Service unavailable",
    }
    assert all(d["model"] is errors.ProblemDetails for d in documented.values())
    assert all(d["content"] == {"application/problem+json": {}} for d in documented.values())


def test_every_kind_has_a_title_in_both_languages() -> None:
    kinds = {p.kind for p in PROBLEMS} | set(errors.STATUS_KINDS.values())
    kinds |= {"http-error", "internal-error", "idempotency-key-reused"}
    for kind in kinds:
        assert set(errors.TITLES[kind]) == {"en", "fr"}
        assert all(errors.TITLES[kind].values())


def test_where_an_error_is_and_what_it_says_when_pydantic_leaves_parts_out() -> None:
    request = _request_for(make_app(), [])
    assert errors._loc([]) == "(body)"
    assert errors._loc(()) == "(body)"
    assert errors._loc(["body"]) == "(body)"
    assert errors._loc(["cookie", "session"]) == "cookie:session"
    assert errors._field_error(request, {}) == errors.FieldError("(body)", "invalid")
    assert errors._field_error(request, {"loc": ("query", "q")}) == errors.FieldError(
        "query:q", "invalid"
    )
    # Invalid JSON with or without the parser's reason and offset.
    reasons = [
        (
            {"loc": ("body", 7), "ctx": {"error": "Expecting value"}},
            " (Expecting value at character 7)",
        ),
        ({"loc": ("body",), "ctx": {"error": "Expecting value"}}, " (Expecting value)"),
        ({"loc": ("body", "x"), "ctx": {"error": "Expecting value"}}, " (Expecting value)"),
        ({"loc": ("body", 7)}, ""),
    ]
    for error, said in reasons:
        found = errors._field_error(request, {"type": "json_invalid", **error})
        assert found == errors.FieldError("(body)", f"{errors.NOT_JSON}{said}")


def test_the_language_of_a_problem_comes_from_lang_then_accept_language() -> None:
    client = TestClient(make_app())
    index = PROBLEMS.index(errors.NotFound)
    assert client.get(f"/api/problem/{index}?lang=fr").json()["title"] == "Introuvable"
    both = client.get(f"/api/problem/{index}?lang=en", headers={"Accept-Language": "fr"})
    assert both.json()["title"] == "Not found"
    assert (
        client.get(f"/api/problem/{index}", headers={"Accept-Language": "fr"}).json()["title"]
        == "Introuvable"
    )


def test_a_problem_of_a_kind_without_a_title_gets_the_generic_one() -> None:
    request = Request(
        {"type": "http", "path": "/api/x", "headers": [], "query_string": b"", "app": FastAPI()}
    )
    response = errors.problem_response(request, 418, "teapot", "short and stout")
    assert json.loads(bytes(response.body))["title"] == "HTTP error"
    assert str(errors.NotFound("no such thing")) == "no such thing"
