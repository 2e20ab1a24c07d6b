"""TLP markings travel with what Liaison shares: set at ingest or later, strictest across documents,
explicit on every served object, and an AMBER+STRICT document reaches only its named partner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from conftest import run_cli
from liaison.settings import Settings
from liaison.share.objects import SHARED_IDS
from liaison.stix.tlp import MARKING_IDS, SHARING_EXTENSION_ID, Marking, marking_of
from liaison.store import open_store
from liaison.store.schema import DocumentObjectRow, DocumentRow
from liaison.store.sharing import Sharing

TAXII = "application/taxii+json;version=2.1"

SYRIA = ("DAMASCUS, Nov 7, 2025 - US and Syrian forces captured 31 Islamic State suspects in joint raids near "
         "Palmyra, US Central Command said on Friday.")
AMMAN = ("AMMAN, Oct 16, 2025 - Jordanian police foiled an Islamic State plot to bomb a mall in Amman, the "
         "interior ministry said. Three suspects were arrested.")


def _setup(database_url: str, tmp_path: Path):
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    store = open_store(settings.resolved_database_url())
    return settings, store, Sharing(store)


def _ingest(settings, store, tmp_path: Path, name: str, text: str, marking: Marking | None = None, **fields):
    from liaison.pipeline import ingest

    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"text": text, **fields}), encoding="utf-8")
    report = ingest([str(path)], settings, store, marking=marking)
    assert not report.failures, report.failures
    return path


def _objects_of(store, path: Path) -> dict[str, dict]:
    """The latest stored version of every object the document yields."""
    with store.engine.connect() as conn:
        did = conn.execute(select(DocumentRow.id).where(DocumentRow.source_key == str(path.resolve()))).scalar_one()
        ids = set(conn.execute(select(DocumentObjectRow.object_id).where(DocumentObjectRow.document_id == did))
                  .scalars())
    latest = {o["id"]: o for o in store.latest_stix() if o["id"] in ids}
    assert latest
    return latest


def test_every_object_drawn_from_a_marked_document_carries_its_marking(database_url, tmp_path):
    settings, store, sharing = _setup(database_url, tmp_path)
    cell = sharing.add_partner("cell-a", "Cell A")["identity_id"]
    path = _ingest(settings, store, tmp_path, "syria", SYRIA, Marking("amber+strict", (cell,)))
    objects = _objects_of(store, path)
    own = store.organisation()["identity_id"]
    signers = store._unmarked_ids()  # this installation's identity and the definitions' creators
    assert own in signers
    marked = [o for o in objects.values() if o["type"] != "extension-definition" and o["id"] not in signers]
    assert {o["type"] for o in marked} >= {"report", "event", "intrusion-set", "location"}
    for obj in marked:
        assert obj["object_marking_refs"] == [MARKING_IDS["amber+strict"]], obj["id"]
        assert obj["extensions"][SHARING_EXTENSION_ID]["recipients"] == [cell], obj["id"]
    assert "object_marking_refs" not in objects[own]  # the creator every partner must resolve stays unmarked


def test_an_entity_named_by_two_documents_is_never_shown_more_widely_than_the_stricter(database_url, tmp_path):
    settings, store, sharing = _setup(database_url, tmp_path)
    _ingest(settings, store, tmp_path, "amman", AMMAN, Marking("green"))
    syria = _ingest(settings, store, tmp_path, "syria", SYRIA, Marking("red"))
    group = next(o for o in _objects_of(store, syria).values() if o["type"] == "intrusion-set")
    assert marking_of(group) == Marking("red")
    syria_id = store.find_document("syria").id
    store.mark_document(syria_id, Marking("green"))  # released: the entity follows
    assert marking_of(_objects_of(store, syria)[group["id"]]) == Marking("green")
    store.mark_document(syria_id, Marking("red"))
    assert marking_of(_objects_of(store, syria)[group["id"]]) == Marking("red")
    # An analyst releases the entity itself: that wins, also over a later re-extraction.
    store.mark_object(group["id"], Marking("clear"))
    assert marking_of(_objects_of(store, syria)[group["id"]]) == Marking("clear")
    _ingest(settings, store, tmp_path, "syria", SYRIA + " Two more were detained on Saturday.")
    latest = _objects_of(store, syria)
    assert marking_of(latest[group["id"]]) == Marking("clear")
    report = next(o for o in latest.values() if o["type"] == "report")
    assert marking_of(report) == Marking("red")  # re-ingested without --tlp: the document keeps its marking


def _page_all(client, url, headers):
    out, nxt = [], None
    while True:
        res = client.get(url, headers=headers, params={"limit": "3", **({"next": nxt} if nxt else {})})
        assert res.status_code == 200, res.text
        body = res.json()
        out += body.get("objects", [])
        if not body.get("more"):
            return out
        nxt = body["next"]


def test_an_amber_strict_document_for_one_partner_reaches_it_alone_through_every_endpoint(database_url, tmp_path):
    from liaison.share.app import create_app

    settings, store, sharing = _setup(database_url, tmp_path)
    tokens = {}
    for p in ("cell-a", "cell-b"):
        sharing.add_partner(p, p)
        tokens[p] = sharing.issue_token(p)
    col = sharing.add_collection("reports", "Reports", default_tlp="clear", public=True, follows_store=True)
    for p in tokens:
        sharing.grant(col["id"], p, True, False)
    open_path = _ingest(settings, store, tmp_path, "amman", AMMAN)
    secret = _ingest(settings, store, tmp_path, "syria", SYRIA, Marking(
        "amber+strict", sharing.recipient_identities(["cell-a"])))
    secret_ids = set(_objects_of(store, secret)) - set(_objects_of(store, open_path))
    assert any(i.startswith("report--") for i in secret_ids)
    client = TestClient(create_app(settings))
    base = f"/taxii2/api/collections/{col['id']}"
    readers = {"cell-a": {"Accept": TAXII, "Authorization": f"Bearer {tokens['cell-a']}"},
               "cell-b": {"Accept": TAXII, "Authorization": f"Bearer {tokens['cell-b']}"},
               "anonymous": {"Accept": TAXII}}
    for who, headers in readers.items():
        sees = who == "cell-a"
        served = _page_all(client, f"{base}/objects/", headers)
        ids = {o["id"] for o in served}
        assert (secret_ids <= ids) if sees else not (secret_ids & ids), who
        manifest = client.get(f"{base}/manifest/", headers=headers).json().get("objects", [])
        assert bool(secret_ids & {m["id"] for m in manifest}) == sees, who
        for oid in sorted(secret_ids)[:5]:
            one = client.get(f"{base}/objects/{oid}/", headers=headers)
            versions = client.get(f"{base}/objects/{oid}/versions/", headers=headers)
            assert (one.status_code, versions.status_code) == ((200, 200) if sees else (404, 404)), (who, oid)
        matched = client.get(f"{base}/objects/", headers=headers, params={"match[id]": ",".join(sorted(secret_ids))})
        assert bool(matched.json().get("objects")) == sees, who
        # Whatever decided access is on the object received, and every marking resolves inside the collection.
        definitions = {o["id"] for o in served if o["type"] == "marking-definition"}
        for obj in served:
            if obj["type"] not in ("marking-definition", "extension-definition") and obj["id"] not in SHARED_IDS:
                refs = obj.get("object_marking_refs") or []
                assert any(r in MARKING_IDS.values() for r in refs), obj
                assert set(refs) <= definitions, obj
        resource = client.get(f"{base}/", headers=headers).json()
        assert resource["x_liaison_default_tlp"] == "TLP:CLEAR" and "TLP:CLEAR" in resource["description"]


def test_a_json_document_carries_its_own_marking(cli_env, tmp_path):
    assert run_cli(["partners", "add", "cell-a", "--name", "Cell A"], cli_env).returncode == 0
    doc = tmp_path / "brief.json"
    doc.write_text(json.dumps({"text": SYRIA, "tlp": "TLP:RED", "recipients": ["cell-a"]}))
    res = run_cli(["ingest", str(doc)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    out = tmp_path / "bundle.json"
    assert run_cli(["export", "-f", "stix", "-o", str(out)], cli_env).returncode == 0
    report = next(o for o in json.loads(out.read_text())["objects"] if o["type"] == "report")
    assert report["object_marking_refs"] == [MARKING_IDS["red"]]


@pytest.mark.parametrize("fields, message", [
    ({"tlp": "purple"}, "Error: field \"tlp\" is not a TLP level: 'purple'"),
    ({"tlp": "green", "recipients": ["cell-a"]}, "Error: recipients apply only to TLP:AMBER+STRICT and TLP:RED"),
    ({"tlp": "red", "recipients": "cell-a"}, "Error: field \"recipients\" must be a list of partner ids"),
    ({"tlp": "red", "recipients": ["nobody"]}, "Error: no such partner: 'nobody'"),
])
def test_a_bad_marking_field_is_that_documents_one_line_error(cli_env, tmp_path, fields, message):
    assert run_cli(["partners", "add", "cell-a", "--name", "Cell A"], cli_env).returncode == 0
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.json").write_text(json.dumps({"text": SYRIA, **fields}))
    (tmp_path / "in" / "good.json").write_text(json.dumps({"text": AMMAN}))
    res = run_cli(["ingest", str(tmp_path / "in")], cli_env)
    assert res.returncode == 1
    lines = res.stderr.decode().splitlines()
    assert any(line.startswith(message) and "bad.json" in line for line in lines), lines
    assert len(json.loads(run_cli(["documents", "--json"], cli_env).stdout)) == 1


@pytest.mark.parametrize("args, message", [
    (["--recipient", "cell-a"], "Error: --recipient needs --tlp amber+strict or red"),
    (["--tlp", "green", "--recipient", "cell-a"], "Error: recipients apply only to TLP:AMBER+STRICT"),
    (["--tlp", "red", "--recipient", "nobody"], "Error: no such partner (--recipient nobody)"),
    (["--tlp", "puce"], "Error: unknown TLP level 'puce'"),
])
def test_bad_marking_options_are_refused_before_any_work(cli_env, tmp_path, args, message):
    assert run_cli(["partners", "add", "cell-a", "--name", "Cell A"], cli_env).returncode == 0
    doc = tmp_path / "a.json"
    doc.write_text(json.dumps({"text": AMMAN}))
    res = run_cli(["ingest", str(doc), *args], cli_env)
    assert res.returncode == 1 and res.stderr.decode().startswith(message), res.stderr.decode()
    assert json.loads(run_cli(["documents", "--json"], cli_env).stdout) == []


def test_mark_changes_a_documents_marking_as_a_new_version(cli_env, tmp_path):
    doc = tmp_path / "a.json"
    doc.write_text(json.dumps({"text": AMMAN}))
    assert run_cli(["ingest", str(doc), "--tlp", "amber"], cli_env).returncode == 0
    res = run_cli(["mark", "a", "--tlp", "green"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    assert "marked TLP:GREEN" in res.stdout.decode()
    out = tmp_path / "bundle.json"
    run_cli(["export", "-f", "stix", "-o", str(out)], cli_env)
    report = next(o for o in json.loads(out.read_text())["objects"] if o["type"] == "report")
    assert report["object_marking_refs"] == [MARKING_IDS["green"]] and report["modified"] > report["created"]
    missing = run_cli(["mark", "nope", "--tlp", "red"], cli_env)
    assert missing.returncode == 1 and missing.stderr.decode().startswith("Error: no such document in the store")


@pytest.mark.parametrize("sources, expected", [
    ([None, None], None),
    ([Marking("green"), None], Marking("green")),
    ([Marking("clear"), Marking("amber")], Marking("amber")),
    ([Marking("green"), Marking("red", ("identity--a",))], Marking("red", ("identity--a",))),
    ([Marking("amber+strict", ("identity--a", "identity--b")), Marking("red", ("identity--b",))],
     Marking("red", ("identity--b",))),
    ([Marking("red", ("identity--a",)), Marking("red", ("identity--b",))], Marking("red")),  # the producer alone
])
def test_the_strictest_marking_is_never_more_widely_readable_than_any_source(sources, expected):
    from liaison.stix.tlp import strictest

    assert strictest(sources) == expected
