"""What each listing shows, as plain rows: the CLI renders them as tables or JSON, the web UI as pages.

Each function takes the store (or sharing tables) and validated filters, and returns a list of
JSON-serialisable dicts whose keys are the columns, in order. Keeping the shaping here, not in
the command line, is what lets a second face (the web UI) show the same rows without copying it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from liaison.model import Event, Quantity
from liaison.store import Store

_MARK = {"lower_bound": "≥", "upper_bound": "≤", "approximate": "~", "exact": "", "range": ""}


def figure(q: Quantity) -> str:
    """One figure as a reader writes it: 'killed ≥30', 'troops 1500-2000', 'captured 19'."""
    if q.qualifier == "range":
        return f"{q.kind} {q.low}-{q.high}"
    return f"{q.kind} {_MARK.get(q.qualifier, '')}{q.value}"


def _day(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat()[:10] if value else None


def documents(store: Store) -> list[dict[str, Any]]:
    """The stored documents, one row each (current version), by stem."""
    return [{"stem": d.stem, "id": d.id, "version": d.version, "published": _day(d.published),
             "title": d.title, "outlet": d.outlet, "url": d.url} for d in store.documents()]


def entities(store: Store, type_: str | None = None, name: str | None = None, since: dt.date | None = None,
             until: dt.date | None = None) -> list[dict[str, Any]]:
    """Entities across current document versions, one row per resolved entity (docs/fusion.md), with
    how many documents and mentions name it; ``name`` keeps those with a name containing it."""
    from liaison.store.fusion import Fusion, canonical_names

    fusion = Fusion(store)
    links, nodes = fusion.links(), fusion.nodes()
    if not links:  # a store fusion has not run on yet: one row per entity key
        return [{"name": r.canonical, "type": r.type, "documents": r.documents, "mentions": r.mentions,
                 "key": r.key} for r in store.current_entities(type_, name, since, until)]
    published = {d.id: d.published for d in store.documents()}
    counts = store.mention_counts()
    names = canonical_names(links, nodes)
    rows: dict[str, dict[str, Any]] = {}
    for n, link in links.items():
        m = nodes[n]
        day = published.get(n[0])
        if type_ and m.type != type_ or since and (day is None or day < since) or until and (day is None or day > until):
            continue
        row = rows.setdefault(link.entity, {"name": names.get(link.entity, m.canonical), "type": m.type,
                                            "documents": set(), "mentions": 0, "key": link.entity, "_names": set()})
        row["documents"].add(n[0])
        row["mentions"] += counts.get(n, 0)
        row["_names"].update(m.names)
    wanted = name.casefold() if name else None
    out = []
    for row in rows.values():
        if wanted and not any(wanted in t.casefold() for t in (row["name"], *row["_names"])):
            continue
        del row["_names"]
        row["documents"] = len(row["documents"])
        out.append(row)
    return sorted(out, key=lambda r: (-r["documents"], -r["mentions"], r["name"]))


def event_row(ev: Event, names: dict[str, str], document: str | None = None) -> dict[str, Any]:
    """One stored event as a row: names instead of entity keys, figures as a reader writes them."""
    row: dict[str, Any] = {"document": document} if document is not None else {}
    row.update(
        type=ev.type,
        foiled=ev.status == "not-occurred" and ev.type != "foiled_attack",
        date=ev.date.value if ev.date else None,
        actors=[names.get(a, a) for a in ev.actors],
        targets=[names.get(t, t) for t in ev.targets],
        location=names.get(ev.location, ev.location) if ev.location else None,
        figures=[figure(q) for q in ev.quantities],
        source=ev.attribution.source if ev.attribution else None,
        confidence=ev.confidence,
    )
    return row


def events(store: Store, type_: str | None = None, entity: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None) -> list[dict[str, Any]]:
    """Events of current document versions in date order, each with its document's stem."""
    names = store.entity_names()
    return [event_row(e.event, names, e.stem) for e in store.current_events(type_, entity, since, until)]


def organisation(store: Store, name: str | None) -> dict[str, Any]:
    """This installation's organisation (made at first use, renamed when ``name`` differs)."""
    org = store.organisation(name)
    return {"identity": org["identity_id"], "name": org["name"], "since": org["created"][:10]}


def partners(sharing: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    return [{"id": p["id"], "name": p["name"], "identity": p["identity_id"], "live_tokens": p["tokens"],
             "added": _day(p["created_at"]), "revoked": _day(p["revoked_at"])} for p in sharing.partners()]


def collections(sharing: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    return [{"alias": c["alias"], "id": c["id"], "default_tlp": c["default_tlp"].upper(), "public": bool(c["public"]),
             "follows_store": bool(c["follows_store"]), "objects": c["objects"], "readers": c["readers"],
             "writers": c["writers"]} for c in sharing.collections()]


def audit(sharing: Any, partner: str | None, since: dt.datetime | None, limit: int) -> list[dict[str, Any]]:  # noqa: ANN401
    return [{"when": r["at"].astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if r["at"].tzinfo
             else r["at"].strftime("%Y-%m-%d %H:%M:%S"),
             "partner": r["partner_id"] or "(anonymous)", "from": r["remote"], "request": f"{r['method']} {r['path']}",
             "status": r["status"], "objects": r["objects"]} for r in sharing.audit_log(partner, since, limit)]
