"""The entity page's reads: one entity as the viewer may see it.

An entity is named by a stable ``ref``: the id fusion resolved it to (entity_links.entity, the key
of its representative node) or, for an entity in a document fusion has not resolved yet, its key
there. Its *members* are the (document, key) nodes that make it up **in the documents the actor
may see** (store.access.visible_rows in the SQL); every figure on the page (names and their
counts, documents, events, related entities, timeline, roles) is built from them alone. So an
entity named only in a document the actor may not see has no members and reads exactly as a
missing one, and a partner's counts are those of what it may read.

liaison.profiles shows the same things for the command line, reading the whole store without an
actor; its pure helpers (liaison.fuse.roles) are reused here, its reads are not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Select, String, and_, cast, exists, func, select, union_all
from sqlalchemy.engine import Connection

from liaison.store.access import Actor, visible_rows
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, page_of
from liaison.store.schema import (
    DocumentRow,
    DocumentVersionRow,
    EntityLinkRow,
    EntityRow,
    EventRoleRow,
    EventRow,
    MentionRow,
)

DOCS = DocumentRow.__table__
VERS = DocumentVersionRow.__table__
ENT = EntityRow.__table__
EL = EntityLinkRow.__table__
MN = MentionRow.__table__
EV = EventRow.__table__
ER = EventRoleRow.__table__

#: Related entities and roles are read from at most this many of an entity's documents (the latest).
SAMPLE_DOCUMENTS = 2000
NAMES_SHOWN = 50


def _current(table, version=None):  # noqa: ANN001,ANN202
    """Join condition: ``table``'s rows of each document's current version."""
    return and_(DOCS.c.id == table.c.document_id, DOCS.c.current_version == (version if version is not None
                                                                               else table.c.version))


def members(actor: Actor, ref: str) -> Select:
    """The nodes (document_id, entity_key) of the entity ``ref`` in documents the actor may see:
    those fusion linked to it, and, in documents fusion has not resolved, the entity with that key."""
    fused = select(EL.c.document_id.label("document_id"), EL.c.entity_key.label("entity_key")).select_from(
        EL.join(DOCS, DOCS.c.id == EL.c.document_id)).where(EL.c.entity == ref, visible_rows(actor, EL))
    unlinked = ~exists().where(EL.c.document_id == ENT.c.document_id, EL.c.entity_key == ENT.c.key)
    unresolved = (select(ENT.c.document_id, ENT.c.key).select_from(ENT.join(DOCS, _current(ENT)))
                  .where(ENT.c.key == ref, visible_rows(actor, ENT), unlinked))
    return union_all(fused, unresolved)


def _members(actor: Actor, ref: str):  # noqa: ANN202
    return members(actor, ref).subquery("members")


def resolved(conn: Connection, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The entity each (document, key) node belongs to (its key where fusion has not linked it)."""
    out = {n: n[1] for n in nodes}
    if nodes:
        from sqlalchemy import tuple_

        for part in range(0, len(nodes), 400):
            chunk = nodes[part:part + 400]
            for r in conn.execute(select(EL.c.document_id, EL.c.entity_key, EL.c.entity)
                                  .where(tuple_(EL.c.document_id, EL.c.entity_key).in_(chunk))):
                out[(r.document_id, r.entity_key)] = r.entity
    return out


def names_of(conn: Connection, actor: Actor, refs: list[str]) -> dict[str, dict[str, Any]]:
    """Name and type of each entity, from its members the actor may see (an entity it may not see at
    all is left out): the representative node's name unless it is in capitals (a dateline's
    "ZARQA"), else the most frequent."""
    refs = sorted(set(refs))
    found: dict[str, Counter] = {}
    types: dict[str, Counter] = {}
    rep: dict[str, str] = {}
    if not refs:
        return {}
    linked = (select(EL.c.entity.label("ref"), ENT.c.key, ENT.c.canonical, ENT.c.type, func.count().label("n"))
              .select_from(EL.join(ENT, and_(ENT.c.document_id == EL.c.document_id, ENT.c.key == EL.c.entity_key))
                           .join(DOCS, _current(ENT)))
              .where(EL.c.entity.in_(refs), visible_rows(actor, EL))
              .group_by(EL.c.entity, ENT.c.key, ENT.c.canonical, ENT.c.type))
    unlinked = ~exists().where(EL.c.document_id == ENT.c.document_id, EL.c.entity_key == ENT.c.key)
    keyed = (select(ENT.c.key.label("ref"), ENT.c.key, ENT.c.canonical, ENT.c.type, func.count().label("n"))
             .select_from(ENT.join(DOCS, _current(ENT)))
             .where(ENT.c.key.in_(refs), visible_rows(actor, ENT), unlinked)
             .group_by(ENT.c.key, ENT.c.canonical, ENT.c.type))
    for r in conn.execute(union_all(linked, keyed)):
        found.setdefault(r.ref, Counter())[r.canonical] += r.n
        types.setdefault(r.ref, Counter())[r.type] += r.n
        if r.key == r.ref:
            rep.setdefault(r.ref, r.canonical)
    out = {}
    for ref, counts in found.items():
        best = max(counts, key=lambda name, c=counts: (not name.isupper(), c[name], name))
        name = rep.get(ref)
        if name is None or name.isupper() and not best.isupper():
            name = best
        if "|split:" in ref:  # an entity an analyst split out is named by what it was split by
            wanted = ref.rsplit("|split:", 1)[1]
            name = next((n for n in counts if n.lower() == wanted), name)
        out[ref] = {"ref": ref, "name": name, "type": types[ref].most_common(1)[0][0]}
    return out


def entity(store: Store, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The entity's summary (name, type, whether fusion resolved it, names written with counts,
    other known names, documents), or None when the actor may see none of it."""
    m = _members(actor, ref)
    with store.engine.connect() as conn:
        documents = conn.execute(select(func.count(func.distinct(m.c.document_id)))).scalar_one()
        if not documents:
            return None
        named = names_of(conn, actor, [ref]).get(ref)
        if named is None:
            return None
        fused = conn.execute(select(exists().where(EL.c.entity == ref))).scalar()
        written = conn.execute(
            select(MN.c.text, func.count(func.distinct(MN.c.document_id)).label("documents"),
                   func.count().label("mentions"))
            .select_from(MN.join(m, and_(m.c.document_id == MN.c.document_id, m.c.entity_key == MN.c.entity_key))
                         .join(DOCS, _current(MN)))
            .group_by(MN.c.text).order_by(func.count(func.distinct(MN.c.document_id)).desc(), MN.c.text)
            .limit(NAMES_SHOWN)).all()
        data = conn.execute(select(ENT.c.data).select_from(
            ENT.join(m, and_(m.c.document_id == ENT.c.document_id, m.c.entity_key == ENT.c.key))
            .join(DOCS, _current(ENT))).limit(20)).scalars().all()
    aliases: Counter = Counter()
    for d in data:
        for alias in (d or {}).get("aliases") or ():
            aliases[alias] += 1
    shown = {w.text.lower() for w in written}
    return {**named, "fused": bool(fused), "documents": documents,
            "names": [{"name": w.text, "documents": w.documents, "mentions": w.mentions} for w in written],
            "aliases": sorted(a for a in aliases if a.lower() not in shown)}


def documents(store: Store, actor: Actor, ref: str, offset: int = 0, limit: int = 20) -> Page:
    """The documents that mention the entity, newest first, with how often each does."""
    offset, limit = bounded(offset, limit)
    m = _members(actor, ref)
    count = (select(func.count()).where(MN.c.document_id == DOCS.c.id, MN.c.version == DOCS.c.current_version,
                                         MN.c.entity_key == m.c.entity_key).scalar_subquery())
    q = (select(DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, VERS.c.title, VERS.c.outlet, VERS.c.published,
                count.label("mentions"))
         .select_from(m.join(DOCS, DOCS.c.id == m.c.document_id)
                      .join(VERS, and_(VERS.c.document_id == DOCS.c.id, VERS.c.version == DOCS.c.current_version)))
         .order_by(VERS.c.published.desc().nulls_last(), DOCS.c.id, m.c.entity_key).offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return page_of(rows, offset, limit)


def _events_query(m, columns: tuple) -> Select:  # noqa: ANN001
    return (select(*columns)
            .select_from(ER.join(m, and_(m.c.document_id == ER.c.document_id, m.c.entity_key == ER.c.entity_key))
                         .join(DOCS, _current(ER))
                         .join(EV, and_(EV.c.document_id == ER.c.document_id, EV.c.version == ER.c.version,
                                        EV.c.idx == ER.c.idx))
                         .join(VERS, and_(VERS.c.document_id == DOCS.c.id, VERS.c.version == DOCS.c.current_version))))


def events(store: Store, actor: Actor, ref: str, offset: int = 0, limit: int = 20) -> Page:
    """The events the entity takes part in (as actor, target or place), latest first."""
    offset, limit = bounded(offset, limit)
    m = _members(actor, ref)
    q = (_events_query(m, (EV.c.document_id, EV.c.idx, EV.c.type, EV.c.subtype, EV.c.status, EV.c.date_value,
                           EV.c.date_start, EV.c.date_end, EV.c.confidence, ER.c.role, VERS.c.title, DOCS.c.stem))
         .order_by(EV.c.date_start.desc().nulls_last(), EV.c.document_id, EV.c.idx, ER.c.role)
         .offset(offset).limit(limit + 1))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return page_of(rows, offset, limit)


def _sample(m):  # noqa: ANN001,ANN202
    """The entity's latest documents (at most SAMPLE_DOCUMENTS), for figures read across them."""
    return (select(m.c.document_id).select_from(m.join(VERS, VERS.c.document_id == m.c.document_id)
                                                .join(DOCS, and_(DOCS.c.id == VERS.c.document_id,
                                                                 DOCS.c.current_version == VERS.c.version)))
            .group_by(m.c.document_id).order_by(func.max(VERS.c.published).desc().nulls_last(), m.c.document_id)
            .limit(SAMPLE_DOCUMENTS)).subquery("sample")


def related(store: Store, actor: Actor, ref: str, limit: int = 20) -> list[dict[str, Any]]:
    """Entities named in the same documents, by how many documents name both (across its latest
    documents). Every document counted is one the actor may see: it is one of the entity's."""
    m = _members(actor, ref)
    sample = _sample(m)
    other = EL.alias("other_link")
    q = (select(other.c.entity, func.count(func.distinct(other.c.document_id)).label("documents"))
         .select_from(other.join(sample, sample.c.document_id == other.c.document_id))
         .where(other.c.entity != ref).group_by(other.c.entity)
         .order_by(func.count(func.distinct(other.c.document_id)).desc(), other.c.entity).limit(limit))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        names = names_of(conn, actor, [r.entity for r in rows])
    return [{**names[r.entity], "documents": r.documents} for r in rows if r.entity in names]


def timeline(store: Store, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """Per month: the documents naming the entity (by publication date) and its events (by date)."""
    m = _members(actor, ref)
    docs = (select(VERS.c.published, func.count(func.distinct(m.c.document_id)))
            .select_from(m.join(DOCS, DOCS.c.id == m.c.document_id)
                         .join(VERS, and_(VERS.c.document_id == DOCS.c.id, VERS.c.version == DOCS.c.current_version)))
            .where(VERS.c.published.is_not(None)).group_by(VERS.c.published))
    evs = (_events_query(m, (EV.c.date_start, func.count(func.distinct(EV.c.document_id + ":" + cast(EV.c.idx, String)))))
           .where(EV.c.date_start.is_not(None)).group_by(EV.c.date_start))
    months: dict[str, dict[str, int]] = {}
    with store.engine.connect() as conn:
        for day, n in conn.execute(docs):
            months.setdefault(_month(day), {"documents": 0, "events": 0})["documents"] += n
        for day, n in conn.execute(evs):
            months.setdefault(_month(day), {"documents": 0, "events": 0})["events"] += n
    return [{"month": k, **v} for k, v in sorted(months.items())]


def _month(day: dt.date | str) -> str:
    return (day.isoformat() if isinstance(day, dt.date) else str(day))[:7]


def roles(store: Store, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """Fusion's roles of the entity over time (titles and affiliations the documents state, first and
    last seen), read from its nodes in the documents the actor may see."""
    from liaison.fuse.build import mention_from_json
    from liaison.fuse.records import Link
    from liaison.fuse.roles import roles as role_facts

    m = _members(actor, ref)
    sample = _sample(m)
    q = (select(EL.c.document_id, EL.c.entity_key, EL.c.entity, EL.c.rule, EL.c.score, EL.c.mention)
         .select_from(EL.join(sample, sample.c.document_id == EL.c.document_id)).where(EL.c.entity == ref))
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
        titles = _titles(conn, sorted({r.document_id for r in rows}))
    mentions = [mention_from_json(r.mention) for r in rows]
    links = {(r.document_id, r.entity_key): Link((r.document_id, r.entity_key), r.entity, r.rule, r.score)
             for r in rows}
    facts = [f for f in role_facts(mentions, links) if f.entity == ref]
    return [{"role": f.role, "first_seen": f.first_seen, "last_seen": f.last_seen,
             "documents": [{"id": d, "title": titles.get(d, d)} for d in f.documents]} for f in facts]


def _titles(conn: Connection, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in range(0, len(ids), 400):
        for r in conn.execute(select(DOCS.c.id, DOCS.c.stem, VERS.c.title).select_from(
                DOCS.join(VERS, and_(VERS.c.document_id == DOCS.c.id, VERS.c.version == DOCS.c.current_version)))
                .where(DOCS.c.id.in_(ids[part:part + 400]))):
            out[r.id] = r.title or r.stem
    return out
