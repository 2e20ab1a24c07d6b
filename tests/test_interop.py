"""A Liaison bundle as the tools partners run receive it (docs/interoperability.md).

* Every reference in an export names an object inside it: misp-stix and OpenCTI resolve
  `created_by_ref`, `object_marking_refs` and `object_refs` within the bundle they are given.
* `liaison pull` then `liaison export -f stix` exports what was pulled.
* A plain stix2 consumer (no Liaison code, allow_custom=False) gets what the interoperability
  page says it gets.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from types import SimpleNamespace

import pytest
import requests

from conftest import EXAMPLES, LiveServer, add_partner, home_env, ok_cli
from liaison.errors import LiaisonError
from liaison.stix.tlp import MARKING_IDS
from liaison.stix.validate import validate_objects

TAXII = "application/taxii+json;version=2.1"


def dangling(objects: list[dict]) -> list[tuple[str, str, str]]:
    """(object, property, id) for every identifier in a *_ref / *_refs property, at any depth,
    that names no object of the bundle."""
    ids = {o["id"] for o in objects}
    found: list[tuple[str, str, str]] = []

    def walk(value: object, owner: str, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                refs = [item] if key.endswith("_ref") else item if key.endswith("_refs") else None
                if isinstance(refs, list):
                    found.extend((owner, key, r) for r in refs if isinstance(r, str) and "--" in r and r not in ids)
                else:
                    walk(item, owner, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, owner, where)

    for obj in objects:
        walk(obj, obj["id"], "")
    return found


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A Liaison that ingested examples/articles, serving them ('reports', store-following) to acme,
    with one TLP:GREEN object acme posted."""
    env = home_env(tmp_path_factory.mktemp("interop") / "home")
    ok_cli(["ingest", str(EXAMPLES)], env)
    ok_cli(["collections", "add", "reports", "--from-store"], env)
    token = add_partner(env, "acme")
    ok_cli(["collections", "grant", "reports", "acme", "--write"], env)
    server = LiveServer(env)
    try:
        auth = {"Authorization": f"Bearer {token}", "Accept": TAXII}
        cols = requests.get(server.api + "collections/", headers=auth, timeout=30).json()["collections"]
        url = f"{server.api}collections/{cols[0]['id']}/"
        report = requests.get(url + "objects/", headers=auth, params={"match[type]": "report"}, timeout=30)
        marked = {"type": "note", "spec_version": "2.1", "id": f"note--{uuid.uuid4()}",
                  "created": "2025-11-01T00:00:00.000Z", "modified": "2025-11-01T00:00:00.000Z",
                  "content": "Seen in Raqqa too.", "object_refs": [report.json()["objects"][0]["id"]],
                  "object_marking_refs": [MARKING_IDS["green"]]}
        r = requests.post(url + "objects/", json={"objects": [marked]},
                          headers=dict(auth, **{"Content-Type": TAXII}), timeout=30)
        assert r.status_code == 202 and r.json()["success_count"] == 1, r.text
        yield SimpleNamespace(env=env, server=server, token=token, url=url, auth=auth, note=marked["id"])
    finally:
        server.stop()


def _served(remote) -> list[dict]:  # noqa: ANN001
    objects, params = [], {}
    while True:
        body = requests.get(remote.url + "objects/", headers=remote.auth, params=params, timeout=30).json()
        objects += body.get("objects", [])
        if not body.get("more"):
            return objects
        params = {"next": body["next"]}


def test_every_reference_in_an_export_names_an_object_of_the_bundle(remote, tmp_path):
    out = tmp_path / "bundle.json"
    ok_cli(["export", "--format", "stix", "--out", str(out)], remote.env)
    objects = json.loads(out.read_text())["objects"]
    assert {"report", "event", "relationship", "identity", "extension-definition"} <= {o["type"] for o in objects}
    assert dangling(objects) == []
    # The OASIS Event extension's creator in particular, and the TLP marking acme's note carries.
    oasis = next(o for o in objects if o["type"] == "extension-definition" and o["name"] == "Event Extension")
    assert next(o for o in objects if o["id"] == oasis["created_by_ref"])["name"] == "OASIS Open"
    assert MARKING_IDS["green"] in {o["id"] for o in objects}
    assert validate_objects(objects) == []


def test_pull_then_export_exports_what_was_pulled(remote, cli_env, store, tmp_path):
    from liaison.export.files import export_stix

    ok_cli(["pull", remote.url, "--token", remote.token, "--into", "from-remote"], cli_env)
    served = {o["id"] for o in _served(remote)}
    assert remote.note in served and len(served) > 100

    out = tmp_path / "all.json"
    n = export_stix(store, out)  # nothing ingested here: all of it came by the pull
    objects = json.loads(out.read_text())["objects"]
    assert n == len(objects) and served <= {o["id"] for o in objects}
    assert dangling(objects) == [] and validate_objects(objects) == []

    only = tmp_path / "only.json"
    export_stix(store, only, ["from-remote"])
    assert served <= {o["id"] for o in json.loads(only.read_text())["objects"]}

    with pytest.raises(LiaisonError, match=r"^no collection 'nowhere' \(--from\)\. Name one of: from-remote\.$"):
        export_stix(store, tmp_path / "x.json", ["nowhere"])


# What a consumer with only the stix2 library (no Liaison code) receives; docs/interoperability.md
# says the same. Run in a fresh interpreter so that Liaison's registration of `event` is absent.
PLAIN_CONSUMER = r"""
import json, sys
import stix2
bundle = json.load(open(sys.argv[1]))
kept, as_dict, refused = set(), set(), {}
for obj in bundle["objects"]:
    try:
        parsed = stix2.parse(obj, allow_custom=False)
        (as_dict if isinstance(parsed, dict) else kept).add(obj["type"])
    except Exception as exc:
        refused.setdefault(obj["type"], type(exc).__name__)
try:
    stix2.MemoryStore(stix_data=bundle, allow_custom=False)
    whole = "ok"
except Exception as exc:
    whole = type(exc).__name__
store = stix2.MemoryStore(stix_data=bundle, allow_custom=True)
print(json.dumps({"kept": sorted(kept), "as_dict": sorted(as_dict), "refused": refused, "whole": whole,
                  "custom_store": len(store.query()), "objects": len(bundle["objects"])}))
"""


def test_a_plain_stix2_consumer_refuses_reports_and_relationships_that_name_events_unless_custom(remote, tmp_path):
    out = tmp_path / "bundle.json"
    ok_cli(["export", "--format", "stix", "--out", str(out)], remote.env)
    res = subprocess.run([sys.executable, "-c", PLAIN_CONSUMER, str(out)], capture_output=True, check=True)
    seen = json.loads(res.stdout)
    # An `event` (a new-sdo extension type stix2 does not know) comes back as the plain dict; a
    # relationship or report that names one is refused: with allow_custom=False their references
    # may name only types stix2 knows.
    assert seen["as_dict"] == ["event"]
    assert seen["refused"] == {"relationship": "InvalidValueError", "report": "InvalidValueError"}
    assert {"identity", "intrusion-set", "location", "extension-definition", "marking-definition",
            "note"} <= set(seen["kept"])
    assert seen["whole"] == "InvalidValueError"  # MemoryStore(allow_custom=False) takes none of the bundle
    assert seen["custom_store"] == seen["objects"]  # with allow_custom=True it holds every object
