"""What partners receive when fusion decides (docs/fusion.md#what-partners-receive-stix): the resolved entity's object
with all its names, the merged-away object revoked and tied to it by `derived-from`, every report
naming the resolved entity, a `grouping` per fused event and a `note` per conflicting figure; the
whole export still passes stix2-validator, and a re-ingest never un-revokes what was revoked."""

from __future__ import annotations

import json

import pytest

from liaison.export.bundle import export_objects
from liaison.pipeline import ingest
from liaison.settings import Settings
from liaison.stix.extension import LIAISON_EXTENSION_ID
from liaison.stix.validate import validate_objects
from test_fusion_cli import DOCS, _write


@pytest.fixture
def fused(tmp_path, store):
    folder = _write(tmp_path / "docs", DOCS)
    report = ingest([str(folder)], Settings(home=tmp_path / "home", workers=1), store)
    assert not report.failures
    return store, folder, tmp_path


def _ext(obj: dict) -> dict:
    return (obj.get("extensions") or {}).get(LIAISON_EXTENSION_ID) or {}


def test_a_resolved_entity_is_one_object_with_all_its_names_and_the_merged_one_is_revoked(fused):
    store, _, _ = fused
    objects = store.latest_stix()
    sharaa = [o for o in objects if o["type"] == "identity" and o["name"] == "Ahmed al-Sharaa"]
    assert len(sharaa) == 1
    rep = sharaa[0]
    assert {"Ahmad Al Shara", "Al Shara"} <= set(_ext(rep)["aliases"])
    merged = _ext(rep)["resolved_from"]
    by_id = {o["id"]: o for o in objects}
    assert merged and all(by_id[m].get("revoked") is True for m in merged)
    derived = [o for o in objects if o["type"] == "relationship" and o["relationship_type"] == "derived-from"]
    assert {(d["source_ref"], d["target_ref"]) for d in derived} >= {(rep["id"], m) for m in merged}
    assert all("rule" in d["description"] or "merged by" in d["description"] for d in derived)
    reports = [o for o in objects if o["type"] == "report"]
    assert sum(rep["id"] in r["object_refs"] for r in reports) == 2  # both documents naming him


def test_one_raid_told_twice_is_a_grouping_and_its_disputed_toll_a_note_on_both_events(fused):
    store, _, _ = fused
    objects = store.latest_stix()
    by_id = {o["id"]: o for o in objects}
    groupings = [o for o in objects if o["type"] == "grouping"]
    assert len(groupings) == 1
    refs = groupings[0]["object_refs"]
    assert sorted(by_id[r]["type"] for r in refs) == ["event", "event", "report", "report"]
    notes = [o for o in objects if o["type"] == "note"]
    assert len(notes) == 1 and "killed" in notes[0]["abstract"]
    assert "5 (killed)" in notes[0]["content"] and "7 (killed)" in notes[0]["content"]
    assert {by_id[r]["type"] for r in notes[0]["object_refs"]} == {"event"}


def test_the_fused_export_passes_the_validator_and_every_reference_resolves(fused):
    store, _, _ = fused
    objects = export_objects(store)
    assert validate_objects(objects) == []
    ids = {o["id"] for o in objects}
    for o in objects:
        for ref in o.get("object_refs", []):
            assert ref in ids


def test_a_re_ingest_never_un_revokes_nor_undoes_the_resolved_version(fused):
    store, folder, tmp_path = fused
    revoked = {o["id"] for o in store.latest_stix() if o.get("revoked")}
    assert revoked
    changed = dict(DOCS["b.json"], text=DOCS["b.json"]["text"] + "\n\nMr Al Shara left on Tuesday.")
    (folder / "b.json").write_text(json.dumps(changed), encoding="utf-8")
    ingest([str(folder)], Settings(home=tmp_path / "home", workers=1), store)
    latest = {o["id"]: o for o in store.latest_stix()}
    assert all(latest[i].get("revoked") for i in revoked)
    rep = next(o for o in latest.values() if o["type"] == "identity" and o["name"] == "Ahmed al-Sharaa")
    assert "resolved_from" in _ext(rep)


def test_documents_ingested_one_by_one_leave_a_full_resolution_nothing_to_publish(tmp_path, store):
    from liaison.store.fusion import Fusion

    folder = _write(tmp_path / "docs", DOCS)
    settings = Settings(home=tmp_path / "home", workers=1)
    for name in ("c.json", "b.json", "a.json"):
        assert not ingest([str(folder / name)], settings, store).failures
    assert any(o.get("revoked") for o in store.latest_stix())
    assert Fusion(store).resolve_all().published == 0


# ---------------------------------------------------------------- an analyst's split (docs/fusion.md)

def _split(store, **how):  # noqa: ANN001, ANN202
    """Split "Ahmed al-Sharaa" as `liaison entities split` does (the keys of all his nodes), by analyst-1."""
    import datetime as dt

    from liaison.fuse.records import Override
    from liaison.store.fusion import Fusion

    fusion = Fusion(store)
    links = fusion.links()
    target = next(link.entity for n, link in links.items() if n[1] == "per:al shara")
    keys = tuple(sorted({n[1] for n, link in links.items() if link.entity == target}))
    before = {o["id"]: o for o in store.latest_stix()}
    rep = next(o for o in before.values() if o["type"] == "identity" and "resolved_from" in _ext(o))
    report = fusion.add_override(Override("split", keys, by="analyst-1", at=dt.datetime(2026, 11, 30, 9), **how))
    return fusion, before, rep, report


def _split_object(objects: list[dict], before: dict) -> dict:
    fresh = [o for o in objects if o["type"] == "identity" and o["id"] not in before]
    assert len(fresh) == 1
    return fresh[0]


def test_a_split_on_one_document_gives_partners_a_fresh_object_and_the_representative_without_its_names(fused):
    store, _, _ = fused
    b = store.find_document("b").id
    _, before, rep, report = _split(store, document=b)
    assert report.published > 0
    objects = store.latest_stix()
    latest = {o["id"]: o for o in objects}
    merged = _ext(rep)["resolved_from"]
    # the representative: a new version, no longer resolved from the split-off object nor named by it
    now = latest[rep["id"]]
    assert now["modified"] > rep["modified"] and not now.get("revoked")
    assert "Al Shara" not in _ext(now).get("aliases", []) and "resolved_from" not in _ext(now)
    # the split-off entity: a fresh object (a revoked one is never un-revoked) with its own names
    split = _split_object(objects, before)
    assert not split.get("revoked") and {"Al Shara", "Ahmad Al Shara"} <= set(_ext(split)["aliases"])
    assert _ext(split)["resolved_from"] == merged and all(latest[m].get("revoked") for m in merged)
    derived = {(o["source_ref"], o["target_ref"]): o for o in objects
               if o["type"] == "relationship" and o["relationship_type"] == "derived-from"}
    for target in (rep["id"], *merged):
        assert derived[(split["id"], target)]["description"] == "split by analyst-1 on 2026-11-30"
    # the merge that tied the representative to the split-off object is withdrawn
    assert all(derived[(rep["id"], m)].get("revoked") is True for m in merged)
    # the report of the document split off names the new object and its ties; the other does not
    reports = {o["name"]: o for o in objects if o["type"] == "report"}
    assert {split["id"], *(derived[(split["id"], t)]["id"] for t in (rep["id"], *merged))} <= set(
        reports["Al Shara at the White House"]["object_refs"])
    assert split["id"] not in reports["Sharaa meets US envoys"]["object_refs"]


def test_a_split_by_name_gives_the_split_off_name_a_fresh_object_resolved_from_the_revoked_one(fused):
    store, _, _ = fused
    _, before, rep, _ = _split(store, alias="Al Shara")
    objects = store.latest_stix()
    latest = {o["id"]: o for o in objects}
    split = _split_object(objects, before)
    assert split["name"] == "Al Shara" and not split.get("revoked")
    assert _ext(split)["resolved_from"] == _ext(rep)["resolved_from"]
    assert "Al Shara" not in _ext(latest[rep["id"]]).get("aliases", [])
    assert "resolved_from" not in _ext(latest[rep["id"]])
    assert any(o["type"] == "relationship" and o["source_ref"] == split["id"] and o["target_ref"] == rep["id"]
               and o["description"].startswith("split by analyst-1") for o in objects)


def test_a_split_export_passes_the_validator_and_every_reference_resolves(fused):
    store, _, _ = fused
    _split(store, document=store.find_document("b").id)
    objects = export_objects(store)
    assert validate_objects(objects) == []
    ids = {o["id"] for o in objects}
    for o in objects:
        for ref in [*o.get("object_refs", []), *(v for k, v in o.items() if k.endswith("_ref"))]:
            assert ref in ids


def test_a_re_ingest_and_a_full_re_resolution_after_a_split_keep_what_partners_received(fused):
    store, folder, tmp_path = fused
    fusion, before, rep, _ = _split(store, document=store.find_document("b").id)
    after = {o["id"]: o for o in store.latest_stix()}
    split = _split_object(list(after.values()), before)
    assert fusion.resolve_all().published == 0  # the same split gives the same objects
    changed = dict(DOCS["b.json"], text=DOCS["b.json"]["text"] + "\n\nHe left on Tuesday.")
    (folder / "b.json").write_text(json.dumps(changed), encoding="utf-8")
    assert not ingest([str(folder)], Settings(home=tmp_path / "home", workers=1), store).failures
    for run in ("the re-ingest's update", "resolve --all"):
        if run == "resolve --all":
            fusion.resolve_all()
        latest = {o["id"]: o for o in store.latest_stix()}
        assert not latest[split["id"]].get("revoked") and "Al Shara" in _ext(latest[split["id"]])["aliases"], run
        assert all(latest[m].get("revoked") for m in _ext(rep)["resolved_from"]), run
        now = latest[rep["id"]]
        assert "Al Shara" not in _ext(now).get("aliases", []) and "resolved_from" not in _ext(now), run
        b = next(o for o in latest.values() if o["type"] == "report" and o["name"] == "Al Shara at the White House")
        assert split["id"] in b["object_refs"], run
