"""What the document page reads: one document's current version, its extractions, its events and
the STIX objects it yields, each query under the one access rule for the viewer's ``Actor``.

A document the actor may not see reads exactly as one that does not exist (None, or an empty
list), so the page cannot tell them apart and neither can its reader. The document itself goes
through ``visible_documents``, what is drawn from it through ``visible_rows``, and its STIX objects
also through the TLP rule on the collection rows that serve them: a partner gets the newest
version TAXII would give it (an object re-marked past its reach is not shown, even where the
document is), this installation's members the newest version stored.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import and_, func, select

from liaison.stix.extension import LIAISON_EXTENSION_ID
from liaison.stix.ids import LIAISON_NAMESPACE, PRODUCER_ID, event_ids, namespace_of
from liaison.store.access import Actor, readable, served, visible_documents, visible_rows
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, page_of
from liaison.store.schema import (
    CollectionObjectRow,
    CollectionRow,
    DocumentObjectRow,
    DocumentRow,
    DocumentVersionRow,
    EntityRow,
    EventRow,
    MentionRow,
    PartnerRow,
    StixObjectRow,
)

DOCS = DocumentRow.__table__
VERS = DocumentVersionRow.__table__
ENT = EntityRow.__table__
MEN = MentionRow.__table__
EV = EventRow.__table__
DO = DocumentObjectRow.__table__
SO = StixObjectRow.__table__
CO = CollectionObjectRow.__table__
CT = CollectionRow.__table__
PT = PartnerRow.__table__

#: The most mentions and events one page highlights: a document's own size bounds them, this bounds a freak.
MAX_MENTIONS = 20_000
MAX_EVENTS = 2_000
#: The STIX objects that an extraction becomes: entities and events (the page links each highlight to one).
_LINKED_PREFIXES = ("event--", "identity--", "intrusion-set--", "location--")


def document(store: Store, actor: Actor, document_id: str) -> dict[str, Any] | None:
    """The document's current version (text, metadata, marking) and how many versions it has; None
    when there is none or the actor may not see it. ``source_key`` (a path on this installation's
    machine) is for deriving ids, never for showing."""
    versions = (select(func.count()).select_from(VERS).where(VERS.c.document_id == DOCS.c.id)
                .correlate(DOCS).scalar_subquery())
    q = (select(DOCS.c.id, DOCS.c.source_key, DOCS.c.stem, DOCS.c.current_version.label("version"), DOCS.c.first_ingested,
                DOCS.c.last_ingested, DOCS.c.tlp, DOCS.c.recipients, VERS.c.text, VERS.c.title, VERS.c.outlet,
                VERS.c.url, VERS.c.published, VERS.c.published_from, VERS.c.media_type, VERS.c.encoding,
                VERS.c.extraction_method, VERS.c.ingested_at, versions.label("versions"))
         .select_from(DOCS.join(VERS, (VERS.c.document_id == DOCS.c.id) & (VERS.c.version == DOCS.c.current_version)))
         .where(DOCS.c.id == document_id, visible_documents(actor)))
    with store.engine.connect() as conn:
        row = conn.execute(q).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["recipients"] = tuple(json.loads(out["recipients"] or "[]"))
    return out


def versions(store: Store, actor: Actor, document_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The document's versions, newest first (at most ``limit``)."""
    q = (select(VERS.c.version, VERS.c.ingested_at, VERS.c.content_hash, VERS.c.extraction_method)
         .where(VERS.c.document_id == document_id, visible_rows(actor, VERS))
         .order_by(VERS.c.version.desc()).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def extractions(store: Store, actor: Actor, document_id: str, version: int) -> dict[str, list[dict[str, Any]]]:
    """What was extracted from one version, as the highlights need it: its entities (key, name,
    type), their mentions (in text order) and its events (index, type, confidence, the JSON that
    holds their spans: trigger, evidence, date, figures, source)."""
    of_version = {"document_id": document_id, "version": version}
    with store.engine.connect() as conn:
        entities = [dict(r) for r in conn.execute(
            select(ENT.c.key, ENT.c.canonical, ENT.c.type)
            .where(*(ENT.c[k] == v for k, v in of_version.items()), visible_rows(actor, ENT))
            .order_by(ENT.c.key).limit(MAX_MENTIONS)).mappings()]
        mentions = [dict(r) for r in conn.execute(
            select(MEN.c.entity_key, MEN.c.start, MEN.c.end, MEN.c.text)
            .where(*(MEN.c[k] == v for k, v in of_version.items()), visible_rows(actor, MEN))
            .order_by(MEN.c.start, MEN.c.id).limit(MAX_MENTIONS)).mappings()]
        events = [dict(r) for r in conn.execute(
            select(EV.c.idx, EV.c.type, EV.c.subtype, EV.c.confidence, EV.c.data)
            .where(*(EV.c[k] == v for k, v in of_version.items()), visible_rows(actor, EV))
            .order_by(EV.c.idx).limit(MAX_EVENTS)).mappings()]
    return {"entities": entities, "mentions": mentions, "events": events}


def events(store: Store, actor: Actor, document_id: str, version: int, offset: int = 0, limit: int = 100) -> Page:
    """One page of the version's events, in the order extraction found them."""
    offset, limit = bounded(offset, limit)
    q = (select(EV.c.idx, EV.c.type, EV.c.subtype, EV.c.status, EV.c.date_value, EV.c.date_start, EV.c.date_end,
                EV.c.confidence, EV.c.data)
         .where(EV.c.document_id == document_id, EV.c.version == version, visible_rows(actor, EV))
         .order_by(EV.c.idx).offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        return page_of([dict(r) for r in conn.execute(q).mappings()], offset, limit)


def _linked(actor: Actor) -> Any:  # noqa: ANN401 (a condition)
    """The document's objects the actor is served: all for this installation's members."""
    return visible_rows(actor, DO) if actor.own else and_(visible_rows(actor, DO), served(actor, DO.c.object_id))


def _newest(store: Store, actor: Actor, object_ids: list[str]) -> dict[str, str]:
    """The newest version's JSON text of each object the actor may read: from the store for its
    members, from the collection rows the actor may read for anyone else."""
    if not object_ids:
        return {}
    if actor.own:
        q = select(SO.c.id, SO.c.modified, SO.c.object).where(SO.c.id.in_(object_ids))
    else:
        q = select(CO.c.object_id, CO.c.version, CO.c.object).where(
            CO.c.collection_id.in_(select(CT.c.id).scalar_subquery()), CO.c.object_id.in_(object_ids),
            readable(actor, CO))
    best: dict[str, tuple[str, str]] = {}
    with store.engine.connect() as conn:
        for oid, modified, text in conn.execute(q):
            if oid not in best or modified > best[oid][0]:
                best[oid] = (modified, text)
    return {oid: text for oid, (_, text) in best.items()}


def objects(store: Store, actor: Actor, document_id: str, offset: int = 0, limit: int = 100) -> Page:
    """One page of the STIX objects the document's current version yields (by id, so by type),
    each with its type, name and newest version's ``modified``."""
    offset, limit = bounded(offset, limit)
    q = (select(DO.c.object_id).where(DO.c.document_id == document_id, _linked(actor))
         .order_by(DO.c.object_id).offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        ids = list(conn.execute(q).scalars())
    shown = ids[:limit]
    texts = _newest(store, actor, shown)
    rows = []
    for oid in shown:
        obj = json.loads(texts[oid]) if oid in texts else {}
        rows.append({"id": oid, "type": obj.get("type", oid.split("--")[0]), "name": obj.get("name"),
                     "modified": obj.get("modified"), "revoked": bool(obj.get("revoked"))})
    return Page(rows, offset, limit, len(ids) > limit)


def stix_object(store: Store, actor: Actor, document_id: str, object_id: str) -> dict[str, Any] | None:
    """One STIX object of the document, as the actor may read it; None when the document is not
    one it may see, the object is not the document's, or no version of it is served to the actor."""
    with store.engine.connect() as conn:
        linked = conn.execute(select(DO.c.object_id).where(DO.c.document_id == document_id,
                                                           DO.c.object_id == object_id, _linked(actor))).first()
    if linked is None:
        return None
    text = _newest(store, actor, [object_id]).get(object_id)
    return None if text is None else json.loads(text)


def extraction_objects(store: Store, actor: Actor, document_id: str, source_key: str,
                       events: list[dict[str, Any]]) -> dict[str, dict[Any, str]]:
    """The STIX objects the document's entities and events became, among those the actor may read:
    ``entities`` maps an entity key to its object id (from the key each entity object records),
    ``events`` an event's index to its object's id.

    An event's id is derived as the STIX mapping derives it (liaison.stix.ids: the document's source
    key, the event's type and evidence, its trigger where two share a sentence) under the namespace
    of the organisation that made it, then kept only where the document yields that object and the
    actor is served it; ``events`` are the version's events in index order (``extractions``)."""
    with store.engine.connect() as conn:
        ids = [oid for oid in conn.execute(
            select(DO.c.object_id).where(DO.c.document_id == document_id, _linked(actor))
            .order_by(DO.c.object_id).limit(MAX_MENTIONS)).scalars() if oid.startswith(_LINKED_PREFIXES)]
    entities: dict[Any, str] = {}
    event_ids: set[str] = set()
    creators: set[str] = set()
    for oid, text in _newest(store, actor, ids).items():
        obj = json.loads(text)
        if obj.get("type") == "event":
            event_ids.add(oid)
            if isinstance(obj.get("created_by_ref"), str):
                creators.add(obj["created_by_ref"])
            continue
        key = ((obj.get("extensions") or {}).get(LIAISON_EXTENSION_ID) or {}).get("key")
        if isinstance(key, str) and (key not in entities or not obj.get("revoked")):
            entities[key] = oid
    by_index: dict[Any, str] = {}
    for creator in sorted(creators):
        for idx, oid in _event_ids(source_key, LIAISON_NAMESPACE if creator == PRODUCER_ID else namespace_of(creator),
                                          events).items():
            if oid in event_ids:
                by_index.setdefault(idx, oid)
    return {"entities": entities, "events": by_index}


def _event_ids(source_key: str, namespace: uuid.UUID, events: list[dict[str, Any]]) -> dict[int, str]:
    """Each event's STIX id, as the mapping names it (liaison.stix.ids.event_ids)."""
    named = event_ids(source_key, ((ev["data"]["type"], ev["data"]["evidence"]["start"], ev["data"]["trigger"]["start"],
                                    ev["data"].get("location")) for ev in events), namespace)
    return {ev["idx"]: eid for ev, eid in zip(events, named, strict=True)}


def partner_choices(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """Partners an analyst may name as recipients (not revoked), by id: the marking form's choices."""
    q = (select(PT.c.id, PT.c.name, PT.c.identity_id).where(PT.c.revoked_at.is_(None))
         .order_by(PT.c.id).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def partners_of(store: Store, identity_ids: tuple[str, ...]) -> dict[str, str]:
    """The partner id of each identity id named (an identity no partner has is left out)."""
    if not identity_ids:
        return {}
    with store.engine.connect() as conn:
        return {i: p for p, i in conn.execute(select(PT.c.id, PT.c.identity_id)
                                              .where(PT.c.identity_id.in_(list(identity_ids))))}
