"""The entity page's reads: one entity as the viewer may see it.

An entity is named by a stable ``ref``: the id fusion resolved it to (entity_links.entity, the key
of its representative node) or, for an entity in a document fusion has not resolved yet, its key
there. Its *members* are the (document, key) nodes that make it up **in the documents the actor
may see**; every figure on the page (names and their counts, documents, events, related
entities, timeline, roles) is built from them alone. So an entity named only in a document the
actor may not see has no members and reads exactly as a missing one, and a partner's counts are
those of what it may read.

Fast at size: an entity such as a country is named in tens of thousands of documents, and asking
the access rule of each costs more than a page may. So the rows of a list are read in their
order without it, and the rule (store.access.visible_documents, in SQL) is asked of their
documents a batch at a time, only until the page is full (``_walk``). The page's figures
(names, related entities, roles, timeline) are those of a sample of ``SAMPLE`` of the entity's
documents the actor may see, and the page says so when there are more.

liaison.profiles shows the same things for the command line, reading the whole store without an
actor; its pure helpers (liaison.fuse.roles) are reused here, its reads are not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from math import ceil, isqrt
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Exists

from liaison.store.access import Actor, visible_documents, visible_rows
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, current
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

#: The page's figures are read from this many of the entity's documents at most (each a document
#: the access rule is asked about, and whose entities, mentions, links and dates are read).
SAMPLE = 100
NAMES_SHOWN = 50
#: Documents the access rule is asked about at once while walking a list.
BATCH = 100
#: Rows a walk reads at most (beyond them a partner's list ends, and says there may be more).
WALK_LIMIT = 50_000


def some(*conditions: ColumnElement[bool]) -> Exists:
    """EXISTS (SELECT 1 ... WHERE conditions): SQLite reads an "EXISTS (SELECT *" probe's table row
    (an entity link's carries its mention's JSON), where SELECT 1 is answered from the index alone."""
    return select(literal_column("1")).where(*conditions).exists()


def _unlinked(ref: str | ColumnElement | None = None):  # noqa: ANN202
    """An entity row fusion has not linked. With ``ref`` (the key the rows are found by), the rows
    linked to ``ref`` itself, nearly all of a resolved entity's, are told first by its compact
    stretch of ix_entity_links_entity_document ("|| ''" keeps SQLite off the links' primary key),
    and only the rest by a probe of the links' primary key, a page of a large index each."""
    anywhere = ~some(EL.c.document_id == ENT.c.document_id, EL.c.entity_key == ENT.c.key)
    if ref is None:
        return anywhere
    linked_to_it = EL.alias("linked_to_it")
    return and_(~some(linked_to_it.c.entity == ref, linked_to_it.c.document_id == ENT.c.document_id,
                      linked_to_it.c.entity_key + "" == ENT.c.key), anywhere)


def _nodes(ref: str, *extra, versions: bool = False) -> Select:  # noqa: ANN002
    """Every node of the entity (document_id, entity_key, and ``extra`` columns of its document, or
    of its current version with ``versions``), whoever may see it: those fusion linked to it and,
    in documents fusion has not resolved, the entity with that key. Not for showing as it is: see
    ``_walk``."""
    def joined(first):  # noqa: ANN001,ANN202
        return first.join(VERS, and_(VERS.c.document_id == DOCS.c.id,
                                     VERS.c.version == DOCS.c.current_version)) if versions else first

    fused = (select(EL.c.document_id.label("document_id"), EL.c.entity_key.label("entity_key"), *extra)
             .select_from(joined(EL.join(DOCS, DOCS.c.id == EL.c.document_id))).where(EL.c.entity == ref))
    unresolved = (select(ENT.c.document_id, ENT.c.key, *extra)
                  .select_from(joined(ENT.join(DOCS, current(ENT)))).where(ENT.c.key == ref, _unlinked(ref)))
    return union_all(fused, unresolved)


def members(actor: Actor, ref: str) -> Select:
    """The nodes (document_id, entity_key) of the entity ``ref`` in documents the actor may see (the
    access rule on every row: for an existence check or a small entity)."""
    fused = select(EL.c.document_id.label("document_id"), EL.c.entity_key.label("entity_key")).select_from(
        EL.join(DOCS, DOCS.c.id == EL.c.document_id)).where(EL.c.entity == ref, visible_rows(actor, EL))
    unresolved = (select(ENT.c.document_id, ENT.c.key).select_from(ENT.join(DOCS, current(ENT)))
                  .where(ENT.c.key == ref, visible_rows(actor, ENT), _unlinked(ref)))
    return union_all(fused, unresolved)


def visible_ids(conn: Connection, actor: Actor, ids: Iterable[str]) -> set[str]:
    """Which of these documents the actor may see, asked of the access rule in SQL."""
    ids = sorted(set(ids))
    if actor.own:
        return set(ids)
    out: set[str] = set()
    asked = _visible_among(actor)
    for part in range(0, len(ids), 400):
        out.update(conn.execute(asked, {"among": ids[part:part + 400]}).scalars())
    return out


@lru_cache(maxsize=64)
def _visible_among(actor: Actor) -> Select:
    """visible_ids' statement, made once per actor (a page asks it of many batches, and building the
    access rule's expression costs about as much as running it on a batch)."""
    return select(DOCS.c.id).where(DOCS.c.id.in_(bindparam("among", expanding=True)), visible_documents(actor))


def _nodes_in(conn: Connection, ref: str, ids: list[str]) -> list[tuple[str, str]]:
    """The entity's nodes in these documents: its links by (entity, document), an index probe each
    (ix_entity_links_entity_document), and its unlinked rows through each document's own (primary
    keys; "|| ''" keeps SQLite off the key's index, which lists every document)."""
    if not ids:
        return []
    fused = select(EL.c.document_id, EL.c.entity_key).where(EL.c.document_id.in_(ids), EL.c.entity == ref)
    unresolved = (select(ENT.c.document_id, ENT.c.key).select_from(ENT.join(DOCS, current(ENT)))
                  .where(ENT.c.document_id.in_(ids), ENT.c.key + "" == ref, _unlinked()))
    return [(r[0], r[1]) for r in conn.execute(union_all(fused, unresolved))]


def _walk(conn: Connection, actor: Actor, query: Select, need: int, skip: int = 0,
          window: int | None = None, then: Select | None = None) -> tuple[list, bool]:
    """The rows ``skip`` to ``skip + need`` of ``query`` (ordered, with a ``document_id`` column, not
    yet restricted by the access rule), followed by those of ``then`` if given, whose documents the
    actor may see, and whether more follow. The rule is asked of a batch of documents at a time, so
    a page costs its own rows, not the list's. ``window``, for a query its database must sort
    (search's ranking): read it that many rows at a time, then four times as many, so the sort
    keeps a few rows, not the whole list."""
    if actor.own and then is None:
        rows = conn.execute(query.offset(skip).limit(need + 1)).all()
        return rows[:need], len(rows) > need
    walk = _Walk(conn, actor, need, skip)
    for q in (query,) if then is None else (query, then):
        if walk.read(q, window):
            return walk.out, True
    return walk.out, False


class _Walk:
    """``_walk``'s state across its queries: the rows taken, how many visible ones were skipped, and
    what the access rule said of each document it was asked about (own members see every one)."""

    def __init__(self, conn: Connection, actor: Actor, need: int, skip: int) -> None:
        self.conn, self.actor, self.need, self.skip = conn, actor, need, skip
        self.out: list = []
        self.skipped = 0
        self.seen: dict[str, bool] = {}
        self.rows_read = self.rows_shown = 0  # how many rows were read, and of them visible

    def _next_size(self) -> int:
        """The next batch: about as many rows as should hold the rows still wanted, at the share of
        visible rows seen so far (a partner's sample of 150, two-thirds visible, asks the rule of
        ~250 documents rather than 150 then 300 more), at least 8, at most 4 * BATCH."""
        wanted = self.need + self.skip + 1 - len(self.out) - self.skipped
        share = max(self.rows_shown / self.rows_read, 0.05) if self.rows_read else 1.0
        return max(8, min(4 * BATCH, ceil(1.2 * wanted / share)))

    def read(self, query: Select, window: int | None) -> bool:
        """Read ``query`` until the page is full and one row more is found (True) or to its end."""
        start = 0
        while True:
            limit = min(window, WALK_LIMIT - start) if window else WALK_LIMIT
            result = self.conn.execute(query.offset(start).limit(limit) if start else query.limit(limit))
            size, read = max(8, self.need + self.skip + 1), 0  # the first batch as large as the page
            while part := result.fetchmany(size):
                read += len(part)
                if self._take(part):
                    result.close()
                    return True
                size = self._next_size()
            start += read
            if not window or read < limit or start >= WALK_LIMIT:
                return False
            window *= 4

    def _take(self, part: list) -> bool:
        if not self.actor.own:
            fresh = {r.document_id for r in part if r.document_id not in self.seen}
            if fresh:
                shown = visible_ids(self.conn, self.actor, fresh)
                self.seen.update((d, d in shown) for d in fresh)
        self.rows_read += len(part)
        for r in part:
            if not (self.actor.own or self.seen[r.document_id]):
                continue
            self.rows_shown += 1
            if self.skipped < self.skip:
                self.skipped += 1
                continue
            if len(self.out) == self.need:
                return True
            self.out.append(r)
        return False


#: The most of an entity's documents the page counts ("10,000+" beyond).
COUNT_CAP = 10_000
#: An entity of at most this many nodes has its own lists sorted, never walked for.
FEW = 500


def _count(conn: Connection, rows: Select, cap: int) -> int:
    """How many rows ``rows`` has, counted up to ``cap`` (a LIMIT-ed subquery: an index walk that
    stops there, however frequent the entity)."""
    return conn.execute(select(func.count()).select_from(rows.limit(cap).subquery("counted"))).scalar_one()


def _store_size(conn: Connection) -> int:
    """About how many documents the store holds, for choosing how a list is read: on SQLite the
    highest rowid (one probe, where a count reads an index of every document; deletions only make
    it larger), elsewhere the count."""
    if conn.dialect.name == "sqlite":
        return conn.execute(select(func.max(literal_column("_rowid_"))).select_from(DOCS)).scalar() or 0
    return conn.execute(select(func.count()).select_from(DOCS)).scalar_one()


def _frequent(conn: Connection, ref: str, rows: int, total: int) -> bool:
    """Whether the entity's nodes are so many of the store's ``total`` documents that a walk in a
    list's order meets ``rows`` of them sooner than its own nodes are sorted: more than FEW, and
    more than sqrt(4 * rows * total) (probes cost some four times a sorted row). Its links are
    counted only that far."""
    enough = max(FEW, isqrt(4 * rows * total))
    return _count(conn, select(EL.c.document_id).where(EL.c.entity == ref), enough + 1) > enough


def sample(conn: Connection, actor: Actor, ref: str, size: int | None = None) -> tuple[list[tuple[str, str]], bool]:
    """``size`` (SAMPLE) of the entity's nodes in documents the actor may see, and whether it has
    more: the first the entity_links index lists (in effect a draw of its documents, read without a
    sort or the documents' rows), then, where fusion has not linked some, those."""
    size = size or SAMPLE
    fused = select(EL.c.document_id, EL.c.entity_key).where(EL.c.entity == ref)  # the index's order: no sort
    rows, more = _walk(conn, actor, fused, size)
    if len(rows) < size:
        unresolved = (select(ENT.c.document_id, ENT.c.key.label("entity_key")).select_from(ENT.join(DOCS, current(ENT)))
                      .where(ENT.c.key == ref, _unlinked(ref)))
        extra, more = _walk(conn, actor, unresolved, size - len(rows))
        rows += extra
    return [(r.document_id, r.entity_key) for r in rows], more


def resolved(conn: Connection, nodes: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The entity each (document, key) node belongs to (its key where fusion has not linked it)."""
    out = {n: n[1] for n in nodes}
    for part in range(0, len(nodes), 400):
        chunk = nodes[part:part + 400]
        for r in conn.execute(select(EL.c.document_id, EL.c.entity_key, EL.c.entity)
                              .where(_in_nodes(EL, EL.c.entity_key, chunk))):
            out[(r.document_id, r.entity_key)] = r.entity
    return out


def names_of(conn: Connection, actor: Actor, refs: list[str], per_entity: int = 4) -> dict[str, dict[str, Any]]:
    """Name and type of each entity, from some of its members the actor may see (at most
    ``per_entity``; an entity it may not see at all is left out): the representative node's name
    unless it is in capitals (a dateline's "ZARQA"), else the most frequent."""
    out = {}
    linked, alone = _naming(actor, per_entity)
    for ref in sorted(set(refs)):
        rows = conn.execute(linked, {"named_ref": ref}).all() or conn.execute(alone, {"named_ref": ref}).all()
        if rows:
            out[ref] = _named(ref, rows)
    return out


@lru_cache(maxsize=64)
def _naming(actor: Actor, per_entity: int) -> tuple[Select, Select]:
    """names_of's two reads (its linked nodes, else its unlinked rows), made once per actor: building
    the access rule's expression costs about as much as running it, and they run once an entity."""
    linked = (select(ENT.c.key, ENT.c.canonical, ENT.c.type)
              .select_from(EL.join(ENT, and_(ENT.c.document_id == EL.c.document_id, ENT.c.key == EL.c.entity_key))
                           .join(DOCS, current(ENT)))
              .where(EL.c.entity == bindparam("named_ref"), visible_rows(actor, EL)).limit(per_entity))
    alone = (select(ENT.c.key, ENT.c.canonical, ENT.c.type).select_from(ENT.join(DOCS, current(ENT)))
             .where(ENT.c.key == bindparam("named_ref"), visible_rows(actor, ENT),
                    _unlinked(bindparam("named_ref"))).limit(per_entity))
    return linked, alone


def names_at(conn: Connection, placed: dict[tuple[str, str], str]) -> dict[str, dict[str, Any]]:
    """Name and type of entities from their rows in documents already known to be visible to the
    reader (``placed``: (document, key) node -> the entity it belongs to), so no access rule is asked
    again: how the graph and the related entities name what the reader's documents name."""
    nodes = sorted(placed)
    rows: dict[str, list] = {}
    for part in range(0, len(nodes), 300):
        chunk = nodes[part:part + 300]
        for r in conn.execute(select(ENT.c.document_id, ENT.c.key, ENT.c.canonical, ENT.c.type)
                              .select_from(ENT.join(DOCS, current(ENT))).where(_in_nodes(ENT, ENT.c.key, chunk))):
            rows.setdefault(placed[(r.document_id, r.key)], []).append(r)
    return {ref: _named(ref, found) for ref, found in rows.items()}


def _named(ref: str, rows: list) -> dict[str, Any]:
    counts = Counter(r.canonical for r in rows)
    types = Counter(r.type for r in rows)
    best = max(counts, key=lambda name: (not name.isupper(), counts[name], name))
    name = next((r.canonical for r in rows if r.key == ref), None)
    if name is None or name.isupper() and not best.isupper():
        name = best
    if "|split:" in ref:  # an entity an analyst split out is named by what it was split by
        wanted = ref.rsplit("|split:", 1)[1]
        name = next((n for n in counts if n.lower() == wanted), name)
    return {"ref": ref, "name": name, "type": types.most_common(1)[0][0]}


def _in_nodes(table, key_column, nodes: list[tuple[str, str]]):  # noqa: ANN001,ANN202
    """Rows of these (document, key) nodes, found through their documents: the plain IN of documents
    walks the table's document index (a row-value IN alone is a table scan in SQLite, and a key of
    every document, "loc:iraq", would lead SQLite down the key's index: "|| ''" keeps it off); the
    row-value IN keeps the pairs exact."""
    ids, keys = sorted({d for d, _ in nodes}), sorted({k for _, k in nodes})
    return and_(table.c.document_id.in_(ids), (key_column + "").in_(keys),
                tuple_(table.c.document_id, key_column).in_(nodes))


def entity(store: Store, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The entity's summary (name, type, whether fusion resolved it, names written with counts,
    other known names, documents), or None when the actor may see none of it. Names and aliases
    are counted over a SAMPLE of its documents (``sampled`` says when it has more; ``nodes`` are
    that sample's, for related, timeline and roles to read the same ones)."""
    with store.engine.connect() as conn:
        nodes, more = sample(conn, actor, ref)
        if not nodes:
            return None
        documents, exact = len({d for d, _ in nodes}), not more
        if actor.own and more:  # entity_links holds one row per node of every current document: an index walk
            linked = _count(conn, select(EL.c.document_id).where(EL.c.entity == ref).distinct(), COUNT_CAP + 1)
            documents, exact = max(min(linked, COUNT_CAP), documents), 0 < linked <= COUNT_CAP
        rows = conn.execute(select(ENT.c.key, ENT.c.canonical, ENT.c.type, ENT.c.data).select_from(
            ENT.join(DOCS, current(ENT))).where(_in_nodes(ENT, ENT.c.key, nodes))).all()
        fused = conn.execute(select(some(EL.c.entity == ref))).scalar()
        written = conn.execute(
            select(MN.c.text, func.count(func.distinct(MN.c.document_id)).label("documents"),
                   func.count().label("mentions"))
            .select_from(MN.join(DOCS, current(MN))).where(_in_nodes(MN, MN.c.entity_key, nodes))
            .group_by(MN.c.text).order_by(func.count(func.distinct(MN.c.document_id)).desc(), MN.c.text)
            .limit(NAMES_SHOWN)).all()
    aliases: Counter = Counter()
    for r in rows[:50]:
        for alias in (r.data or {}).get("aliases") or ():
            aliases[alias] += 1
    shown = {w.text.lower() for w in written}
    return {**_named(ref, rows), "fused": bool(fused), "documents": documents, "more": not exact,
            "sampled": more, "sample": SAMPLE, "nodes": nodes,
            "names": [{"name": w.text, "documents": w.documents, "mentions": w.mentions} for w in written],
            "aliases": sorted(a for a in aliases if a.lower() not in shown)}


def documents(store: Store, actor: Actor, ref: str, offset: int = 0, limit: int = 20) -> Page:
    """The documents that mention the entity, the last ingested first, with how often each does."""
    offset, limit = bounded(offset, limit)
    with store.engine.connect() as conn:
        # Walking the documents costs about (offset + limit) / density probes, sorting the entity's
        # own about its node count: walk when that is the larger (probes cost more: a factor 4).
        if _frequent(conn, ref, offset + limit + 1, _store_size(conn)):
            # one probe of ix_entity_links_entity_document (entity, document) per document walked
            named = or_(some(EL.c.document_id == DOCS.c.id, EL.c.entity == ref),
                        some(ENT.c.document_id == DOCS.c.id, ENT.c.version == DOCS.c.current_version,
                                       ENT.c.key == ref, _unlinked()))
            ordered = (select(DOCS.c.id.label("document_id")).where(named)
                       .order_by(DOCS.c.last_ingested.desc(), DOCS.c.id))
        else:
            q = _nodes(ref, DOCS.c.last_ingested).subquery("nodes")
            ordered = (select(q.c.document_id).group_by(q.c.document_id)
                       .order_by(func.max(q.c.last_ingested).desc(), q.c.document_id))
        found, more = _walk(conn, actor, ordered, limit, offset)
        ids = [r.document_id for r in found]
        nodes = _nodes_in(conn, ref, ids)
        meta = {r.id: r for r in conn.execute(
            select(DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, VERS.c.title, VERS.c.outlet, VERS.c.published)
            .select_from(DOCS.join(VERS, and_(VERS.c.document_id == DOCS.c.id,
                                              VERS.c.version == DOCS.c.current_version)))
            .where(DOCS.c.id.in_(ids)))} if ids else {}
        counts = dict(conn.execute(select(MN.c.document_id, func.count()).select_from(MN.join(DOCS, current(MN)))
                                   .where(_in_nodes(MN, MN.c.entity_key, nodes))
                                   .group_by(MN.c.document_id)).all()) if nodes else {}
    rows = [{"id": d, "stem": meta[d].stem, "tlp": meta[d].tlp, "title": meta[d].title, "outlet": meta[d].outlet,
             "published": meta[d].published, "mentions": counts.get(d, 0)} for d in ids if d in meta]
    return Page(rows, offset, limit, more)


def events(store: Store, actor: Actor, ref: str, offset: int = 0, limit: int = 20) -> Page:
    """The events the entity takes part in (as actor, target or place), latest first (undated last),
    with the entity's roles in each. An entity of many documents is the events page's own filter by
    entity (liaison.store.reading.events, which walks the date index under the access rule and meets
    its events often); any other is read from its own roles (``_own_events``), which a walk of every
    event in date order would meet only rarely. Both give the same rows in the same order."""
    offset, limit = bounded(offset, limit)
    with store.engine.connect() as conn:
        rows_n, total = offset + limit + 1, _store_size(conn)
        if _frequent(conn, ref, rows_n, total):  # the counts _events_path decides by, as far as it looks
            nodes_n = max(FEW + 1, isqrt(4 * rows_n * total) + 1)
            roles_n = _count(conn, select(ER.c.entity_key).where(ER.c.entity_key == ref),
                             -(-rows_n * 4 * total // PROBES))
        else:
            nodes_n = roles_n = 0
        path = _events_path(nodes_n, roles_n, total, rows_n)
        if path == "own":
            found, more = _own_events(conn, actor, ref, offset, limit)
        elif path == "probed":
            found, more = _events_probed(conn, actor, ref, offset, limit)
    if path == "listed":
        from liaison.store.reading import events as listing

        page = listing.page(store, actor, listing.EventFilter(entity_key=ref), sort="-date", offset=offset,
                            limit=limit)
        found, more = page.rows, page.more
    keys = [(r["document_id"], r["idx"]) for r in found]
    roles: dict[tuple[str, int], set[str]] = {}
    if keys:
        with store.engine.connect() as conn:
            rows = conn.execute(select(ER.c.document_id, ER.c.idx, ER.c.role, ER.c.entity_key)
                                .select_from(ER.join(DOCS, current(ER)))
                                .where(ER.c.document_id.in_(sorted({d for d, _ in keys})))).all()
            entity_of = resolved(conn, sorted({(r.document_id, r.entity_key) for r in rows}))
        for r in rows:
            if entity_of[(r.document_id, r.entity_key)] == ref:
                roles.setdefault((r.document_id, r.idx), set()).add(r.role)
    out = [{k: r[k] for k in EVENT_COLUMNS}
           | {"role": ", ".join(sorted(roles.get((r["document_id"], r["idx"]), ())))} for r in found]
    return Page(out, offset, limit, more)


#: The most events a walk of the date index may expect to probe for a page (``_events_probed``).
PROBES = 3000


def _events_path(nodes: int, roles: int, documents: int, rows: int) -> str:
    """How an entity's events are found, by what each costs: "own" (its own roles, sorted: about its
    node count) for an entity of few documents, as documents() decides; else by walking every event
    in date order (about ``rows`` / density probes; events are some four a document, ``roles`` those
    whose role names its key): "probed", each event asked whether it is the entity's, where the walk
    meets its events often, else "listed", the events page's filter, which first lists the entity's
    documents and walks only theirs."""
    if not (nodes > FEW and nodes * nodes > 4 * rows * documents):
        return "own"
    return "probed" if rows * 4 * documents <= PROBES * max(roles, 1) else "listed"


EVENT_COLUMNS = ("document_id", "idx", "type", "subtype", "status", "date_value", "date_start", "date_end",
                 "confidence", "title", "stem")


def _event_rows():  # noqa: ANN202
    """The event columns the page shows, with the title and stem of the event's document."""
    return (select(*(EV.c[k] for k in EVENT_COLUMNS if k not in ("title", "stem")), VERS.c.title, DOCS.c.stem)
            .select_from(EV.join(DOCS, current(EV))
                         .join(VERS, and_(VERS.c.document_id == EV.c.document_id, VERS.c.version == EV.c.version))))


def _events_probed(conn: Connection, actor: Actor, ref: str, offset: int, limit: int) -> tuple[list, bool]:
    """The page of the entity's events found by walking ix_events_by_date_version backwards (the dated ones,
    then the undated: the events page's "-date" order), each asked whether one of its roles is the
    entity's (the event's roles by primary key, a linked one's node by one probe of
    ix_entity_links_entity_document: "|| ''" on the key keeps SQLite off the links' primary key,
    whose rows carry each node's JSON), and the access rule asked of the documents of those it
    keeps, a batch at a time (``_walk``)."""
    from liaison.store.reading.events import IS_DATED, IS_UNDATED

    role, member, any_link = ER.alias("event_role"), EL.alias("member_link"), EL.alias("any_link")
    linked = some(member.c.entity == ref, member.c.document_id == role.c.document_id,
                  member.c.entity_key + "" == role.c.entity_key)
    unlinked = ~some(any_link.c.document_id == role.c.document_id, any_link.c.entity_key == role.c.entity_key)
    taking_part = some(role.c.document_id == EV.c.document_id, role.c.version == EV.c.version,
                       role.c.idx == EV.c.idx, or_(linked, and_(role.c.entity_key == ref, unlinked)))
    rows = _event_rows().where(taking_part)
    latest = [EV.c.date_start.desc(), EV.c.document_id.desc(), EV.c.idx.desc()]
    found, more = _walk(conn, actor, rows.where(IS_DATED).order_by(*latest), limit, offset,
                        then=rows.where(IS_UNDATED).order_by(*latest))
    return [r._mapping for r in found], more


def _own_events(conn: Connection, actor: Actor, ref: str, offset: int, limit: int) -> tuple[list, bool]:
    """The page of the entity's events found through its own roles: those of the nodes fusion linked
    to it (ix_event_roles_entity_event by each node's key and document) and, where fusion has not
    linked a node, those of its key; in the events page's "-date" order, the access rule asked of
    their documents a batch at a time (``_walk``). The order is made from the events' keys and dates
    alone (ix_events_key_date, an index walk: "+ 0" on the index keeps SQLite off the primary key,
    which would read each event's row for its date), and only the page's events are read whole."""
    linked = (select(ER.c.document_id, ER.c.version, ER.c.idx)
              .select_from(EL.join(ER, and_(ER.c.document_id == EL.c.document_id, ER.c.entity_key == EL.c.entity_key)))
              .where(EL.c.entity == ref))
    linked_to_it = EL.alias("linked_to_it")  # as _unlinked(ref): the key's roles linked to it told first
    alone = (select(ER.c.document_id, ER.c.version, ER.c.idx)
             .where(ER.c.entity_key == ref,
                    ~some(linked_to_it.c.entity == ref, linked_to_it.c.document_id == ER.c.document_id,
                          linked_to_it.c.entity_key + "" == ER.c.entity_key),
                    ~some(EL.c.document_id == ER.c.document_id, EL.c.entity_key == ER.c.entity_key)))
    taking_part = linked.union(alone).subquery("taking_part")  # UNION: an event once, whatever its roles
    ordered = (select(EV.c.document_id, EV.c.version, EV.c.idx)
               .select_from(taking_part.join(EV, and_(EV.c.document_id == taking_part.c.document_id,
                                                      EV.c.version == taking_part.c.version,
                                                      EV.c.idx + 0 == taking_part.c.idx))
                            .join(DOCS, current(EV)))
               .order_by(EV.c.date_start.is_(None), EV.c.date_start.desc(), EV.c.document_id.desc(), EV.c.idx.desc()))
    keys, more = _walk(conn, actor, ordered, limit, offset)
    if not keys:
        return [], more
    wanted = [(k.document_id, k.version, k.idx) for k in keys]
    found = {(r.document_id, r.idx): r._mapping for r in conn.execute(
        _event_rows().where(EV.c.document_id.in_(sorted({k[0] for k in wanted})),
                            tuple_(EV.c.document_id, EV.c.version, EV.c.idx).in_(wanted)))}
    return [found[(k[0], k[2])] for k in wanted if (k[0], k[2]) in found], more


#: A related entity is named from this many of its nodes in the sample (names_of's share), not all.
NAMED_FROM = 4


def related(store: Store, actor: Actor, ref: str, limit: int = 20,
            nodes: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Entities named in the same documents (of a SAMPLE of its documents the actor may see), by how
    many documents name both."""
    other = EL.alias("other_link")
    with store.engine.connect() as conn:
        nodes = nodes if nodes is not None else sample(conn, actor, ref)[0]
        ids = sorted({d for d, _ in nodes})
        if not ids:
            return []
        rows = conn.execute(select(other.c.entity, func.count(func.distinct(other.c.document_id)).label("documents"))
                            .where(other.c.document_id.in_(ids), other.c.entity != ref).group_by(other.c.entity)
                            .order_by(func.count(func.distinct(other.c.document_id)).desc(), other.c.entity)
                            .limit(limit)).all()
        top = [r.entity for r in rows]
        # The top entities' nodes in the sample's documents ("|| ''": read through those documents'
        # links, which the count has just read, rather than by 20 entities' index probes each), each
        # named from a few of them as names_of names.
        of_top = (select(other.c.document_id, other.c.entity_key, other.c.entity)
                  .where(other.c.document_id.in_(ids), (other.c.entity + "").in_(top))
                  .order_by(other.c.document_id, other.c.entity_key))
        placed: dict[tuple[str, str], str] = {}
        per_entity: Counter = Counter()
        for n in conn.execute(of_top) if top else ():
            if per_entity[n.entity] < NAMED_FROM:
                per_entity[n.entity] += 1
                placed[(n.document_id, n.entity_key)] = n.entity
        names = names_at(conn, placed)
    return [{**names[r.entity], "documents": r.documents} for r in rows if r.entity in names]


def timeline(store: Store, actor: Actor, ref: str, nodes: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Per month: the documents naming the entity (by publication date) and its events (by date),
    across a SAMPLE of its documents the actor may see."""
    months: dict[str, dict[str, int]] = {}
    with store.engine.connect() as conn:
        nodes = nodes if nodes is not None else sample(conn, actor, ref)[0]
        if not nodes:
            return []
        ids = sorted({d for d, _ in nodes})
        docs = (select(VERS.c.published, func.count()).select_from(
            VERS.join(DOCS, current(VERS)))
            .where(VERS.c.document_id.in_(ids), VERS.c.published.is_not(None)).group_by(VERS.c.published))
        # Dates from ix_events_key_date alone ("+ 0" keeps SQLite off the events' primary key, which
        # would read each event's row), and the months of documents from ix_document_versions_published.
        evs = (select(EV.c.date_start, func.count(func.distinct(EV.c.document_id + ":" + cast(EV.c.idx, String))))
               .select_from(ER.join(DOCS, current(ER)).join(EV, and_(EV.c.document_id == ER.c.document_id,
                                                                       EV.c.version == ER.c.version,
                                                                       EV.c.idx + 0 == ER.c.idx)))
               .where(_in_nodes(ER, ER.c.entity_key, nodes), EV.c.date_start.is_not(None)).group_by(EV.c.date_start))
        for day, n in conn.execute(docs):
            months.setdefault(_month(day), {"documents": 0, "events": 0})["documents"] += n
        for day, n in conn.execute(evs):
            months.setdefault(_month(day), {"documents": 0, "events": 0})["events"] += n
    return [{"month": k, **v} for k, v in sorted(months.items())]


def _month(day: dt.date | str) -> str:
    return (day.isoformat() if isinstance(day, dt.date) else str(day))[:7]


def roles(store: Store, actor: Actor, ref: str, nodes: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """Fusion's roles of the entity over time (titles and affiliations the documents state, first and
    last seen), read from its nodes in a SAMPLE of its documents the actor may see."""
    from liaison.fuse.build import mention_from_json
    from liaison.fuse.records import Link
    from liaison.fuse.roles import roles as role_facts

    with store.engine.connect() as conn:
        nodes = nodes if nodes is not None else sample(conn, actor, ref)[0]
        rows = conn.execute(select(EL.c.document_id, EL.c.entity_key, EL.c.entity, EL.c.rule, EL.c.score,
                                   EL.c.mention).where(_in_nodes(EL, EL.c.entity_key, nodes))).all() if nodes else []
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
