"""`liaison pull` and `liaison push` against real TAXII 2.1 servers: a second Liaison and medallion 3.0.0.

The second Liaison ("remote") has its own SQLite store (even when the local store is PostgreSQL),
holds the STIX of examples/articles in a store-following collection, and serves it to partner
acme in pages of 40 so that a pull takes several pages.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from conftest import EXAMPLES, LiveServer, add_partner, free_port, home_env, ok_cli, run_cli
from liaison.stix.tlp import MARKING_IDS

TAXII = "application/taxii+json;version=2.1"
PAGE = 40
MEDALLION = str(Path(sys.executable).parent / "medallion")


# ---------------------------------------------------------------- helpers


def _sharing(env: dict[str, str]):
    from liaison.settings import Settings
    from liaison.store import open_store
    from liaison.store.sharing import Sharing

    return Sharing(open_store(Settings(database_url=env["LIAISON_DATABASE_URL"]).resolved_database_url()))


def _ids_in(sharing, alias: str) -> set[str]:  # noqa: ANN001
    from sqlalchemy import select

    from liaison.store.sharing import CO

    col = sharing.collection(alias)
    with sharing.engine.connect() as conn:  # what arrived, not the marking definitions Liaison adds beside it
        return set(conn.execute(select(CO.c.object_id).where(CO.c.collection_id == col["id"],
                                                             CO.c.origin.is_distinct_from("liaison"))).scalars())


def _collection_ids(env: dict[str, str], alias: str) -> set[str]:
    sharing = _sharing(env)
    try:
        return _ids_in(sharing, alias)
    finally:
        sharing.engine.dispose()


def _served(collection_url: str, auth) -> tuple[list[str], str | None]:  # noqa: ANN001
    """The ids a TAXII collection serves these credentials, page by page, and the last date_added."""
    ids, last, params = [], None, {"limit": 1000}  # medallion wants a limit with next
    while True:
        r = requests.get(collection_url + "objects/", params=params, auth=auth, headers={"Accept": TAXII}, timeout=30)
        r.raise_for_status()
        body = r.json()
        ids += [o["id"] for o in body.get("objects", [])]
        last = r.headers.get("X-TAXII-Date-Added-Last", last)
        if not body.get("more"):
            return ids, last
        params = {"limit": 1000, "next": body["next"]}


def _summary(stdout: str) -> list[int]:
    """The numbers in the first row of the summary table."""
    row = next(line for line in stdout.splitlines() if re.match(r"^│\s*\d", line))
    return [int(x) for x in re.findall(r"\d+", row)]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r):  # noqa: ANN001, ANN204
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


# ---------------------------------------------------------------- a second Liaison


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A second Liaison serving the examples' STIX ('reports', store-following) to partner acme."""
    env = home_env(tmp_path_factory.mktemp("remote") / "home")
    ok_cli(["ingest", str(EXAMPLES)], env)
    ok_cli(["collections", "add", "reports", "--from-store"], env)
    token = add_partner(env, "acme")
    ok_cli(["collections", "grant", "reports", "acme", "--write"], env)
    ok_cli(["collections", "add", "readonly"], env)
    ok_cli(["collections", "grant", "readonly", "acme"], env)
    sharing = _sharing(env)
    collection_id = sharing.collection("reports")["id"]
    readonly_id = sharing.collection("readonly")["id"]
    sharing.engine.dispose()
    server = LiveServer(env, extra_env={"LIAISON_PAGE_SIZE": str(PAGE)})
    try:
        yield SimpleNamespace(env=env, server=server, token=token, collection_id=collection_id,
                              collection_url=f"{server.api}collections/{collection_id}/", readonly_id=readonly_id)
    finally:
        server.stop()


def test_pull_from_liaison_stores_what_the_partner_sees_then_only_what_is_new(remote, cli_env):
    served, _ = _served(remote.collection_url, Bearer(remote.token))
    assert len(served) > 2 * PAGE  # several pages

    # 1. From the discovery URL, choosing the collection by alias.
    res = run_cli(["pull", remote.server.taxii, "--collection", "reports", "--token", remote.token,
                   "--into", "from-remote"], cli_env)
    out = res.stdout.decode()
    assert res.returncode == 0, res.stderr.decode()
    assert f"pulled {len(served)} objects added after the beginning" in out
    assert _summary(out) == [len(served), len(served), 0, 0]
    assert _collection_ids(cli_env, "from-remote") == set(served)

    # 2. Again, from the API root URL with the collection id and HTTP Basic: the same remote collection, so nothing new.
    sharing = _sharing(cli_env)
    local = sharing.collection("from-remote")
    position = sharing.pull_position(remote.collection_url, local["id"])
    assert position is not None
    assert local["default_tlp"] == "amber" and not local["follows_store"]
    res = run_cli(["pull", remote.server.api, "--collection", remote.collection_id, "--user", "acme",
                   "--password", remote.token, "--into", "from-remote"], cli_env)
    out = res.stdout.decode()
    assert res.returncode == 0, res.stderr.decode()
    assert f"pulled 0 objects added after {position}" in out
    assert _summary(out) == [0, 0, 0, 0]

    # 3. One more object on the remote side; the collection URL alone finds the collection.
    # A new id each time: the remote is shared by the module's tests, and this test runs once per backend.
    added = {"type": "identity", "spec_version": "2.1", "id": f"identity--{uuid.uuid4()}",
             "created": "2025-01-02T03:04:05.000Z", "modified": "2025-01-02T03:04:05.000Z", "name": "Newcomer"}
    r = requests.post(remote.collection_url + "objects/", data=json.dumps({"objects": [added]}),
                      headers={"Accept": TAXII, "Content-Type": TAXII}, auth=Bearer(remote.token), timeout=30)
    assert r.status_code == 202 and r.json()["success_count"] == 1
    res = run_cli(["pull", remote.collection_url, "--token", remote.token, "--into", "from-remote"], cli_env)
    out = res.stdout.decode()
    assert res.returncode == 0, res.stderr.decode()
    assert f"pulled 1 objects added after {position}" in out
    assert _summary(out) == [1, 1, 0, 0]
    assert _collection_ids(cli_env, "from-remote") == set(served) | {added["id"]}

    # Provenance: the position is the remote's last date_added; each page left an audit row naming the remote URL.
    _, last = _served(remote.collection_url, Bearer(remote.token))
    assert sharing.pull_position(remote.collection_url, local["id"]) == last
    pulls = [a for a in sharing.audit_log(limit=1000) if a["method"] == "PULL"]
    assert pulls and all(a["path"].startswith(remote.collection_url) for a in pulls)
    assert all(a["collection_id"] == local["id"] for a in pulls)
    assert sum(a["objects"] for a in pulls) == len(served) + 1
    assert len(pulls) >= len(served) // PAGE + 2
    sharing.engine.dispose()


def test_push_sends_chosen_objects_in_envelopes_below_max_content_length(remote, cli_env, live_server):
    # Here the local instance receives. Its partner is the remote Liaison, whose objects name the remote
    # installation's own organisation as their creator, so the partner is registered under that identity.
    server = live_server(extra_env={"LIAISON_MAX_CONTENT_LENGTH": "20000"})
    ok_cli(["collections", "add", "inbox"], cli_env)
    sister = _sharing(remote.env).store.organisation()["identity_id"]
    assert sister in ok_cli(["organisation"], remote.env)
    token = add_partner(cli_env, "sister", "--identity", sister)
    ok_cli(["collections", "grant", "inbox", "sister", "--write"], cli_env)
    inbox = _sharing(cli_env).collection("inbox")["id"]
    inbox_url = f"{server.api}collections/{inbox}/"

    sharing = _sharing(remote.env)
    chosen = [o for o in sharing.store.latest_stix() if o["type"] in ("report", "location")]
    sharing.engine.dispose()
    size = sum(len(json.dumps(o)) for o in chosen)
    assert size > 2 * 20000  # so it takes at least three envelopes

    res = run_cli(["push", server.taxii, "--collection", "inbox", "--token", token, "--type", "report",
                   "--type", "location"], remote.env)
    out = res.stdout.decode()
    assert res.returncode == 0, res.stderr.decode() + out
    objects, envelopes, succeeded, failed, pending = _summary(out)
    assert (objects, succeeded, failed, pending) == (len(chosen), len(chosen), 0, 0)
    assert envelopes >= 3
    arrived, _ = _served(inbox_url, Bearer(token))
    # Beside what was pushed, the receiving Liaison holds the TLP marking definition that decides access.
    definitions = [i for i in arrived if i.startswith("marking-definition--")]
    assert len(definitions) == 1
    assert sorted(i for i in arrived if i not in definitions) == sorted(o["id"] for o in chosen)

    # From a local collection, by id; an id it lacks is reported and makes the exit non-zero.
    one = next(o["id"] for o in chosen if o["type"] == "report")
    res = run_cli(["push", inbox_url, "--user", "sister", "--password", token, "--from", "reports", "--id", one,
                   "--id", "report--00000000-0000-4000-8000-000000000000"], remote.env)
    assert res.returncode == 1
    assert _error_lines(res.stderr.decode()) == [
        "Error: no object report--00000000-0000-4000-8000-000000000000 in collection reports."]
    assert _summary(res.stdout.decode()) == [1, 1, 1, 0, 0]  # already there: the server counts it a success

    # Everything: what the remote made, and the shared definitions (the OASIS Event extension's
    # included), passed on as published, all arrive.
    res = run_cli(["push", server.taxii, "--collection", "inbox", "--token", token], remote.env)
    assert res.returncode == 0, res.stderr.decode()
    objects, envelopes, succeeded, failed, pending = _summary(res.stdout.decode())
    assert (succeeded, failed, pending) == (objects, 0, 0)
    arrived, _ = _served(inbox_url, Bearer(token))
    assert "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e" in arrived
    pushes = [a for a in _sharing(remote.env).audit_log() if a["method"] == "PUSH"]
    assert pushes and pushes[0]["path"] == inbox_url


# ---------------------------------------------------------------- medallion 3.0.0

COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
INBOX = "52892447-4d7e-4f70-b94d-d7f22742ff63"
BAD = "indicator--0e4a4a33-7b0a-4a8f-b3c5-33a2d1b1f5aa"
MEDALLION_OBJECTS = [
    {"type": "malware", "spec_version": "2.1", "id": "malware--fdd60b30-b67c-41e3-b0b9-f01faf20d111",
     "created": "2017-01-27T13:49:53.997Z", "modified": "2017-01-27T13:49:53.997Z", "name": "Poison Ivy",
     "is_family": True},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade",
     "created": "2014-05-08T09:00:00.000Z", "modified": "2014-05-08T09:00:00.000Z", "name": "Poison Ivy hash",
     "pattern": "[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']",
     "pattern_type": "stix", "valid_from": "2014-05-08T09:00:00Z",
     "created_by_ref": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c"},
    {"type": "indicator", "spec_version": "2.1", "id": BAD, "created": "2014-05-08T09:00:00.000Z",
     "modified": "2014-05-08T09:00:00.000Z", "name": "an indicator without its pattern", "pattern_type": "stix",
     "valid_from": "2014-05-08T09:00:00Z"},
    {"type": "identity", "spec_version": "2.1", "id": "identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
     "created": "2015-01-01T00:00:00.000Z", "modified": "2015-01-01T00:00:00.000Z", "name": "Some CERT",
     "identity_class": "organization"},
]


def _medallion_data(base: str) -> dict:
    def manifest(i: int, obj: dict) -> dict:
        return {"id": obj["id"], "date_added": f"2024-01-01T00:00:0{i + 1}.000000Z", "version": obj["modified"],
                "media_type": "application/stix+json;version=2.1"}

    def collection(cid: str, title: str, objects: list[dict]) -> dict:
        return {"id": cid, "title": title, "can_read": True, "can_write": True,
                "media_types": ["application/stix+json;version=2.1"], "objects": objects,
                "manifest": [manifest(i, o) for i, o in enumerate(objects)]}

    return {
        "/discovery": {"title": "medallion under test", "default": f"{base}/api1/", "api_roots": [f"{base}/api1/"]},
        "api1": {"information": {"title": "API 1", "versions": [TAXII], "max_content_length": 100000},
                 "status": [], "collections": [collection(COLLECTION, "Indicators", MEDALLION_OBJECTS),
                                               collection(INBOX, "Inbox", [])]},
    }


@pytest.fixture
def medallion(tmp_path: Path):
    """medallion 3.0.0 (memory backend, user alice, pages of 2) on a free loopback port."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data, config = tmp_path / "medallion-data.json", tmp_path / "medallion.json"
    data.write_text(json.dumps(_medallion_data(base)))
    config.write_text(json.dumps({
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": str(data)},
        "users": {"alice": "wonderland"},
        "taxii": {"max_page_size": 2},
    }))
    proc = subprocess.Popen([MEDALLION, "--host", "127.0.0.1", "--port", str(port), "--log-level", "ERROR",
                             str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/taxii2/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # 401 without credentials: it is up
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"medallion exited: {proc.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail("medallion did not answer within 30 s")
                time.sleep(0.2)
        yield SimpleNamespace(base=base, discovery=f"{base}/taxii2/", api=f"{base}/api1/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_pull_from_medallion_pages_reports_invalid_objects_and_resumes(medallion, cli_env):
    auth = ["--user", "alice", "--password", "wonderland"]
    res = run_cli(["pull", medallion.discovery, "--collection", "Indicators", *auth, "--into", "med"], cli_env)
    out = res.stdout.decode()
    assert res.returncode == 1  # one object was invalid
    errors = _error_lines(res.stderr.decode())
    assert len(errors) == 1 and BAD in errors[0]
    assert "pulled 4 objects added after the beginning" in out
    assert _summary(out) == [4, 3, 0, 1]
    assert _collection_ids(cli_env, "med") == {o["id"] for o in MEDALLION_OBJECTS} - {BAD}

    # The producer named by created_by_ref is kept (not refused as with a POST).
    from sqlalchemy import select

    from liaison.store.sharing import CO

    sharing = _sharing(cli_env)
    with sharing.engine.connect() as conn:
        producer, origin = conn.execute(select(CO.c.producer, CO.c.origin)
                                        .where(CO.c.object_id == MEDALLION_OBJECTS[1]["id"])).one()
    assert producer == MEDALLION_OBJECTS[1]["created_by_ref"]
    assert origin.startswith(medallion.api) and COLLECTION in origin  # each object records where it came from
    sharing.engine.dispose()

    # Incremental: from the API root URL with the collection id, nothing is newer than the last date_added.
    res = run_cli(["pull", medallion.api, "--collection", COLLECTION, *auth, "--into", "med"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    assert "pulled 0 objects added after 2024-01-01T00:00:04.000000Z" in res.stdout.decode()


def test_push_to_medallion_from_a_pulled_collection(medallion, cli_env):
    auth = ["--user", "alice", "--password", "wonderland"]
    run_cli(["pull", medallion.discovery, "--collection", "Indicators", *auth, "--into", "med"], cli_env)
    res = run_cli(["push", medallion.discovery, "--collection", "Inbox", *auth, "--from", "med"], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    # The three pulled objects and the TLP:AMBER marking definition (the pull's default) they now carry.
    assert _summary(res.stdout.decode()) == [4, 1, 4, 0, 0]
    arrived, _ = _served(f"{medallion.api}collections/{INBOX}/", ("alice", "wonderland"))
    assert sorted(arrived) == sorted([*(o["id"] for o in MEDALLION_OBJECTS if o["id"] != BAD), MARKING_IDS["amber"]])


# ---------------------------------------------------------------- one-line errors


def _unused_url() -> str:
    return f"http://127.0.0.1:{free_port()}/taxii2/"


ERRORS = [
    ("not a URL", lambda r: ["pull", "taxii.example.org", "--collection", "x"], "not an http(s) URL"),
    ("connection refused", lambda r: ["pull", _unused_url(), "--collection", "x"], "cannot connect to the TAXII server"),
    ("bad token", lambda r: ["pull", r.server.taxii, "--collection", "reports", "--token", "liaison_x_y"], "HTTP 401"),
    ("bad password", lambda r: ["pull", r.server.taxii, "-c", "reports", "--user", "acme", "--password", "no"],
     "HTTP 401"),
    ("unknown collection", lambda r: ["pull", r.server.taxii, "--collection", "nope", "--token", r.token],
     "no collection 'nope'"),
    ("no TAXII there", lambda r: ["pull", r.server.url + "/elsewhere/", "-c", "reports", "--token", r.token],
     "HTTP 404"),
    ("no collection given", lambda r: ["pull", r.server.taxii, "--token", r.token], "which remote collection?"),
    ("token and password", lambda r: ["pull", r.server.taxii, "-c", "reports", "--token", "t", "--user", "u",
                                      "--password", "p"], "not both"),
    ("push bad token", lambda r: ["push", r.server.taxii, "--collection", "reports", "--token", "liaison_x_y"],
     "HTTP 401"),
    ("push refused connection", lambda r: ["push", _unused_url(), "--collection", "x"], "cannot connect"),
    ("push to a read-only collection", lambda r: ["push", r.server.taxii, "-c", "readonly", "--token", r.token],
     "does not allow writing"),
    ("push nothing", lambda r: ["push", r.server.taxii, "-c", "reports", "--token", r.token, "--type", "nothing"],
     "no objects to push"),
]


@pytest.mark.parametrize(("args", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_client_errors_are_one_line_and_exit_1(remote, args, message):
    before = _collection_ids(remote.env, "reports")
    res = run_cli(args(remote), remote.env, timeout=120)
    err = res.stderr.decode()
    assert res.returncode == 1, err + res.stdout.decode()
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], err
    assert _collection_ids(remote.env, "reports") == before


def test_pull_cut_between_pages_keeps_what_it_stored_and_resumes_without_a_gap(medallion, store, monkeypatch):
    from liaison.errors import LiaisonError
    from liaison.share import client
    from liaison.store.sharing import Sharing

    sharing = Sharing(store)
    remote = client.open_remote(medallion.discovery, "Indicators", client.Credentials("alice", "wonderland"))
    real, calls = remote.collection.get_objects, []

    def cut_after_first_page(**kwargs):  # noqa: ANN003, ANN202
        calls.append(kwargs)
        if len(calls) == 2:
            raise requests.ConnectionError("cable cut")
        return real(**kwargs)

    monkeypatch.setattr(remote.collection, "get_objects", cut_after_first_page)
    with pytest.raises(LiaisonError) as cut:
        client.pull(sharing, remote, "med")
    # Page 1 held the objects added at :01 and :02; the position stops just before :02, since more objects
    # of the same date_added could have been on page 2.
    resume = "2024-01-01T00:00:01.999999Z"
    assert "cannot connect" in str(cut.value) and f"the next pull resumes after {resume}" in str(cut.value)
    col = sharing.collection("med")
    assert sharing.pull_position(remote.url, col["id"]) == resume
    assert _ids_in(sharing, "med") == {o["id"] for o in MEDALLION_OBJECTS[:2]}
    remote.close()

    remote = client.open_remote(medallion.api + f"collections/{COLLECTION}/objects/", None,
                                client.Credentials("alice", "wonderland"))
    report = client.pull(sharing, remote, "med")
    remote.close()
    assert (report.since, report.fetched, report.new, report.present) == (resume, 3, 1, 1)
    assert [oid for oid, _ in report.rejected] == [BAD]
    assert report.until == "2024-01-01T00:00:04.000000Z"
    assert _ids_in(sharing, "med") == {o["id"] for o in MEDALLION_OBJECTS} - {BAD}
