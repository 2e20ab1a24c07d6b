"""The events page, its timeline and its CSV: events of current document versions, filtered, sorted
and paginated in SQL, under the access rule (``visible_rows`` on the events table).

A filter is an ``EventFilter`` the web layer has already validated. A page is an index walk that
stops after its rows: the date order walks ix_events_by_date_version (or
ix_events_type_by_date_version under a type filter) in either direction, the type order
ix_events_type_by_date_version, the confidence order
ix_events_confidence, asking each row the cheap column tests first, then probes by primary key
(event_roles, entities, entity_links), and the access rule last; a date range is a range of that
index, since an event is kept by the day its date begins (as the dashboard's chart counts it).

A filter that names few events (an entity or place of few roles: ``plan``) leads instead: its
roles' documents are read by the role index, their events tested and sorted (a few hundred rows),
where a walk of the date index would pass most of the table before it met them.

Deep pages are reached by keyset: a page's ``next`` and ``previous`` are cursors, the sort key of
its last and first rows (``cursor_of``), and the page after a cursor is a few index walks that each
start at it (``_after``), so the 400th page costs what the first does; an offset walks (and asks
the rule of) every row it skips, so the web layer bounds it. Names of the actors, targets and
places of a page are read afterwards for that page's events only.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, false, func, literal, or_, select, true, tuple_, union
from sqlalchemy.sql.elements import ColumnElement

from liaison.model import Quantity, Span
from liaison.store import rebuild
from liaison.store.access import Actor, visible_rows
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


def _role_named(text: str, role: str | None, keys: list[str] | None = None) -> ColumnElement[bool]:
    """A role whose entity (in the same document version) has a name containing ``text``, probed per
    row; with ``keys`` (every key some entity row of that name has, from ``_Names``), the role's key
    is tested against them first, so only the roles of those keys have their entity read and matched."""
    named = exists().where(_NAMED.c.document_id == _ROLE.c.document_id, _NAMED.c.version == _ROLE.c.version,
                           _NAMED.c.key == _ROLE.c.entity_key, _contains(_NAMED.c.canonical, text))
    kind = [_ROLE.c.role == role] if role else []
    if keys is None:
        return _role(*kind, named)
    if not keys:
        return false()
    # "|| ''": the keys are tested on the event's few roles, not each looked up in the primary key (a seek each)
    return _role(*kind, (_ROLE.c.entity_key + "").in_(keys), named)


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
#: A name reaching more keys than this is common (a word, a letter): no key list is made for it, each
#: event walked is probed by name, and its events are met soon.
MAX_NAMED_KEYS = 1000
#: A filter whose roles are at most this many leads (``plan``): their documents' events are tested and
#: sorted (under the rule, some 25 us an event for a partner), where a walk would pass most of the table.
LEAD_ROLES = 1000
#: Above LEAD_ROLES and up to this many roles, a walk of the date index first asks whether the event's
#: document is among theirs (one list, read by the role index); beyond it the walk meets them so often
#: (one event in 20 or more) that the per-row probe alone costs less than the list.
LISTED_ROLES = 5000


def warm(store: Store) -> None:
    """Read the entity names the events page's name filter searches now (a server's start, in a
    thread), so the first filter by name does not wait for them (seconds on a large store)."""
    with store.engine.connect() as conn:
        named_keys(conn, "\x00")  # matches no name: only the reading is wanted


def named_keys(conn: Any, text: str, role: str | None = None) -> tuple[list[str] | None, int]:  # noqa: ANN401
    """The keys of entity rows whose name contains ``text`` (as SQL's lower() compares them, or more),
    or None when the name is common (MAX_NAMED_KEYS), with how many event roles (of kind ``role``)
    name them, counted up to LISTED_ROLES + 1."""
    with _NAMES_LOCK:  # one thread reads or updates the names at a time (the start-up read included)
        keys = _named_keys(conn, text)
    if not keys:
        return keys, 0 if keys is not None else LISTED_ROLES + 1
    q = select(ROLES.c.idx).where(ROLES.c.entity_key.in_(keys), *([ROLES.c.role == role] if role else []))
    return keys, _count(conn, q, LISTED_ROLES)


def _count(conn: Any, q: Any, most: int) -> int:  # noqa: ANN401 (a Connection, a Select)
    """How many rows ``q`` has, counted up to ``most + 1`` (an index range, stopped there)."""
    return conn.execute(select(func.count()).select_from(q.limit(most + 1).subquery())).scalar_one()


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
    return sorted(keys)


def _member_of(ref: str) -> ColumnElement[bool]:
    """The role's node belongs to the entity ``ref`` (the entity page's name for it): fusion linked it
    there, or fusion has not linked it and its key is ``ref``."""
    same = _LINK.c.document_id == _ROLE.c.document_id
    # "|| ''" keeps SQLite off the links' primary key (whose rows carry each node's JSON) for an index
    # that holds the entity (ix_entity_links_entity_document): with SELECT 1, a probe that reads no row
    linked = select(literal(1)).where(_LINK.c.entity == ref, same, _LINK.c.entity_key + "" == _ROLE.c.entity_key)
    unlinked = ~select(literal(1)).where(same, _LINK.c.entity_key == _ROLE.c.entity_key).exists()
    return or_(linked.exists(), and_(_ROLE.c.entity_key == ref, unlinked))


def _in_documents_with(*subqueries: Any) -> ColumnElement[bool]:  # noqa: ANN401 (Selects of document ids)
    """The event's document is among those an indexed lookup names: a cheap test, asked of each row a
    walk of the date index passes (the exact role is probed after it, for the rows it lets through)."""
    return EV.c.document_id.in_(subqueries[0] if len(subqueries) == 1 else union(*subqueries))


@dataclass
class Plan:
    """How a filter's events are found: ``where`` over ``CURRENT`` (cheap column tests first, probes
    after them, the access rule last), and ``lead``, the documents (a Select of ids, by the role
    index) of a filter that names few events, whose events are then the only ones tested."""

    where: list[ColumnElement[bool]]
    lead: Any = None
    dated_only: bool = False  # the timeline's: events without a date left out


def conditions(actor: Actor, f: EventFilter, conn: Any = None) -> list[ColumnElement[bool]]:  # noqa: ANN401
    """The WHERE of every events query for this actor and filter, over ``CURRENT``, as a walk of the
    date index asks it (``plan``'s, with a leading filter's documents as one more test)."""
    p = plan(actor, f, conn)
    return p.where if p.lead is None else [_in_documents_with(p.lead), *p.where]


def plan(actor: Actor, f: EventFilter, conn: Any = None) -> Plan:  # noqa: ANN401 (a Connection)
    """The conditions of this actor's and filter's events, and which filter leads. With ``conn``, each
    filter by entity or place counts its roles (by the role index, stopped past LISTED_ROLES): at
    most LEAD_ROLES and the fewest of them leads; up to LISTED_ROLES a walk first tests the event's
    document against theirs; beyond, the walk probes each event's roles alone. Without it, every such
    filter is a document test and a probe (correct, whatever the counts)."""
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
    leads: list[tuple[int, Any]] = []
    probes: list[ColumnElement[bool]] = []

    def narrowed(count: int, documents: Any, probe: ColumnElement[bool]) -> None:  # noqa: ANN401
        if count <= LEAD_ROLES:
            leads.append((count, documents))
        elif count <= LISTED_ROLES:
            probes.append(_in_documents_with(documents))
        probes.append(probe)

    unknown = LISTED_ROLES  # without a connection: the document test and the probe
    if f.place_key:
        roles = ROLES.alias("place_roles")
        docs = select(roles.c.document_id).where(roles.c.entity_key == f.place_key, roles.c.role == "location")
        narrowed(_count(conn, docs, LISTED_ROLES) if conn is not None else unknown, docs,
                 _role(_ROLE.c.role == "location", _ROLE.c.entity_key == f.place_key))
    if f.entity_key:
        roles, links = ROLES.alias("entity_roles"), EL.alias("entity_members")
        linked = select(links.c.document_id).where(links.c.entity == f.entity_key)
        keyed = select(roles.c.document_id).where(roles.c.entity_key == f.entity_key)
        count = (_count(conn, linked, LISTED_ROLES) + _count(conn, keyed, LISTED_ROLES)) if conn is not None else unknown
        narrowed(count, union(linked, keyed), _role(_member_of(f.entity_key)))
    for text, role in ((f.entity, None), (f.place, "location")):
        if not text:
            continue
        if conn is None:
            probes.append(_role_named(text, role))
            continue
        keys, count = named_keys(conn, text, role)
        if keys is None:  # a common name: its events are met soon
            probes.append(_role_named(text, role))
        elif not keys:
            probes.append(false())
        else:
            roles = ROLES.alias("named_roles")
            narrowed(count, select(roles.c.document_id).where(roles.c.entity_key.in_(keys),
                                                              *([roles.c.role == role] if role else [])),
                     _role_named(text, role, keys))
    if f.source:
        attributed = EV.c.data[("attribution", "source")].as_string()
        out.append(or_(_contains(VERS.c.outlet, f.source), _contains(attributed, f.source)))
    out += probes
    out.append(visible_rows(actor, EV))
    return Plan(out, min(leads, key=lambda c: c[0])[1] if leads else None)


#: Whether an event has no date, written exactly as the date indexes (migration 0013) write it, so
#: that "dated" and "undated" are equalities on the index's first column (in SQLite and PostgreSQL).
UNDATED = EV.c.date_start.is_(None)
IS_DATED = UNDATED == false()  # noqa: SIM300 (rendered "(date_start IS NULL) = 0": the index's column)
IS_UNDATED = UNDATED == true()  # noqa: SIM300


COLUMNS = (EV.c.document_id, EV.c.version, EV.c.idx, EV.c.type, EV.c.subtype, EV.c.status, EV.c.date_value,
           EV.c.date_start, EV.c.date_end, EV.c.confidence, EV.c.data, DOCS.c.stem, DOCS.c.tlp, VERS.c.title,
           VERS.c.outlet, VERS.c.published, VERS.c.ingested_at)


# ---------------------------------------------------------------- orders and cursors


@dataclass(frozen=True)
class _Key:
    """One column of an order's key: ``name`` a row's field ("undated": whether its date is NULL, the
    date indexes' first column), its direction, and whether it is that true/false flag."""

    name: str
    ascending: bool
    flag: bool = False

    def flipped(self) -> _Key:
        return _Key(self.name, not self.ascending, self.flag)


def _sort_keys(sort: str) -> list[_Key]:
    """The key of an order, a total one (so pages never overlap), as the indexes hold it: the date
    order is the dated events then the undated (in either direction: two walks of
    ix_events_by_date_version), the type order ix_events_type_by_date_version's columns, the
    confidence order ix_events_confidence's."""
    name, up = sort.removeprefix("-"), not sort.startswith("-")
    tail = [_Key("date_start", up), _Key("document_id", up), _Key("idx", up)]
    if name == "date":
        return [_Key("undated", True, flag=True), *tail]
    if name == "type":
        return [_Key("type", up), _Key("undated", up, flag=True), *tail]
    if name == "confidence":
        return [_Key("confidence", up), *tail]
    raise ValueError(f"not an order: {sort!r}")


def _order(sort: str) -> list[ColumnElement]:
    """ORDER BY for the type and confidence orders (every key in the one direction asked, so an index
    on the same columns serves it backwards as well as forwards)."""
    if sort.removeprefix("-") not in SORTS or sort.removeprefix("-") == "date":
        raise ValueError(f"not a type or confidence order: {sort!r}")
    return _ordering(_sort_keys(sort), _column)


def _column(key: _Key) -> ColumnElement:
    return UNDATED if key.name == "undated" else EV.c[key.name]


def _ordering(keys: list[_Key], col: Any) -> list[ColumnElement]:  # noqa: ANN401 (key -> column)
    return [col(k).asc() if k.ascending else col(k).desc() for k in keys]


def _value(key: _Key, row: Any) -> Any:  # noqa: ANN401 (a row mapping; a key's value)
    return row["date_start"] is None if key.name == "undated" else row[key.name]


def _flag(value: bool) -> ColumnElement[bool]:
    return true() if value else false()


def _from_start(keys: list[_Key], col: Any) -> list[tuple[list, list[_Key]]]:  # noqa: ANN401
    """The order from its first row, as (conditions, key) walks run one after another: the date order
    is its dated events, then its undated (each an equality on the date index's first column)."""
    if keys[0].flag:
        first = not keys[0].ascending  # ascending: False (dated) first
        return [([col(keys[0]) == _flag(v)], keys[1:]) for v in (first, not first)]
    return [([], keys)]


def _after(keys: list[_Key], row: Any, col: Any, nulls_low: bool) -> list[tuple[list, list[_Key]]]:  # noqa: ANN401
    """The rows after ``row`` in the order ``keys``, as walks run one after another, nearest first:
    for each key column from the last, the rows equal to ``row`` in the columns before it and beyond
    it in that one (an equality prefix and a range, so each is one index range, in the index's order).
    The key's last columns that are never NULL are one row-value range; a date may be NULL (the
    confidence order's), and where NULLs sort (``nulls_low``: SQLite puts them first ascending,
    PostgreSQL last) says whether they come after a date or before it."""
    values = [_value(k, row) for k in keys]
    n = len(keys)
    nullable = [k.name == "date_start" for k in keys]
    skip: set[int] = set()
    for i in range(1, n):  # after the undated flag a date is never NULL when dated and always when not
        if keys[i].name == "date_start" and keys[i - 1].name == "undated":
            nullable[i] = False
            if values[i - 1]:
                skip.add(i)

    def prefix(j: int) -> list[ColumnElement[bool]]:
        return [col(keys[i]) == _flag(values[i]) if keys[i].flag else
                col(keys[i]).is_(None) if values[i] is None else col(keys[i]) == values[i]
                for i in range(j) if i not in skip]

    m = n
    while m > 0 and not keys[m - 1].flag and not nullable[m - 1] and m - 1 not in skip and values[m - 1] is not None:
        m -= 1
    out: list[tuple[list, list[_Key]]] = []
    if m < n:
        cols = [col(keys[i]) for i in range(m, n)]
        vals = tuple_(*[literal(values[i], c.type) for i, c in zip(range(m, n), cols, strict=True)])
        beyond = tuple_(*cols) > vals if keys[m].ascending else tuple_(*cols) < vals
        out.append(([*prefix(m), beyond], keys[m:]))
    for j in range(m - 1, -1, -1):
        if j in skip:
            continue
        k, v, c = keys[j], values[j], col(keys[j])
        if k.flag:
            if (not v) == k.ascending:  # the other value comes after this one
                out.append(([*prefix(j), c == _flag(not v)], keys[j + 1:]))
            continue
        nulls_after = k.ascending != nulls_low
        ranges: list[ColumnElement[bool]] = []
        if v is None:
            if not nulls_after:
                ranges.append(c.is_not(None))
        else:
            ranges.append(c > v if k.ascending else c < v)
            if nullable[j] and nulls_after:
                ranges.append(c.is_(None))
        out += [([*prefix(j), r], keys[j:]) for r in ranges]
    return out


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURSOR_PART = {"type": re.compile(r"[a-z_]{1,64}"), "confidence": re.compile(r"\d{1,3}"),
                "document_id": re.compile(r"[0-9A-Za-z_.-]{1,64}"), "idx": re.compile(r"\d{1,9}")}


def cursor_of(row: Any, sort: str) -> str:  # noqa: ANN401 (a row mapping)
    """A row's place in an order, as a page's next or previous link carries it: its key's values,
    "~" between them (the date as YYYY-MM-DD, or "undated")."""
    parts = []
    for k in _sort_keys(sort):
        if k.name == "date_start":
            parts.append(row["date_start"].isoformat() if row["date_start"] is not None else "undated")
        elif k.name != "undated":
            parts.append(str(row[k.name]))
    return "~".join(parts)


def parse_cursor(text: str, sort: str) -> dict[str, Any]:
    """The key ``cursor_of`` wrote for the order ``sort``; raises ValueError for anything else."""
    names = [k.name for k in _sort_keys(sort) if k.name != "undated"]
    parts = text.split("~")
    if len(parts) != len(names):
        raise ValueError(f"a position in this order has {len(names)} parts")
    row: dict[str, Any] = {}
    for name, part in zip(names, parts, strict=True):
        if name == "date_start":
            if part == "undated":
                row[name] = None
                continue
            try:
                if not _DAY.fullmatch(part):
                    raise ValueError
                row[name] = dt.date.fromisoformat(part)
            except ValueError:
                raise ValueError("its date must be YYYY-MM-DD or undated") from None
        elif not _CURSOR_PART[name].fullmatch(part):
            raise ValueError(f"its {name.replace('_', ' ')} is not one")
        else:
            row[name] = int(part) if name in ("idx", "confidence") else part
    return row


def _queries(p: Plan, keys: list[_Key], cursor: Any, nulls_low: bool,  # noqa: ANN401
             columns: tuple = COLUMNS) -> list[Any]:
    """The Selects (of ``columns``, ordered) whose rows, one after another, are the order ``keys`` from its
    start or after ``cursor``. A walk: each an index range (``_from_start``, ``_after``). A lead
    (``Plan.lead``): one query over the leading filter's events, tested in a subquery that is not
    merged into the outer one (OFFSET 0), so the role index drives it and the few it keeps are sorted."""
    if p.lead is None:
        base = select(*columns).select_from(CURRENT).where(*([IS_DATED] if p.dated_only else []), *p.where)
        walks = _after(keys, cursor, _column, nulls_low) if cursor is not None else _from_start(keys, _column)
        return [base.where(*conds).order_by(*_ordering(ks, _column)) for conds, ks in walks]
    wanted = dict.fromkeys([*columns, *(EV.c[k.name] for k in keys if k.name != "undated")])  # the key's too, in order
    led = (select(*wanted, UNDATED.label("undated"))
           .select_from(CURRENT)
           .where(_in_documents_with(p.lead), *p.where).offset(0).subquery("led"))
    col = lambda k: led.c[k.name]  # noqa: E731
    q = select(*(led.c[c.name] for c in columns))
    if p.dated_only:  # asked of the few rows kept (in the subquery, it would lead SQLite to the date index)
        q = q.where(led.c.undated == false())
    if cursor is not None:
        walks = _after(keys, cursor, col, nulls_low)
        q = q.where(or_(*(and_(*conds) for conds, _ in walks)) if walks else false())
    return [q.order_by(*_ordering(keys, col))]


def _run(conn: Any, queries: list[Any], skip: int, count: int) -> list[Any]:  # noqa: ANN401
    """Up to ``count`` rows of ``queries`` one after another, the first ``skip`` left out (a query
    that skips past its end is counted, as far as ``skip``, to say how many the next one skips)."""
    out: list[Any] = []
    for q in queries:
        need = count - len(out)
        if need <= 0:
            break
        rows = list(conn.execute(q.offset(skip).limit(need) if skip else q.limit(need)))
        if skip and not rows:
            skip -= _count(conn, q, skip - 1) if skip > 0 else 0
            continue
        skip = 0
        out += rows
    return out


def _nulls_low(conn: Any) -> bool:  # noqa: ANN401
    return conn.dialect.name == "sqlite"


def page(store: Store, actor: Actor, f: EventFilter, sort: str = "date", offset: int = 0, limit: int = 50,
         dated_only: bool = False, after: dict[str, Any] | None = None,
         before: dict[str, Any] | None = None) -> Page:
    """One page of the filtered events, in the order ``sort`` names, from its start (``offset`` rows
    in: each one walked), or the ``limit`` rows after the cursor ``after`` or before ``before``
    (``parse_cursor``'s); ``dated_only`` leaves out events without a date (the timeline). Each row
    carries the rebuilt ``event`` (liaison.model.Event) and ``names`` and ``refs``: entity key ->
    name, and -> entity, for its actors, targets and place. ``extra`` holds ``next`` and ``previous``,
    the cursors of its last and first rows where there is a page after or before it, and ``cursor``,
    whether it was reached by one (its offset is then unknown)."""
    offset, limit = bounded(offset, limit)
    keys = _sort_keys(sort)
    with store.engine.connect() as conn:
        p = plan(actor, f, conn)
        p.dated_only = dated_only
        low = _nulls_low(conn)
        found: list[Any] | None = None
        if before is not None:
            back = _run(conn, _queries(p, [k.flipped() for k in keys], before, low), 0, limit + 1)
            if len(back) > limit:  # a full page before it (else the page before it is the first)
                found, more, earlier = back[:limit][::-1], True, True
            else:
                before, offset = None, 0
        if found is None:
            found = _run(conn, _queries(p, keys, after, low), offset, limit + 1)
            more, earlier = len(found) > limit, after is not None or offset > 0
        rows = [dict(r._mapping, event=rebuild.event_from_row(r)) for r in found[:limit]]
        _name(conn, rows)
    extra = {"cursor": after is not None or before is not None,
             "next": cursor_of(rows[-1], sort) if more and rows else None,
             "previous": cursor_of(rows[0], sort) if earlier and rows else None}
    return Page(rows, offset, limit, more, None, extra)


@dataclass(frozen=True, slots=True)
class Sketch:
    """What a download shows of an event, read from its row's JSON as it is: rebuilding the whole
    liaison.model.Event (its spans, evidence, mentions, date) costs several times more, ten
    thousand times over for one CSV."""

    actors: tuple[str, ...]
    targets: tuple[str, ...]
    location: str | None
    quantities: tuple[Quantity, ...]
    source: str | None  # the attributed source
    trigger: str  # the trigger's text


def sketch(data: dict[str, Any]) -> Sketch:
    """The Sketch of an event row's ``data`` (what liaison.store.rebuild.event_from_row reads)."""
    quantities = tuple(Quantity(q["kind"], q["value"], q["qualifier"], q["low"], q["high"],
                                Span(q["span"]["start"], q["span"]["end"], q["span"]["text"]))
                       for q in data.get("quantities") or ())
    return Sketch(tuple(data["actors"]), tuple(data["targets"]), data["location"], quantities,
                  (data.get("attribution") or {}).get("source"), data["trigger"]["text"])


def stream(store: Store, actor: Actor, f: EventFilter, sort: str = "date", most: int = 10_000,
           chunk: int = 500, first: int = 100) -> Iterator[list[dict[str, Any]]]:
    """The first ``most`` filtered events in the order ``sort`` names, as ``page`` rows whose ``event``
    is a ``Sketch`` and without ``refs`` (a download carries names, not links): ``first`` of them,
    then ``chunk`` at a time (a download starts with a page's worth, then reads in larger batches):
    the page's own queries (the same plan), each read as it goes (a server-side cursor on
    PostgreSQL), names looked up per chunk on a second connection, so a long download neither
    repeats the walk page by page nor holds every row at once."""
    left, size = most, min(first, chunk)
    with store.engine.connect() as conn, store.engine.connect() as lookups:
        p = plan(actor, f, lookups)
        for q in _queries(p, _sort_keys(sort), None, _nulls_low(conn)):
            if left <= 0:
                return
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(q.limit(left))
            while part := result.fetchmany(size):
                size = chunk
                rows = [dict(r._mapping, event=sketch(r.data)) for r in part]
                left -= len(rows)
                _name(lookups, rows, refs=False)
                yield rows


def _name(conn: Any, rows: list[dict[str, Any]], refs: bool = True) -> None:  # noqa: ANN401 (a Connection)
    """Adds ``names`` and (with ``refs``) ``refs`` to each row: the names of its entities and the
    entities (as the entity page names them: fusion's id, or the key where fusion has not linked it)
    they belong to, read for these events' entities only: the entities of their documents' current
    versions, by the primary key's first column, whose (document, key) is one of theirs (tested on
    the index's columns, so only those rows are read: a key index would read every document's rows
    of a common key, a row-value IN SQLite would scan), with fusion's links joined by theirs where
    ``refs`` are wanted."""
    wanted = {(r["document_id"], k) for r in rows for k in _keys(r["event"])}
    found: dict[tuple[str, str], tuple[str, str]] = {}
    if wanted:
        rows_now = ENT.join(DOCS, current(ENT))
        linked = EL.c.entity if refs else literal(None).label("entity")
        if refs:
            rows_now = rows_now.outerjoin(EL, (EL.c.document_id == ENT.c.document_id) & (EL.c.entity_key == ENT.c.key))
        q = (select(ENT.c.document_id, ENT.c.key, ENT.c.canonical, linked).select_from(rows_now)
             .where(ENT.c.document_id.in_(sorted({d for d, _ in wanted})),
                    (ENT.c.document_id + "|" + ENT.c.key).in_(sorted(f"{d}|{k}" for d, k in wanted))))
        found = {(d, k): (c, e or k) for d, k, c, e in conn.execute(q)}
    for r in rows:
        named = {k: found.get((r["document_id"], k), (k, k)) for k in _keys(r["event"])}
        r["names"] = {k: v[0] for k, v in named.items()}
        if refs:
            r["refs"] = {k: v[1] for k, v in named.items()}


def _keys(ev: Any) -> list[str]:  # noqa: ANN401 (an Event)
    return [*ev.actors, *ev.targets, *([ev.location] if ev.location else [])]


def any_at(store: Store, actor: Actor, place_key: str) -> bool:
    """Whether the actor may see some event placed at ``place_key`` (a missing place and a hidden one
    answer alike)."""
    q = select(EV.c.idx).select_from(CURRENT).where(*conditions(actor, EventFilter(place_key=place_key))).limit(1)
    with store.engine.connect() as conn:
        return conn.execute(q).first() is not None
