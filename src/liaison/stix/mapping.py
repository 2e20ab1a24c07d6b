"""One document and its extraction as STIX 2.1 objects (plain JSON-ready dicts).

What maps to what, and why, is written up in docs/stix-mapping.md. In short:

* person -> `identity` (individual); organization, government_body -> `identity`
  (organization); armed_group -> `intrusion-set`; country, place, facility -> `location`;
* each Event -> an incident-core `event`, tied to its actors, targets and place by
  `has-actor`, `has-target` and `located-at` relationships;
* the document -> a `report` whose `object_refs` name every entity, event and relationship
  made from it (not the identities and definitions that sign them), and which says nothing of
  where the ingesting machine kept the file (PublishedSource);
* what STIX has no property for (spans, figures, attribution, hedging) goes into the
  Liaison property extension on the object it describes.

Entity objects (few, and cached per process) are built with the stix2 library so that its
checks run. Events, relationships and the report, which every document makes anew and in
numbers, are written as the dicts stix2 would serialise them to: building them through
stix2 cost as much as all of Liaison's extraction rules. The test suite parses every object
of every test document back through stix2 and requires it unchanged, and runs
stix2-validator over the exported bundles.

A `location` must carry a country, a region or coordinates (STIX 2.1, section 4.11; stix2
and the JSON Schema both enforce it), and carries `region` whenever its country is known
(stix2-validator's interoperability profile requires it). A place or facility that neither
the gazetteers nor its document's context could locate therefore gets no STIX object; the report's extension lists it under
`unmapped_entities`, and an event that names it lists its key under `unmapped_refs`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, NamedTuple

import stix2
from stix2.utils import format_datetime

from liaison import __version__
from liaison.clock import stamp_ms
from liaison.model import ENTITY_TYPES, Document, Entity, Event, Extraction, Span
from liaison.stix.event import EVENT_STATUS, TIME_FIDELITY, day_end, day_start
from liaison.stix.extension import EVENT_EXTENSION_ID, LIAISON_EXTENSION_ID, definitions
from liaison.stix.ids import (
    LIAISON_NAMESPACE,
    PRODUCER_ID,
    event_ids,
    namespace_of,
    relationship_key,
    report_key,
    stix_id,
)

HAS_ACTOR = "has-actor"
HAS_TARGET = "has-target"
LOCATED_AT = "located-at"

_STIX_TYPE = {
    "person": "identity",
    "organization": "identity",
    "government_body": "identity",
    "armed_group": "intrusion-set",
    "country": "location",
    "place": "location",
    "facility": "location",
}


def _plain(obj: Any) -> dict[str, Any]:
    return json.loads(obj.serialize())


def _span(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def _liaison(**properties: Any) -> dict[str, dict[str, Any]]:
    """An `extensions` value holding the Liaison property extension; None values are left out."""
    body = {"extension_type": "property-extension"}
    body.update({k: v for k, v in properties.items() if v is not None})
    return {LIAISON_EXTENSION_ID: body}


def entity_id(entity: Entity, namespace: uuid.UUID = LIAISON_NAMESPACE) -> str:
    """The id an entity gets: the same Entity.key gives the same id in every document (of one
    installation: ``namespace`` is its ``namespace_of``)."""
    if entity.type not in _STIX_TYPE:
        raise ValueError(f"unknown entity type {entity.type!r}; expected one of {ENTITY_TYPES}")
    return stix_id(_STIX_TYPE[entity.type], entity.key, namespace)


def _unlocatable(entity: Entity) -> str | None:
    """Why a location-like entity cannot be a STIX location, or None when it can."""
    if _STIX_TYPE[entity.type] != "location":
        return None
    has_point = entity.latitude is not None and entity.longitude is not None
    if entity.country_code or has_point or entity.region:
        return None
    if entity.type == "country":
        return "country without an ISO code"
    return "no coordinates or country"


_ENTITY_CACHE: dict[tuple, dict[str, Any]] = {}


def _cached_entity(entity: Entity, common: dict[str, Any], namespace: uuid.UUID) -> dict[str, Any]:
    """_entity, built once per process for each distinct thing: the same countries, groups and
    people recur in article after article, and building STIX objects is not cheap."""
    mentions = tuple(m.text for m in entity.mentions) if entity.gazetteer != "actors" else ()
    key = (namespace, entity.key, entity.type, entity.canonical, entity.latitude, entity.longitude,
           entity.country_code, entity.gazetteer, entity.feature, entity.admin_code, entity.region, entity.admin1,
           mentions if entity.type == "armed_group" else (), entity.aliases)
    cached = _ENTITY_CACHE.get(key)
    if cached is None:
        if len(_ENTITY_CACHE) > 50_000:
            _ENTITY_CACHE.clear()
        cached = _ENTITY_CACHE[key] = _entity(
            entity, {k: v for k, v in common.items() if not k.endswith("_stamp")}, namespace)
    return dict(cached, created_by_ref=common["created_by_ref"], created=common["created_stamp"],
                modified=common["modified_stamp"])


def _entity(entity: Entity, common: dict[str, Any], namespace: uuid.UUID) -> dict[str, Any]:
    """The STIX object of a real-world thing. It holds only what does not depend on the document,
    so every document that names the thing yields the same object and no needless new version;
    mentions, titles and descriptions go in the report's extension."""
    ext = _liaison(liaison_type=entity.type, key=entity.key, gazetteer=entity.gazetteer,
                   **(_place_extension(entity) if _STIX_TYPE[entity.type] == "location" else {}))
    kwargs: dict[str, Any] = dict(common, id=entity_id(entity, namespace), name=entity.canonical, extensions=ext)
    description = None
    t = entity.type
    others = _aliases(entity.canonical, entity.aliases) if t != "armed_group" else []
    if others:  # STIX gives identities and locations no aliases property: the extension carries them
        ext[LIAISON_EXTENSION_ID]["aliases"] = others
    if t == "person":
        return _plain(stix2.v21.Identity(identity_class="individual", **kwargs))
    if t in ("organization", "government_body"):
        sectors = ["government-national"] if t == "government_body" else None
        return _plain(stix2.v21.Identity(identity_class="organization", sectors=sectors, **kwargs))
    if t == "armed_group":
        texts = list(entity.aliases) if entity.gazetteer == "actors" or entity.aliases else [
            m.text for m in entity.mentions]
        return _plain(stix2.v21.IntrusionSet(aliases=_aliases(entity.canonical, texts) or None, **kwargs))
    # country, place, facility
    kwargs.update(_location_properties(entity))
    if t == "facility":
        description = "facility" + (f": {description}" if description else "")
    return _plain(stix2.v21.Location(description=description, **kwargs))


def _aliases(name: str, texts: list[str] | tuple[str, ...]) -> list[str]:
    """``texts`` in order, without the name itself and without repeats (case-insensitive)."""
    seen = {name.casefold()}
    out = []
    for text in texts:
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def _location_properties(entity: Entity) -> dict[str, Any]:
    """The STIX location properties consumers read: the place's name as `city` (a populated place)
    or `administrative_area` (a province, governorate, region, district), its `country` (ISO
    3166-1 alpha-2), its `region` (region-ov, the UN M49 subregion of the country; a continent
    or region itself for "Africa") and the gazetteer's point. Any other place within a province
    (a town, a place the text calls part of one) has the province as `administrative_area`, so
    a consumer can ask for everything in Nangarhar. `region` makes the object pass
    stix2-validator's interoperability profile, which requires it on every location."""
    props: dict[str, Any] = {}
    if entity.latitude is not None and entity.longitude is not None:
        props.update(latitude=entity.latitude, longitude=entity.longitude)
    if entity.region:
        props["region"] = entity.region
    if entity.country_code:
        props["country"] = entity.country_code.upper()
    if entity.type == "place" and entity.feature == "populated_place":
        props["city"] = entity.canonical
    if entity.type == "place" and entity.feature == "administrative_area":
        props["administrative_area"] = entity.canonical
    elif entity.type in ("place", "facility") and entity.admin1 and entity.feature != "region":
        props["administrative_area"] = entity.admin1
    return props


def _place_extension(entity: Entity) -> dict[str, Any]:
    """What kind of place, and the ISO 3166-2 code of a division: no STIX property holds them."""
    return {"feature": entity.feature, "admin_code": entity.admin_code}


def _event_name(event: Event, names: dict[str, str]) -> str:
    def listed(keys: tuple[str, ...]) -> str:
        return ", ".join(names.get(k, k.split(":", 1)[-1]) for k in keys)

    name = event.type
    if event.actors:
        name += ": " + listed(event.actors)
    if event.targets:
        name += (" against " if event.actors else ": against ") + listed(event.targets)
    if event.location:
        name += " in " + listed((event.location,))
    return name


def _event(
    event: Event,
    event_id: str,
    names: dict[str, str],
    unmapped_refs: list[str],
    report_id: str,
    method: str,
    common: dict[str, Any],
) -> dict[str, Any]:
    """An incident-core `event`, written as the dict stix2's EventSDO would serialise to.

    Built by hand because a document yields many events and stix2 re-checks every property of
    every object it builds; tests parse each one back through stix2 and require it unchanged."""
    obj: dict[str, Any] = dict(
        common,
        type="event",
        id=event_id,
        status=event.status,
        name=_event_name(event, names),
        description=event.evidence.text,
        event_types=list(dict.fromkeys([event.type, event.subtype])),
    )
    if event.status not in EVENT_STATUS:
        raise ValueError(f"event status {event.status!r} is not one of {EVENT_STATUS}")
    date = event.date
    if date is not None and date.start is not None:
        obj["start_time"] = format_datetime(day_start(date.start))
        obj["end_time"] = format_datetime(day_end(date.end or date.start))
        if date.fidelity:
            if date.fidelity not in TIME_FIDELITY:
                raise ValueError(f"time fidelity {date.fidelity!r} is not one of {TIME_FIDELITY}")
            obj["start_time_fidelity"] = obj["end_time_fidelity"] = date.fidelity
    obj["confidence"] = event.confidence
    attribution = None
    if event.attribution is not None:
        a = event.attribution
        attribution = {"source": a.source, "cue": a.cue, "start": a.span.start, "end": a.span.end}
    obj["extensions"] = {EVENT_EXTENSION_ID: {"extension_type": "new-sdo"}, **_liaison(
        quantities=[
            {
                "kind": q.kind,
                "value": q.value,
                "qualifier": q.qualifier,
                "low": q.low,
                "high": q.high,
                "text": q.span.text,
                "start": q.span.start,
                "end": q.span.end,
            }
            for q in event.quantities
        ]
        or None,  # STIX forbids empty lists, inside extensions too
        evidence=_span(event.evidence),
        mentions=[_span(m) for m in event.mentions] or None,
        trigger=_span(event.trigger),
        date_text=_span(date.span) if date is not None else None,
        date_value=date.value if date is not None else None,
        attribution=attribution,
        hedged=event.hedged,
        unmapped_refs=unmapped_refs or None,
        extraction_method=method,
        extractor_version=__version__,
        source_document=report_id,
    )}
    return {k: v for k, v in obj.items() if v is not None}


class PublishedSource(NamedTuple):
    """What a report may say about its source: what the source itself published, and a hash.

    The report is built from this and never from the Document, which also holds the source key
    (a local path for a file) and the file stem: those describe the ingesting machine, its user
    and folders, and must not leave the installation. They stay in the store."""

    url: str | None
    title: str | None
    outlet: str | None
    published: dt.date | None
    published_from: str | None
    media_type: str
    content_hash: str
    name: str

    @classmethod
    def of(cls, document: Document) -> PublishedSource:
        return cls(document.url, document.title, document.outlet, document.published, document.published_from,
                   document.media_type, document.content_hash, report_name(document.title, document.text))


def report_name(title: str | None, text: str) -> str:
    """A report's `name`: the document's title, else the opening words of its text (at most 100
    characters, cut at a word). Never the file name, which says how the producer names its files."""
    if title and title.strip():
        return title.strip()
    opening = " ".join(text.split("\n", 1)[0].split())
    if len(opening) <= 100:
        return opening or "Untitled document"
    return opening[:100].rsplit(" ", 1)[0].rstrip(",;:- ") + "\u2026"


def _report(
    source: PublishedSource,
    report_id: str,
    object_refs: list[str],
    unmapped: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
    method: str,
    common: dict[str, Any],
    created: dt.datetime,
) -> dict[str, Any]:
    """The document's `report`, written as the dict stix2's Report would serialise to (see _event).

    What it says about its source is what the source published (PublishedSource): URL, outlet,
    title, dates, media type and a hash of the content. The source key reaches STIX only through
    ``report_id``, a UUIDv5 (one-way hash) of it."""
    published = format_datetime(day_start(source.published) if source.published else created)
    description = " - ".join(x for x in (source.outlet, source.url) if x) or None
    refs = None
    if source.url:
        refs = [{"source_name": source.outlet or "source", "url": source.url}]
    ext = _liaison(
        content_hash=source.content_hash,
        outlet=source.outlet,
        media_type=source.media_type,
        published_from=source.published_from,
        unmapped_entities=unmapped or None,
        entities=mentions or None,
        extraction_method=method,
        extractor_version=__version__,
    )
    obj = dict(
        common,
        type="report",
        id=report_id,
        name=source.name,
        description=description,
        published=published,
        report_types=["threat-report"],
        object_refs=object_refs,
        external_references=refs,
        extensions=ext,
    )
    return {k: v for k, v in obj.items() if v is not None}


def to_stix(
    document: Document, extraction: Extraction, *, created: dt.datetime, modified: dt.datetime,
    producer: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every STIX object for one document: definitions, entities, events, relationships, report.

    Ids are deterministic (see liaison.stix.ids); `created`/`modified` stamp every object
    made from the document. The report comes last and references all the others.
    ``producer`` is the identity object of the installation's organisation
    (``organisation_identity``), the `created_by_ref` of every object made from the document;
    without it, the Liaison system identity.
    """
    creator = producer["id"] if producer else PRODUCER_ID
    ns = namespace_of(creator) if producer else LIAISON_NAMESPACE
    common = {"created": created, "modified": modified, "created_by_ref": creator}
    stamped = dict(common, created_stamp=stamp_ms(created), modified_stamp=stamp_ms(modified))
    # The order stix2 serialises in: type, spec_version, id, created_by_ref, created, modified.
    plain_common = {"type": None, "spec_version": "2.1", "id": None, "created_by_ref": creator,
                    "created": stamped["created_stamp"], "modified": stamped["modified_stamp"]}
    report_id = stix_id("report", report_key(document.source_key), ns)
    method = extraction.method

    objects: list[dict[str, Any]] = ([dict(producer)] if producer else []) + definitions()
    signing = len(objects)
    ids: dict[str, str] = {}  # entity key -> STIX id, for the entities that have an object
    names: dict[str, str] = {}
    unmapped: list[dict[str, Any]] = []
    for entity in extraction.entities:
        names.setdefault(entity.key, entity.canonical)
        if entity.key in ids:
            continue
        reason = _unlocatable(entity)
        if reason:
            if all(u["key"] != entity.key for u in unmapped):
                unmapped.append(
                    {
                        "key": entity.key,
                        "name": entity.canonical,
                        "liaison_type": entity.type,
                        "reason": reason,
                    }
                )
            continue
        obj = _cached_entity(entity, stamped, ns)
        ids[entity.key] = obj["id"]
        objects.append(obj)

    relationships: dict[str, dict[str, Any]] = {}

    template = _plain(stix2.v21.Relationship(**common, id=stix_id("relationship", "template"),
                                             relationship_type=HAS_ACTOR, source_ref=creator,
                                             target_ref=creator))

    def relate(source: str, kind: str, target: str) -> None:
        # One stix2 Relationship per document fixes the shape and timestamps; the rest differ only in
        # their id and three reference fields (stix2 would rebuild and re-check the same object each time).
        rid = stix_id("relationship", relationship_key(source, kind, target), ns)
        if rid not in relationships:
            relationships[rid] = dict(template, id=rid, relationship_type=kind, source_ref=source,
                                      target_ref=target)

    named = event_ids(document.source_key, ((e.type, e.evidence.start, e.trigger.start, e.location)
                                            for e in extraction.events), ns)
    for event, eid in zip(extraction.events, named, strict=True):
        links = [(HAS_ACTOR, k) for k in event.actors] + [(HAS_TARGET, k) for k in event.targets]
        if event.location:
            links.append((LOCATED_AT, event.location))
        unmapped_refs = list(dict.fromkeys(k for _, k in links if k not in ids))
        objects.append(_event(event, eid, names, unmapped_refs, report_id, method, plain_common))
        for kind, key in links:
            if key in ids:
                relate(eid, kind, ids[key])

    objects.extend(relationships.values())
    mentions = [
        {
            "key": e.key,
            **({"ref": ids[e.key]} if e.key in ids else {}),
            "mentions": [_span(m) for m in e.mentions],
            **({"titles": list(dict.fromkeys(e.titles))} if e.titles else {}),
            **({"descriptions": list(dict.fromkeys(e.descriptions))} if e.descriptions else {}),
        }
        for e in extraction.entities
        if e.mentions
    ]
    # The report names what the document reported, not the definitions and identities that sign it:
    # consumers (MISP, OpenCTI) turn each object_ref into content of the report.
    # STIX requires at least one: a document that yielded nothing names the identity that read it.
    content = [o["id"] for o in objects[signing:]] or [objects[0]["id"]]
    objects.append(_report(PublishedSource.of(document), report_id, content, unmapped, mentions, method,
                           plain_common, created))
    return objects
