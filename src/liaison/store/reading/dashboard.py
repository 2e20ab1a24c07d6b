"""The dashboard's figures: what the viewer may see, counted, and the latest documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from liaison.store.access import Actor, visible_documents, visible_rows
from liaison.store.database import Store
from liaison.store.schema import DocumentRow, DocumentVersionRow, EntityRow, EventRow

DOCS = DocumentRow.__table__
VERS = DocumentVersionRow.__table__
ENT = EntityRow.__table__
EV = EventRow.__table__


def counts(store: Store, actor: Actor) -> dict[str, int]:
    """Documents, distinct entities (by key) and events in the current versions the actor may see."""
    with store.engine.connect() as conn:
        documents = conn.execute(select(func.count()).select_from(DOCS).where(visible_documents(actor))).scalar_one()
        current_e = ENT.join(DOCS, (DOCS.c.id == ENT.c.document_id) & (DOCS.c.current_version == ENT.c.version))
        entities = conn.execute(select(func.count(func.distinct(ENT.c.key))).select_from(current_e)
                                .where(visible_rows(actor, ENT))).scalar_one()
        current_v = EV.join(DOCS, (DOCS.c.id == EV.c.document_id) & (DOCS.c.current_version == EV.c.version))
        events = conn.execute(select(func.count()).select_from(current_v).where(visible_rows(actor, EV))).scalar_one()
    return {"documents": documents, "entities": entities, "events": events}


def latest_documents(store: Store, actor: Actor, limit: int = 10) -> list[dict[str, Any]]:
    """The documents most recently ingested, newest first, with their current title and marking."""
    q = (select(DOCS.c.id, DOCS.c.stem, DOCS.c.tlp, DOCS.c.last_ingested, VERS.c.title, VERS.c.outlet,
                VERS.c.published)
         .select_from(DOCS.join(VERS, (VERS.c.document_id == DOCS.c.id) & (VERS.c.version == DOCS.c.current_version)))
         .where(visible_documents(actor)).order_by(DOCS.c.last_ingested.desc(), DOCS.c.id).limit(limit))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def changed_since(store: Store, actor: Actor, since: dt.datetime | None) -> int:
    """Documents ingested or re-ingested since ``since`` that the actor may see."""
    if since is None:
        return 0
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(DOCS)
                            .where(DOCS.c.last_ingested > since, visible_documents(actor))).scalar_one()
