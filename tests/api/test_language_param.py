"""`?lang=` on the API: a language it does not speak is refused, naming the valid ones, on
every kind of route (with a body, without one, a fast read), and never changes anything."""

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api


@pytest.mark.parametrize("lang", ["de", "", "FR"])
def test_an_unknown_language_is_refused_with_the_valid_ones(
    api: Api, client: TestClient, lang: str
) -> None:
    candidate = api.candidate()
    reads = [
        f"/api/v1/candidates?lang={lang}",
        f"/api/v1/candidates/{candidate['id']}/verdict?lang={lang}",
        f"/api/v1/positions?lang={lang}",
    ]
    for url in reads:
        refused = client.get(url)
        assert refused.status_code == 422, url
        assert refused.headers["content-type"] == "application/problem+json"
        [error] = refused.json()["errors"]
        assert error["loc"] == "query:lang" and sorted(error["valid"]) == ["en", "fr"], url
    before = client.get("/api/v1/positions").json()
    written = client.post(f"/api/v1/positions?lang={lang}", json={"title": "Community manager"})
    assert written.status_code == 422
    assert written.json()["errors"][0]["loc"] == "query:lang"
    assert client.get("/api/v1/positions").json() == before


@pytest.mark.parametrize(("lang", "word"), [("fr", "recommandation"), ("en", "recommend")])
def test_a_known_language_is_spoken(api: Api, client: TestClient, lang: str, word: str) -> None:
    candidate = api.candidate()
    verdict = client.get(f"/api/v1/candidates/{candidate['id']}/verdict?lang={lang}")
    assert verdict.status_code == 200
    assert word in verdict.text.lower()
