"""Open the store (SQLite with WAL by default, PostgreSQL by URL), migrate it, and write to it.

A document version, its extractions and its STIX objects are written in one
transaction, so a crash leaves either all of them or none.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Select, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from liaison.clock import now, stamp_ms
from liaison.errors import StoreError
from liaison.model import Document, Extraction
from liaison.stix.tlp import Marking, shared_definition_ids
from liaison.store import markings, publish, rebuild
from liaison.store.records import EntitySummary, StoredDocument, StoredEntity, StoredEvent
from liaison.store.rows import StixRow, dump_object, extraction_rows, stix_rows
from liaison.store.schema import (
    AuditRow,
    ClaimRow,
    CollectionObjectRow,
    CollectionRow,
    DocumentObjectRow,
    DocumentRow,
    DocumentVersionRow,
    EntityBlockRow,
    EntityLinkRow,
    EntityOverrideRow,
    EntityRow,
    EventBlockRow,
    EventRoleRow,
    EventRow,
    EventStoryRow,
    GrantRow,
    InstallationRow,
    MentionRow,
    ObjectMarkingRow,
    PartnerRow,
    PullStateRow,
    RecipientRow,
    StatusRow,
    StixObjectRow,
    TokenRow,
)

SaveItem = tuple[Document, Extraction, "list[dict[str, Any]] | list[StixRow]", "dict[str, list[dict[str, Any]]] | None"]

_TABLES = {"entities": EntityRow, "mentions": MentionRow, "events": EventRow, "event_roles": EventRoleRow}


def document_id(source_key: str) -> str:
    return hashlib.sha256(source_key.encode()).hexdigest()[:32]


class Store:
    """Liaison's store over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed at the end (rolled back on error)."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    def _unmarked_ids(self) -> frozenset[str]:
        """Ids that never carry a document's marking: this installation's identity and the shared
        definitions (their creators' identities among them), which every partner needs to resolve
        `created_by_ref`."""
        if getattr(self, "_keep", None) is None:
            with self.engine.connect() as conn:
                own = conn.execute(select(InstallationRow.identity_id)).scalars().all()
            self._keep = frozenset({*own, *shared_definition_ids()})
        return self._keep

    # -------------------------------------------------------------- markings
    def document_markings(self, keys: list[str]) -> dict[str, Marking | None]:
        """The stored marking of each known document among ``keys`` (source keys)."""
        out: dict[str, Marking | None] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                for key, tlp, recipients in conn.execute(select(DocumentRow.source_key, DocumentRow.tlp,
                                                                DocumentRow.recipients)
                                                         .where(DocumentRow.source_key.in_(keys[i : i + 500]))):
                    out[key] = markings.marking_from_row(tlp, recipients)
        return out

    def mark_document(self, document: str, marking: Marking | None) -> int:
        """Set a document's marking (id); every object it yields whose effective marking changes gets a
        new version. Returns the number of new versions."""
        with self.writing() as conn:
            conn.execute(update(DocumentRow.__table__).where(DocumentRow.id == document)
                         .values(**markings.marking_columns(marking), marked_at=now()))
            ids = list(conn.execute(select(markings.DO.c.object_id).where(markings.DO.c.document_id == document))
                       .scalars())
            return markings.remark(conn, ids, self._unmarked_ids(), now())

    def mark_object(self, object_id: str, marking: Marking) -> int:
        """An analyst's marking of one stored STIX object: it wins over its documents' markings from now
        on (a new version). Raises KeyError for an object the store does not hold."""
        with self.writing() as conn:
            found = conn.execute(select(StixObjectRow.type).where(StixObjectRow.id == object_id).limit(1)).scalar()
            if found is None:
                raise KeyError(object_id)
            if markings.exempt(found, object_id, self._unmarked_ids()):
                raise ValueError(f"{object_id} is a definition or a creator's identity, which every partner needs "
                                 "and which is never marked")
            conn.execute(delete(ObjectMarkingRow.__table__).where(ObjectMarkingRow.object_id == object_id))
            conn.execute(insert(ObjectMarkingRow.__table__).values(object_id=object_id, marked_at=now(),
                                                                   **markings.marking_columns(marking)))
            return markings.remark(conn, [object_id], self._unmarked_ids(), now())

    def organisation(self, name: str | None = None) -> dict[str, str]:
        """This installation's organisation: identity_id, name, created, modified (STIX timestamps).

        Made at first use with a random identity id. ``name`` (the `organisation` setting) renames
        it, which makes a new version of its identity object; None keeps the stored name."""
        with self.engine.connect() as conn:
            row = conn.execute(select(InstallationRow).where(InstallationRow.id == 1)).mappings().first()
        if row is None or (name and name != row["name"]):
            try:
                row = self._set_organisation(name)
            except IntegrityError:  # another process made it at the same moment (PostgreSQL): use theirs
                row = self._set_organisation(name)
        return {k: row[k] for k in ("identity_id", "name", "created", "modified")}

    def _set_organisation(self, name: str | None) -> dict[str, Any]:
        """Make the installation row if missing, rename it if ``name`` differs; under the write lock."""
        with self.writing() as conn:
            row = conn.execute(select(InstallationRow).where(InstallationRow.id == 1)).mappings().first()
            stamp = stamp_ms(now())
            if row is None:
                identity = f"identity--{uuid.uuid4()}"
                row = {"id": 1, "identity_id": identity, "created": stamp, "modified": stamp,
                       "name": name or f"Liaison installation {identity[10:18]}"}
                conn.execute(insert(InstallationRow.__table__).values(row))
            elif name and name != row["name"]:
                row = dict(row, name=name, modified=max(stamp, row["modified"]))
                conn.execute(update(InstallationRow.__table__).where(InstallationRow.id == 1)
                             .values(name=name, modified=row["modified"]))
        return dict(row)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -------------------------------------------------------------- writing
    def current_states(self, source_keys: list[str]) -> dict[str, tuple[str, str]]:
        """Stored content hash and extraction method of each known document, in one query per 500 keys."""
        ids = {document_id(k): k for k in source_keys}
        out: dict[str, tuple[str, str]] = {}
        keys = list(ids)
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                rows = conn.execute(
                    select(DocumentRow.id, DocumentVersionRow.content_hash, DocumentVersionRow.extraction_method)
                    .join(DocumentVersionRow, (DocumentVersionRow.document_id == DocumentRow.id)
                          & (DocumentVersionRow.version == DocumentRow.current_version))
                    .where(DocumentRow.id.in_(keys[i : i + 500])))
                for did, h, method in rows:
                    out[ids[did]] = (h, method)
        return out

    def save(self, doc: Document, extraction: Extraction, stix_objects: list[dict[str, Any]] | list[StixRow],
             rows: dict[str, list[dict[str, Any]]] | None = None) -> str:
        """Store a document version with everything extracted from it: "new", "updated" or "unchanged"."""
        return self.save_batch([(doc, extraction, stix_objects, rows)])[0]

    def save_batch(self, items: list[SaveItem]) -> list[str]:
        """Store several documents, each as in ``save``, in one transaction with a savepoint per document.

        Each item is ``(document, extraction, stix objects or stix_rows(...), extraction_rows(...) or None)``,
        the last two as a worker process made them. A document and all it yields are stored together or
        not at all; one transaction for a batch spares a commit per document, a fifth of the write. If a
        document fails, the ones before it are committed and the error is raised. Inserts go through
        SQLAlchemy Core: the ORM's unit of work would cost more than the rest of the write."""
        outcomes: list[str] = []
        with self.engine.connect().execution_options(write=True) as conn:
            trans = conn.begin()
            try:
                for doc, extraction, stix_objects, rows in items:
                    with conn.begin_nested():
                        outcomes.append(self._save_one(conn, doc, extraction, stix_objects, rows, now()))
            except BaseException:
                if outcomes:
                    trans.commit()  # the savepoint of the failed document is rolled back; keep the ones before
                else:
                    trans.rollback()
                raise
            trans.commit()
        return outcomes

    def _save_one(self, conn: Connection, doc: Document, extraction: Extraction,
                  stix_objects: list[dict[str, Any]] | list[StixRow],
                  rows: dict[str, list[dict[str, Any]]] | None, now: dt.datetime) -> str:
        did = document_id(doc.source_key)
        given = None if doc.tlp is None else Marking(doc.tlp, tuple(doc.recipients))
        found = conn.execute(select(DocumentRow.current_version).where(DocumentRow.id == did)
                             .with_for_update()).scalar_one_or_none()
        if found is not None:
            current = conn.execute(select(DocumentVersionRow.content_hash, DocumentVersionRow.extraction_method)
                                   .where(DocumentVersionRow.document_id == did,
                                          DocumentVersionRow.version == found)).one_or_none()
            if current is not None and tuple(current) == (doc.content_hash, extraction.method):
                return "unchanged"
            version = found + 1
            # Re-ingested without a marking, a document keeps the one it has.
            conn.execute(update(DocumentRow.__table__).where(DocumentRow.id == did)
                         .values(current_version=version, last_ingested=now, stem=doc.stem,
                                 **({} if given is None else markings.marking_columns(given))))
            outcome = "updated"
        else:
            version = 1
            conn.execute(insert(DocumentRow.__table__).values(
                id=did, source_key=doc.source_key, stem=doc.stem, current_version=1, first_ingested=now,
                last_ingested=now, **markings.marking_columns(given)))
            outcome = "new"
        conn.execute(insert(DocumentVersionRow.__table__).values(
            document_id=did, version=version, content_hash=doc.content_hash, text=doc.text,
            media_type=doc.media_type, url=doc.url, title=doc.title, outlet=doc.outlet,
            published=doc.published, published_from=doc.published_from, encoding=doc.encoding,
            encoding_confidence=doc.encoding_confidence, extraction_method=extraction.method, ingested_at=now,
        ))
        for table, table_rows in (rows or extraction_rows(extraction)).items():
            if table_rows:
                conn.execute(insert(_TABLES[table].__table__),
                             [dict(r, document_id=did, version=version) for r in table_rows])
        prepared = [o if isinstance(o, StixRow) else stix_rows([o])[0] for o in stix_objects]
        markings.link(conn, did, [o.id for o in prepared])
        prepared = markings.mark_rows(conn, prepared, None, self._unmarked_ids())  # the worker marks nothing
        self._write_stix(conn, did, prepared, now)
        return outcome

    def _write_stix(self, conn: Connection, did: str | None, objects: list[StixRow], now: dt.datetime,
                    fused: bool = False) -> None:
        """Insert each object that differs from its latest stored version (by content hash).

        An entity object a document's extraction makes again never un-revokes a revoked one, nor
        undoes fusion's version of it (publish.keeps_stored); ``fused``: these are fusion's own."""
        stamp = stamp_ms(now)
        ids = [o.id for o in objects]
        # Only ids, versions and hashes: reading every stored object's JSON would cost more than the rest.
        latest: dict[str, tuple[str, str]] = {}
        for i in range(0, len(ids), 500):
            found = conn.execute(select(StixObjectRow.id, StixObjectRow.modified, StixObjectRow.content_hash)
                                 .where(StixObjectRow.id.in_(ids[i : i + 500])))
            for oid, modified, h in found:
                if oid not in latest or modified > latest[oid][0]:
                    latest[oid] = (modified, h)
        new_rows = []
        for row in objects:
            prev = latest.get(row.id)
            if prev is not None and prev[1] == row.content_hash:
                continue
            if prev is not None and not fused and row.type in publish.ENTITY_OBJECT_TYPES and publish.keeps_stored(
                    json.loads(conn.execute(select(StixObjectRow.object).where(
                        StixObjectRow.id == row.id, StixObjectRow.modified == prev[0])).scalar_one()),
                    json.loads(row.json)):
                continue
            text, modified = row.json, row.modified or stamp
            if prev is not None and row.modified is not None:
                # A new version: it keeps the first version's `created` and is modified now.
                if prev[0] >= stamp:
                    continue  # two versions in one millisecond: the first stands
                first = conn.execute(select(StixObjectRow.object).where(StixObjectRow.id == row.id)
                                     .order_by(StixObjectRow.modified).limit(1)).scalar_one()
                obj = json.loads(text)
                obj["created"] = json.loads(first).get("created", stamp)
                obj["modified"] = modified = stamp
                text = dump_object(obj)
            latest[row.id] = (modified, row.content_hash)
            new_rows.append({"id": row.id, "modified": modified, "type": row.type, "content_hash": row.content_hash,
                             "document_id": did, "stored_at": now, "object": text})
        if new_rows:
            conn.execute(insert(StixObjectRow.__table__), new_rows)

    # -------------------------------------------------------------- reading
    def counts(self) -> dict[str, int]:
        with self.sessions() as s:
            return {
                "documents": s.scalar(select(func.count()).select_from(DocumentRow)) or 0,
                "document_versions": s.scalar(select(func.count()).select_from(DocumentVersionRow)) or 0,
                "entities": s.scalar(select(func.count()).select_from(EntityRow)) or 0,
                "events": s.scalar(select(func.count()).select_from(EventRow)) or 0,
                "stix_objects": s.scalar(select(func.count()).select_from(StixObjectRow)) or 0,
            }

    def _current(self, text: bool = False) -> Select:
        """The current version of every document, as the columns of a StoredDocument."""
        columns = (*rebuild.DOCUMENT_COLUMNS, DocumentVersionRow.text) if text else rebuild.DOCUMENT_COLUMNS
        return select(*columns).join(DocumentVersionRow, (DocumentVersionRow.document_id == DocumentRow.id)
                                     & (DocumentVersionRow.version == DocumentRow.current_version))

    def documents(self, text: bool = False, ids: list[str] | None = None) -> list[StoredDocument]:
        """Every document's current version (or those of ``ids``), by stem; with its text where
        ``text`` asks for it."""
        with self.engine.connect() as conn:
            if ids is None:
                rows = list(conn.execute(self._current(text).order_by(DocumentRow.stem)).mappings())
            else:
                wanted = sorted(set(ids))
                rows = [r for i in range(0, len(wanted), 500) for r in conn.execute(
                    self._current(text).where(DocumentRow.id.in_(wanted[i:i + 500]))).mappings()]
                rows.sort(key=lambda r: r["stem"])
            return [rebuild.stored_document(r) for r in rows]

    def find_document(self, ref: str, among: list[StoredDocument] | None = None) -> StoredDocument | None:
        """A document by id, id prefix, file stem, path or URL; ``among``: records already read by ``documents()``."""
        docs = self.documents() if among is None else among
        for doc in docs:
            if ref in (doc.id, doc.stem, doc.source_key, doc.url) or len(ref) >= 6 and doc.id.startswith(ref):
                return doc
        path = Path(ref)
        if path.exists():
            key = str(path.resolve())
            for doc in docs:
                if doc.source_key == key:
                    return doc
        return None

    def document_text(self, document: StoredDocument) -> str:
        """The stored text of the document's version (``document.text`` where it was read with it)."""
        if document.text is not None:
            return document.text
        with self.engine.connect() as conn:
            return conn.execute(select(DocumentVersionRow.text).where(
                DocumentVersionRow.document_id == document.id,
                DocumentVersionRow.version == document.version)).scalar_one()

    def extraction(self, document: StoredDocument) -> Extraction:
        """What was extracted from the document's version, rebuilt as extraction made it; each
        entity's mentions in text order."""
        did, version = document.id, document.version
        with self.sessions() as s:
            # by key: the same order on every backend, so an export is the same everywhere
            ents = list(s.scalars(select(EntityRow).where(EntityRow.document_id == did,
                                                          EntityRow.version == version).order_by(EntityRow.key)))
            mentions = list(s.scalars(select(MentionRow).where(MentionRow.document_id == did,
                                                               MentionRow.version == version)
                                      .order_by(MentionRow.start)))
            events = list(s.scalars(select(EventRow).where(EventRow.document_id == did,
                                                           EventRow.version == version)
                                    .order_by(EventRow.idx)))
            return rebuild.extraction_from_rows(ents, mentions, events, document.extraction_method)

    def stored_entities(self, documents: list[str] | None = None) -> list[StoredEntity]:
        """Every entity of every current document version (or of those of the ``documents`` ids), each
        with its document (without its text) and its mentions there in text order; by stem, then key."""
        def only(q: Select, column: Any) -> Select:  # noqa: ANN401
            return q if documents is None else q.where(column.in_(documents))

        with self.sessions() as s:
            docs = {d.id: d for d in map(rebuild.stored_document,
                                         s.execute(only(self._current(), DocumentRow.id)).mappings())}
            ents = list(s.scalars(only(select(EntityRow).join(
                DocumentRow, (DocumentRow.id == EntityRow.document_id)
                & (DocumentRow.current_version == EntityRow.version)), EntityRow.document_id)))
            mentions = s.scalars(only(select(MentionRow).join(
                DocumentRow, (DocumentRow.id == MentionRow.document_id)
                & (DocumentRow.current_version == MentionRow.version)), MentionRow.document_id)
                .order_by(MentionRow.document_id, MentionRow.start))
            spans = rebuild.mention_spans(mentions)
        out = [StoredEntity(docs[e.document_id], rebuild.entity_from_row(e, spans.get((e.document_id, e.key), ())))
               for e in ents]
        return sorted(out, key=lambda e: (e.document.stem, e.document_id, e.key))

    def current_entities(self, type_: str | None = None, name: str | None = None,
                         since: dt.date | None = None, until: dt.date | None = None) -> list[EntitySummary]:
        """Entities across current document versions, one per entity key, with document and mention counts.

        ``since``/``until`` keep entities named in documents published in that range."""
        with self.sessions() as s:
            q = (select(EntityRow.key, EntityRow.canonical, EntityRow.type,
                        func.count(EntityRow.document_id.distinct()))
                 .join(DocumentRow, (DocumentRow.id == EntityRow.document_id)
                       & (DocumentRow.current_version == EntityRow.version))
                 .group_by(EntityRow.key, EntityRow.canonical, EntityRow.type))
            if since or until:
                q = q.join(DocumentVersionRow, (DocumentVersionRow.document_id == EntityRow.document_id)
                           & (DocumentVersionRow.version == EntityRow.version))
                if since:
                    q = q.where(DocumentVersionRow.published >= since)
                if until:
                    q = q.where(DocumentVersionRow.published <= until)
            if type_:
                q = q.where(EntityRow.type == type_)
            if name:
                q = q.where(func.lower(EntityRow.canonical).contains(name.lower()))
            rows = s.execute(q).all()
        # One key may have several canonical names (or types) across documents: the first read names it.
        first: dict[str, tuple[str, str]] = {}
        documents: dict[str, int] = {}
        for key, canonical, etype, n in rows:
            first.setdefault(key, (canonical, etype))
            documents[key] = documents.get(key, 0) + n
        with self.sessions() as s:
            mcount = dict(s.execute(
                select(MentionRow.entity_key, func.count()).join(
                    DocumentRow, (DocumentRow.id == MentionRow.document_id)
                    & (DocumentRow.current_version == MentionRow.version)).group_by(MentionRow.entity_key)
            ).all())
        out = [EntitySummary(key, canonical, etype, documents[key], mcount.get(key, 0))
               for key, (canonical, etype) in first.items()]
        return sorted(out, key=lambda r: (-r.documents, -r.mentions, r.canonical))

    def mention_counts(self) -> dict[tuple[str, str], int]:
        """How many mentions each (document, entity key) of the current versions has."""
        with self.sessions() as s:
            rows = s.execute(select(MentionRow.document_id, MentionRow.entity_key, func.count()).join(
                DocumentRow, (DocumentRow.id == MentionRow.document_id)
                & (DocumentRow.current_version == MentionRow.version))
                .group_by(MentionRow.document_id, MentionRow.entity_key)).all()
        return {(d, k): n for d, k, n in rows}

    def current_events(self, type_: str | None = None, entity: str | None = None,
                       since: dt.date | None = None, until: dt.date | None = None) -> list[StoredEvent]:
        """Events of current document versions, filtered, each with its document (without its text)."""
        with self.sessions() as s:
            q = (select(EventRow, *rebuild.DOCUMENT_COLUMNS)
                 .join(DocumentRow, (DocumentRow.id == EventRow.document_id)
                       & (DocumentRow.current_version == EventRow.version))
                 .join(DocumentVersionRow, (DocumentVersionRow.document_id == DocumentRow.id)
                       & (DocumentVersionRow.version == DocumentRow.current_version)))
            if type_:
                q = q.where(EventRow.type == type_)
            if since:
                q = q.where(EventRow.date_end >= since)
            if until:
                q = q.where(EventRow.date_start <= until)
            if entity:
                keys = select(EntityRow.key).where(func.lower(EntityRow.canonical).contains(entity.lower()))
                q = q.where(select(EventRoleRow.idx).where(
                    EventRoleRow.document_id == EventRow.document_id, EventRoleRow.version == EventRow.version,
                    EventRoleRow.idx == EventRow.idx, EventRoleRow.entity_key.in_(keys)).exists())
            q = q.order_by(EventRow.date_start.is_(None), EventRow.date_start, DocumentRow.stem, EventRow.idx)
            docs: dict[str, StoredDocument] = {}
            out = []
            for row in s.execute(q):
                ev = row[0]
                doc = docs.get(ev.document_id)
                if doc is None:
                    doc = docs[ev.document_id] = rebuild.stored_document(dict(zip(row._fields[1:], row[1:],
                                                                                      strict=True)))
                out.append(StoredEvent(doc, ev.idx, rebuild.event_from_row(ev)))
            return out

    def entity_names(self) -> dict[str, str]:
        with self.sessions() as s:
            return {k: c for k, c in s.execute(select(EntityRow.key, EntityRow.canonical)).all()}

    def latest_stix(self) -> list[dict[str, Any]]:
        """The newest version of every STIX object."""
        with self.sessions() as s:
            latest = (select(StixObjectRow.id, func.max(StixObjectRow.modified).label("m"))
                      .group_by(StixObjectRow.id).subquery())
            rows = s.scalars(select(StixObjectRow).join(
                latest, (latest.c.id == StixObjectRow.id) & (latest.c.m == StixObjectRow.modified))
                .order_by(StixObjectRow.type, StixObjectRow.id))
            return [json.loads(r.object) for r in rows]

    def stix_versions(self, object_id: str) -> list[dict[str, Any]]:
        with self.sessions() as s:
            rows = s.scalars(select(StixObjectRow).where(StixObjectRow.id == object_id)
                             .order_by(StixObjectRow.modified))
            return [json.loads(r.object) for r in rows]

    def delete_all(self) -> None:
        """Empty the store (tests and `liaison reset`)."""
        with self.sessions.begin() as s:
            for table in (AuditRow, PullStateRow, StatusRow, RecipientRow, CollectionObjectRow, GrantRow, CollectionRow,
                          TokenRow, PartnerRow, EventRoleRow, EventRow, MentionRow, EntityRow, StixObjectRow,
                          DocumentVersionRow, DocumentRow, DocumentObjectRow, ObjectMarkingRow, ClaimRow,
                          EventStoryRow, EventBlockRow, EntityBlockRow, EntityLinkRow, EntityOverrideRow):
                s.execute(delete(table))


#: Each SQLite connection's page cache, in KiB (SQLite's default is 2 MiB). A page of the web UI at
#: 100,000 documents touches tens of MB of index and table pages (a partner's map: some 16,000 page
#: reads at 2 MiB, 8,000 at 64 MiB on its first visit and none on the next; bench/RESULTS.md), each a
#: read from the operating system's cache into SQLite's. The cache is filled as pages are read, so
#: a small store never uses it all; the pool keeps a few connections, each with its own.
SQLITE_CACHE_KIB = 65_536


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    # pysqlite opens transactions on its own and mishandles SAVEPOINT; let SQLAlchemy say BEGIN itself
    # (the workaround SQLAlchemy documents for the sqlite3 driver).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.close()


def _sqlite_begin(conn) -> None:  # noqa: ANN001
    # A write transaction takes SQLite's write lock at once (BEGIN IMMEDIATE): a deferred one that read
    # first could not upgrade after another writer's commit and would fail at once, without waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def _sqlite_file(url: str) -> bool:
    """A SQLite database in a file (pooled by a queue), not in memory (one connection a thread)."""
    return url.startswith("sqlite:///") and ":memory:" not in url and "mode=memory" not in url


def open_store(url: str) -> Store:
    """Connect to ``url``, bring its schema to the newest migration, and return the store."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the store folder: {err.strerror}", str(path.parent),
                             "Set LIAISON_HOME or LIAISON_DATABASE_URL to a writable place") from None
    try:
        # A SQLite file needs no liveness check; a PostgreSQL connection may have been dropped by the server.
        # A SQLite connection's page cache is its own: the pool hands back the one used last (LIFO),
        # whose cache holds what the last pages read, rather than the longest idle.
        engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"),
                               **({"pool_use_lifo": True} if _sqlite_file(url) else {}))
    except (SQLAlchemyError, ImportError, ValueError) as err:
        raise StoreError(f"cannot use database URL: {err}", url.split("@")[-1],
                         "Check LIAISON_DATABASE_URL") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        migrate(engine)
    except OperationalError as err:
        raise StoreError(f"cannot open the store: {str(err.orig).strip().splitlines()[0]}",
                         engine.url.render_as_string(hide_password=True),
                         "Check that the database exists and is reachable") from None
    return Store(engine)


def head_revision() -> str:
    """The newest migration's revision: the migrations are one line, numbered in their file names
    ("0007_document_encoding.py" is revision "0007"), as a test checks against Alembic's own view."""
    versions = resources.files("liaison.store").joinpath("migrations", "versions")
    return max(p.name[:4] for p in versions.iterdir() if p.name[:4].isdigit() and p.name.endswith(".py"))


def _current(engine: Engine) -> str | None:
    """The store's schema revision, or None where it has none yet (a new store)."""
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except (OperationalError, ProgrammingError):
        return None


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied.

    A store already at the newest revision (every command after the first) is left as it is
    without loading Alembic, which costs a tenth to a quarter of a second at each start."""
    if _current(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("liaison.store").joinpath("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
