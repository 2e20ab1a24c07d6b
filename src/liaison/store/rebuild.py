"""Stored rows back into the records extraction produced, for exports and displays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from liaison.model import Attribution, DateValue, Entity, Event, Extraction, Quantity, Span
from liaison.store.schema import EntityRow, EventRow, MentionRow


def _span(d: dict[str, Any]) -> Span:
    return Span(d["start"], d["end"], d["text"])


def _date(d: str | None) -> dt.date | None:
    return dt.date.fromisoformat(d) if d else None


def extraction_from_rows(ents: list[EntityRow], mentions: list[MentionRow], events: list[EventRow]) -> Extraction:
    by_key: dict[str, list[Span]] = {}
    for m in mentions:
        by_key.setdefault(m.entity_key, []).append(Span(m.start, m.end, m.text))
    entities = []
    for e in ents:
        d = e.data
        entities.append(Entity(
            key=e.key, canonical=e.canonical, type=e.type, mentions=tuple(by_key.get(e.key, [])),
            titles=tuple(d.get("titles", ())), descriptions=tuple(d.get("descriptions", ())),
            latitude=d.get("latitude"), longitude=d.get("longitude"), country_code=d.get("country_code"),
            gazetteer=d.get("gazetteer"), feature=d.get("feature"), admin_code=d.get("admin_code"),
            region=d.get("region"), admin1=d.get("admin1"), admin1_code=d.get("admin1_code"),
            admin2=d.get("admin2"), aliases=tuple(d.get("aliases", ())),
        ))
    out_events = []
    for row in events:
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
        out_events.append(Event(
            type=d["type"], subtype=d["subtype"], trigger=_span(d["trigger"]), evidence=_span(d["evidence"]),
            actors=tuple(d["actors"]), targets=tuple(d["targets"]), location=d["location"], date=date,
            quantities=quantities, attribution=attribution, status=d["status"], hedged=d["hedged"],
            confidence=d["confidence"], mentions=tuple(_span(m) for m in d.get("mentions", [])),
        ))
    return Extraction(entities=tuple(entities), events=tuple(out_events))
