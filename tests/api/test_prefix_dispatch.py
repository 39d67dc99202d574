"""The app's router tries only the routes whose literal path prefix fits a request
(app/core/routing.py `PrefixDispatch`): for every path the app serves, the route it picks is the
one FastAPI's full scan picks, and everything else falls to FastAPI's own router."""

import re
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from app.core.routing import PrefixDispatch
from tests.api.conftest import Api

ID = str(uuid.UUID(int=7))


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def _first_full(routes: list[Any], scope: dict[str, Any]) -> Any:
    for route in routes:
        match, _child = route.matches(dict(scope))
        if match == Match.FULL:
            return route
    return None


def _paths(app: FastAPI) -> list[tuple[str, str]]:
    """A request for every route of the app: its method and path, parameters filled in."""
    found: list[tuple[str, str]] = []
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for context in contexts() if contexts else [route]:
            path = getattr(context, "path_format", None) or getattr(context, "path", "")
            concrete = re.sub(r"\{[^}]+\}", ID, path)
            for method in sorted(getattr(context, "methods", None) or {"GET"}):
                found.append((method, concrete))
    return found


def test_the_dispatch_picks_the_route_fastapi_picks_for_every_path(app: FastAPI) -> None:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, PrefixDispatch)
    paths = _paths(app)
    assert len(paths) > 50
    for method, path in [*paths, ("GET", "/static/app.css"), ("GET", "/nowhere/at/all")]:
        scope = _scope(method, path)
        expected = _first_full(app.router.routes, scope)
        assert _first_full(dispatch._candidates(path), scope) is expected, (method, path)


def test_what_no_route_fully_matches_is_answered_as_before(app: FastAPI, api: Api) -> None:
    candidate = api.candidate()
    with TestClient(app, headers=api.client.headers) as client:
        wrong_method = client.put(f"/api/v1/candidates/{candidate['id']}/verdict")
        assert wrong_method.status_code == 405
        assert wrong_method.json()["type"].endswith("/method-not-allowed")
        assert client.get("/api/v1/no-such-thing").status_code == 404
        slash = client.get("/api/v1/candidates/", follow_redirects=False)
        assert slash.status_code == 307
        assert slash.headers["location"].endswith("/api/v1/candidates")
        assert client.get(f"/api/v1/candidates/{candidate['id']}/verdict").status_code == 200
