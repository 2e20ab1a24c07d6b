"""TLP 2.0 access over TAXII: every partner, every endpoint, exactly what the rule allows.

The rule (docs/sharing.md), written here again on its own as the oracle:
a reader needs read access to the collection; CLEAR goes to every reader, anonymous readers
of a public collection included; GREEN and AMBER to every authenticated reader; AMBER+STRICT
and RED only to the producing organisation and the organisations the object names as
recipients. Objects are posted over HTTP by partners with write access, through the real app.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.settings import Settings
from liaison.share.app import TAXII, create_app
from liaison.stix.tlp import LEVELS, MARKING_IDS, SHARING_EXTENSION_ID
from liaison.store import open_store
from liaison.store.sharing import Sharing

HEADERS = {"Accept": TAXII}
POST_HEADERS = {"Accept": TAXII, "Content-Type": TAXII}


@dataclass
class World:
    client: TestClient
    sharing: Sharing
    tokens: dict[str, str] = field(default_factory=dict)  # partner -> token
    identities: dict[str, str] = field(default_factory=dict)  # partner -> identity id
    collections: dict[str, str] = field(default_factory=dict)  # alias -> id
    public: set[str] = field(default_factory=set)
    grants: dict[tuple[str, str], tuple[bool, bool]] = field(default_factory=dict)  # (partner, alias) -> (r, w)
    objects: dict[str, list[dict]] = field(default_factory=dict)  # alias -> posted objects
    producers: dict[str, str] = field(default_factory=dict)  # object id -> producer identity
    default_tlp: dict[str, str] = field(default_factory=dict)

    def auth(self, partner: str | None, basic: bool = False) -> dict[str, str]:
        if partner is None:
            return dict(HEADERS)
        if basic:
            raw = base64.b64encode(f"{partner}:{self.tokens[partner]}".encode()).decode()
            return {**HEADERS, "Authorization": f"Basic {raw}"}
        return {**HEADERS, "Authorization": f"Bearer {self.tokens[partner]}"}

    def level(self, alias: str, obj: dict) -> str:
        """The TLP level that decides access: the object's strictest, else the collection's default."""
        marked = [lv for lv, mid in MARKING_IDS.items() if mid in obj.get("object_marking_refs", [])]
        return max(marked, key=LEVELS.index) if marked else self.default_tlp[alias]

    def may_see(self, partner: str | None, alias: str, obj: dict) -> bool:
        """The oracle: the documented rule, independent of the server's SQL."""
        if partner is None:
            can_read = alias in self.public
        else:
            can_read = self.grants.get((partner, alias), (False, False))[0] or alias in self.public
        if not can_read:
            return False
        level = LEVELS.index(self.level(alias, obj))
        if partner is None:
            return level == 0
        if level <= 2:
            return True
        me = self.identities[partner]
        named = obj.get("extensions", {}).get(SHARING_EXTENSION_ID, {}).get("recipients", [])
        return self.producers[obj["id"]] == me or me in named


def make_world(database_url: str, tmp_path, partners: list[str]) -> World:
    url = Settings(database_url=database_url).resolved_database_url()
    store = open_store(url)
    store.delete_all()
    cfg = Settings(home=tmp_path / "home", database_url=database_url)
    world = World(TestClient(create_app(cfg)), Sharing(store))
    for p in partners:
        row = world.sharing.add_partner(p, p.title())
        world.identities[p] = row["identity_id"]
        world.tokens[p] = world.sharing.issue_token(p)
    return world


def add_collection(world: World, alias: str, default_tlp: str, public: bool = False) -> None:
    world.collections[alias] = world.sharing.add_collection(alias, alias, default_tlp=default_tlp, public=public)["id"]
    world.default_tlp[alias] = default_tlp
    world.objects[alias] = []
    if public:
        world.public.add(alias)


def grant(world: World, partner: str, alias: str, read: bool, write: bool) -> None:
    world.sharing.grant(world.collections[alias], partner, read, write)
    world.grants[(partner, alias)] = (read, write)


def indicator(level: str | None, recipients: list[str], n: int, claim_producer: str | None = None) -> dict:
    obj = {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2025-10-01T00:00:00.000Z", "modified": f"2025-10-01T00:00:{n % 60:02d}.000Z",
        "name": f"obj {n}", "pattern": f"[ipv4-addr:value = '10.0.{n // 256 % 256}.{n % 256}']",
        "pattern_type": "stix", "valid_from": "2025-10-01T00:00:00Z",
    }
    if level:
        obj["object_marking_refs"] = [MARKING_IDS[level]]
    if recipients:
        obj["extensions"] = {SHARING_EXTENSION_ID: {"extension_type": "property-extension", "recipients": recipients}}
    if claim_producer:
        obj["created_by_ref"] = claim_producer
    return obj


def post(world: World, partner: str, alias: str, objects: list[dict]) -> None:
    res = world.client.post(f"/taxii2/api/collections/{world.collections[alias]}/objects/",
                            headers={**world.auth(partner), "Content-Type": TAXII}, content=json.dumps({"objects": objects}))
    assert res.status_code == 202, res.text
    status = res.json()
    assert status["success_count"] == len(objects), status
    for obj in objects:
        world.objects[alias].append(obj)
        world.producers[obj["id"]] = world.identities[partner]


def page_all(world: World, partner: str | None, url: str, key: str = "objects") -> list[tuple[list, dict]]:
    """Every page of an endpoint with limit=2: each page's items and headers."""
    pages, nxt = [], None
    for _ in range(1000):
        params = {"limit": "2"}
        if nxt:
            params["next"] = nxt
        res = world.client.get(url, headers=world.auth(partner), params=params)
        assert res.status_code == 200, res.text
        body = res.json()
        pages.append((body.get(key, []), dict(res.headers)))
        if not body["more"]:
            return pages
        nxt = body["next"]
    raise AssertionError("paging did not end")


def check_date_added_headers(pages: list[tuple[list, dict]], added: dict[str, str]) -> None:
    """TAXII 2.1 (5.3 Get Objects, 5.6 Get Object Manifests): a page of objects carries
    X-TAXII-Date-Added-First and -Last, the date_added of its first and last object; here they must
    come from the page's own rows, and an empty page must name no date at all, or the headers would
    tell a reader when objects it may not see were added."""
    for items, headers in pages:
        if items:
            dates = [added[o["id"]] for o in items]
            assert headers.get("x-taxii-date-added-first") == min(dates), headers
            assert headers.get("x-taxii-date-added-last") == max(dates), headers
        else:
            assert "x-taxii-date-added-first" not in headers and "x-taxii-date-added-last" not in headers, headers


def check_everything(world: World, readers: list[str | None]) -> None:
    """For every reader, every collection and every endpoint: exactly the allowed objects."""
    for alias, cid in world.collections.items():
        base = f"/taxii2/api/collections/{cid}"
        posted = world.objects[alias]
        # Every level that decides access to something in the collection has its TLP 2.0 marking
        # definition there too, readable by all its readers, so each marking a reader gets resolves.
        definitions = {MARKING_IDS[world.level(alias, o)] for o in posted}
        for who in readers:
            allowed = {o["id"] for o in posted if world.may_see(who, alias, o)} | definitions
            can_read = (who is None and alias in world.public) or (
                who is not None and (world.grants.get((who, alias), (False, False))[0] or alias in world.public))
            if not can_read:
                res = world.client.get(f"{base}/objects/", headers=world.auth(who))
                assert res.status_code in (401, 403, 404), (who, alias, res.status_code)
                assert "objects" not in res.json()
                for obj in posted[:3]:
                    res = world.client.get(f"{base}/objects/{obj['id']}/", headers=world.auth(who))
                    assert res.status_code in (401, 403, 404)
                continue
            pages = page_all(world, who, f"{base}/objects/")
            got = [o for items, _ in pages for o in items]
            assert sorted(o["id"] for o in got) == sorted(allowed), (who, alias)
            for o in got:  # the marking that decided this reader's access is on what it received
                if o["type"] != "marking-definition":
                    assert MARKING_IDS[world.level(alias, o)] in o["object_marking_refs"], o
            manifest_pages = page_all(world, who, f"{base}/manifest/")
            listed = [m for items, _ in manifest_pages for m in items]
            assert sorted(m["id"] for m in listed) == sorted(allowed), (who, alias, "manifest")
            added = {m["id"]: m["date_added"] for m in listed}
            check_date_added_headers(pages, added)
            check_date_added_headers(manifest_pages, added)
            filtered = world.client.get(f"{base}/objects/", headers=world.auth(who),
                                        params={"match[type]": "indicator", "match[version]": "all"}).json()
            assert sorted(o["id"] for o in filtered.get("objects", [])) == sorted(allowed - definitions)
            for obj in posted:
                one = world.client.get(f"{base}/objects/{obj['id']}/", headers=world.auth(who))
                versions = world.client.get(f"{base}/objects/{obj['id']}/versions/", headers=world.auth(who))
                if obj["id"] in allowed:
                    assert one.status_code == 200 and one.json()["objects"][0]["id"] == obj["id"]
                    assert versions.status_code == 200 and len(versions.json()["versions"]) == 1
                    check_date_added_headers([([obj], dict(versions.headers))], added)
                else:
                    assert one.status_code == 404, (who, alias, obj.get("object_marking_refs"))
                    assert versions.status_code == 404


def test_every_partner_sees_exactly_what_tlp_allows_on_every_endpoint(database_url, tmp_path):
    world = make_world(database_url, tmp_path, ["alpha", "bravo", "charlie", "delta"])
    add_collection(world, "ops", "amber")
    add_collection(world, "open", "clear", public=True)
    grant(world, "alpha", "ops", True, True)
    grant(world, "bravo", "ops", True, True)
    grant(world, "charlie", "ops", True, False)
    grant(world, "alpha", "open", True, True)
    # delta has no grant at all.
    b, c, d = (world.identities[p] for p in ("bravo", "charlie", "delta"))
    n = iter(range(10_000))
    post(world, "alpha", "ops", [indicator(level, recips, next(n)) for level in (None, *LEVELS)
                                 for recips in ([], [c], [d])])
    post(world, "bravo", "ops", [indicator("amber+strict", [], next(n)), indicator("red", [c], next(n))])
    post(world, "alpha", "open", [indicator(level, [b] if level == "red" else [], next(n)) for level in (None, *LEVELS)])
    check_everything(world, ["alpha", "bravo", "charlie", "delta", None])


def test_basic_and_bearer_name_the_same_partner(database_url, tmp_path):
    world = make_world(database_url, tmp_path, ["alpha"])
    add_collection(world, "ops", "amber")
    grant(world, "alpha", "ops", True, True)
    url = f"/taxii2/api/collections/{world.collections['ops']}/"
    assert world.client.get(url, headers=world.auth("alpha")).status_code == 200
    assert world.client.get(url, headers=world.auth("alpha", basic=True)).status_code == 200
    wrong_user = base64.b64encode(f"bravo:{world.tokens['alpha']}".encode()).decode()
    assert world.client.get(url, headers={**HEADERS, "Authorization": f"Basic {wrong_user}"}).status_code == 401


def test_a_partner_cannot_claim_another_organisation_as_producer(database_url, tmp_path):
    world = make_world(database_url, tmp_path, ["alpha", "bravo"])
    add_collection(world, "ops", "amber")
    grant(world, "alpha", "ops", True, True)
    forged = indicator("red", [], 1, claim_producer=world.identities["bravo"])
    own = indicator("red", [], 2, claim_producer=world.identities["alpha"])
    res = world.client.post(f"/taxii2/api/collections/{world.collections['ops']}/objects/",
                            headers={**world.auth("alpha"), "Content-Type": TAXII},
                            content=json.dumps({"objects": [forged, own]}))
    assert res.status_code == 202
    status = res.json()
    assert status["success_count"] == 1 and status["failure_count"] == 1
    assert status["failures"][0]["id"] == forged["id"] and "created_by_ref" in status["failures"][0]["message"]
    assert world.client.get(f"/taxii2/api/collections/{world.collections['ops']}/objects/{forged['id']}/",
                            headers=world.auth("alpha")).status_code == 404


def test_a_revoked_or_expired_token_gets_401(database_url, tmp_path):
    import datetime as dt

    world = make_world(database_url, tmp_path, ["alpha", "bravo"])
    add_collection(world, "ops", "amber")
    grant(world, "alpha", "ops", True, False)
    url = f"/taxii2/api/collections/{world.collections['ops']}/objects/"
    old = world.tokens["alpha"]
    new = world.sharing.issue_token("alpha", rotate=True)
    assert world.client.get(url, headers={**HEADERS, "Authorization": f"Bearer {old}"}).status_code == 401
    assert world.client.get(url, headers={**HEADERS, "Authorization": f"Bearer {new}"}).status_code == 200
    expired = world.sharing.issue_token("alpha", expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    res = world.client.get(url, headers={**HEADERS, "Authorization": f"Bearer {expired}"})
    assert res.status_code == 401 and res.json()["http_status"] == "401"
    assert "www-authenticate" in res.headers
    world.sharing.revoke_partner("alpha")
    assert world.client.get(url, headers={**HEADERS, "Authorization": f"Bearer {new}"}).status_code == 401


# ---------------------------------------------------------------- random partners, grants and markings

levels = st.sampled_from([None, *LEVELS])
grants_st = st.sampled_from([(False, False), (True, False), (True, True)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_random_partners_grants_and_markings_never_leak(database_url, tmp_path, data):
    partners = [f"p{i}" for i in range(data.draw(st.integers(2, 4), label="partners"))]
    world = make_world(database_url, tmp_path, partners)
    for alias in ("c1", "c2"):
        add_collection(world, alias, data.draw(st.sampled_from(LEVELS), label=f"{alias} default"),
                       public=data.draw(st.booleans(), label=f"{alias} public"))
        for p in partners:
            grant(world, p, alias, *data.draw(grants_st, label=f"{p} on {alias}"))
    n = iter(range(10_000))
    for alias in ("c1", "c2"):
        writers = [p for p in partners if world.grants[(p, alias)][1]]
        for _ in range(data.draw(st.integers(0, 3), label="posts")):
            if not writers:
                break
            poster = data.draw(st.sampled_from(writers), label="poster")
            batch = []
            for _ in range(data.draw(st.integers(1, 4), label="objects")):
                named = data.draw(st.lists(st.sampled_from(partners), max_size=2, unique=True), label="recipients")
                batch.append(indicator(data.draw(levels, label="level"), [world.identities[p] for p in named], next(n)))
            post(world, poster, alias, batch)
    check_everything(world, [*partners, None])


@pytest.mark.parametrize("reader", ["stranger", None])
def test_collections_a_partner_may_not_use_are_not_listed(database_url, tmp_path, reader):
    world = make_world(database_url, tmp_path, ["alpha", "stranger"])
    add_collection(world, "ops", "amber")
    add_collection(world, "open", "clear", public=True)
    grant(world, "alpha", "ops", True, False)
    listed = world.client.get("/taxii2/api/collections/", headers=world.auth(reader)).json()["collections"]
    assert [c["alias"] for c in listed] == ["open"]
    res = world.client.get(f"/taxii2/api/collections/{world.collections['ops']}/", headers=world.auth(reader))
    assert res.status_code == (401 if reader is None else 404)


def test_an_observable_posted_twice_is_one_version(database_url, tmp_path):
    world = make_world(database_url, tmp_path, ["alpha"])
    add_collection(world, "ops", "green")
    grant(world, "alpha", "ops", True, True)
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "10.9.8.7"}
    base = f"/taxii2/api/collections/{world.collections['ops']}/objects/"
    for _ in range(2):
        res = world.client.post(base, headers={**world.auth("alpha"), "Content-Type": TAXII},
                                content=json.dumps({"objects": [ip]}))
        assert res.status_code == 202 and res.json()["success_count"] == 1
    versions = world.client.get(f"{base}{ip['id']}/versions/", headers=world.auth("alpha")).json()["versions"]
    assert len(versions) == 1


def test_each_installation_has_its_own_organisation_and_no_partner_may_take_it(database_url, tmp_path):
    from liaison.stix.ids import PRODUCER_ID

    world = make_world(database_url, tmp_path, ["alpha"])
    store = world.sharing.store
    org = store.organisation()
    assert org == store.organisation() and org["identity_id"] != PRODUCER_ID
    elsewhere = open_store(f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert elsewhere.organisation()["identity_id"] != org["identity_id"]
    elsewhere.engine.dispose()
    for identity in (org["identity_id"], PRODUCER_ID):
        with pytest.raises(ValueError, match="own identity"):
            world.sharing.add_partner("mimic", "Mimic", identity)
    # A partner registered under Liaison's system identity before this check existed is refused.
    from sqlalchemy import insert

    from liaison.clock import now
    from liaison.store.schema import PartnerRow

    with store.writing() as conn:
        conn.execute(insert(PartnerRow.__table__).values(id="old-peer", name="Old peer", identity_id=PRODUCER_ID,
                                                         created_at=now()))
    assert world.sharing.authenticate(world.sharing.issue_token("old-peer")) is None
    renamed = store.organisation("Cell A")
    assert (renamed["identity_id"], renamed["name"]) == (org["identity_id"], "Cell A")
    assert renamed["modified"] >= org["modified"] and store.organisation()["name"] == "Cell A"


def test_shared_definitions_pass_on_unchanged_and_nothing_else_may_claim_liaison(database_url, tmp_path):
    from liaison.share.objects import SHARED_DEFINITIONS
    from liaison.stix.ids import PRODUCER_ID

    world = make_world(database_url, tmp_path, ["alpha"])
    add_collection(world, "ops", "amber+strict")
    grant(world, "alpha", "ops", True, True)
    genuine = [json.loads(json.dumps(d)) for d in SHARED_DEFINITIONS]
    tampered = dict(genuine[-1], description="changed", modified="2030-01-01T00:00:00.000Z")
    unsigned = {k: v for k, v in tampered.items() if k != "created_by_ref"}  # a new version under its own name
    signed = indicator(None, [], 3, claim_producer=PRODUCER_ID)
    own = world.sharing.store.organisation()
    server = {"type": "identity", "spec_version": "2.1", "id": own["identity_id"], "created": own["created"],
              "modified": "2030-01-01T00:00:00.000Z", "name": "Not the server", "identity_class": "organization"}
    url = f"/taxii2/api/collections/{world.collections['ops']}/objects/"
    res = world.client.post(url, headers={**world.auth("alpha"), "Content-Type": TAXII},
                            content=json.dumps({"objects": [*genuine, tampered, unsigned, signed, server]}))
    status = res.json()
    assert status["success_count"] == len(genuine) >= 4
    assert sorted(f["id"] for f in status["failures"]) == sorted(
        [tampered["id"], unsigned["id"], signed["id"], server["id"]])
    # Published definitions are public, readable by every reader even of an AMBER+STRICT collection
    # (with the TLP:CLEAR marking definition that Liaison adds beside them).
    got = world.client.get(url, headers=world.auth("alpha")).json()["objects"]
    assert sorted(o["id"] for o in got) == sorted([*(d["id"] for d in genuine), MARKING_IDS["clear"]])
    served = {o["id"]: o for o in got}
    assert all(served[d["id"]] == d for d in genuine)  # exactly as published: no marking added to them
    from sqlalchemy import select

    from liaison.store.sharing import CO

    with world.sharing.engine.connect() as conn:
        assert set(conn.execute(select(CO.c.origin, CO.c.producer)).all()) == {
            ("partner:alpha", world.identities["alpha"]), ("liaison", None)}
