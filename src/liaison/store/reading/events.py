"""The events page, its timeline and its CSV: events of current document versions, filtered, sorted
and paginated in SQL, under the access rule (``visible_rows`` on the events table).

A filter is an ``EventFilter`` the web layer has already validated. A page is an index walk that
stops after its rows: the date order walks ix_events_by_date (or ix_events_type_by_date under a
type filter) in either direction, and the type order ix_events_type_by_date, asking each row the
cheap column tests first, then probes by primary key (event_roles, entities, entity_links), and the
access rule last; a date range is a range of that index, since an event is kept by the day its date
begins (as the dashboard's chart counts it). Names of the actors, targets and places of a page are
read afterwards for that page's events only.

The confidence order has no index yet, so it sorts every matching row (over a second at 100,000
documents); the index it wants, in its key order:
``CREATE INDEX ix_events_confidence ON events (confidence, date_start, document_id, idx)``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, true, union
from sqlalchemy.sql.elements import ColumnElement

from liaison.store import rebuild
from liaison.store.access import Actor, visible_rows
from liaison.store.database import Store
from liaison.store.reading import Page, bounded, current, page_of
from liaison.store.schema import (
    DocumentRow,
    DocumentVersionRow,
    EntityLinkRow,
    EntityRow,
    EventRoleRow,
    EventRow,
    MentionRow,
)

EV = EventRow.__table__
ROLES = EventRoleRow.__table__
ENT = EntityRow.__table__
DOCS = DocumentRow.__table__
VERS = DocumentVersionRow.__table__
EL = EntityLinkRow.__table__
MN = MentionRow.__table__

#: Events of current document versions, with their version's metadata.
CURRENT = (EV.join(DOCS, current(EV))
           .join(VERS, (VERS.c.document_id == EV.c.document_id) & (VERS.c.version == EV.c.version)))

_ROLE = ROLES.alias("filter_role")
_NAMED = ENT.alias("filter_entity")
_LINK = EL.alias("filter_link")

#: The orders a page may ask for, by name (a leading "-" reverses them); nothing else reaches ORDER BY.
SORTS = ("date", "type", "confidence")


@dataclass(frozen=True)
class EventFilter:
    """What the events page, timeline, CSV and map filter by (all optional, all combined).

    ``entity`` and ``place`` are parts of a name (any role, or the location); ``entity_key`` is an
    entity as the entity page names it (fusion's id, or a key fusion has not linked), ``place_key``
    a place's key as the map names it; ``source`` is part of the
    outlet or the attributed source; the date range keeps events whose date begins in it;
    ``added_since`` keeps events of document versions stored after it (what is new since a visit)."""

    type: str | None = None
    entity: str | None = None
    place: str | None = None
    entity_key: str | None = None
    place_key: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    source: str | None = None
    min_confidence: int | None = None
    added_since: dt.datetime | None = None


def _contains(column: ColumnElement, text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _role(*conds: ColumnElement[bool]) -> ColumnElement[bool]:
    """An event role of the outer event meeting ``conds``: a probe by the roles' primary key."""
    return exists().where(_ROLE.c.document_id == EV.c.document_id, _ROLE.c.version == EV.c.version,
                          _ROLE.c.idx == EV.c.idx, *conds)


def _role_named(text: str, role: str | None, keys: list[str] | None = None) -> list[ColumnElement[bool]]:
    """A role whose entity (in the same document version) has a name containing ``text``: probed per
    row; with ``keys`` (every key some entity row of that name has, from ``_Names``), first the
    cheap test that the event's document has a role with one of them, so a rare name does not
    probe every event."""
    named = exists().where(_NAMED.c.document_id == _ROLE.c.document_id, _NAMED.c.version == _ROLE.c.version,
                           _NAMED.c.key == _ROLE.c.entity_key, _contains(_NAMED.c.canonical, text))
    probe = _role(*([_ROLE.c.role == role] if role else []), named)
    if keys is None:
        return [probe]
    if not keys:
        return [false()]
    roles = ROLES.alias("named_roles")
    return [_in_documents_with(select(roles.c.document_id).where(roles.c.entity_key.in_(keys),
                                                                 *([roles.c.role == role] if role else []))), probe]


@dataclass
class _Names:
    """Every entity name the store holds, lowercased, with the keys of the entity rows that carry it:
    read in full once per process and store, then only for the documents with mentions added since
    (``marker``: the highest mention id read; ids only grow). The names are searched as one text
    (``text``, a name a line; ``starts`` where each begins), so a substring is found at C speed
    over a million names. It decides nothing about access or about which events match: it only
    says which keys a name filter can reach, and each event is then probed in SQL, under the rule,
    as without it."""

    marker: int = 0
    keys: dict[str, set[str]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    text: str = ""
    starts: list[int] = field(default_factory=list)

    def add(self, rows: Any) -> None:  # noqa: ANN401 (key, name) pairs
        before = len(self.keys)
        for key, name in rows:
            self.keys.setdefault((name or "").lower().replace("\n", " "), set()).add(key)
        if len(self.keys) != before or not self.names:
            self.names = list(self.keys)
            self.text = "\n".join(self.names)
            self.starts, at = [], 0
            for name in self.names:
                self.starts.append(at)
                at += len(name) + 1

    def matching(self, wanted: str) -> Iterator[str]:
        """The names containing ``wanted`` (lowercased, no line break)."""
        last = -1
        for hit in re.finditer(re.escape(wanted), self.text):
            i = bisect.bisect_right(self.starts, hit.start()) - 1
            if i != last and hit.end() <= self.starts[i] + len(self.names[i]):
                last = i
                yield self.names[i]


_NAMES: dict[str, _Names] = {}
_NAMES_LOCK = threading.Lock()
#: A name reaching more keys, or the keys more event roles, than these is common: its events are
#: found soon by walking the date index unaided, and the documents of its roles would cost more.
MAX_NAMED_KEYS = 1000
MAX_NAMED_ROLES = 5000


def warm(store: Store) -> None:
    """Read the entity names the events page's name filter searches now (a server's start, in a
    thread), so the first filter by name does not wait for them (seconds on a large store)."""
    with store.engine.connect() as conn:
        named_keys(conn, "\x00")  # matches no name: only the reading is wanted


def named_keys(conn: Any, text: str) -> list[str] | None:  # noqa: ANN401 (a Connection)
    """The keys of entity rows whose name contains ``text`` (as SQL's lower() compares them, or more),
    or None when the name is common (MAX_NAMED_KEYS, MAX_NAMED_ROLES)."""
    with _NAMES_LOCK:  # one thread reads or updates the names at a time (the start-up read included)
        return _named_keys(conn, text)


def _named_keys(conn: Any, text: str) -> list[str] | None:  # noqa: ANN401 (a Connection)
    url = conn.engine.url.render_as_string(hide_password=True)
    marker = conn.execute(select(func.max(MN.c.id))).scalar() or 0
    found = _NAMES.get(url)
    if found is None or marker < found.marker:  # new, or the store was emptied and filled again
        found = _NAMES[url] = _Names()
        found.add(conn.execute(select(ENT.c.key, ENT.c.canonical).distinct()))
    elif marker > found.marker:
        docs = sorted(d for (d,) in conn.execute(select(MN.c.document_id).where(MN.c.id > found.marker).distinct()))
        each = select(ENT.c.key, ENT.c.canonical)
        found.add([r for part in range(0, len(docs), 400)
                   for r in conn.execute(each.where(ENT.c.document_id.in_(docs[part:part + 400])))])
    found.marker = marker
    wanted = text.lower().replace("\n", " ")
    keys: set[str] = set()
    for name in found.matching(wanted):
        keys |= found.keys[name]
        if len(keys) > MAX_NAMED_KEYS:
            return None
    if keys:
        roles = conn.execute(select(func.count()).select_from(
            select(ROLES.c.idx).where(ROLES.c.entity_key.in_(sorted(keys))).limit(MAX_NAMED_ROLES + 1).subquery()))
        if roles.scalar_one() > MAX_NAMED_ROLES:
            return None
    return sorted(keys)


def _member_of(ref: str) -> ColumnElement[bool]:
    """The role's node belongs to the entity ``ref`` (the entity page's name for it): fusion linked it
    there, or fusion has not linked it and its key is ``ref``."""
    link = (_LINK.c.document_id == _ROLE.c.document_id) & (_LINK.c.entity_key == _ROLE.c.entity_key)
    return or_(exists().where(link, _LINK.c.entity == ref),
               and_(_ROLE.c.entity_key == ref, ~exists().where(link)))


def _in_documents_with(*subqueries: Any) -> ColumnElement[bool]:  # noqa: ANN401 (Selects of document ids)
    """The event's document is among those an indexed lookup names: a cheap test, asked of each row a
    walk of the date index passes (the exact role is probed after it, for the rows it lets through)."""
    return EV.c.document_id.in_(subqueries[0] if len(subqueries) == 1 else union(*subqueries))


def conditions(actor: Actor, f: EventFilter, conn: Any = None) -> list[ColumnElement[bool]]:  # noqa: ANN401
    """The WHERE of every events query for this actor and filter, over ``CURRENT``: the cheap column
    tests first, the probes after them, the access rule last. With ``conn``, a name filter first
    narrows the walk to the documents of the keys that name reaches (``named_keys``)."""
    out: list[ColumnElement[bool]] = []
    if f.type:
        out.append(EV.c.type == f.type)
    if f.since:
        out.append(EV.c.date_start >= f.since)
    if f.until:
        out.append(EV.c.date_start <= f.until)
    if f.min_confidence is not None:
        out.append(EV.c.confidence >= f.min_confidence)
    if f.added_since is not None:
        out.append(VERS.c.ingested_at > f.added_since)
    if f.place_key:
        roles = ROLES.alias("place_roles")
        out += [_in_documents_with(select(roles.c.document_id).where(roles.c.entity_key == f.place_key,
                                                                     roles.c.role == "location")),
                _role(_ROLE.c.role == "location", _ROLE.c.entity_key == f.place_key)]
    if f.entity_key:
        roles, links = ROLES.alias("entity_roles"), EL.alias("entity_members")
        out += [_in_documents_with(select(links.c.document_id).where(links.c.entity == f.entity_key),
                                   select(roles.c.document_id).where(roles.c.entity_key == f.entity_key)),
                _role(_member_of(f.entity_key))]
    if f.source:
        attributed = EV.c.data[("attribution", "source")].as_string()
        out.append(or_(_contains(VERS.c.outlet, f.source), _contains(attributed, f.source)))
    if f.entity:
        out += _role_named(f.entity, None, named_keys(conn, f.entity) if conn is not None else None)
    if f.place:
        out += _role_named(f.place, "location", named_keys(conn, f.place) if conn is not None else None)
    out.append(visible_rows(actor, EV))
    return out


#: Whether an event has no date, written exactly as the date indexes (migration 0013) write it, so
#: that "dated" and "undated" are equalities on the index's first column (in SQLite and PostgreSQL).
UNDATED = EV.c.date_start.is_(None)
IS_DATED = UNDATED == false()  # noqa: SIM300 (rendered "(date_start IS NULL) = 0": the index's column)
IS_UNDATED = UNDATED == true()  # noqa: SIM300


def _order(sort: str) -> list[ColumnElement]:
    """ORDER BY for the type and confidence orders: every key in the one direction asked, so an index
    on the same columns serves it backwards as well as forwards (ix_events_type_by_date serves the
    type order; the confidence order wants one of its own, see the module's docstring)."""
    name, descending = sort.removeprefix("-"), sort.startswith("-")
    if name not in SORTS or name == "date":
        raise ValueError(f"not a type or confidence order: {sort!r}")
    first = {"type": [EV.c.type, UNDATED], "confidence": [EV.c.confidence]}[name]
    keys = [*first, EV.c.date_start, EV.c.document_id, EV.c.idx]  # a total order, so pages never overlap
    return [k.desc() for k in keys] if descending else keys


COLUMNS = (EV.c.document_id, EV.c.version, EV.c.idx, EV.c.type, EV.c.subtype, EV.c.status, EV.c.date_value,
           EV.c.date_start, EV.c.date_end, EV.c.confidence, EV.c.data, DOCS.c.stem, DOCS.c.tlp, VERS.c.title,
           VERS.c.outlet, VERS.c.published, VERS.c.ingested_at)


def page(store: Store, actor: Actor, f: EventFilter, sort: str = "date", offset: int = 0, limit: int = 50,
         dated_only: bool = False) -> Page:
    """One page of the filtered events, in the order ``sort`` names; ``dated_only`` leaves out events
    without a date (the timeline). Each row carries the rebuilt ``event`` (liaison.model.Event) and
    ``names`` and ``refs``: entity key -> name, and -> entity, for its actors, targets and place."""
    offset, limit = bounded(offset, limit)
    base = select(*COLUMNS).select_from(CURRENT)
    with store.engine.connect() as conn:
        where = conditions(actor, f, conn)
        if sort.removeprefix("-") == "date":
            found = _by_date(conn, base, where, sort.startswith("-"), offset, limit + 1, dated_only)
        else:
            if dated_only:
                where.append(EV.c.date_start.is_not(None))
            found = list(conn.execute(base.where(*where).order_by(*_order(sort)).offset(offset).limit(limit + 1)))
        rows = [dict(r._mapping, event=rebuild.event_from_row(r)) for r in found]
        _name(conn, rows[:limit])
    return page_of(rows, offset, limit)


def _by_date(conn: Any, base: Any, where: list[ColumnElement[bool]], descending: bool, offset: int, count: int,  # noqa: ANN401
             dated_only: bool) -> list[Any]:
    """Rows in date order, undated ones after the dated, as two queries that each walk the date index
    (ix_events_by_date, or ix_events_type_by_date under a type filter) in the order asked, either
    direction: the dated ones first, the undated ones when a page reaches their end. One ORDER BY
    that put NULLs last in both directions would be a sort of every matching row instead."""
    way = (lambda c: c.desc()) if descending else (lambda c: c)  # noqa: E731
    order = [way(EV.c.date_start), way(EV.c.document_id), way(EV.c.idx)]
    dated = list(conn.execute(base.where(*where, IS_DATED).order_by(*order).offset(offset).limit(count)))
    if len(dated) == count or dated_only:
        return dated
    skip = 0
    if not dated and offset:  # past the dated ones: how many there were says where the undated begin
        total = conn.execute(select(func.count()).select_from(CURRENT).where(*where, IS_DATED)).scalar_one()
        skip = offset - total
    undated = conn.execute(base.where(*where, IS_UNDATED).order_by(*order).offset(skip)
                           .limit(count - len(dated)))
    return dated + list(undated)


def stream(store: Store, actor: Actor, f: EventFilter, sort: str = "date", most: int = 10_000,
           chunk: int = 500) -> Iterator[list[dict[str, Any]]]:
    """The first ``most`` filtered events in the order ``sort`` names, as ``page`` rows, ``chunk`` at a
    time: one query read as it goes (a server-side cursor on PostgreSQL), names looked up per chunk
    on a second connection, so a long download neither repeats the walk page by page nor holds
    every row at once."""
    base = select(*COLUMNS).select_from(CURRENT)
    left = most
    with store.engine.connect() as conn, store.engine.connect() as lookups:
        where = conditions(actor, f, lookups)
        if sort.removeprefix("-") == "date":
            way = (lambda c: c.desc()) if sort.startswith("-") else (lambda c: c)  # noqa: E731
            order = [way(EV.c.date_start), way(EV.c.document_id), way(EV.c.idx)]
            queries = [base.where(*where, IS_DATED).order_by(*order),
                       base.where(*where, IS_UNDATED).order_by(*order)]
        else:
            queries = [base.where(*where).order_by(*_order(sort))]
        for q in queries:
            if left <= 0:
                return
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(q.limit(left))
            for part in result.partitions(chunk):
                rows = [dict(r._mapping, event=rebuild.event_from_row(r)) for r in part]
                left -= len(rows)
                _name(lookups, rows)
                yield rows


def _name(conn: Any, rows: list[dict[str, Any]]) -> None:  # noqa: ANN401 (a Connection)
    """Adds ``names`` and ``refs`` to each row: the names of its entities and the entities (as the
    entity page names them: fusion's id, or the key where fusion has not linked it) they belong to,
    read for this page's events only: the entities of their documents' current versions, by the
    primary key's first column (an IN over several of its columns would multiply, over a row-value
    IN SQLite would scan), with fusion's links joined by theirs."""
    docs = sorted({r["document_id"] for r in rows})
    found: dict[tuple[str, str], tuple[str, str]] = {}
    if docs:
        q = (select(ENT.c.document_id, ENT.c.key, ENT.c.canonical, EL.c.entity)
             .select_from(ENT.join(DOCS, current(ENT))
                          .outerjoin(EL, (EL.c.document_id == ENT.c.document_id) & (EL.c.entity_key == ENT.c.key)))
             .where(ENT.c.document_id.in_(docs)))
        found = {(d, k): (c, e or k) for d, k, c, e in conn.execute(q)}
    for r in rows:
        keys = _keys(r["event"])
        named = {k: found.get((r["document_id"], k), (k, k)) for k in keys}
        r["names"] = {k: v[0] for k, v in named.items()}
        r["refs"] = {k: v[1] for k, v in named.items()}


def _keys(ev: Any) -> list[str]:  # noqa: ANN401 (an Event)
    return [*ev.actors, *ev.targets, *([ev.location] if ev.location else [])]


def any_at(store: Store, actor: Actor, place_key: str) -> bool:
    """Whether the actor may see some event placed at ``place_key`` (a missing place and a hidden one
    answer alike)."""
    q = select(EV.c.idx).select_from(CURRENT).where(*conditions(actor, EventFilter(place_key=place_key))).limit(1)
    with store.engine.connect() as conn:
        return conn.execute(q).first() is not None
