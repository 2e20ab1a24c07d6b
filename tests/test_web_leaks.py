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


def _linked(client, path: str, pages: int = 20, link: re.Pattern = DOC_LINK) -> set[str]:  # noqa: ANN001
    """Document ids (or what else ``link`` finds) linked from ``path`` and the pages after it."""
    found: set[str] = set()
    url = path
    for _ in range(pages):
        res = client.get(url)
        assert res.status_code == 200, (url, res.status_code, res.text[:200])
        found |= set(link.findall(res.text))
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


# ---------------------------------------------------------------- the other pages that show what a document holds

ENTITY_LINK = re.compile(r'href="/entities/([^"?#/]+)[?#"]')
PLACE_LINK = re.compile(r'href="/map/places/([^"?#/]+)[?#"]')
NO_REPORT = "report--00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def seen(world):  # noqa: ANN001,ANN201
    """What the installation's analyst (who sees every document) finds, to name what a partner's pages
    must show or hide: each entity linked from the events list and each place on the map, with the
    documents the analyst's page of it links to."""
    client = _client(world, "analyst")
    refs = _linked(client, "/events", link=ENTITY_LINK)
    entities = {ref: set(DOC_LINK.findall(client.get(f"/entities/{ref}").text)) for ref in refs}
    places = {ref: set(DOC_LINK.findall(client.get(f"/map/places/{ref}").text))
              for ref in set(PLACE_LINK.findall(client.get("/map").text))}
    return {"entities": entities, "places": places}


def _allowed(world, who: str) -> set[str]:  # noqa: ANN001
    return {d for d, n in world.names().items() if n in world.expected[who]}


@pytest.mark.parametrize("who", READERS)
def test_the_events_csv_and_the_map_hold_a_documents_events_exactly_where_taxii_serves_its_report(world, seen, who):
    import csv
    import io

    client = _client(world, who)
    allowed = _allowed(world, who)
    res = client.get("/events.csv")
    assert res.status_code == 200
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert {r["document_id"] for r in rows} == allowed, who  # each matrix document reports one arrest
    # The map lists a place where some document the reader may see has an event there, and only then.
    page = client.get("/map")
    assert page.status_code == 200
    shown = set(PLACE_LINK.findall(page.text))
    assert shown == {ref for ref, docs in seen["places"].items() if docs & allowed}, who
    missing = client.get("/map/places/no-such-place")
    assert missing.status_code == 404
    for ref, docs in seen["places"].items():
        res = client.get(f"/map/places/{ref}")
        if docs & allowed:
            assert res.status_code == 200 and set(DOC_LINK.findall(res.text)) == docs & allowed, (who, ref)
        else:
            assert (res.status_code, res.text) == (404, missing.text), (who, ref)


@pytest.mark.parametrize("who", READERS)
def test_a_report_objects_page_and_json_answer_like_a_missing_one_where_taxii_does_not_serve_it(world, who):
    client = _client(world, who)
    names, reports = world.names(), world.reports()
    assert set(reports) == set(names)
    for did, rid in reports.items():
        page, raw = client.get(f"/documents/{did}/objects/{rid}"), client.get(f"/documents/{did}/objects/{rid}/json")
        if names[did] in world.expected[who]:
            assert page.status_code == 200 and rid in page.text, (who, names[did])
            assert raw.status_code == 200 and raw.json()["id"] == rid, (who, names[did])
        else:
            no_page = client.get(f"/documents/{did}/objects/{NO_REPORT}")
            no_raw = client.get(f"/documents/{did}/objects/{NO_REPORT}/json")
            assert page.status_code == raw.status_code == 404, (who, names[did])
            assert (page.text, raw.text) == (no_page.text, no_raw.text), (who, names[did])


@pytest.mark.parametrize("who", READERS)
def test_an_entity_named_only_in_hidden_documents_has_a_page_and_graph_like_a_missing_one(world, seen, who):
    client = _client(world, who)
    allowed = _allowed(world, who)
    hidden = [ref for ref, docs in seen["entities"].items() if docs and not docs & allowed]
    if who != "analyst":  # each matrix document names its own town, so every partner misses some
        assert hidden, who
    missing, no_node = client.get("/entities/no-such-entity"), client.get("/graph/data?node=entity:no-such-entity")
    assert missing.status_code == 404 and no_node.status_code == 404
    for ref, docs in seen["entities"].items():
        page, graph = client.get(f"/entities/{ref}"), client.get(f"/graph/data?node=entity:{ref}")
        if docs & allowed:
            assert page.status_code == 200 and set(DOC_LINK.findall(page.text)) <= allowed, (who, ref)
            assert graph.status_code == 200, (who, ref)
            events = {n["data"]["id"] for n in graph.json()["nodes"] if n["data"]["id"].startswith("event:")}
            assert {e.split(":")[1] for e in events} <= allowed, (who, ref)
        else:
            assert (page.status_code, page.text) == (404, missing.text), (who, ref)
            assert (graph.status_code, graph.text) == (404, no_node.text), (who, ref)
