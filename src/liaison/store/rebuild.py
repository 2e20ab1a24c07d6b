"""Stored rows back into records: the one place that reads the tables' columns and JSON.

The store's reads return `liaison.store.records` and the `liaison.model` records extraction
produced (for exports, displays and fusion); every one of them is built here, so a field moved
between a column and a row's JSON changes this module and nothing that reads the store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from liaison.model import Attribution, DateValue, Entity, Event, Extraction, Quantity, Span
from liaison.store.records import StoredDocument
from liaison.store.schema import DocumentRow, DocumentVersionRow, EntityRow, EventRow, MentionRow

#: The columns a StoredDocument is built from (all but the text), labelled as its fields.
DOCUMENT_COLUMNS = (
    DocumentRow.id, DocumentRow.source_key, DocumentRow.stem, DocumentVersionRow.version,
    DocumentVersionRow.content_hash, DocumentVersionRow.media_type, DocumentVersionRow.extraction_method,
    DocumentVersionRow.url, DocumentVersionRow.title, DocumentVersionRow.outlet, DocumentVersionRow.published,
    DocumentVersionRow.published_from, DocumentVersionRow.encoding, DocumentVersionRow.encoding_confidence,
    DocumentVersionRow.ingested_at, DocumentRow.first_ingested, DocumentRow.last_ingested, DocumentRow.tlp,
    DocumentRow.recipients,
)


def stored_document(row: Mapping[str, Any]) -> StoredDocument:
    """A StoredDocument from a row of DOCUMENT_COLUMNS (and ``text`` where it was read)."""
    fields = dict(row)
    fields["recipients"] = tuple(json.loads(fields.get("recipients") or "[]"))
    return StoredDocument(**fields)


def _span(d: dict[str, Any]) -> Span:
    return Span(d["start"], d["end"], d["text"])


def _date(d: str | None) -> dt.date | None:
    return dt.date.fromisoformat(d) if d else None


def mention_spans(mentions: Iterable[MentionRow]) -> dict[tuple[str, str], list[Span]]:
    """The mentions of each (document id, entity key), in the order given."""
    by_key: dict[tuple[str, str], list[Span]] = {}
    for m in mentions:
        by_key.setdefault((m.document_id, m.entity_key), []).append(Span(m.start, m.end, m.text))
    return by_key


def entity_from_row(e: EntityRow, mentions: Iterable[Span]) -> Entity:
    d = e.data
    return Entity(
        key=e.key, canonical=e.canonical, type=e.type, mentions=tuple(mentions),
        titles=tuple(d.get("titles", ())), descriptions=tuple(d.get("descriptions", ())),
        latitude=d.get("latitude"), longitude=d.get("longitude"), country_code=d.get("country_code"),
        gazetteer=d.get("gazetteer"), feature=d.get("feature"), admin_code=d.get("admin_code"),
        region=d.get("region"), admin1=d.get("admin1"), admin1_code=d.get("admin1_code"),
        admin2=d.get("admin2"), aliases=tuple(d.get("aliases", ())),
    )


def event_from_row(row: EventRow) -> Event:
    d = row.data
    date = None
    if d.get("date"):
        dd = d["date"]
        date = DateValue(_span(dd["span"]), dd["value"], _date(dd["start"]), _date(dd["end"]), dd["fidelity"])
    attribution = None
    if d.get("attribution"):
        a = d["attribution"]
        attribution = Attribution(a["source"], _span(a["span"]), a["cue"])
    quantities = tuple(Quantity(q["kind"], q["value"], q["qualifier"], q["low"], q["high"], _span(q["span"]))
                       for q in d.get("quantities", []))
    return Event(
        type=d["type"], subtype=d["subtype"], trigger=_span(d["trigger"]), evidence=_span(d["evidence"]),
        actors=tuple(d["actors"]), targets=tuple(d["targets"]), location=d["location"], date=date,
        quantities=quantities, attribution=attribution, status=d["status"], hedged=d["hedged"],
        confidence=d["confidence"], mentions=tuple(_span(m) for m in d.get("mentions", [])),
    )


def extraction_from_rows(ents: list[EntityRow], mentions: list[MentionRow], events: list[EventRow],
                         method: str = "") -> Extraction:
    by_key = mention_spans(mentions)
    return Extraction(entities=tuple(entity_from_row(e, by_key.get((e.document_id, e.key), ())) for e in ents),
                      events=tuple(event_from_row(row) for row in events), method=method)
