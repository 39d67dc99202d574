"""HEAD is answered wherever GET is (RFC 9110 9.3.2), with the GET's status and headers and no
body, and a 405 lists it."""

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api

SAME = ("content-type", "content-length", "etag", "cache-control", "content-language")


def test_head_answers_as_get_without_a_body(api: Api, client: TestClient) -> None:
    candidate = api.candidate()
    urls = [
        "/healthz",
        "/api/v1/positions",
        f"/api/v1/candidates/{candidate['id']}",
        f"/api/v1/candidates/{candidate['id']}/verdict?lang=fr",
        "/api/v1/nothing-here",  # a 404 too
        "/sign-in",
        "/static/app.css",
    ]
    for url in urls:
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, url
        assert head.content == b"", url
        for name in SAME:
            assert head.headers.get(name) == got.headers.get(name), (url, name)
    assert client.get("/api/v1/positions").headers["content-length"] != "0"


def test_head_on_a_path_without_get_is_refused_with_its_methods(client: TestClient) -> None:
    refused = client.head("/api/v1/red-flags/detect")
    assert refused.status_code == 405 and refused.content == b""
    assert "HEAD" not in refused.headers["allow"] and "POST" in refused.headers["allow"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_head_needs_the_same_key_as_get(api: Api, client: TestClient, method: str) -> None:
    anonymous = client.request(method, "/api/v1/positions", headers={"Authorization": ""})
    assert anonymous.status_code == 401
