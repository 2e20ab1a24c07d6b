"""The one access rule (liaison.store.access) through its second face: documents, and the entities
and events drawn from them, are shown to an actor exactly where TAXII serves that actor the
document's report, on the same matrix of partners, grants, public collections and TLP markings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from liaison.settings import Settings
from liaison.share.app import TAXII, create_app
from liaison.stix.tlp import LEVELS, MARKING_IDS, Marking
from liaison.store import access, open_store
from liaison.store.access import ANONYMOUS, Actor, Kind, administrator, own_analyst, partner_member
from liaison.store.schema import DocumentObjectRow, DocumentRow, EntityRow, EventRow, MentionRow
from liaison.store.sharing import CO, Sharing

PARTNERS = ("alpha", "bravo", "charlie", "delta")
TOWNS = ("Amman", "Zarqa", "Irbid", "Aqaba", "Mafraq", "Karak", "Madaba", "Jerash", "Salt", "Tafila", "Ajloun")
#: (name, TLP level or None, recipients): every level, with and without named recipients.
MATRIX = [("unmarked", None, []), ("clear", "clear", []), ("green", "green", []), ("amber", "amber", []),
          ("strict", "amber+strict", []), ("strict-charlie", "amber+strict", ["charlie"]), ("red", "red", []),
          ("red-delta", "red", ["delta"]), ("red-charlie", "red", ["charlie"])]


def _text(n: int) -> str:
    town = TOWNS[n % len(TOWNS)]
    return (f"{town.upper()}, Oct {n + 1}, 2025 - Jordanian police arrested {n + 2} Islamic State suspects in "
            f"{town} on Tuesday, the interior ministry said.")


class World:
    """Partners, two store-following collections and the matrix of documents, ingested for real."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.settings = Settings(home=tmp_path / "home", database_url=database_url)
        self.store = open_store(self.settings.resolved_database_url())
        self.sharing = Sharing(self.store)
        self.tmp = tmp_path
        self.tokens, self.actors = {}, {}
        for p in PARTNERS:
            identity = self.sharing.add_partner(p, p.title())["identity_id"]
            self.tokens[p] = self.sharing.issue_token(p)
            self.actors[p] = partner_member(p, identity)
        own = self.store.organisation()["identity_id"]
        self.actors.update({"anonymous": ANONYMOUS, "analyst": own_analyst(own), "admin": administrator(own)})
        self.ops = self.sharing.add_collection("ops", "Ops", default_tlp="amber", follows_store=True)
        self.open = self.sharing.add_collection("open", "Open", default_tlp="clear", public=True, follows_store=True)
        for p in ("alpha", "bravo", "charlie"):
            self.sharing.grant(self.ops["id"], p, True, False)
        self.sharing.grant(self.open["id"], "alpha", True, False)
        self.sharing.grant(self.open["id"], "bravo", True, True)
        # delta has no grant: it reads only the public collection, as an authenticated reader.
        self.client = TestClient(create_app(self.settings))
        self.ingest([(name, level, recips) for name, level, recips in MATRIX])

    def ingest(self, docs: list[tuple[str, str | None, list[str]]]) -> None:
        from liaison.pipeline import ingest

        folder = self.tmp / "in"
        folder.mkdir(exist_ok=True)
        paths = []
        for name, level, recipients in docs:
            path = folder / f"{name}.json"
            n = len(list(folder.iterdir()))
            fields = {"text": _text(n)}
            if level:
                fields["tlp"] = level
            if recipients:
                fields["recipients"] = recipients
            path.write_text(json.dumps(fields), encoding="utf-8")
            paths.append(str(path))
        report = ingest(paths, self.settings, self.store)
        assert not report.failures, report.failures

    def names(self) -> dict[str, str]:
        """document id -> the name it was ingested under."""
        with self.store.engine.connect() as conn:
            return dict(conn.execute(select(DocumentRow.id, DocumentRow.stem)).all())

    def reports(self) -> dict[str, str]:
        """document id -> its report's STIX id."""
        do = DocumentObjectRow.__table__
        with self.store.engine.connect() as conn:
            return dict(conn.execute(select(do.c.document_id, do.c.object_id).where(do.c.object_id.like("report--%"))).all())

    def visible(self, actor: Actor) -> set[str]:
        """The names of the documents access.visible_documents lets the actor see."""
        names = self.names()
        with self.store.engine.connect() as conn:
            ids = conn.execute(select(DocumentRow.id).where(access.visible_documents(actor))).scalars()
            return {names[i] for i in ids}

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {"Accept": TAXII}
        return {"Accept": TAXII, "Authorization": f"Bearer {self.tokens[who]}"}

    def taxii_serves_report(self, who: str) -> set[str]:
        """The names of the documents whose report's latest version (as ingest put it in the collection) TAXII
        serves this partner from some collection it lists: the TAXII face of the same rule."""
        names, reports = self.names(), self.reports()
        listed = self.client.get("/taxii2/api/collections/", headers=self.headers(who))
        cols = [c["id"] for c in listed.json()["collections"] if c["can_read"]] if listed.status_code == 200 else []
        out = set()
        for did, rid in reports.items():
            for cid in cols:
                with self.store.engine.connect() as conn:
                    latest = conn.execute(select(func.max(CO.c.version)).where(
                        CO.c.collection_id == cid, CO.c.object_id == rid, CO.c.origin == "ingest")).scalar()
                res = self.client.get(f"/taxii2/api/collections/{cid}/objects/{rid}/", headers=self.headers(who))
                if res.status_code == 200 and latest is not None:
                    served = res.json()["objects"][0]
                    from liaison.clock import normalise_timestamp

                    if normalise_timestamp(served["modified"]) == latest:
                        out.add(names[did])
                        break
        return out


@pytest.fixture
def world(database_url, tmp_path) -> World:
    return World(database_url, tmp_path)


ALL = {name for name, _, _ in MATRIX}


def test_documents_are_visible_to_each_actor_exactly_where_taxii_serves_their_report(world):
    for who in (*PARTNERS, "anonymous"):
        assert world.visible(world.actors[who]) == world.taxii_serves_report(who), who
    # Own members see everything the installation holds.
    assert world.visible(world.actors["analyst"]) == world.visible(world.actors["admin"]) == ALL
    # The rule itself, stated on its own: anonymous readers get CLEAR from the public collection (unmarked
    # documents are CLEAR there, its default); delta, with no grant, reads that public collection as an
    # authenticated reader; only named recipients get AMBER+STRICT and RED.
    assert world.visible(world.actors["anonymous"]) == {"unmarked", "clear"}
    common = {"unmarked", "clear", "green", "amber"}
    assert world.visible(world.actors["alpha"]) == world.visible(world.actors["bravo"]) == common
    assert world.visible(world.actors["charlie"]) == common | {"strict-charlie", "red-charlie"}
    assert world.visible(world.actors["delta"]) == common | {"red-delta"}


def test_entities_mentions_and_events_follow_their_document(world):
    names = world.names()
    for who, actor in world.actors.items():
        seen = world.visible(actor)
        for row in (EntityRow, MentionRow, EventRow):
            table = row.__table__
            with world.store.engine.connect() as conn:
                docs = {names[d] for d in conn.execute(
                    select(table.c.document_id).where(access.visible_rows(actor, table)).distinct()).scalars()}
                everything = {names[d] for d in conn.execute(select(table.c.document_id).distinct()).scalars()}
            assert docs == seen & everything, (who, row.__tablename__)
        with world.store.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(EventRow).where(
                access.visible_rows(actor, EventRow.__table__))).scalar_one()
            every = conn.execute(select(func.count()).select_from(EventRow).where(
                EventRow.document_id.in_([d for d, n in names.items() if n in seen]))).scalar_one()
        assert count == every, who  # counts come from visible rows only


def test_a_stix_object_is_served_by_id_exactly_where_taxii_lists_it(world):
    do = DocumentObjectRow.__table__
    with world.store.engine.connect() as conn:
        ids = set(conn.execute(select(do.c.object_id).distinct()).scalars())
    for who in (*PARTNERS, "anonymous"):
        actor = world.actors[who]
        with world.store.engine.connect() as conn:
            served = set(conn.execute(select(do.c.object_id).where(access.served(actor, do.c.object_id))
                                      .distinct()).scalars())
        listed = world.client.get("/taxii2/api/collections/", headers=world.headers(who)).json()["collections"]
        over_taxii = set()
        for col in listed:
            url = f"/taxii2/api/collections/{col['id']}/objects/"
            body = world.client.get(url, headers=world.headers(who), params={"match[version]": "all"}).json()
            over_taxii |= {o["id"] for o in body.get("objects", [])}
        assert served == ids & over_taxii, who


def test_a_re_marked_document_follows_the_latest_version_of_its_report(world):
    world.ingest([("later-red", "green", []), ("later-green", "red", [])])
    assert {"later-red"} <= world.visible(world.actors["alpha"]) and "later-green" not in world.visible(
        world.actors["alpha"])
    ids = {n: d for d, n in world.names().items()}
    world.store.mark_document(ids["later-red"], Marking("red"))
    world.store.mark_document(ids["later-green"], Marking("green"))
    world.sharing.sync_all()  # as `liaison mark` does
    seen = world.visible(world.actors["alpha"])
    assert "later-red" not in seen and "later-green" in seen
    # TAXII still serves alpha the GREEN version it could read (a re-marking recalls nothing already shared),
    # but the document, now RED, is no longer shown: its report's latest version is not visible to alpha.
    rid = world.reports()[ids["later-red"]]
    got = world.client.get(f"/taxii2/api/collections/{world.ops['id']}/objects/{rid}/", headers=world.headers("alpha"))
    assert got.status_code == 200 and MARKING_IDS["green"] in got.json()["objects"][0]["object_marking_refs"]
    assert world.visible(world.actors["alpha"]) == world.taxii_serves_report("alpha")


def test_a_collection_lagging_behind_a_stricter_marking_shows_no_document(world):
    ids = {n: d for d, n in world.names().items()}
    world.store.mark_document(ids["green"], Marking("red"))  # the collections have not caught up yet
    assert "green" not in world.visible(world.actors["alpha"])
    world.store.mark_object(world.reports()[ids["red"]], Marking("green"))  # the report alone is released
    world.sharing.sync_all()
    assert "red" not in world.visible(world.actors["alpha"])  # its text is not: the stricter marking holds


def test_a_partners_copy_of_a_report_id_reveals_no_document(world):
    ids = {n: d for d, n in world.names().items()}
    rid = world.reports()[ids["red"]]
    forged = {"type": "report", "spec_version": "2.1", "id": rid, "created": "2025-01-01T00:00:00.000Z",
              "modified": "2099-01-01T00:00:00.000Z", "name": "mine now", "published": "2025-01-01T00:00:00Z",
              "object_refs": [rid], "object_marking_refs": [MARKING_IDS["clear"]]}
    res = world.client.post(f"/taxii2/api/collections/{world.open['id']}/objects/",
                            headers={**world.headers("bravo"), "Content-Type": TAXII},
                            content=json.dumps({"objects": [forged]}))
    assert res.status_code == 202 and res.json()["success_count"] == 1
    anonymous = world.client.get(f"/taxii2/api/collections/{world.open['id']}/objects/{rid}/",
                                 headers=world.headers("anonymous"))
    assert anonymous.status_code == 200  # TAXII serves bravo's object (bravo's content) ...
    assert "red" not in world.visible(ANONYMOUS)  # ... but it is not this installation's report of the document
    assert world.visible(ANONYMOUS) == {"unmarked", "clear"}


def test_collection_rights_of_each_kind_of_actor(world):
    for who, actor in world.actors.items():
        rights = {c["alias"]: (a.can_read, a.can_write) for c, a in world.sharing.readable_collections(actor)}
        expected = {
            "alpha": {"ops": (True, False), "open": (True, False)},
            "bravo": {"ops": (True, False), "open": (True, True)},
            "charlie": {"ops": (True, False), "open": (True, False)},
            "delta": {"open": (True, False)},
            "anonymous": {"open": (True, False)},
            "analyst": {"ops": (True, True), "open": (True, True)},
            "admin": {"ops": (True, True), "open": (True, True)},
        }[who]
        assert rights == expected, who
    with pytest.raises(ValueError):
        Actor(Kind.ANONYMOUS, "alpha", None)


_worlds: dict[str, World] = {}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_random_grants_collections_and_defaults_agree_with_taxii(database_url, tmp_path, data):
    """One ingested world per backend; each example adds a collection (random default, maybe public) and
    draws every partner's grants anew, then checks both faces agree for every partner and for anonymous."""
    if database_url not in _worlds:
        _worlds.clear()
        _worlds[database_url] = World(database_url, tmp_path)
    world = _worlds[database_url]
    n = len(world.sharing.collections())
    new = world.sharing.add_collection(f"c{n}", f"C{n}", default_tlp=data.draw(st.sampled_from(LEVELS), label="default"),
                                       public=data.draw(st.booleans(), label="public"), follows_store=True)
    world.sharing.sync_from_store(world.sharing.collection(new["id"]))
    for col in world.sharing.collections():
        for p in PARTNERS:
            world.sharing.grant(col["id"], p, *data.draw(st.sampled_from([(False, False), (True, False), (True, True)]),
                                                         label=f"{p} on {col['alias']}"))
    for who in (*PARTNERS, "anonymous"):
        assert world.visible(world.actors[who]) == world.taxii_serves_report(who), who
    assert world.visible(world.actors["analyst"]) == ALL
