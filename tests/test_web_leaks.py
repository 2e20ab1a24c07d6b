"""The leak matrix of the TAXII tests, run through the web routes: a partner member's pages show a
document, or anything drawn from it, exactly where TAXII serves that partner the document's report.

The world is test_access's: four partners with different grants, a public and a private collection,
and a document at every TLP level with and without named recipients. Each partner gets a member who
signs in to the web UI; every page that lists documents, events, entities or hits is read as each of
them, and the documents it links to must be the ones TAXII serves them, never more."""

from __future__ import annotations

import re

import pytest

from conftest import BACKENDS, backend_database
from liaison.store.users import Users
from test_access import PARTNERS, World
from webkit import PASSWORD, sign_in

DOC_LINK = re.compile(r'href="/documents/([0-9a-f-]{8,64})[/"?#]')
READERS = (*PARTNERS, "analyst")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):  # noqa: ANN001,ANN201
    folder = tmp_path_factory.mktemp("leaks")
    with backend_database(request, request.param, folder) as url:
        built = World(url, folder)
        built.settings = built.settings.model_copy(update={"validation_workers": 1})
        from liaison.share.app import create_app

        built.app = create_app(built.settings)
        users = Users(built.store)
        users.add("analyst", None, password=PASSWORD)
        for p in PARTNERS:
            users.add(f"{p}-member", p, password=PASSWORD)
        built.expected = {p: built.taxii_serves_report(p) for p in PARTNERS}
        built.expected["analyst"] = set(built.names().values())
        yield built
        built.store.engine.dispose()


def _client(world, who: str):  # noqa: ANN001,ANN202
    from fastapi.testclient import TestClient

    client = TestClient(world.app, raise_server_exceptions=False)
    sign_in(client, who if who == "analyst" else f"{who}-member")
    return client


def _linked(client, path: str, pages: int = 20) -> set[str]:  # noqa: ANN001
    """Document ids linked from ``path`` and the pages after it."""
    found: set[str] = set()
    url = path
    for _ in range(pages):
        res = client.get(url)
        assert res.status_code == 200, (url, res.status_code, res.text[:200])
        found |= set(DOC_LINK.findall(res.text))
        nxt = re.search(r'<a rel="next" href="([^"]+)"', res.text)
        if not nxt:
            break
        url = nxt.group(1).replace("&amp;", "&")
    return found


@pytest.mark.parametrize("who", READERS)
def test_document_pages_answer_exactly_where_taxii_serves_the_report(world, who):
    client = _client(world, who)
    missing = client.get("/documents/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404
    for did, name in world.names().items():
        res = client.get(f"/documents/{did}")
        if name in world.expected[who]:
            assert res.status_code == 200, (who, name)
        else:
            assert res.status_code == 404, (who, name)
            assert res.text == missing.text, (who, name)  # no different from a document that does not exist


@pytest.mark.parametrize("who", READERS)
def test_lists_link_only_documents_the_reader_may_see(world, who):
    client = _client(world, who)
    names = world.names()
    allowed = {d for d, n in names.items() if n in world.expected[who]}
    for path in ("/", "/events", "/timeline", "/search?q=police", "/search?q=Jordanian&kind=documents"):
        linked = _linked(client, path)
        assert linked <= allowed, (who, path, {names.get(d, d) for d in linked - allowed})
    # Every visible document is reachable from the events list (each matrix document reports one arrest).
    assert _linked(client, "/events") == allowed, who


@pytest.mark.parametrize("who", PARTNERS)
def test_counts_on_the_dashboard_are_of_visible_documents_only(world, who):
    client = _client(world, who)
    page = client.get("/").text
    match = re.search(r"<strong>(\d+)</strong>\s*documents", page)
    assert match and int(match.group(1)) == len(world.expected[who]), who
