"""The STIX mapping: valid, deterministic, self-describing exports of one document."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from liaison.model import (
    ENTITY_TYPES,
    QUANTITY_KINDS,
    Attribution,
    DateValue,
    Document,
    Entity,
    Event,
    Extraction,
    Quantity,
    Span,
)
from liaison.stix import (
    EVENT_EXTENSION_ID,
    LIAISON_EXTENSION_ID,
    LIAISON_EXTENSION_SCHEMA,
    PRODUCER_ID,
    bundle,
    liaison_extension_errors,
    stix_id,
    to_stix,
    validate_objects,
)
from liaison.stix.extension import OASIS_IDENTITY_ID, organisation_identity

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "liaison-extension-v1.json"
CREATED = dt.datetime(2025, 10, 16, 9, 30, tzinfo=dt.UTC)
MODIFIED = dt.datetime(2025, 10, 16, 9, 45, tzinfo=dt.UTC)

CONDEMNED = "Syrian President Ahmed al-Sharaa condemned the raid."
STRUCK = (
    "Israeli jets struck Islamic State (IS) positions near Raqqa in Syria on 14 October, "
    "killing between 10 and 12 fighters, the army said."
)
FOILED_PLOT = "Police said they foiled an IS plot to bomb the Tishrin Dam."
TEXT = " ".join([CONDEMNED, STRUCK, FOILED_PLOT])


def span(text: str, after: int = 0) -> Span:
    start = TEXT.index(text, after)
    return Span(start, start + len(text), text)


SHARAA = Entity(
    key="per:ahmed al-sharaa",
    canonical="Ahmed al-Sharaa",
    type="person",
    mentions=(span("Ahmed al-Sharaa"),),
    titles=("President",),
    descriptions=("Syrian",),
    gazetteer="actors",
)
SYRIA = Entity(
    "loc:syria",
    "Syria",
    "country",
    (span("Syria", TEXT.index("in Syria")),),
    country_code="sy",
    gazetteer="geonames",
    region="western-asia",
)
RAQQA = Entity(
    "loc:raqqa",
    "Raqqa",
    "place",
    (span("Raqqa"),),
    latitude=35.9528,
    longitude=39.0079,
    country_code="SY",
    gazetteer="geonames",
    region="western-asia",
)
ISLAMIC_STATE = Entity(
    "org:islamic state",
    "Islamic State",
    "armed_group",
    (span("Islamic State"), span("IS", TEXT.index("(IS")), span("IS", TEXT.index("an IS"))),
    gazetteer="actors",
    aliases=("IS", "ISIS", "ISIL", "Daesh"),
)
ISRAEL_AIR_FORCE = Entity(
    "org:israeli air force", "Israeli Air Force", "government_body", (span("Israeli jets"),)
)
ARMY = Entity("org:army", "army", "organization", (span("the army"),))
TISHRIN_DAM = Entity("loc:tishrin dam", "Tishrin Dam", "facility", (span("Tishrin Dam"),))

AIRSTRIKE = Event(
    type="airstrike",
    subtype="airstrike.jet",
    trigger=span("struck"),
    evidence=span(STRUCK),
    actors=(ISRAEL_AIR_FORCE.key,),
    targets=(ISLAMIC_STATE.key,),
    location=RAQQA.key,
    date=DateValue(span("14 October"), "2025-10-14", dt.date(2025, 10, 14), dt.date(2025, 10, 14), "day"),
    quantities=(Quantity("killed", 12, "range", 10, 12, span("between 10 and 12 fighters")),),
    attribution=Attribution("the army", span("the army"), "said"),
    confidence=70,
)
FOILED = Event(
    type="foiled_attack",
    subtype="foiled_attack.bombing",
    trigger=span("foiled"),
    evidence=span(FOILED_PLOT),
    actors=(ISLAMIC_STATE.key,),
    targets=(TISHRIN_DAM.key,),
    status="not-occurred",
    attribution=Attribution("Police", span("Police"), "said"),
)

DOCUMENT = Document(
    source_key="https://levantbrief.example.com/2025/10/15/raqqa-strike",
    stem="raqqa-strike",
    text=TEXT,
    media_type="text/html",
    url="https://levantbrief.example.com/2025/10/15/raqqa-strike",
    title="Jets strike Islamic State near Raqqa",
    outlet="Levant Brief",
    published=dt.date(2025, 10, 15),
    published_from="metadata",
)
EXTRACTION = Extraction(
    entities=(SHARAA, SYRIA, RAQQA, ISLAMIC_STATE, ISRAEL_AIR_FORCE, ARMY, TISHRIN_DAM),
    events=(AIRSTRIKE, FOILED),
    method="rules-test-1",
)


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return to_stix(DOCUMENT, EXTRACTION, created=CREATED, modified=MODIFIED)


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def by_type(objects: list[dict], type_: str) -> list[dict]:
    return [o for o in objects if o["type"] == type_]


def one(objects: list[dict], type_: str, name: str) -> dict:
    [obj] = [o for o in objects if o["type"] == type_ and o.get("name", "").startswith(name)]
    return obj


def ext(obj: dict) -> dict:
    return obj["extensions"][LIAISON_EXTENSION_ID]


def test_export_passes_the_oasis_validator_with_zero_errors(objects):
    assert validate_objects(objects) == []


def test_validator_holds_events_to_the_incident_core_schema(objects):
    event = one(objects, "event", "airstrike")
    assert any("status" in e for e in validate_objects([dict(event, status="probably")]))
    assert any("week" in e for e in validate_objects([dict(event, start_time_fidelity="week")]))


def test_export_is_plain_json(objects):
    assert json.loads(json.dumps(objects)) == objects


def test_mapping_twice_gives_the_same_objects(objects):
    again = to_stix(DOCUMENT, EXTRACTION, created=CREATED, modified=MODIFIED)
    assert [o["id"] for o in again] == [o["id"] for o in objects]
    assert again == objects
    assert bundle(again)["id"] == bundle(objects)["id"]


def test_ids_follow_the_documented_keys(objects):
    report = by_type(objects, "report")[0]
    assert report["id"] == stix_id("report", "report|" + DOCUMENT.source_key)
    assert one(objects, "identity", "Ahmed")["id"] == stix_id("identity", "per:ahmed al-sharaa")
    airstrike = one(objects, "event", "airstrike")
    assert airstrike["id"] == stix_id(
        "event", f"event|{DOCUMENT.source_key}|airstrike|{AIRSTRIKE.evidence.start}"
    )
    rel = next(r for r in by_type(objects, "relationship") if r["relationship_type"] == "located-at")
    assert rel["id"] == stix_id(
        "relationship", f"relationship|{rel['source_ref']}|located-at|{rel['target_ref']}"
    )
    assert stix_id("identity", "liaison-producer") == PRODUCER_ID


def test_same_entity_key_in_two_documents_gets_the_same_id(objects):
    other_text = "Islamic State fighters attacked a checkpoint in Syria."
    other = Document("other.txt", "other", other_text, "text/plain")
    group = replace(ISLAMIC_STATE, mentions=(Span(0, 13, "Islamic State"),))
    syria = replace(SYRIA, mentions=(Span(47, 52, "Syria"),))
    theirs = to_stix(other, Extraction(entities=(group, syria)), created=CREATED, modified=MODIFIED)
    assert (
        one(theirs, "intrusion-set", "Islamic State")["id"]
        == one(objects, "intrusion-set", "Islamic State")["id"]
    )
    assert one(theirs, "location", "Syria")["id"] == one(objects, "location", "Syria")["id"]
    assert by_type(theirs, "report")[0]["id"] != by_type(objects, "report")[0]["id"]


def test_entities_map_to_the_documented_stix_types(objects):
    sharaa = one(objects, "identity", "Ahmed al-Sharaa")
    assert sharaa["identity_class"] == "individual"
    assert "roles" not in sharaa and "description" not in sharaa  # per-document: on the report
    air_force = one(objects, "identity", "Israeli Air Force")
    assert air_force["identity_class"] == "organization"
    assert air_force["sectors"] == ["government-national"]
    assert "sectors" not in one(objects, "identity", "army")
    group = one(objects, "intrusion-set", "Islamic State")
    assert group["aliases"] == ["IS", "ISIS", "ISIL", "Daesh"]  # the entity's aliases, not one article's mentions
    assert one(objects, "location", "Syria")["country"] == "SY"
    raqqa = one(objects, "location", "Raqqa")
    assert (raqqa["latitude"], raqqa["longitude"], raqqa["country"]) == (35.9528, 39.0079, "SY")


def test_report_carries_each_entitys_mentions_titles_and_descriptions(objects):
    group_obj = one(objects, "intrusion-set", "Islamic State")
    assert ext(group_obj)["key"] == "org:islamic state"
    report = ext(by_type(objects, "report")[0])
    group = next(e for e in report["entities"] if e["key"] == "org:islamic state")
    assert group["ref"] == group_obj["id"]
    assert [m["text"] for m in group["mentions"]] == ["Islamic State", "IS", "IS"]
    assert all(TEXT[m["start"] : m["end"]] == m["text"] for m in group["mentions"])
    sharaa = next(e for e in report["entities"] if e["ref"] == one(objects, "identity", "Ahmed al-Sharaa")["id"])
    assert sharaa["titles"] == ["President"] and sharaa["descriptions"] == ["Syrian"]


def test_an_entity_named_by_two_documents_is_one_unchanged_object(objects):
    other = replace(DOCUMENT, source_key="/data/other.txt", stem="other")
    again = to_stix(other, EXTRACTION, created=CREATED, modified=MODIFIED)
    for type_ in ("identity", "intrusion-set", "location"):
        first = {o["id"]: o for o in by_type(objects, type_)}
        second = {o["id"]: o for o in by_type(again, type_)}
        assert first and first == second, type_


def test_facility_with_a_known_country_becomes_a_location():
    dam = replace(TISHRIN_DAM, country_code="SY")
    objs = to_stix(DOCUMENT, Extraction(entities=(dam,)), created=CREATED, modified=MODIFIED)
    location = one(objs, "location", "Tishrin Dam")
    assert location["description"] == "facility"
    assert location["country"] == "SY"
    assert validate_objects(objs) == []


def test_unlocatable_place_is_listed_not_invented(objects):
    assert not [o for o in objects if o.get("name") == "Tishrin Dam"]
    report = ext(by_type(objects, "report")[0])
    assert report["unmapped_entities"] == [
        {
            "key": "loc:tishrin dam",
            "name": "Tishrin Dam",
            "liaison_type": "facility",
            "reason": "no coordinates or country",
        }
    ]
    assert ext(one(objects, "event", "foiled_attack"))["unmapped_refs"] == ["loc:tishrin dam"]


def test_event_is_an_incident_core_event_with_time_bounds(objects):
    event = one(objects, "event", "airstrike")
    assert event["spec_version"] == "2.1"
    assert event["extensions"][EVENT_EXTENSION_ID] == {"extension_type": "new-sdo"}
    assert event["status"] == "occurred"
    assert event["event_types"] == ["airstrike", "airstrike.jet"]
    assert event["name"] == "airstrike: Israeli Air Force against Islamic State in Raqqa"
    assert event["description"] == STRUCK
    assert (event["start_time"], event["end_time"]) == ("2025-10-14T00:00:00Z", "2025-10-14T23:59:59Z")
    assert event["start_time_fidelity"] == event["end_time_fidelity"] == "day"
    assert event["confidence"] == 70


def test_foiled_attack_is_not_occurred_and_has_no_time(objects):
    event = one(objects, "event", "foiled_attack")
    assert event["status"] == "not-occurred"
    assert "start_time" not in event
    assert "quantities" not in ext(event)  # STIX forbids empty lists


def test_event_extension_carries_quantity_bounds_and_provenance(objects):
    event = one(objects, "event", "airstrike")
    liaison = ext(event)
    assert liaison["quantities"] == [
        {
            "kind": "killed",
            "value": 12,
            "qualifier": "range",
            "low": 10,
            "high": 12,
            "text": "between 10 and 12 fighters",
            "start": TEXT.index("between 10"),
            "end": TEXT.index("between 10") + len("between 10 and 12 fighters"),
        }
    ]
    assert liaison["evidence"] == {
        "start": TEXT.index(STRUCK),
        "end": TEXT.index(STRUCK) + len(STRUCK),
        "text": STRUCK,
    }
    assert liaison["trigger"]["text"] == "struck"
    assert liaison["date_text"]["text"] == "14 October"
    assert liaison["attribution"] == {
        "source": "the army",
        "cue": "said",
        "start": AIRSTRIKE.attribution.span.start,
        "end": AIRSTRIKE.attribution.span.end,
    }
    assert liaison["hedged"] is False
    assert liaison["extraction_method"] == "rules-test-1"
    assert liaison["source_document"] == by_type(objects, "report")[0]["id"]


def test_relationships_link_events_to_actors_targets_and_place(objects):
    ids = {o.get("name"): o["id"] for o in objects}
    airstrike = one(objects, "event", "airstrike")["id"]
    links = {
        (r["source_ref"], r["relationship_type"], r["target_ref"]) for r in by_type(objects, "relationship")
    }
    assert links == {
        (airstrike, "has-actor", ids["Israeli Air Force"]),
        (airstrike, "has-target", ids["Islamic State"]),
        (airstrike, "located-at", ids["Raqqa"]),
        (one(objects, "event", "foiled_attack")["id"], "has-actor", ids["Islamic State"]),
    }


def test_report_references_what_the_document_reported_not_the_definitions(objects):
    [report] = by_type(objects, "report")
    assert objects[-1] is report
    signing = {PRODUCER_ID, LIAISON_EXTENSION_ID, EVENT_EXTENSION_ID, OASIS_IDENTITY_ID}
    assert report["object_refs"] == [o["id"] for o in objects[:-1] if o["id"] not in signing]
    assert {o["type"] for o in objects if o["id"] in report["object_refs"]} == {
        "identity", "intrusion-set", "location", "event", "relationship"}
    assert len(set(report["object_refs"])) == len(report["object_refs"])
    assert report["name"] == DOCUMENT.title
    assert report["published"] == "2025-10-15T00:00:00Z"
    assert report["report_types"] == ["threat-report"]
    assert report["external_references"] == [{"source_name": "Levant Brief", "url": DOCUMENT.url}]
    liaison = ext(report)
    assert liaison["content_hash"] == DOCUMENT.content_hash
    assert (liaison["outlet"], liaison["media_type"]) == ("Levant Brief", "text/html")
    assert "source_key" not in liaison  # where the ingesting machine kept it stays in the store


def test_report_without_metadata_is_named_by_its_opening_words_not_its_file_and_dated_created():
    bare = Document("/home/jdoe/notes/brief.txt", "brief", "Nothing happened.\nThen more.", "text/plain")
    objs = to_stix(bare, Extraction(), created=CREATED, modified=MODIFIED)
    [report] = by_type(objs, "report")
    assert report["name"] == "Nothing happened."
    assert "brief" not in json.dumps(objs) and "jdoe" not in json.dumps(objs)
    assert report["published"] == "2025-10-16T09:30:00Z"
    assert "external_references" not in report
    assert validate_objects(objs) == []


def test_every_liaison_object_is_stamped_by_the_producer(objects):
    made_here = [o for o in objects if o["id"] not in (EVENT_EXTENSION_ID, OASIS_IDENTITY_ID)]
    assert made_here and all(o["created_by_ref"] == PRODUCER_ID for o in made_here)
    stamped = [
        o
        for o in made_here
        if o["type"] not in ("identity", "extension-definition")
        or o["id"] not in (PRODUCER_ID, LIAISON_EXTENSION_ID)
    ]
    assert stamped and all(o["created"] == "2025-10-16T09:30:00.000Z" for o in stamped)
    assert all(o["modified"] == "2025-10-16T09:45:00.000Z" for o in stamped)


def test_export_includes_the_producer_and_both_extension_definitions(objects):
    producer = next(o for o in objects if o["id"] == PRODUCER_ID)
    assert (producer["type"], producer["identity_class"], producer["name"]) == (
        "identity",
        "system",
        "Liaison",
    )
    liaison = next(o for o in objects if o["id"] == LIAISON_EXTENSION_ID)
    assert liaison["extension_types"] == ["property-extension"]
    assert liaison["schema"] == LIAISON_EXTENSION_SCHEMA
    assert liaison["version"] == "1.0"
    oasis = next(o for o in objects if o["id"] == EVENT_EXTENSION_ID)
    assert oasis["extension_types"] == ["new-sdo"]
    # Its creator is in the export too, so that created_by_ref resolves inside the bundle.
    creator = next(o for o in objects if o["id"] == oasis["created_by_ref"])
    assert (creator["type"], creator["name"]) == ("identity", "OASIS Open")


def test_liaison_extension_entries_match_the_json_schema(objects, schema):
    assert schema["$id"] == LIAISON_EXTENSION_SCHEMA
    carriers = [o for o in objects if LIAISON_EXTENSION_ID in o.get("extensions", {})]
    assert {o["type"] for o in carriers} == {"identity", "location", "intrusion-set", "event", "report"}
    assert liaison_extension_errors(objects, schema) == []


def test_json_schema_rejects_a_malformed_quantity(objects, schema):
    event = json.loads(json.dumps(one(objects, "event", "airstrike")))
    ext(event)["quantities"][0]["qualifier"] = "roughly"
    assert liaison_extension_errors([event], schema)


def test_json_schema_vocabularies_match_the_model(schema):
    defs = schema["$defs"]
    assert tuple(defs["quantity"]["properties"]["kind"]["enum"]) == QUANTITY_KINDS
    assert tuple(defs["liaison_type"]["enum"]) == ENTITY_TYPES


def test_two_events_of_one_type_in_one_sentence_get_distinct_ids():
    second = replace(AIRSTRIKE, trigger=span("killing"), quantities=())
    objs = to_stix(DOCUMENT, Extraction(events=(AIRSTRIKE, second)), created=CREATED, modified=MODIFIED)
    events = by_type(objs, "event")
    assert len({e["id"] for e in events}) == 2
    assert events[0]["id"] == stix_id(
        "event", f"event|{DOCUMENT.source_key}|airstrike|{AIRSTRIKE.evidence.start}"
    )
    assert validate_objects(objs) == []


def test_hand_written_objects_are_exactly_what_stix2_makes_of_them(objects):
    """Events, relationships and the report skip stix2's constructors for speed; parsing each one
    back through stix2 (which re-checks every property) must change nothing."""
    import stix2

    for obj in objects:
        assert json.loads(stix2.parse(obj, allow_custom=False).serialize()) == obj, obj["type"]


def test_objects_made_from_a_document_name_the_installations_organisation_as_creator():
    org = organisation_identity({"identity_id": "identity--6c1f2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f", "name": "Cell A",
                                 "created": "2025-09-01T00:00:00.000Z", "modified": "2025-09-02T00:00:00.000Z"})
    objs = to_stix(DOCUMENT, EXTRACTION, created=CREATED, modified=MODIFIED, producer=org)
    assert objs[0] == org and org["created_by_ref"] == org["id"] and org["identity_class"] == "organization"
    shared = {PRODUCER_ID, LIAISON_EXTENSION_ID, EVENT_EXTENSION_ID, OASIS_IDENTITY_ID}
    assert PRODUCER_ID in {o["id"] for o in objs}  # still there: it signs the shared definitions
    assert all(o["created_by_ref"] == org["id"] for o in objs if o["id"] not in shared)
    assert validate_objects(objs) == []
    # Its ids are its own (STIX: only an object's creator versions it), still one per key.
    from liaison.stix.ids import namespace_of

    [report] = by_type(objs, "report")
    assert report["id"] == stix_id("report", "report|" + DOCUMENT.source_key, namespace_of(org["id"]))
    other = organisation_identity(dict(org.items(), identity_id="identity--0b9f8e7d-6c5b-4a39-8271-605f4e3d2c1b"))
    elsewhere = to_stix(DOCUMENT, EXTRACTION, created=CREATED, modified=MODIFIED, producer=other)
    mine = {o["id"] for o in objs} - shared - {org["id"]}
    assert mine and not mine & {o["id"] for o in elsewhere}
    again = to_stix(DOCUMENT, EXTRACTION, created=CREATED, modified=MODIFIED, producer=org)
    assert [o["id"] for o in again] == [o["id"] for o in objs]
