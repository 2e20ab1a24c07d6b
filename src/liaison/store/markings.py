"""Which TLP marking each stored STIX object carries, and new versions when it changes.

An object drawn from one document carries that document's marking. An object drawn from several
(an entity named in many reports is one STIX object) carries the strictest of their markings, so
it is never readable more widely than any document it came from, unless an analyst marked the
object itself (`liaison mark OBJECT`), which wins. Documents left unmarked add no restriction:
the default of the collection that shares them decides, made explicit on what it serves.
A marking change is a new version of the object, so what partners already hold stays as it was
and the new rule holds from then on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.engine import Connection

from liaison.clock import stamp_ms
from liaison.stix.tlp import AMBER_STRICT, LEVELS, UNMARKED_TYPES, Marking, marking_of, strictest, with_marking
from liaison.store.rows import StixRow, dump_object, object_hash
from liaison.store.schema import DocumentObjectRow, DocumentRow, ObjectMarkingRow, StixObjectRow

DO = DocumentObjectRow.__table__
_RANK = case({level: rank for rank, level in enumerate(LEVELS)}, value=DocumentRow.tlp)  # a level's rank, in SQL


def marking_from_row(tlp: str | None, recipients: str | None) -> Marking | None:
    return None if tlp is None else Marking(tlp, tuple(json.loads(recipients or "[]")))


def marking_columns(marking: Marking | None) -> dict[str, Any]:
    """The (tlp, recipients) column values of a marking."""
    if marking is None:
        return {"tlp": None, "recipients": None}
    return {"tlp": marking.level, "recipients": json.dumps(list(marking.recipients)) if marking.recipients else None}


def link(conn: Connection, document_id: str, object_ids: Iterable[str]) -> None:
    """Record that the document's current version yields these objects (and no others)."""
    conn.execute(delete(DO).where(DO.c.document_id == document_id))
    rows = [{"document_id": document_id, "object_id": oid} for oid in dict.fromkeys(object_ids)]
    if rows:
        conn.execute(insert(DO), rows)


def effective(conn: Connection, object_ids: list[str]) -> dict[str, Marking | None]:
    """Each object's marking: the analyst's, else the strictest of the documents that yield it.

    Only marked documents can restrict, and the database reduces them to one level per object, so
    an entity named by thousands of documents costs one row, not thousands; recipients are read
    only for the few objects at AMBER+STRICT or RED."""
    out: dict[str, Marking | None] = {}
    level: dict[str, int] = {}
    if not _any_marking(conn):  # the common store: nothing marked, nothing to compute (two index probes)
        return dict.fromkeys(object_ids)
    for i in range(0, len(object_ids), 500):
        chunk = object_ids[i : i + 500]
        for oid, rank in conn.execute(
                select(DO.c.object_id, func.max(_RANK)).join(DocumentRow, DocumentRow.id == DO.c.document_id)
                .where(DO.c.object_id.in_(chunk), DocumentRow.tlp.is_not(None)).group_by(DO.c.object_id)):
            level[oid] = int(rank)
        for oid, tlp, recipients in conn.execute(
                select(ObjectMarkingRow.object_id, ObjectMarkingRow.tlp, ObjectMarkingRow.recipients)
                .where(ObjectMarkingRow.object_id.in_(chunk))):
            out[oid] = marking_from_row(tlp, recipients)
    restricted = [oid for oid, rank in level.items() if rank >= AMBER_STRICT and oid not in out]
    sources: dict[str, list[Marking | None]] = {}
    for i in range(0, len(restricted), 500):
        for oid, tlp, recipients in conn.execute(
                select(DO.c.object_id, DocumentRow.tlp, DocumentRow.recipients)
                .join(DocumentRow, DocumentRow.id == DO.c.document_id)
                .where(DO.c.object_id.in_(restricted[i : i + 500]), _RANK >= AMBER_STRICT)):
            sources.setdefault(oid, []).append(marking_from_row(tlp, recipients))
    for oid in object_ids:
        if oid in out:
            continue
        if oid in sources:
            out[oid] = strictest(sources[oid])
        else:
            out[oid] = Marking(LEVELS[level[oid]]) if oid in level else None
    return out


def _any_marking(conn: Connection) -> bool:
    return (conn.execute(select(DocumentRow.id).where(DocumentRow.tlp.is_not(None)).limit(1)).first() is not None
            or conn.execute(select(ObjectMarkingRow.object_id).limit(1)).first() is not None)


def exempt(obj_type: str, obj_id: str, keep: frozenset[str]) -> bool:
    """Definitions and the identities every object names (this installation's, the definitions'
    creators) pass on unmarked: marking them would hide the creator of what a partner may read."""
    return obj_type in UNMARKED_TYPES or obj_id in keep


def remark(conn: Connection, object_ids: list[str], keep: frozenset[str], now: dt.datetime) -> int:
    """Give each object whose latest stored version carries another marking than its effective one
    a new version carrying it; returns how many new versions were stored."""
    if not object_ids:
        return 0
    wanted = effective(conn, object_ids)
    latest = (select(StixObjectRow.id, func.max(StixObjectRow.modified).label("m"))
              .where(StixObjectRow.id.in_(object_ids)).group_by(StixObjectRow.id).subquery())
    rows = conn.execute(select(StixObjectRow.id, StixObjectRow.type, StixObjectRow.modified, StixObjectRow.document_id,
                               StixObjectRow.object)
                        .join(latest, (latest.c.id == StixObjectRow.id) & (latest.c.m == StixObjectRow.modified))).all()
    stamp = stamp_ms(now)
    new_rows = []
    for oid, otype, modified, document_id, text in rows:
        if exempt(otype, oid, keep):
            continue
        obj = json.loads(text)
        # An object without `modified` (a cyber observable) has no versions to carry a new marking.
        if marking_of(obj) == wanted[oid] or "modified" not in obj or modified >= stamp:
            continue
        obj = with_marking(obj, wanted[oid])
        obj["modified"] = stamp
        new_rows.append({"id": oid, "modified": stamp, "type": otype,
                         "content_hash": object_hash(obj), "document_id": document_id, "stored_at": now,
                         "object": dump_object(obj)})
    if new_rows:
        conn.execute(insert(StixObjectRow.__table__), new_rows)
    return len(new_rows)


def mark_rows(conn: Connection, rows: list[StixRow], applied: Marking | None, keep: frozenset[str]) -> list[StixRow]:
    """A document's objects as the worker made them (carrying ``applied``, the document's own marking)
    with each one's effective marking instead where it differs (an entity another, stricter document
    names too; an object an analyst marked)."""
    wanted = effective(conn, [r.id for r in rows])
    out = []
    for row in rows:
        if exempt(row.type, row.id, keep) or wanted[row.id] == applied:
            out.append(row)
            continue
        obj = with_marking(json.loads(row.json), wanted[row.id])
        out.append(StixRow(row.id, row.type, row.modified, object_hash(obj), dump_object(obj)))
    return out
