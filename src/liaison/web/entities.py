"""`/entities/{ref}`: one entity as the viewer may see it, and for own analysts the merge and split
of `liaison entities merge|split`.

``ref`` is fusion's id of the resolved entity (or its key in a document fusion has not resolved),
as liaison.store.reading.entities explains; every figure comes from the documents the viewer may
see, and an entity they may see nothing of answers exactly as one that does not exist. Merge and
split call what the command line calls (Fusion.add_override, then the collections that follow the
store are synced), recorded as made by the signed-in analyst; a partner's member is refused them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from liaison.errors import LiaisonError
from liaison.store.reading import entities as reading
from liaison.web.deps import Checked, Services, Signed, own_analyst
from liaison.web.render import error_page, page

router = APIRouter(include_in_schema=False)

#: Months the timeline draws (the latest).
TIMELINE_MONTHS = 36


def entity_href(ref: str) -> str:
    return "/entities/" + quote(ref, safe="")


def offset_of(value: str | None) -> int | None:
    """A page offset from the address, or None when it is no non-negative whole number."""
    if value in (None, ""):
        return 0
    try:
        n = int(value)
    except ValueError:
        return None
    return n if 0 <= n <= 10_000_000 else None


def clean(value: str, most: int = 500) -> str:
    """What a user typed, as the store can be asked about it: no NUL (PostgreSQL refuses one in any
    text), at most ``most`` characters."""
    return value.replace("\x00", "").strip()[:most]


def bad_address(description: str) -> Response:
    return error_page(400, "Bad address", description)


@router.get("/entities")
def entities_list() -> Response:
    """Entities are found by searching them."""
    return RedirectResponse("/search?kind=entities", status_code=303)


@router.post("/entities/{ref:path}/merge")
def merge(request: Request, ref: str, svc: Services, who: Checked, other: str = Form("")) -> Response:
    own_analyst(who)
    from liaison.fuse.records import Override
    from liaison.profiles import Knowledge

    k = Knowledge(svc.store)
    if ref not in {link.entity for link in k.links.values()}:
        return _show(request, svc, who, ref, 400, "Only an entity fusion has resolved can be merged: "
                     "run `liaison resolve`, then try again.")
    if not clean(other):
        return _show(request, svc, who, ref, 400, "Say which entity to merge with: a name, alias or key.")
    try:
        b = k.find(clean(other))
    except LiaisonError as err:
        return _show(request, svc, who, ref, 400, _one_line(err))
    if b == ref:
        return _show(request, svc, who, ref, 400, f"{k.name(ref)} and {other.strip()[:200]} are already one entity.")
    keys = tuple(sorted({n[1] for n, link in k.links.items() if link.entity in (ref, b)}))
    first = next(n for n, link in sorted(k.links.items()) if link.entity == ref)
    k.fusion.add_override(Override("merge", keys, by=who.name))
    svc.sharing.sync_all()
    return _after(svc, first, ref)


@router.post("/entities/{ref:path}/split")
def split(request: Request, ref: str, svc: Services, who: Checked, mention: str = Form(""),
          alias: str = Form("")) -> Response:
    own_analyst(who)
    from liaison.extract.lexicon import fold
    from liaison.fuse.records import Override
    from liaison.profiles import Knowledge

    mention, alias = clean(mention), clean(alias)
    if bool(mention) == bool(alias):
        return _show(request, svc, who, ref, 400, "Choose one: a document's mention or a name to take out.")
    k = Knowledge(svc.store)
    members = {n: m for n, m in k.nodes.items() if k.links.get(n) and k.links[n].entity == ref}
    if not members:
        return _show(request, svc, who, ref, 400, "Only an entity fusion has resolved can be split: "
                     "run `liaison resolve`, then try again.")
    document = None
    if mention:
        found = svc.store.find_document(mention)
        if found is None or not any(n[0] == found.id for n in members):
            return _show(request, svc, who, ref, 400, f"{k.name(ref)} is not named in that document.")
        document = found.id
    elif not any(fold(alias) in {fold(t) for t in m.names} for m in members.values()):
        return _show(request, svc, who, ref, 400, f"{k.name(ref)} is never written so.")
    keys = tuple(sorted({n[1] for n in members}))
    kept = next((n for n in sorted(members) if n[0] != document and (not alias or fold(alias) not in
                                                                       {fold(t) for t in members[n].names})), None)
    k.fusion.add_override(Override("split", keys, alias=alias or None, document=document, by=who.name))
    svc.sharing.sync_all()
    return _after(svc, kept, ref)


def _after(svc: Any, node: tuple[str, str] | None, ref: str) -> Response:  # noqa: ANN401
    """Back to the entity the decision left the first remaining node in (its id may have changed)."""
    target = ref
    if node is not None:
        from liaison.store.fusion import Fusion

        link = Fusion(svc.store).links().get(node)
        if link is not None:
            target = link.entity
    return RedirectResponse(entity_href(target) + "?done=1", status_code=303)


def _one_line(err: LiaisonError) -> str:
    """The error's what, without the command-line hint."""
    what = err.what or "That did not work"
    return what[:1].upper() + what[1:] + ("" if what.endswith(".") else ".")


@router.get("/entities/{ref:path}")
def entity_page(request: Request, ref: str, svc: Services, who: Signed) -> Response:
    return _show(request, svc, who, ref)


def _show(request: Request, svc: Any, who: Any, ref: str, status: int = 200,  # noqa: ANN401
          message: str | None = None) -> Response:
    store, actor = svc.store, who.actor
    params = request.query_params
    docs_offset, events_offset = offset_of(params.get("docs")), offset_of(params.get("events"))
    if docs_offset is None or events_offset is None:
        return bad_address("The page offsets (docs, events) are whole numbers from 0.")
    if len(ref) > 600 or "\x00" in ref:
        return error_page(404, "Not found")
    found = reading.entity(store, actor, ref)
    if found is None:
        return error_page(404, "Not found")
    nodes = found["nodes"]
    timeline = reading.timeline(store, actor, ref, nodes=nodes)[-TIMELINE_MONTHS:]
    return page(request, "entity.html", who, status=status, entity=found, message=message,
                href=entity_href(ref), done=params.get("done") == "1",
                documents=reading.documents(store, actor, ref, docs_offset),
                events=reading.events(store, actor, ref, events_offset),
                related=reading.related(store, actor, ref, nodes=nodes), roles=reading.roles(store, actor, ref, nodes=nodes),
                timeline=timeline, peak=max([1, *(max(t["documents"], t["events"]) for t in timeline)]),
                docs_offset=docs_offset, events_offset=events_offset, entity_href=entity_href)
