"""An extraction as table rows, without the document id and version that the store adds.

Pure data work with no database: ingest's worker processes run it, so the process that
writes the store only executes the inserts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, NamedTuple

from liaison.model import Attribution, DateValue, Event, Extraction, Quantity, Span


def _span(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date_value(d: DateValue | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"span": _span(d.span), "value": d.value, "start": _date(d.start), "end": _date(d.end),
            "fidelity": d.fidelity}


def _attribution(a: Attribution | None) -> dict[str, Any] | None:
    return None if a is None else {"source": a.source, "span": _span(a.span), "cue": a.cue}


def _quantity(q: Quantity) -> dict[str, Any]:
    return {"kind": q.kind, "value": q.value, "qualifier": q.qualifier, "low": q.low, "high": q.high,
            "span": _span(q.span)}


def event_data(ev: Event) -> dict[str, Any]:
    """An event as JSON-ready data (what store.rebuild reads back)."""
    return {
        "type": ev.type, "subtype": ev.subtype, "trigger": _span(ev.trigger), "evidence": _span(ev.evidence),
        "actors": list(ev.actors), "targets": list(ev.targets), "location": ev.location,
        "date": _date_value(ev.date), "quantities": [_quantity(q) for q in ev.quantities],
        "attribution": _attribution(ev.attribution), "status": ev.status, "hedged": ev.hedged,
        "confidence": ev.confidence, "mentions": [_span(m) for m in ev.mentions],
    }


def extraction_rows(extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """Rows for the entities, mentions, events and event_roles tables."""
    entities, mentions, events, roles = [], [], [], []
    for ent in extraction.entities:
        entities.append({"key": ent.key, "canonical": ent.canonical, "type": ent.type, "data": {
            "key": ent.key, "canonical": ent.canonical, "type": ent.type, "titles": list(ent.titles),
            "descriptions": list(ent.descriptions), "latitude": ent.latitude, "longitude": ent.longitude,
            "country_code": ent.country_code, "gazetteer": ent.gazetteer, "feature": ent.feature,
            "admin_code": ent.admin_code, "region": ent.region, "admin1": ent.admin1,
            "admin1_code": ent.admin1_code, "admin2": ent.admin2, "aliases": list(ent.aliases)}})
        mentions += [{"entity_key": ent.key, "start": m.start, "end": m.end, "text": m.text} for m in ent.mentions]
    for idx, ev in enumerate(extraction.events):
        events.append({
            "idx": idx, "type": ev.type, "subtype": ev.subtype, "status": ev.status,
            "date_value": ev.date.value if ev.date else None, "date_start": ev.date.start if ev.date else None,
            "date_end": ev.date.end if ev.date else None, "confidence": ev.confidence,
            "evidence_start": ev.evidence.start, "evidence_end": ev.evidence.end, "data": event_data(ev),
        })
        pairs = [("actor", k) for k in ev.actors] + [("target", k) for k in ev.targets]
        if ev.location:
            pairs.append(("location", ev.location))
        roles += [{"idx": idx, "role": role, "entity_key": key} for role, key in dict.fromkeys(pairs)]
    return {"entities": entities, "mentions": mentions, "events": events, "event_roles": roles}


class StixRow(NamedTuple):
    """A STIX object ready for the store: its JSON text and what the store indexes it by."""

    id: str
    type: str
    modified: str | None
    content_hash: str
    json: str


def object_hash(obj: dict[str, Any]) -> str:
    """A STIX object's content without its timestamps: equal hashes mean no new version is needed."""
    core = {k: v for k, v in obj.items() if k not in ("created", "modified")}
    return hashlib.sha256(json.dumps(core, sort_keys=True, default=str).encode()).hexdigest()


def dump_object(obj: dict[str, Any]) -> str:
    """The compact JSON text a STIX object is stored and served as."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def stix_rows(objects: list[dict[str, Any]]) -> list[StixRow]:
    """Hash and serialise STIX objects (in a worker process, so the writer only inserts)."""
    return [StixRow(o["id"], o["type"], o.get("modified"), object_hash(o), dump_object(o)) for o in objects]
