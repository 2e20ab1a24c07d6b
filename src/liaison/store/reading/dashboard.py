"""The dashboard's figures: what the viewer may see, counted, and the latest documents."""

from __future__ import annotations

import collections
import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select

from liaison.clock import now
from liaison.store.access import Actor, visible_documents, visible_rows
from liaison.store.database import Store
from liaison.store.reading import current
from liaison.store.schema import (
    AuditRow,
    CollectionObjectRow,
    CollectionRow,
    DocumentRow,
    DocumentVersionRow,
    EntityRow,
    EventRow,
    GrantRow,
    ObjectMarkingRow,
)

DOCS = DocumentRow.__table__
VERS = DocumentVersionRow.__table__
ENT = EntityRow.__table__
EV = EventRow.__table__
CO = CollectionObjectRow.__table__
CT = CollectionRow.__table__
GT = GrantRow.__table__
OM = ObjectMarkingRow.__table__
AU = AuditRow.__table__


def counts(store: Store, actor: Actor) -> dict[str, int]:
    """Documents, distinct entities (by key) and events in the current versions the actor may see:
    exact, and so a walk of every row (seconds at 100,000 documents). Pages ask ``figures``, which
    keeps these off the request path.

    The access rule is asked once per document, in one materialised set of the documents the actor
    may see (and their current versions) that the three counts share, not once per entity or event
    row (100,000 documents, a partner member: 71 s -> 8 s)."""
    seen = (select(DOCS.c.id, DOCS.c.current_version).where(visible_documents(actor))
            .cte("seen_documents").prefix_with("MATERIALIZED"))

    def of(table):  # noqa: ANN001,ANN202 (rows of the seen documents' current versions)
        return table.join(seen, (seen.c.id == table.c.document_id) & (seen.c.current_version == table.c.version))

    q = select(select(func.count()).select_from(seen).scalar_subquery(),
               select(func.count(func.distinct(ENT.c.key))).select_from(of(ENT)).scalar_subquery(),
               select(func.count()).select_from(of(EV)).scalar_subquery())
    with store.engine.connect() as conn:
        documents, entities, events = conn.execute(q).one()
    return {"documents": documents, "entities": entities, "events": events}


@dataclass(frozen=True)
class Figures:
    """The counts and the chart's figures as the dashboard shows them: None while the first count is
    still running; ``as_of`` when they were counted; ``fresh`` False while a newer count runs (the
    store changed since). ``weekly`` is ``weekly_events`` for the day they were counted."""

    counts: dict[str, int] | None
    as_of: dt.datetime | None
    fresh: bool
    weekly: dict[str, Any] | None = None


#: Up to this many documents in the store the counts are made while the page waits (milliseconds);
#: beyond it they are made in a thread and the page shows the last ones, saying when they were made.
SYNC_DOCUMENTS = 5000


def generation(store: Store) -> tuple:
    """What changes whenever any count could: a document stored (``last_ingested``) or re-marked
    (its own ``marked_at``, at once, or an object's; its collections then get new rows, ``seq``), a
    TAXII DELETE (of a report, say: the latest in the audit log), a grant or a collection changed.
    A handful of index probes and counts of small tables."""
    def one(q):  # noqa: ANN001,ANN202
        return q.scalar_subquery()

    q = select(one(select(func.max(DOCS.c.last_ingested))), one(select(func.max(CO.c.seq))),
               one(select(func.max(AU.c.id)).where(AU.c.method == "DELETE")),
               one(select(func.max(DOCS.c.marked_at))),
               one(select(func.max(OM.c.marked_at))), one(select(func.count()).select_from(GT)),
               one(select(func.count()).select_from(GT).where(GT.c.can_read)),
               one(select(func.count()).select_from(CT)), one(select(func.count()).select_from(CT).where(CT.c.public)))
    with store.engine.connect() as conn:
        return tuple(str(v) for v in conn.execute(q).one())


class _Counter:
    """Counts and the chart per (store, actor), remembered with the store generation (and the day:
    the chart ends at the latest event up to today) they were made at.

    Both are aggregates over every row the actor may see (the chart over the weeks it shows: some
    thousands of events at 100,000 documents, each under the access rule), so they are kept rather
    than made again on every view, and on a large store made again in a thread after a change."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.made: collections.OrderedDict[tuple, tuple[tuple, _Made, dt.datetime]] = collections.OrderedDict()
        self.running: set[tuple] = set()

    def figures(self, store: Store, actor: Actor) -> Figures:
        key = (store.url, actor)
        today = now().date()
        now_generation = (*generation(store), today.isoformat())
        with self.lock:
            found = self.made.get(key)
            if found is not None and found[0] == now_generation:
                self.made.move_to_end(key)
                return Figures(found[1].counts, found[2], True, found[1].weekly)
        if _documents(store) <= SYNC_DOCUMENTS:  # a small store: counted now, never shown stale
            made, at = self._remember(key, now_generation, _make(store, actor, today))
            return Figures(made.counts, at, True, made.weekly)
        with self.lock:
            if key not in self.running:
                self.running.add(key)
                threading.Thread(target=self._count, args=(store, actor, key, now_generation, today), daemon=True,
                                 name="dashboard-counts").start()
        return Figures(found[1].counts, found[2], False, found[1].weekly) if found else Figures(None, None, False)

    def _remember(self, key: tuple, made_at: tuple, made: _Made) -> tuple[_Made, dt.datetime]:
        """Keep ``made`` for ``key`` as counted at store generation ``made_at`` (the oldest key goes past ``size``)."""
        at = now()
        with self.lock:
            self.made[key] = (made_at, made, at)
            self.made.move_to_end(key)
            while len(self.made) > self.size:
                self.made.popitem(last=False)
        return made, at

    def _count(self, store: Store, actor: Actor, key: tuple, made_at: tuple, today: dt.date) -> None:
        try:
            self._remember(key, made_at, _make(store, actor, today))
        except Exception:  # noqa: BLE001,S110 (a store closed under a test, a busy store: counted at the next view)
            pass
        finally:
            with self.lock:
                self.running.discard(key)


@dataclass(frozen=True)
class _Made:
    counts: dict[str, int]
    weekly: dict[str, Any]


def _make(store: Store, actor: Actor, today: dt.date) -> _Made:
    return _Made(counts(store, actor), weekly_events(store, actor, today))


def _documents(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(DOCS)).scalar_one()


_COUNTER = _Counter()


def figures(store: Store, actor: Actor) -> Figures:
    """The dashboard's counts and chart figures for this actor: exact for the store as it is now when they are fresh;
    on a large store, the last ones made while a new count runs in a thread (so the page never waits
    for a walk of every row), or None before the first one is made."""
    return _COUNTER.figures(store, actor)


def latest_documents(store: Store, actor: Actor, limit: int = 10) -> list[dict[str, Any]]:
    """The documents most recently ingested, newest first, with their current title and marking."""
    q = (select(DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, DOCS.c.last_ingested, VERS.c.title, VERS.c.outlet,
                VERS.c.published)
         .select_from(DOCS.join(VERS, (VERS.c.document_id == DOCS.c.id) & (VERS.c.version == DOCS.c.current_version)))
         .where(visible_documents(actor)).order_by(DOCS.c.last_ingested.desc(), DOCS.c.id).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


#: The most new documents, events or entities the dashboard counts since a visit: beyond it, it says
#: "1,000+", so the first visit after a bulk ingest costs what any other does.
NEW_CAP = 1000


def _at_most(conn: Any, q: Any) -> int:  # noqa: ANN401 (a Connection, a Select)
    """How many rows ``q`` has, counting no further than NEW_CAP + 1."""
    return conn.execute(select(func.count()).select_from(q.limit(NEW_CAP + 1).subquery())).scalar_one()


def changed_since(store: Store, actor: Actor, since: dt.datetime | None) -> int:
    """Documents ingested or re-ingested since ``since`` that the actor may see (at most NEW_CAP + 1)."""
    if since is None:
        return 0
    with store.engine.connect() as conn:
        return _at_most(conn, select(DOCS.c.id).where(DOCS.c.last_ingested > since, visible_documents(actor)))


def new_since(store: Store, actor: Actor, since: dt.datetime | None, limit: int = 10) -> dict[str, Any]:
    """What is new since ``since`` that the actor may see: ``documents`` first ingested after it (and
    the first ``limit`` of them, newest first, as ``document_list``), ``changed`` (re-ingested, not
    new), ``events`` of current document versions stored after it, and ``entities``: names (keys)
    in those versions that no version the actor may see stored before it had.

    Bounded: documents are counted no further than NEW_CAP + 1, and events and entities are those of
    the NEW_CAP + 1 latest such versions (``partial`` says there were more, and the page says "+"),
    each read by the stored-at index, so the first visit after a bulk ingest costs what any other does."""
    if since is None:
        return {"documents": 0, "changed": 0, "events": 0, "entities": 0, "document_list": [], "cap": NEW_CAP,
                "partial": False}
    current_v = VERS.join(DOCS, current(VERS))
    docs_q = (select(DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, DOCS.c.first_ingested, VERS.c.title).select_from(current_v)
              .where(DOCS.c.last_ingested > since, DOCS.c.first_ingested > since, visible_documents(actor))
              .order_by(DOCS.c.first_ingested.desc(), DOCS.c.id).limit(limit))
    fresh = (select(VERS.c.document_id, VERS.c.version).select_from(current_v)
             .where(VERS.c.ingested_at > since, visible_documents(actor, VERS.c.document_id))
             .order_by(VERS.c.ingested_at.desc()).limit(NEW_CAP + 1).subquery("fresh"))
    in_fresh = (lambda t: (t.c.document_id == fresh.c.document_id) & (t.c.version == fresh.c.version))  # noqa: E731
    before, before_v = ENT.alias("earlier_entity"), VERS.alias("earlier_version")
    # Each name asked once whether an earlier visible version had it, not once per row naming it.
    keys = select(ENT.c.key).select_from(fresh.join(ENT, in_fresh(ENT))).distinct().subquery("fresh_keys")
    known = exists().where(before.c.key == keys.c.key, before_v.c.document_id == before.c.document_id,
                           before_v.c.version == before.c.version, before_v.c.ingested_at <= since,
                           visible_rows(actor, before))
    with store.engine.connect() as conn:
        # last_ingested >= first_ingested, so its index finds the documents first ingested since too
        new_docs = _at_most(conn, select(DOCS.c.id).where(DOCS.c.last_ingested > since, DOCS.c.first_ingested > since,
                                                           visible_documents(actor)))
        changed = _at_most(conn, select(DOCS.c.id).where(DOCS.c.last_ingested > since, DOCS.c.first_ingested <= since,
                                                          visible_documents(actor)))
        versions = conn.execute(select(func.count()).select_from(fresh)).scalar_one()
        events = conn.execute(select(func.count()).select_from(fresh.join(EV, in_fresh(EV)))).scalar_one()
        entities = conn.execute(select(func.count()).select_from(keys).where(~known)).scalar_one()
        listed = [dict(r) for r in conn.execute(docs_q).mappings()]
    return {"documents": new_docs, "changed": changed, "events": events, "entities": entities,
            "document_list": listed, "cap": NEW_CAP, "partial": versions > NEW_CAP}


#: How many weeks the dashboard's chart shows, ending with the week of the latest dated event.
CHART_WEEKS = 12


def weekly_events(store: Store, actor: Actor, today: dt.date, weeks: int = CHART_WEEKS) -> dict[str, Any]:
    """Events per week (weeks begin on Monday) by type, over the ``weeks`` weeks that end with the
    week of the latest event dated no later than ``today``: ``weeks`` (each Monday, oldest first) and
    ``counts`` ({(monday, type): n}). The latest date is found by walking the date index down, and
    the counts read only the chart's days, so the chart costs the same however large the store is."""
    rows_now = EV.join(DOCS, current(EV))
    seen = visible_rows(actor, EV)
    with store.engine.connect() as conn:
        latest = conn.execute(select(EV.c.date_start).select_from(rows_now)
                              .where(EV.c.date_start.is_not(None), EV.c.date_start <= today, seen)
                              .order_by(EV.c.date_start.desc()).limit(1)).scalar()
        if latest is None:
            return {"weeks": [], "counts": {}}
        last_monday = latest - dt.timedelta(days=latest.weekday())
        first_monday = last_monday - dt.timedelta(weeks=weeks - 1)
        in_range = (EV.c.date_start >= first_monday, EV.c.date_start <= latest)
        # The access rule asked once per document with events in the chart's weeks, not once per event.
        documents = select(EV.c.document_id).select_from(rows_now).where(*in_range).distinct().subquery("charted")
        shown = select(documents.c.document_id).where(visible_documents(actor, documents.c.document_id))
        rows = conn.execute(select(EV.c.date_start, EV.c.type, func.count()).select_from(rows_now)
                            .where(*in_range, EV.c.document_id.in_(shown))
                            .group_by(EV.c.date_start, EV.c.type)).all()
    counts: dict[tuple[dt.date, str], int] = {}
    for day_, type_, n in rows:
        monday = day_ - dt.timedelta(days=day_.weekday())
        counts[(monday, type_)] = counts.get((monday, type_), 0) + n
    return {"weeks": [first_monday + dt.timedelta(weeks=i) for i in range(weeks)], "counts": counts}
