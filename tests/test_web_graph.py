"""The graph page: a network around an entity chosen by name (typos tolerated), expanded through
/graph/data, bounded in size, and built only from what the viewer may see."""

from __future__ import annotations

import json
import re

import pytest

from liaison.store.reading import graph
from webkit import SECRET_TITLE, WebWorld, world_fixture

world = world_fixture()

SECRET_NAMES = ("Abu Qatada", "Zarqa", "Mafraq", "Jordanian Police")


def data_of(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert found, "no graph data in the page"
    return json.loads(found.group(1))


def labels(data: dict) -> set[str]:
    return {n["data"]["label"] for n in data["nodes"]}


def test_the_graph_is_drawn_around_an_entity_found_by_a_misspelt_name(world: WebWorld):
    page = world.client("analyst").get("/graph?entity=Islamik+State")
    assert page.status_code == 200
    assert "/static/vendor/cytoscape/cytoscape.min.js" in page.text and "/static/graph.js" in page.text
    data = data_of(page.text)
    assert data["centre"] == "entity:org:islamic state"
    assert {"Islamic State", "Syria", "Iraqi Air Force"} <= labels(data)
    kinds = {n["data"]["kind"] for n in data["nodes"]}
    assert kinds == {"entity", "event"}
    assert all(n["data"]["href"].startswith(("/entities/", "/documents/")) for n in data["nodes"])
    ids = {n["data"]["id"] for n in data["nodes"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in data["edges"])
    assert not re.search(r"\son[a-z]+=", page.text)  # no inline event handlers


def test_a_click_expands_an_entity_or_an_event(world: WebWorld):
    client = world.client("analyst")
    res = client.get("/graph/data", params={"node": "entity:loc:syria"})
    assert res.status_code == 200 and res.json()["centre"] == "entity:loc:syria"
    event = next(n["data"]["id"] for n in res.json()["nodes"] if n["data"]["kind"] == "event")
    around = client.get("/graph/data", params={"node": event}).json()
    assert around["centre"] == event and any(n["data"]["kind"] == "entity" for n in around["nodes"])


def test_the_neighbourhood_is_bounded(world: WebWorld, monkeypatch):
    monkeypatch.setattr(graph, "MAX_NODES", 5)
    data = world.client("analyst").get("/graph/data", params={"node": "entity:org:islamic state"}).json()
    assert len(data["nodes"]) == 5 and data["truncated"] is True


def test_a_partner_never_sees_the_strict_documents_entities_or_events(world: WebWorld):
    alpha, analyst = world.client("alpha-member"), world.client("analyst")
    secret = world.document_id(SECRET_TITLE)
    mine = alpha.get("/graph/data", params={"node": "entity:org:islamic state"}).json()
    theirs = analyst.get("/graph/data", params={"node": "entity:org:islamic state"}).json()
    assert any(secret in n["data"]["id"] for n in theirs["nodes"])  # the analyst sees the arrest in Zarqa
    for data in (mine, data_of(alpha.get("/graph?entity=Islamic+State").text)):
        assert not any(secret in n["data"]["id"] or secret in n["data"]["href"] for n in data["nodes"])
        assert not any(name in label for name in SECRET_NAMES for label in labels(data))
    for node in ("entity:per:abu qatada al zarqawi", "entity:loc:geonames:250090", f"event:{secret}:0"):
        assert alpha.get("/graph/data", params={"node": node}).status_code == 404
        assert analyst.get("/graph/data", params={"node": node}).status_code == 200


@pytest.mark.parametrize("name", ["Abu Qatada al-Zarqawi", "Zarqa", "Mafraq"])
def test_choosing_an_entity_a_partner_may_not_see_finds_nothing(world: WebWorld, name: str):
    res = world.client("alpha-member").get("/graph", params={"entity": name})
    assert res.status_code == 404 and "No entity you may see" in res.text
    assert world.client("analyst").get("/graph", params={"entity": name}).status_code == 200


@pytest.mark.parametrize("node", ["", "entity:", "event:", "event:abc", "event:abc:x", "event::1", "junk",
                                  "entity:" + "x" * 5000, "event:" + "a" * 100 + ":1", "<script>",
                                  "entity:\x00", "event:\x00:1"])
def test_an_unknown_node_is_a_json_404(world: WebWorld, node: str):
    res = world.client("analyst").get("/graph/data", params={"node": node})
    assert res.status_code == 404 and res.json()["error"]


def test_the_page_without_an_entity_offers_the_form(world: WebWorld):
    res = world.client("alpha-member").get("/graph")
    assert res.status_code == 200 and 'name="entity"' in res.text and "graph-data" not in res.text
    assert world.client("analyst").get("/graph", params={"entity": "\x00"}).status_code == 404
    hostile = world.client("analyst").get("/graph", params={"entity": "<script>alert(1)</script>"})
    assert hostile.status_code == 404 and "<script>alert(1)" not in hostile.text
