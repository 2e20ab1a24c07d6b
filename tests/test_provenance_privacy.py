"""Nothing about where the ingesting machine keeps its files leaves the installation.

A report says what its source published (URL, outlet, title, dates); the path it was read
from, its file name and the folders and user name in that path stay in the store. These
tests ingest files kept under a folder that names a user and a secret, then look for those
names in every STIX object the mapping makes, in the exported bundle and in everything the
TAXII server serves.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import requests

from conftest import EXAMPLES, add_partner, run_cli
from liaison.model import Document, Entity, Event, Extraction, Span
from liaison.stix import to_stix
from liaison.stix.mapping import report_name

TAXII = "application/taxii+json;version=2.1"
USER = "jdoe"
FOLDER = "home-jdoe-secret"
PREFIX = "jdoe-private-"  # every ingested file's name starts so: its stem names the user too


def _leaks(text: str, private: list[str]) -> list[str]:
    return [p for p in private if p.casefold() in text.casefold()]


def _private_copy(tmp_path: Path) -> tuple[Path, list[str]]:
    """examples/articles under <tmp>/home-jdoe-secret/articles/ with private file names, and one
    title-less text file; returns the folder and the strings that must never leave."""
    folder = tmp_path / FOLDER / "articles"
    folder.mkdir(parents=True)
    for src in sorted(EXAMPLES.iterdir()):
        shutil.copy(src, folder / (PREFIX + src.name))
    (folder / f"{PREFIX}untitled-notes.txt").write_text(
        "KABUL, Oct. 2, 2025 - Taliban intelligence said it foiled a bombing of a mosque in Kabul.\n")
    stems = [p.stem for p in folder.iterdir()]
    return folder, [str(tmp_path), FOLDER, USER, "untitled-notes", *stems, *(p.name for p in folder.iterdir())]


@pytest.mark.parametrize(("title", "text", "name"), [
    ("Raids in Raqqa", "RAQQA - text", "Raids in Raqqa"),
    ("  ", "Soldiers arrested two suspects.\nMore.", "Soldiers arrested two suspects."),
    (None, "word " * 40, ("word " * 20).strip() + "\u2026"),
    (None, "", "Untitled document"),
])
def test_report_is_named_by_its_title_or_opening_words(title, text, name):
    assert report_name(title, text) == name


def test_no_object_made_from_a_local_file_carries_its_path_name_or_folders():
    path = f"/home/{USER}/{FOLDER}/articles/{PREFIX}raqqa.txt"
    text = "RAQQA, Oct. 15, 2025 - Coalition aircraft struck Islamic State positions near Raqqa."
    doc = Document(path, f"{PREFIX}raqqa", text, "text/plain")  # no title, URL or outlet: the worst case
    ent = Entity("armed_group:islamic state", "Islamic State", "armed_group", (Span(49, 62, "Islamic State"),))
    raqqa = Entity("place:raqqa", "Raqqa", "place", (Span(0, 5, "RAQQA"), Span(78, 83, "Raqqa")),
                   latitude=35.95, longitude=39.01, country_code="sy")
    event = Event("airstrike", "airstrike", Span(39, 45, "struck"), Span(25, 84, text[25:84]), targets=(ent.key,),
                  location=raqqa.key)
    when = dt.datetime(2025, 10, 16, tzinfo=dt.UTC)
    objects = to_stix(doc, Extraction((ent, raqqa), (event,)), created=when, modified=when)
    assert {o["type"] for o in objects} >= {"report", "event", "relationship", "location", "intrusion-set"}
    for obj in objects:
        assert _leaks(json.dumps(obj), [path, USER, FOLDER, "raqqa.txt", f"{PREFIX}raqqa"]) == [], obj["id"]


def _served_texts(base: str, token: str) -> list[tuple[str, str]]:
    """Every body the TAXII server gives this partner: discovery, API root, collections, and each
    collection's objects (every version) and manifest, page by page."""
    auth = {"Authorization": f"Bearer {token}", "Accept": TAXII}

    def get(url: str, **params: str) -> dict:
        r = requests.get(url, headers=auth, params=params, timeout=30)
        r.raise_for_status()
        texts.append((url, r.text))
        return r.json()

    texts: list[tuple[str, str]] = []
    get(base + "taxii2/")
    get(base + "taxii2/api/")
    for col in get(base + "taxii2/api/collections/")["collections"]:
        for what in ("objects", "manifest"):
            params = {"match[version]": "all"}
            while True:
                body = get(f"{base}taxii2/api/collections/{col['id']}/{what}/", **params)
                if not body.get("more"):
                    break
                params = {"match[version]": "all", "next": body["next"]}
    return texts


def test_exports_and_taxii_never_carry_the_ingesting_machines_paths(cli_env, tmp_path, live_server):
    folder, private = _private_copy(tmp_path)
    res = run_cli(["ingest", str(folder)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    out = tmp_path / "out" / "bundle.json"
    res = run_cli(["export", "--format", "stix", "--out", str(out)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    bundle = out.read_text()
    assert len([o for o in json.loads(bundle)["objects"] if o["type"] == "report"]) == 7
    assert _leaks(bundle, private) == []

    assert run_cli(["collections", "add", "reports", "--from-store", "--default-tlp", "green"],
                   cli_env).returncode == 0
    token = add_partner(cli_env, "cell-a")
    assert run_cli(["collections", "grant", "reports", "cell-a"], cli_env).returncode == 0
    server = live_server()
    texts = _served_texts(server.url + "/", token)
    served = [o for url, t in texts if url.endswith("/objects/") for o in json.loads(t)["objects"]]
    assert len({o["id"] for o in served if o["type"] == "report"}) == 7
    assert [(url, _leaks(t, private)) for url, t in texts if _leaks(t, private)] == []
