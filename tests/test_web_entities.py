"""The entity page: names, aliases, documents, events, related entities and timeline as the viewer
may see them; an entity seen only in a document the viewer may not see answers as a missing one;
own analysts merge and split through the page as `liaison entities merge|split` does, partners never."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from conftest import BACKENDS, backend_database
from liaison.store.schema import EntityOverrideRow
from webkit import SECRET_TITLE, WebWorld, csrf_of, world_fixture

world = world_fixture()

ISLAMIC_STATE = "/entities/" + quote("org:islamic state", safe="")
#: The entities named only in the AMBER+STRICT document (Islamic State is named elsewhere too).
SECRET_ONLY = ["per:abu qatada al zarqawi", "org:jordanian police", "loc:geonames:250090", "loc:geonames:250582"]


def href(ref: str) -> str:
    return "/entities/" + quote(ref, safe="")


def test_the_entity_page_shows_names_aliases_documents_events_and_a_timeline(world: WebWorld):
    page = world.client("analyst").get(ISLAMIC_STATE)
    assert page.status_code == 200
    text = page.text
    assert "<h1>Islamic State" in text
    assert "<td>IS</td>" in text  # a name the documents write, with its counts
    assert "ISIS" in text and "Daesh" in text  # aliases known for it
    assert "Named in 6 documents" in text
    assert "US and Syrian forces capture 31 IS suspects" in text  # a document naming it
    assert "raid or arrest" in text and "airstrike" in text  # its events
    assert "<svg" in text and "2025-10" in text  # the timeline by month
    assert 'href="/entities/loc%3Asyria"' in text  # a related entity
    assert 'href="/graph?entity=org%3Aislamic%20state"' in text


def test_a_partner_counts_only_the_documents_it_may_read(world: WebWorld):
    text = world.client("alpha-member").get(ISLAMIC_STATE).text
    assert "Named in 5 documents" in text
    assert SECRET_TITLE not in text and "Zarqa" not in text and "Mafraq" not in text
    assert world.client("analyst").get(ISLAMIC_STATE).text.count(SECRET_TITLE) >= 1


@pytest.mark.parametrize("ref", SECRET_ONLY)
def test_an_entity_seen_only_in_the_strict_document_answers_as_a_missing_one(world: WebWorld, ref: str):
    alpha = world.client("alpha-member")
    hidden, missing = alpha.get(href(ref)), alpha.get(href("per:nobody at all"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    assert world.client("analyst").get(href(ref)).status_code == 200


def test_the_analyst_sees_the_strict_documents_entity(world: WebWorld):
    text = world.client("analyst").get(href("per:abu qatada al zarqawi")).text
    assert "Abu Qatada al-Zarqawi" in text and SECRET_TITLE in text


def test_a_partner_is_offered_no_merge_or_split_and_is_refused_them(world: WebWorld):
    alpha = world.client("alpha-member")
    page = alpha.get(ISLAMIC_STATE)
    assert "/merge" not in page.text and "/split" not in page.text
    token = csrf_of(page.text)
    for action, form in (("merge", {"other": "Syria"}), ("split", {"alias": "IS"})):
        res = alpha.post(f"{ISLAMIC_STATE}/{action}", data={**form, "csrf_token": token}, follow_redirects=False)
        assert res.status_code == 403
    with world.store.engine.connect() as conn:
        assert conn.execute(select(EntityOverrideRow)).first() is None


def test_merge_without_this_sessions_token_is_refused(world: WebWorld):
    res = world.client("analyst").post(f"{ISLAMIC_STATE}/merge", data={"other": "Syria", "csrf_token": "forged"})
    assert res.status_code == 403


@pytest.mark.parametrize("url", ["/entities/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/entities/" + "x" * 5000,
                                 ISLAMIC_STATE + "?docs=-1", ISLAMIC_STATE + "?events=abc", "/entities/%00"])
def test_odd_addresses_are_a_clear_answer_never_a_500(world: WebWorld, url: str):
    res = world.client("analyst").get(url)
    assert res.status_code in (400, 404)
    assert "<script>alert(1)" not in res.text


def test_the_documents_list_is_paginated(world: WebWorld, monkeypatch):
    from liaison.store.reading import entities

    original = entities.documents
    monkeypatch.setattr(entities, "documents", lambda store, actor, ref, offset=0, limit=20:
                        original(store, actor, ref, offset, 2))
    client = world.client("analyst")
    first = client.get(ISLAMIC_STATE)
    assert 'rel="next"' in first.text and "docs=2" in first.text
    second = client.get(ISLAMIC_STATE + "?docs=2")
    assert second.status_code == 200 and 'rel="prev"' in second.text


# ---------------------------------------------------------------- merge and split, on a store of their own


@pytest.fixture(params=BACKENDS)
def small(request, tmp_path):  # noqa: ANN001,ANN201
    """Only the AMBER+STRICT document: Zarqa, Mafraq, Jordanian police, Islamic State, Abu Qatada."""
    with backend_database(request, request.param, tmp_path) as url:
        built = WebWorld(url, tmp_path, examples=False)
        yield built
        built.store.engine.dispose()


def test_an_analyst_merges_and_splits_through_the_page_as_the_cli_does(small: WebWorld):
    client = small.client("analyst")
    zarqa = href("loc:geonames:250090")
    token = csrf_of(client.get(zarqa).text)
    res = client.post(f"{zarqa}/merge", data={"other": "mafraq", "csrf_token": token}, follow_redirects=False)
    assert res.status_code == 303  # found as the CLI finds it: case and accents aside
    merged = client.get(res.headers["location"])
    assert "Done" in merged.text and "<td>Mafraq</td>" in merged.text and "<td>Zarqa</td>" in merged.text
    with small.store.engine.connect() as conn:
        overrides = conn.execute(select(EntityOverrideRow.kind, EntityOverrideRow.made_by)).all()
    assert overrides == [("merge", "analyst")]

    where = res.headers["location"].split("?")[0]
    res = client.post(f"{where}/split", data={"alias": "Mafraq", "csrf_token": token}, follow_redirects=False)
    assert res.status_code == 303
    after = client.get(res.headers["location"])
    assert "<td>Mafraq</td>" not in after.text and "<td>Zarqa</td>" in after.text
    with small.store.engine.connect() as conn:
        assert conn.execute(select(EntityOverrideRow.kind, EntityOverrideRow.made_by)
                            .order_by(EntityOverrideRow.id)).all() == [("merge", "analyst"), ("split", "analyst")]


def test_a_merge_or_split_that_cannot_be_made_says_why(small: WebWorld):
    client = small.client("analyst")
    zarqa = href("loc:geonames:250090")
    token = csrf_of(client.get(zarqa).text)
    for action, form, says in (("merge", {"other": "Nowhere Land At All"}, "No entity named"),
                               ("merge", {"other": "Zarqa"}, "already one entity"),
                               ("merge", {"other": ""}, "Say which entity"),
                               ("merge", {"other": "\x00"}, "Say which entity"),
                               ("split", {"mention": "doc\x00"}, "not named in that document"),
                               ("split", {"alias": "Mafraq"}, "never written so"),
                               ("split", {"mention": "no-such-document"}, "not named in that document"),
                               ("split", {}, "Choose one")):
        res = client.post(f"{zarqa}/{action}", data={**form, "csrf_token": token})
        assert res.status_code == 400 and says in res.text, (action, form, res.text[:500])
    with small.store.engine.connect() as conn:
        assert conn.execute(select(EntityOverrideRow)).first() is None


def test_an_entity_fusion_has_not_resolved_is_shown_by_its_key(small: WebWorld):
    from sqlalchemy import delete

    from liaison.store.schema import EntityLinkRow

    with small.store.engine.begin() as conn:
        conn.execute(delete(EntityLinkRow))
    analyst = small.client("analyst")
    page = analyst.get(href("loc:geonames:250090"))
    assert page.status_code == 200 and "<h1>Zarqa" in page.text and "not resolved across documents yet" in page.text
    assert "/split" not in page.text  # only a resolved entity can be split
    token = csrf_of(page.text)
    refused = analyst.post(href("loc:geonames:250090") + "/merge", data={"other": "Mafraq", "csrf_token": token})
    assert refused.status_code == 400 and "liaison resolve" in refused.text
    assert small.client("alpha-member").get(href("loc:geonames:250090")).status_code == 404



def test_an_entitys_events_read_through_its_roles_are_those_the_date_walk_finds(world: WebWorld, monkeypatch):
    """The entity page reads a rarer entity's events from its own roles and a frequent one's by a walk
    of the date index (probing each event, or the events page's filter): the same rows, in the same
    order, page by page, for an analyst and for a partner's member; the events page's own."""
    from liaison.store.access import own_analyst, partner_member
    from liaison.store.reading import entities as reading
    from liaison.store.schema import EntityLinkRow, PartnerRow

    with world.store.engine.connect() as conn:
        refs = sorted({r for r, in conn.execute(select(EntityLinkRow.entity))})
        identity = conn.execute(select(PartnerRow.identity_id).where(PartnerRow.id == "alpha")).scalar_one()
    actors = [own_analyst(), partner_member("alpha", identity)]

    def pages(ref: str, actor) -> list:  # noqa: ANN001
        out, offset = [], 0
        while True:
            page = reading.events(world.store, actor, ref, offset=offset, limit=2)
            out.append([(r["document_id"], r["idx"], r["type"], r["title"], r["role"]) for r in page.rows])
            if not page.more:
                return out
            offset += 2

    def every() -> dict:
        return {(ref, i): pages(ref, a) for ref in refs for i, a in enumerate(actors)}

    monkeypatch.setattr(reading, "_events_path", lambda *a: "own")
    own = every()
    for path in ("probed", "listed"):
        monkeypatch.setattr(reading, "_events_path", lambda *a, path=path: path)
        assert own == every(), path
    from liaison.store.reading import events as listing  # and they are the events page's filter by entity

    for (ref, i), got in own.items():
        shown = listing.page(world.store, actors[i], listing.EventFilter(entity_key=ref), sort="-date", limit=500)
        assert [r[:2] for p in got for r in p] == [(r["document_id"], r["idx"]) for r in shown.rows]
    assert sum(len(p) for pages_ in own.values() for p in pages_) > 20  # the examples have events


def test_a_frequent_entitys_document_count_stops_at_the_cap_and_says_so(world: WebWorld, monkeypatch):
    """The analyst's count of an entity's documents is an index walk that stops at COUNT_CAP (10,000
    at size), shown as "N+", so a country's page does not count its tens of thousands of links."""
    from liaison.store.reading import entities as reading

    assert "Named in 6 documents" in world.client("analyst").get(ISLAMIC_STATE).text
    monkeypatch.setattr(reading, "SAMPLE", 2)
    monkeypatch.setattr(reading, "COUNT_CAP", 3)
    assert "Named in 3+ documents" in world.client("analyst").get(ISLAMIC_STATE).text


@pytest.mark.parametrize("rows", [1, 3, 40])
def test_the_choice_of_path_counts_links_only_as_far_as_it_decides(world: WebWorld, monkeypatch, rows: int):
    """An entity is walked for (its documents, its events) when its links are more than FEW and than
    sqrt(4 * rows * documents): counted only that far, the choice is the one the whole count makes."""
    from sqlalchemy import func

    from liaison.store.reading import entities as reading
    from liaison.store.schema import EntityLinkRow

    monkeypatch.setattr(reading, "FEW", 1)
    with world.store.engine.connect() as conn:
        counts = dict(conn.execute(select(EntityLinkRow.entity, func.count()).group_by(EntityLinkRow.entity)).all())
        total = reading._store_size(conn)
        assert total >= 6
        chosen = {ref: reading._frequent(conn, ref, rows, total) for ref in counts}
    assert chosen == {ref: n > 1 and n * n > 4 * rows * total for ref, n in counts.items()}
    assert any(chosen.values()) or rows > 1
