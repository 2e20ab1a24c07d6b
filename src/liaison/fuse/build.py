"""Fusion's input records from one document's extraction: a node per entity, a report per event.

The same function serves the store (which rebuilds each document's Extraction from its rows),
the scorer and the tests, so what resolution sees of a document never depends on where it ran.
"""

from __future__ import annotations

import datetime as dt

from liaison.extract.lexicon import fold
from liaison.fuse.events import is_aggregate
from liaison.fuse.records import EntityMention, EventReport, Link, Node
from liaison.model import Entity, Extraction


def entity_mentions(document: str, extraction: Extraction, published: dt.date | None = None) -> list[EntityMention]:
    """One EntityMention per entity of the document, its context being the document's other entities."""
    keys = tuple(sorted(e.key for e in extraction.entities))
    out = []
    for e in extraction.entities:
        names = tuple(dict.fromkeys([e.canonical, *(m.text for m in sorted(e.mentions, key=lambda m: m.start))]))
        out.append(EntityMention(
            document=document, key=e.key, canonical=e.canonical, type=e.type, names=names,
            titles=tuple(e.titles), aliases=tuple(e.aliases), context=tuple(k for k in keys if k != e.key),
            published=published, country_code=e.country_code.upper() if e.country_code else None,
            admin1=e.admin1, feature=e.feature, gazetteer=e.gazetteer,
        ))
    return out


def event_reports(document: str, extraction: Extraction, links: dict[Node, Link],
                  published: dt.date | None = None) -> list[EventReport]:
    """One EventReport per event, its actors, targets and place named by their resolved entities;
    ``within`` lists the resolved ids of the province and country the place lies in, where the
    document names them too."""
    def resolved(key: str) -> str:
        link = links.get((document, key))
        return link.entity if link else key

    places = {e.key: e for e in extraction.entities}
    by_name: dict[str, str] = {}
    for e in extraction.entities:
        if e.type in ("country", "place"):
            by_name.setdefault(e.canonical.casefold(), e.key)
            if e.country_code and e.type == "country":
                by_name.setdefault(f"country:{e.country_code.upper()}", e.key)
    states = {e.key: state for e in extraction.entities if (state := _state(e)) is not None}
    out = []
    for idx, ev in enumerate(extraction.events):
        within: list[str] = []
        place = places.get(ev.location) if ev.location else None
        if place is not None:
            if place.admin1 and place.admin1.casefold() in by_name:
                within.append(resolved(by_name[place.admin1.casefold()]))
            if place.country_code and f"country:{place.country_code.upper()}" in by_name:
                within.append(resolved(by_name[f"country:{place.country_code.upper()}"]))
            if place.country_code:
                within.append(f"country:{place.country_code.upper()}")
        quantities = tuple(dict.fromkeys((q.kind, q.value) for q in ev.quantities))
        out.append(EventReport(
            document=document, idx=idx, type=ev.type,
            date_start=ev.date.start if ev.date else None, date_end=ev.date.end if ev.date else None,
            location=resolved(ev.location) if ev.location else None,
            within=tuple(w for w in dict.fromkeys(within) if w != (resolved(ev.location) if ev.location else None)),
            actors=tuple(resolved(k) for k in ev.actors), targets=tuple(resolved(k) for k in ev.targets),
            quantities=quantities, source=ev.attribution.source if ev.attribution else None,
            published=published, aggregate=is_aggregate(ev), evidence_start=ev.evidence.start,
            location_country=(f"country:{place.country_code.upper()}" if place is not None and place.type == "country"
                              and place.country_code else None),
            actor_states=tuple(states.get(k, "") for k in ev.actors),
            target_states=tuple(states.get(k, "") for k in ev.targets),
        ))
    return out


_STATE_BODY = "government_body"


def _state(entity: Entity) -> str | None:
    """The "country:XX" of a country, or of a government body whose name begins with its state's
    name or adjective ("U.S. Central Command", "US Navy", "the Nigerian army", "Somali National
    Army"): it acts for that state. Armed groups and other organisations named after a country
    ("Syrian Democratic Forces") do not: they are not the state."""
    from liaison.extract.gazetteer import country_by_name, demonyms

    if entity.type == "country":
        return f"country:{entity.country_code.upper()}" if entity.country_code else None
    if entity.type != _STATE_BODY:
        return None
    adjectives = {fold(k): v for k, v in demonyms().items()}
    def country(words: list[str]) -> str | None:
        text = " ".join(words)
        known = country_by_name(text) or (country_by_name(adjectives[text]) if text in adjectives else None)
        return f"country:{known.country_code.upper()}" if known is not None and known.country_code else None

    for name in dict.fromkeys([entity.canonical, *entity.aliases, *(m.text for m in entity.mentions)]):
        words = fold(name).split()
        for n in (3, 2, 1):  # "United States ...", "U.S. ...", "Nigerian ..."
            if len(words) > n and (found := country(words[:n])):
                return found
        if "of" in words[1:-1]:  # "Federal Government of Somalia", "Armed Forces of the Philippines"
            tail = words[len(words) - words[::-1].index("of"):]
            if found := country(tail[1:] if tail[0] == "the" and len(tail) > 1 else tail):
                return found
    return None


def _dumps(record) -> str:  # noqa: ANN001
    import dataclasses
    import json

    def plain(v):  # noqa: ANN001, ANN202
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, tuple):
            return [plain(x) for x in v]
        return v

    return json.dumps({f.name: plain(getattr(record, f.name)) for f in dataclasses.fields(record)},
                      ensure_ascii=False, sort_keys=True)


def mention_json(mention: EntityMention) -> str:
    """The node as the store keeps it beside its link."""
    return _dumps(mention)


def mention_from_json(text: str) -> EntityMention:
    import json

    d = json.loads(text)
    for name in ("names", "titles", "aliases", "context"):
        d[name] = tuple(d.get(name) or ())
    d["published"] = dt.date.fromisoformat(d["published"]) if d.get("published") else None
    return EntityMention(**d)


def report_json(report: EventReport) -> str:
    return _dumps(report)


def report_from_json(text: str) -> EventReport:
    import json

    d = json.loads(text)
    for name in ("within", "actors", "targets", "actor_states", "target_states"):
        d[name] = tuple(d.get(name) or ())
    d["quantities"] = tuple((k, int(v)) for k, v in d.get("quantities") or ())
    for name in ("date_start", "date_end", "published"):
        d[name] = dt.date.fromisoformat(d[name]) if d.get(name) else None
    return EventReport(**d)
