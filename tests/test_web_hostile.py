"""Every web route, walked with hostile input: never a 5xx, and nothing a user wrote comes back unescaped.

The routes are read from the app itself (every route outside /taxii2/ and /static/), so a page added
later is walked too. Path parameters get hostile ids; query parameters the endpoint declares get
hostile values; forms are posted with this session's CSRF token (so the handler runs) and without."""

from __future__ import annotations

import inspect
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute

from webkit import WebWorld, csrf_of, world_fixture

world = world_fixture()

SCRIPT = "<script>alert('liaison')</script>"
HOSTILE = [SCRIPT, '"><img src=x onerror=alert(1)>', "../../../../etc/passwd", "x" * 5000, "%00\x00nul",
           "'; DROP TABLE documents; --", "NEAR(\"a\" OR *) AND ^", "-1", "9" * 40, "2025-13-45", "ـ‮ﷺ𝕏",
           ""]


def _flat(routes):  # noqa: ANN001,ANN202
    """Every APIRoute, through the routers FastAPI keeps included (none of Liaison's has a prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _flat(route.original_router.routes)


def _routes(app) -> list[APIRoute]:  # noqa: ANN001
    found = [r for r in _flat(app.routes) if not r.path.startswith(("/taxii2", "/static"))]
    paths = {r.path for r in found}
    assert {"/", "/login", "/documents/{document_id}", "/events", "/search", "/map", "/graph", "/admin",
            "/admin/partners", "/admin/partners/{partner_id}/token", "/admin/partners/{partner_id}/revoke",
            "/admin/users", "/admin/users/{name}/disable", "/admin/users/{name}/reset", "/admin/collections",
            "/admin/grants", "/admin/grants/revoke", "/admin/audit", "/admin/shared"} <= paths, paths
    return found


def _query_names(route: APIRoute) -> list[str]:
    params = inspect.signature(route.endpoint).parameters
    skip = {"request", "svc", "who", "response"}
    return [n for n, p in params.items() if n not in skip and n not in route.param_convertors
            and p.annotation not in ("Request",)]


def _path(route: APIRoute, value: str) -> str:
    path = route.path
    for name in route.param_convertors:
        encoded = quote(value, safe="") or "x"
        path = path.replace("{" + name + "}", encoded).replace("{" + name + ":path}", encoded)
    return path


def _check(res, where: str) -> None:  # noqa: ANN001
    assert res.status_code < 500, (where, res.status_code, res.text[:300])
    if res.headers.get("content-type", "").startswith("text/html"):
        for raw in (SCRIPT, HOSTILE[1]):
            assert raw not in res.text, f"{where}: {raw!r}, written by a user, came back unescaped"


@pytest.mark.parametrize("who", ["analyst", "alpha-member", None])
def test_every_get_route_survives_hostile_paths_and_parameters(world: WebWorld, who):
    client = world.client(who)
    for route in _routes(world.app):
        if "GET" not in route.methods:
            continue
        names = _query_names(route)
        for value in HOSTILE:
            path = _path(route, value)
            _check(client.get(path), f"GET {path[:80]}")
            if names:
                _check(client.get(_path(route, "x"), params={n: value for n in names}), f"GET {route.path} ?{names}")


@pytest.mark.parametrize("who", ["analyst", "alpha-member"])
def test_every_form_survives_hostile_fields_with_and_without_a_token(world: WebWorld, who):
    client = world.client(who)
    token = csrf_of(client.get("/").text)
    for route in _routes(world.app):
        if "POST" not in route.methods or route.path in ("/logout", "/login"):
            continue
        names = _query_names(route)
        for value in HOSTILE[:6]:
            path = _path(route, value if route.param_convertors else "x")
            fields = {n: value for n in names}
            _check(client.post(path, data={**fields, "csrf_token": token}), f"POST {path[:80]}")
            forged = client.post(path, data={**fields, "csrf_token": "forged"})
            _check(forged, f"POST {path[:80]} forged")
            assert forged.status_code in (403, 404, 405, 400, 422), (path, forged.status_code)


def test_uploads_that_are_empty_huge_binary_or_wrongly_encoded_get_a_message(world: WebWorld):
    client = world.client("analyst")
    page = client.get("/ingest")
    if page.status_code == 404:
        pytest.fail("the ingest page is missing")
    token = csrf_of(page.text)
    files = [("files", ("empty.txt", b"", "text/plain")),
             ("files", ("binary.txt", bytes(range(256)) * 40, "application/octet-stream")),
             ("files", ("latin.txt", "Caf\xe9 au lait \xe0 Zarqa, the police said.".encode("cp1252"), "text/plain")),
             ("files", ("bad.json", b"{not json", "application/json")),
             ("files", (SCRIPT + ".html", b"<html><body><p>" + SCRIPT.encode() + b"</p></body></html>", "text/html"))]
    res = client.post("/ingest", data={"csrf_token": token, "tlp": "amber"}, files=files)
    _check(res, "POST /ingest files")
    huge = [("files", ("huge.txt", b"a" * (world.settings.max_upload_bytes + 10), "text/plain"))]
    res = client.post("/ingest", data={"csrf_token": token, "tlp": "amber"}, files=huge)
    _check(res, "POST /ingest huge")
