"""`/graph`: entities and events as a network around a chosen entity (cytoscape.js), expanded by
clicking a node, which asks `/graph/data` for its neighbours.

The entity is chosen by name (an alias or a typo of one will do, as on the search page); the
neighbours come from liaison.store.reading.graph, drawn from what the viewer may see and bounded
in number. Data reaches the script only as JSON (fetched, or in a ``<script type="application/json">``
made by the |json filter); the script adds no inline handlers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from liaison.store.reading import graph as reading
from liaison.store.reading.search import MAX_QUERY, resolve_name
from liaison.web.deps import Services, Signed
from liaison.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/graph")
def graph_page(request: Request, svc: Services, who: Signed, entity: str = "") -> Response:
    asked = entity.strip()
    ref = resolve_name(svc.store, who.actor, asked) if asked else None
    data = reading.around_entity(svc.store, who.actor, ref) if ref else None
    status = 404 if asked and data is None else 200
    if data is not None and asked == ref:  # asked by its id (a link from its page): show its name
        asked = data["nodes"][0]["data"]["label"]
    asked = asked[:MAX_QUERY]
    return page(request, "graph.html", who, status=status, asked=asked, data=data)


@router.get("/graph/data")
def graph_data(svc: Services, who: Signed, node: str = "") -> Response:
    """The neighbours of ``node`` ("entity:REF" or "event:DOCUMENT:INDEX") that the viewer may see."""
    found = None
    node = node if "\x00" not in node else ""  # PostgreSQL refuses a NUL in any text
    if node.startswith("entity:") and len(node) <= 700:
        found = reading.around_entity(svc.store, who.actor, node[len("entity:"):])
    elif node.startswith("event:"):
        document, _, idx = node[len("event:"):].rpartition(":")
        if document and idx.isdigit() and len(document) <= 64 and len(idx) <= 9:
            found = reading.around_event(svc.store, who.actor, document, int(idx))
    if found is None:
        return JSONResponse({"error": "no such node, or nothing you may see"}, status_code=404)
    return JSONResponse(found, headers={"Cache-Control": "no-store"})
