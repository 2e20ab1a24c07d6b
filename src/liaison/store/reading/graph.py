"""The graph page's reads: the neighbourhood of an entity or an event, as nodes and edges.

Around an entity: the events it takes part in (latest first) with everyone else taking part in
them, and the entities named most often in the same documents. Around an event: who took part
and how. Everything is drawn from the documents the actor may see (the entity's members are
only those, an event only of such a document), and each answer is bounded (``MAX_NODES``), so a
click on "United States" in a large store adds a readable handful, not the store.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import select, tuple_

from liaison.store.access import Actor, visible_rows
from liaison.store.database import Store
from liaison.store.reading import current
from liaison.store.reading import entities as ent
from liaison.store.reading.entities import DOCS, ER, EV, names_at, names_of, resolved

MAX_NODES = 60
EVENTS = 25
RELATED = 10
#: The centre is named from this many of its nodes (names_of's share).
NAMED_BY = 4
#: The related entities (RELATED of them) are drawn from this many of the centre's documents the
#: reader may see: a handful to show needs fewer than the entity page's table (entities.SAMPLE),
#: and each is a document the access rule is asked about.
SAMPLE = 50


def entity_node(ref: str) -> str:
    return "entity:" + ref


def event_node(document_id: str, idx: int) -> str:
    return f"event:{document_id}:{idx}"


class _Row:
    """An event row of the entity page's list, read as the graph reads rows (attributes)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.document_id, self.idx, self.type, self.date_start = (row["document_id"], row["idx"], row["type"],
                                                                   row["date_start"])


class _Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.truncated = False

    def node(self, id_: str, **data: Any) -> bool:  # noqa: ANN401
        if id_ in self.nodes:
            return True
        if len(self.nodes) >= MAX_NODES:
            self.truncated = True
            return False
        self.nodes[id_] = {"id": id_, **data}
        return True

    def edge(self, source: str, target: str, label: str, kind: str = "role") -> None:
        """An edge: ``kind`` "role" (an entity's part in an event, ``label`` the role) or
        "named-with" (two entities named in the same documents, ``label`` how many)."""
        if source in self.nodes and target in self.nodes:
            key = f"{source}|{target}|{label}"
            self.edges.setdefault(key, {"id": key, "source": source, "target": target, "label": label, "kind": kind})

    def out(self, centre: str) -> dict[str, Any]:
        return {"centre": centre, "nodes": [{"data": n} for n in self.nodes.values()],
                "edges": [{"data": e} for e in self.edges.values()], "truncated": self.truncated}


def _entity_data(info: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "entity", "label": info["name"], "type": info["type"],
            "href": "/entities/" + quote(info["ref"], safe="")}


def _event_label(r: Any) -> str:  # noqa: ANN401
    day = r.date_start.isoformat() if r.date_start else "undated"
    return f"{r.type.replace('_', ' ')} ({day})"


def around_entity(store: Store, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The entity, its latest events with their other participants, and its most related entities;
    None when the actor may see none of it."""
    with store.engine.connect() as conn:
        # One sample of the entity's documents the actor may see (the rule asked of each once) both
        # names the centre (from its first rows, as names_of would) and gives the related entities.
        nodes = ent.sample(conn, actor, ref, SAMPLE)[0]
        if not nodes:
            return None
        info = names_at(conn, {n: ref for n in nodes[:NAMED_BY]}).get(ref) or names_of(conn, actor, [ref]).get(ref)
        if info is None:
            return None
        graph = _Graph()
        centre = entity_node(ref)
        graph.node(centre, **_entity_data(info), centre=True)
        latest = ent.events(store, actor, ref, limit=EVENTS)
        graph.truncated = latest.more
        seen = {(r["document_id"], r["idx"]): _Row(r) for r in latest.rows}
        _add_events(conn, actor, graph, list(seen.values()))
    for other in ent.related(store, actor, ref, limit=RELATED, nodes=nodes):
        if graph.node(entity_node(other["ref"]), **_entity_data(other)):
            graph.edge(centre, entity_node(other["ref"]), f"{other['documents']} documents", "named-with")
    return graph.out(centre)


def around_event(store: Store, actor: Actor, document_id: str, idx: int) -> dict[str, Any] | None:
    """The event (of the current version of a document the actor may see) and who took part."""
    q = (select(EV.c.document_id, EV.c.idx, EV.c.type, EV.c.date_start).select_from(EV.join(DOCS, current(EV)))
         .where(EV.c.document_id == document_id, EV.c.idx == idx, visible_rows(actor, EV)))
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
        if row is None:
            return None
        graph = _Graph()
        _add_events(conn, actor, graph, [row])
    return graph.out(event_node(document_id, idx))


def _add_events(conn, actor: Actor, graph: _Graph, rows: list) -> None:  # noqa: ANN001
    """Event nodes for ``rows`` (events of visible documents) and an edge to each participant."""
    if not rows:
        return
    refs = [(r.document_id, r.idx) for r in rows]
    for r in rows:
        graph.node(event_node(r.document_id, r.idx), kind="event", label=_event_label(r), type=r.type,
                   href=f"/documents/{quote(r.document_id, safe='')}#event-{r.idx}")
    roles = []
    for part in range(0, len(refs), 200):
        chunk = refs[part:part + 200]
        roles += conn.execute(select(ER.c.document_id, ER.c.idx, ER.c.role, ER.c.entity_key)
                              .select_from(ER.join(DOCS, current(ER)))
                              .where(ER.c.document_id.in_(sorted({d for d, _ in chunk})),
                                     tuple_(ER.c.document_id, ER.c.idx).in_(chunk))
                              .order_by(ER.c.document_id, ER.c.idx, ER.c.role, ER.c.entity_key)).all()
    entity_of = resolved(conn, sorted({(r.document_id, r.entity_key) for r in roles}))
    names = names_at(conn, entity_of)  # the events' documents are the reader's: named from them
    for r in roles:
        other = entity_of[(r.document_id, r.entity_key)]
        if other in names and graph.node(entity_node(other), **_entity_data(names[other])):
            graph.edge(entity_node(other), event_node(r.document_id, r.idx), r.role)


__all__ = ["MAX_NODES", "around_entity", "around_event", "entity_node", "event_node"]
