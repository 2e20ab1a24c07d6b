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
