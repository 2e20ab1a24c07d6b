"""`/search`: documents by their words (with highlighted snippets), entities by name or alias
(typos tolerated), events by type and by who takes part, each a page of hits the viewer may see.

Whatever the query holds (quotes, operators, markup, nothing, ten thousand characters) it is
searched as its words, or the page says why not: liaison.store.reading.search never hands it to
the database as syntax, and snippets reach the page escaped, marked only with <mark>.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.store.reading import search as reading
from liaison.web.deps import Services, Signed
from liaison.web.entities import bad_address, entity_href, offset_of
from liaison.web.render import page

router = APIRouter(include_in_schema=False)

KINDS = ("documents", "entities", "events")
#: Entities shown beside document hits.
ENTITIES_BESIDE = 5


@router.get("/search")
def search_page(request: Request, svc: Services, who: Signed, q: str = "", kind: str = "documents",
                offset: str = "") -> Response:
    if kind not in KINDS:
        return bad_address("The kind of search is documents, entities or events.")
    start = offset_of(offset)
    if start is None:
        return bad_address("The offset is a whole number from 0.")
    query = reading.parse(q)
    store, actor = svc.store, who.actor
    hits = beside = None
    if not query.empty:
        hits = getattr(reading, kind)(store, actor, query, start)
        if kind == "documents" and not start:
            beside = reading.entities(store, actor, query, 0, ENTITIES_BESIDE)
    params = {"q": query.text, "kind": kind}
    return page(request, "search.html", who, query=query, kind=kind, kinds=KINDS, hits=hits, beside=beside,
                params=params, entity_href=entity_href, asked=q.strip() != "")
