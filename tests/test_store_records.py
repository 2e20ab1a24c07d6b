"""The store's reads return frozen records (liaison.store.records and liaison.model), not ORM rows
or stored JSON: what callers read is typed, and the tables' layout stays the store's own."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from liaison.model import Attribution, DateValue, Document, Entity, Event, Extraction, Quantity, Span
from liaison.stix.tlp import Marking
from liaison.store.records import EntitySummary, StoredDocument, StoredEntity, StoredEvent

TEXT = "KABUL - Taliban fighters attacked Kabul on 3 May 2025, killing at least 30, police said."


def _span(text: str, start: int = 0) -> Span:
    at = TEXT.index(text, start)
    return Span(at, at + len(text), text)


def _extraction() -> Extraction:
    taliban = Entity("organization:taliban", "Taliban", "organization", (_span("Taliban"),), aliases=("Islamic Emirate",))
    kabul = Entity("location:kabul", "Kabul", "location", (_span("KABUL"), _span("Kabul")), country_code="AF",
                   latitude=34.5, longitude=69.2, admin1="Kabul")
    attack = Event("attack", "attack.armed", _span("attacked"), Span(0, len(TEXT), TEXT),
                   actors=(taliban.key,), location=kabul.key,
                   date=DateValue(_span("3 May 2025"), "2025-05-03", dt.date(2025, 5, 3), dt.date(2025, 5, 3), "day"),
                   quantities=(Quantity("killed", 30, "lower_bound", 30, None, _span("at least 30")),),
                   attribution=Attribution("police", _span("police"), "said"), confidence=70)
    return Extraction(entities=(taliban, kabul), events=(attack,), method="rules-test")


def _document(stem: str = "kabul", **fields) -> Document:  # noqa: ANN003
    return Document(source_key=f"/docs/{stem}.txt", stem=stem, text=TEXT, media_type="text/plain",
                    title="Attack on Kabul", outlet="Wire", published=dt.date(2025, 5, 4),
                    published_from="metadata", **fields)


@pytest.fixture
def filled(store):
    store.save(_document(tlp="amber+strict", recipients=("identity--00000000-0000-4000-8000-000000000001",)),
               _extraction(), [])
    return store


def test_documents_are_frozen_records_without_their_text_unless_asked(filled):
    [doc] = filled.documents()
    assert isinstance(doc, StoredDocument) and doc.text is None
    assert (doc.stem, doc.version, doc.title, doc.outlet, doc.published, doc.extraction_method) == (
        "kabul", 1, "Attack on Kabul", "Wire", dt.date(2025, 5, 4), "rules-test")
    assert doc.marking == Marking("amber+strict", ("identity--00000000-0000-4000-8000-000000000001",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.stem = "other"  # type: ignore[misc]
    [with_text] = filled.documents(text=True)
    assert with_text.text == TEXT == filled.document_text(doc)
    assert filled.find_document("kabul") == doc and filled.find_document(doc.id[:8]) == doc


def test_extraction_is_rebuilt_as_extraction_made_it(filled):
    [doc] = filled.documents()
    made, rebuilt = _extraction(), filled.extraction(doc)
    assert (rebuilt.events, rebuilt.method) == (made.events, made.method)
    assert sorted(rebuilt.entities, key=lambda e: e.key) == sorted(made.entities, key=lambda e: e.key)


def test_entities_and_events_come_with_their_document(filled):
    [doc] = filled.documents()
    entities = filled.stored_entities()
    assert [type(e) for e in entities] == [StoredEntity, StoredEntity]
    assert {e.key: e.entity for e in entities} == {e.key: e for e in _extraction().entities}
    assert {(e.document, e.version) for e in entities} == {(doc, 1)}
    assert filled.stored_entities(["no-such-document"]) == []
    [event] = filled.current_events(entity="taliban")
    assert event == StoredEvent(doc, 0, _extraction().events[0]) and event.stem == "kabul"
    assert filled.current_entities(type_="location") == [EntitySummary("location:kabul", "Kabul", "location", 1, 2)]


def test_reads_follow_the_current_version(filled):
    changed = dataclasses.replace(_document(), text=TEXT.replace("30", "31"))
    assert filled.save(changed, Extraction(method="rules-test"), []) == "updated"
    [doc] = filled.documents()
    assert doc.version == 2 and doc.marking is not None  # re-ingested unmarked, it keeps its marking
    assert filled.extraction(doc) == Extraction(method="rules-test")
    assert filled.stored_entities() == [] and filled.current_events() == [] and filled.current_entities() == []
