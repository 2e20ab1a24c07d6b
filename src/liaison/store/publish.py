"""What partners receive when fusion decides: new STIX versions, in the store that TAXII shares.

Extraction makes one STIX object per entity key and document-independent content, so the same
key is one object everywhere. Fusion then says several keys are one thing ("Ahmed al-Sharaa",
"Ahmad Al Shara"); for each such resolved entity this module writes (docs/fusion.md#what-partners-receive-stix):

* a new version of the **representative** key's object (the resolved entity's id) with every
  name its documents write it as (`aliases` on an intrusion-set; the Liaison extension's
  `aliases` on an identity or location, which have no such property) and `resolved_from`;
* a new version of every **other** key's object with `revoked: true`: it is one thing with the
  representative now, and a consumer that holds it follows
* a `derived-from` relationship from the representative to it, whose description says why
  (the rule and score, or the analyst and day of an override);
* a new version of each **report** that named a revoked object, whose `object_refs` also name
  the representative and the relationship, so every report references the resolved entity.

An analyst's split (an Override) takes mentions out of a resolved entity into one of their own:
the representative gets a new version without their names and without the objects they took
(`resolved_from` shrinks or goes, and the `derived-from` of the merge is revoked); the split-off
entity gets an object of its own under a fresh id (uuid5 of its ref: a revoked object can never
come back), `resolved_from` the revoked objects it now holds, and a `derived-from` relationship to
the representative and to each of them that says "split by <analyst> on <day>"; the reports of
its documents get a new version naming it.

Reports of one happening (a story of several reports) become a `grouping` of their events and
reports; figures or dates the sources disagree on become a `note` on the events concerned,
listing each claim with its source. Everything is written through the store's own versioning
(a new version only when the content changes) and carries the strictest marking of the
documents it is drawn from, like every other object (liaison.store.markings).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from liaison.fuse.records import Claim, EntityMention, EventReport, Link, Node, Override, StoryLink
from liaison.model import Entity
from liaison.stix.extension import LIAISON_EXTENSION_ID
from liaison.stix.ids import namespace_of, relationship_key, report_key, stix_id
from liaison.stix.mapping import entity_id
from liaison.store import markings
from liaison.store.rows import StixRow, dump_object, object_hash
from liaison.store.schema import DocumentObjectRow, DocumentRow, StixObjectRow

ENTITY_OBJECT_TYPES = ("identity", "intrusion-set", "location")
_FUSED_FIELDS = ("aliases", "resolved_from")


def _without_fusion(obj: dict[str, Any]) -> dict[str, Any]:
    core = {k: v for k, v in obj.items() if k not in ("created", "modified", "aliases", "name")}
    ext = dict((core.get("extensions") or {}).get(LIAISON_EXTENSION_ID) or {})
    for field in _FUSED_FIELDS:
        ext.pop(field, None)
    if core.get("extensions"):
        core["extensions"] = dict(core["extensions"], **{LIAISON_EXTENSION_ID: ext})
    return core


def keeps_stored(latest: dict[str, Any], incoming: dict[str, Any]) -> bool:
    """Whether an entity object a document's extraction made again must leave the stored one as it
    is: a revoked object is never un-revoked (STIX 2.1, 3.6), and fusion's version of a resolved
    entity (its names from every document, what it was resolved from) stands as long as what the
    document says of the thing itself is unchanged."""
    if latest.get("revoked"):
        return True
    fused = "resolved_from" in ((latest.get("extensions") or {}).get(LIAISON_EXTENSION_ID) or {})
    return fused and _without_fusion(latest) == _without_fusion(incoming)


def _latest(conn: Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The newest stored version of each of ``ids`` that is stored."""
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        for oid, modified, text in conn.execute(select(StixObjectRow.id, StixObjectRow.modified, StixObjectRow.object)
                                                .where(StixObjectRow.id.in_(ids[i:i + 500]))):
            if oid not in out or modified > out[oid][0]:
                out[oid] = (modified, text)
    return {oid: json.loads(text) for oid, (_, text) in out.items()}


def _row(obj: dict[str, Any], stamp: str) -> StixRow:
    return StixRow(obj["id"], obj["type"], stamp, object_hash(obj), dump_object(obj))


def _evidence(link: Link, overrides: list[Override]) -> str:
    for o in overrides:
        if o.kind == "merge" and link.node[1] in o.keys:
            day = o.at.date().isoformat() if isinstance(o.at, dt.datetime) else ""
            return f"merged by {o.by or 'an analyst'}" + (f" on {day}" if day else "")
    return f"resolved as one entity by Liaison fusion: rule {link.rule}, score {link.score:.2f}"


SPLIT_MARK = "|split:"  # liaison.fuse.entities names a split-off entity "<its representative key>|split:<label>"


def _ext(obj: dict[str, Any]) -> dict[str, Any]:
    return (obj.get("extensions") or {}).get(LIAISON_EXTENSION_ID) or {}


def _names_of(keys: dict[str, list[Node]], nodes: dict[Node, EntityMention]) -> set[str]:
    return {t for key_nodes in keys.values() for n in key_nodes for t in (*nodes[n].names, *nodes[n].aliases)}


def _named(obj: dict[str, Any], name: str, all_names: set[str]) -> dict[str, Any]:
    """A copy of an entity object named ``name`` with every other of ``all_names`` as its aliases
    (an intrusion-set's own property; the Liaison extension's on an identity or location)."""
    new = json.loads(json.dumps(obj))
    new["name"] = name
    others = sorted({t for t in all_names if t.casefold() != name.casefold()}, key=str.casefold)
    ext = new.setdefault("extensions", {}).setdefault(LIAISON_EXTENSION_ID, {"extension_type": "property-extension"})
    target = new if new["type"] == "intrusion-set" else ext
    if others:
        target["aliases"] = others
    else:
        target.pop("aliases", None)
    return new


def _derived_id(source: str, target: str, ns) -> str:  # noqa: ANN001
    return stix_id("relationship", relationship_key(source, "derived-from", target), ns)


def _relationship(rid: str, creator: str, stamp: str, source: str, target: str, description: str) -> dict[str, Any]:
    return {"type": "relationship", "spec_version": "2.1", "id": rid, "created_by_ref": creator,
            "created": stamp, "modified": stamp, "relationship_type": "derived-from",
            "description": description, "source_ref": source, "target_ref": target}


def _split_by(entity: str, keys: set[str], overrides: list[Override]) -> str:
    """"split by <analyst> on <day>", from the override that made this split-off entity (its id
    ends with the folded alias or the document it was split by)."""
    from liaison.extract.gazetteer import fold

    label = entity.split(SPLIT_MARK, 1)[1]
    found = [o for o in overrides if o.kind == "split" and (o.document == label or o.alias and fold(o.alias) == label)]
    found.sort(key=lambda o: (not set(o.keys) & keys, o.at or dt.datetime.max))
    o = found[0] if found else None
    day = o.at.date().isoformat() if o is not None and isinstance(o.at, dt.datetime) else ""
    return f"split by {(o.by if o else '') or 'an analyst'}" + (f" on {day}" if day else "")


def _split_off(conn: Connection, ns, creator: str, entity: str,  # noqa: ANN001, PLR0913
               members: dict[str, dict[str, list[Node]]], by_key: dict[str, set[str]],
               nodes: dict[Node, EntityMention], names: dict[str, str], overrides: list[Override], stamp: str,
               object_id, extra_refs: dict[str, set[str]]) -> list[StixRow]:
    """The object of an entity an analyst split off, and what ties it to what partners hold.

    Its nodes' keys keep their objects (one may be revoked already, or be the representative's
    too when the split took one document's mentions of the same key), so it gets a fresh id,
    uuid5 of its own ref: the same split gives the same object on every run. It is the source of
    a derived-from relationship to the entity it was split from and to each revoked object of
    a key now wholly its own (those are its `resolved_from`), saying who split it and when; the
    reports of its documents name it and the relationships."""
    keys = members[entity]
    rep_key = entity.split(SPLIT_MARK, 1)[0]
    head = min(n for ns_ in keys.values() for n in ns_)
    base_id = object_id(rep_key, nodes[head].type) or next(
        (oid for k, ns_ in sorted(keys.items()) if (oid := object_id(k, nodes[ns_[0]].type))), None)
    if base_id is None:
        return []
    type_ = base_id.split("--")[0]
    new_id = stix_id(type_, f"split|{entity}", ns)
    froms = {f for o in overrides if o.kind == "split" for k in o.keys for f in by_key.get(k, ())}
    froms = {f for f in froms if f != entity and SPLIT_MARK not in f and f in members[f]}
    from_ids = {oid for f in froms if (oid := object_id(f, nodes[members[f][f][0]].type)) and oid.startswith(type_ + "--")}
    own = {oid: k for k, ns_ in keys.items() if by_key[k] == {entity}
           and (oid := object_id(k, nodes[ns_[0]].type)) and oid.startswith(type_ + "--")}
    stored = _latest(conn, sorted({new_id, base_id} | from_ids | set(own)))
    base = stored.get(new_id) or stored.get(base_id)
    if base is None:
        return []
    new = _named(dict(base, id=new_id), names.get(entity, base["name"]), _names_of(keys, nodes))
    new.pop("revoked", None)
    ext = new["extensions"][LIAISON_EXTENSION_ID]
    revoked = sorted(oid for oid in own if oid in stored and stored[oid].get("revoked"))
    if revoked:
        ext["resolved_from"] = revoked
    else:
        ext.pop("resolved_from", None)
    if new_id not in stored:
        new["created"] = new["modified"] = stamp
    why = _split_by(entity, set(keys), overrides)
    rows = [_row(new, stamp)]
    tied = sorted(oid for oid in from_ids if oid in stored and not stored[oid].get("revoked")) + revoked
    for target in tied:
        rid = _derived_id(new_id, target, ns)
        rows.append(_row(_relationship(rid, creator, stamp, new_id, target, why), stamp))
        for key_nodes in keys.values():
            for n in key_nodes:
                extra_refs[n[0]].add(rid)
    for key_nodes in keys.values():
        for n in key_nodes:
            extra_refs[n[0]].add(new_id)
    return rows


def publish(conn: Connection, store, creator: str, links: dict[Node, Link],  # noqa: ANN001, PLR0913
            nodes: dict[Node, EntityMention], names: dict[str, str], overrides: list[Override],
            reports: dict[tuple[str, int], EventReport], stories: dict[tuple[str, int], StoryLink],
            claims: list[Claim], stamp: str, now: dt.datetime, only: set[str] | None = None) -> int:
    """Write the STIX versions fusion's decisions call for; returns how many were written.

    ``only``: just these resolved entities (``links`` then holds every node of their keys)."""
    ns = namespace_of(creator)
    by_key: dict[str, set[str]] = defaultdict(set)  # entity key -> resolved entities its nodes are in
    members: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for n, link in links.items():
        by_key[n[1]].add(link.entity)
        members[link.entity][n[1]].append(n)

    def object_id(key: str, type_: str) -> str | None:
        try:
            return entity_id(Entity(key, key, type_, ()), ns)
        except ValueError:
            return None

    rows: list[StixRow] = []
    extra_refs: dict[str, set[str]] = defaultdict(set)  # document -> ids its report must also name
    split_entities = {e for e in members if e not in members[e] and SPLIT_MARK in e}
    split_keys = {k for o in overrides if o.kind == "split" for k in o.keys}
    split_keys |= {k for e in split_entities for k in members[e]}
    plan = []
    for entity, keys in members.items():
        if only is not None and entity not in only:
            continue
        if entity not in keys:
            continue  # an analyst's split-off entity (no key of its own): _split_off publishes it
        if len(keys) < 2 and entity not in split_keys:
            continue  # one key, nothing merged and nothing split off it
        rep_type = nodes[keys[entity][0]].type
        rep_id = object_id(entity, rep_type)
        if rep_id is None:
            continue
        merged = {}
        for key, key_nodes in keys.items():
            if key == entity or by_key[key] != {entity}:
                continue  # a key whose nodes are also in another entity stays its own object
            oid = object_id(key, nodes[key_nodes[0]].type)
            if oid and oid != rep_id and oid.split("--")[0] == rep_id.split("--")[0]:
                merged[oid] = (key, key_nodes)
        plan.append((entity, rep_id, merged))
    stored = _latest(conn, sorted({rep for _, rep, _ in plan} | {o for _, _, m in plan for o in m}))
    for entity, rep_id, merged in plan:
        rep = stored.get(rep_id)
        if rep is None or rep.get("revoked"):
            continue
        alive = {oid: v for oid, v in merged.items() if oid in stored}
        was = list(_ext(rep).get("resolved_from") or [])
        if not alive and not was:
            continue  # never fused: extraction's object stands
        new = _named(rep, names.get(entity, rep["name"]), _names_of(members[entity], nodes))
        ext = new["extensions"][LIAISON_EXTENSION_ID]
        if alive:
            ext["resolved_from"] = sorted(alive)
        else:
            ext.pop("resolved_from", None)  # what was merged into it was split off again
        rows.append(_row(new, stamp))
        for oid in sorted(set(was) - set(alive)):  # no longer one thing with it: the tie is withdrawn
            old = _latest(conn, [_derived_id(rep_id, oid, ns)]).get(_derived_id(rep_id, oid, ns))
            if old is not None and not old.get("revoked"):
                rows.append(_row(dict(old, revoked=True), stamp))
        for oid, (_key, key_nodes) in sorted(alive.items()):
            loser = stored[oid]
            if not loser.get("revoked"):
                rows.append(_row(dict(loser, revoked=True), stamp))
            rid = _derived_id(rep_id, oid, ns)
            rows.append(_row(_relationship(rid, creator, stamp, rep_id, oid,
                                           _evidence(links[key_nodes[0]], overrides)), stamp))
            for n in key_nodes:
                extra_refs[n[0]].update((rep_id, rid))
    for entity in sorted(split_entities):
        if only is None or entity in only:
            rows += _split_off(conn, ns, creator, entity, members, by_key, nodes, names, overrides, stamp,
                               object_id, extra_refs)
    rows += _stories(conn, ns, creator, reports, stories, claims, stamp, extra_refs)
    rows += _reports(conn, ns, extra_refs, stamp)
    if not rows:
        return 0
    for did, ids in extra_refs.items():
        have = {r[0] for r in conn.execute(select(DocumentObjectRow.object_id)
                                           .where(DocumentObjectRow.document_id == did))}
        new_links = [{"document_id": did, "object_id": oid} for oid in sorted(ids - have)]
        if new_links:
            conn.execute(insert(DocumentObjectRow.__table__), new_links)
    rows = list({r.id: r for r in rows}.values())
    rows = markings.mark_rows(conn, rows, None, store._unmarked_ids())
    before = conn.execute(select(func.count()).select_from(StixObjectRow)).scalar_one()
    store._write_stix(conn, None, rows, now, fused=True)
    return conn.execute(select(func.count()).select_from(StixObjectRow)).scalar_one() - before


def _source_keys(conn: Connection, documents: set[str]) -> dict[str, str]:
    ids = sorted(documents)
    out = {}
    for i in range(0, len(ids), 500):
        out.update(conn.execute(select(DocumentRow.id, DocumentRow.source_key)
                                .where(DocumentRow.id.in_(ids[i:i + 500]))).all())
    return out


def _event_ids(conn: Connection, refs: list[tuple[str, int]],
               reports: dict[tuple[str, int], EventReport]) -> dict[tuple[str, int], str]:
    """The stored event object of each report: found among its document's event objects by the
    evidence sentence's start and the type its extension and name record."""
    wanted: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ref in refs:
        wanted[ref[0]].append(ref)
    out = {}
    for did, doc_refs in wanted.items():
        events = [json.loads(t) for (t,) in conn.execute(
            select(StixObjectRow.object).where(StixObjectRow.document_id == did, StixObjectRow.type == "event"))]
        for ref in doc_refs:
            r = reports[ref]
            for ev in events:
                ext = next((v for k, v in ev.get("extensions", {}).items() if "evidence" in v), {})
                if r.type in ev.get("event_types", []) and ext.get("evidence", {}).get("start") == r.evidence_start:
                    out[ref] = ev["id"]
                    break
    return out


def _stories(conn: Connection, ns, creator: str, reports: dict[tuple[str, int], EventReport],  # noqa: ANN001, PLR0913
             stories: dict[tuple[str, int], StoryLink], claims: list[Claim], stamp: str,
             extra_refs: dict[str, set[str]]) -> list[StixRow]:
    """A grouping per story of several reports, a note per field its sources disagree on."""
    by_story: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ref, link in stories.items():
        by_story[link.story].append(ref)
    fused = {s: sorted(refs) for s, refs in by_story.items() if len({r[0] for r in refs}) > 1}
    conflicting = [c for c in claims if c.conflict]
    if not fused and not conflicting:
        return []
    refs = sorted({r for rs in fused.values() for r in rs} | {c.ref for c in conflicting})
    events = _event_ids(conn, [r for r in refs if r in reports and reports[r].evidence_start is not None],
                        reports)
    keys = _source_keys(conn, {r[0] for r in refs})
    report_ids = {d: stix_id("report", report_key(k), ns) for d, k in keys.items()}
    rows = []
    for story, story_refs in sorted(fused.items()):
        objects = sorted({events[r] for r in story_refs if r in events} | {report_ids[r[0]] for r in story_refs
                                                                           if r[0] in report_ids})
        gid = stix_id("grouping", f"story|{story}", ns)
        first = reports.get(story_refs[0])
        rows.append(_row({
            "type": "grouping", "spec_version": "2.1", "id": gid, "created_by_ref": creator, "created": stamp,
            "modified": stamp, "name": f"One {first.type.replace('_', ' ') if first else 'event'} told by "
                                      f"{len({r[0] for r in story_refs})} reports",
            "description": "Reports of one happening, fused by Liaison across documents (docs/fusion.md).",
            "context": "unspecified", "object_refs": objects,
        }, stamp))
        for r in story_refs:
            extra_refs[r[0]].add(gid)
    by_field: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in conflicting:
        by_field[(c.story, c.field)].append(c)
    for (story, field), found in sorted(by_field.items()):
        lines = [f"{c.value} ({field}) according to {c.source or 'an unattributed report'}"
                 + (f", published {c.published.isoformat()}" if c.published else "") for c in found]
        objects = sorted({events.get(c.ref) or report_ids.get(c.ref[0]) for c in found} - {None})
        if not objects:
            continue
        nid = stix_id("note", f"conflict|{story}|{field}", ns)
        rows.append(_row({
            "type": "note", "spec_version": "2.1", "id": nid, "created_by_ref": creator, "created": stamp,
            "modified": stamp, "abstract": f"Sources disagree on {field}",
            "content": "Conflicting claims, kept side by side (none is preferred):\n" + "\n".join(lines),
            "object_refs": objects,
        }, stamp))
        for c in found:
            extra_refs[c.ref[0]].add(nid)
    return rows


def _reports(conn: Connection, ns, extra_refs: dict[str, set[str]], stamp: str) -> list[StixRow]:  # noqa: ANN001
    """A new version of each document's report naming also the ids fusion adds for it."""
    keys = _source_keys(conn, set(extra_refs))
    ids = {did: stix_id("report", report_key(k), ns) for did, k in keys.items()}
    stored = _latest(conn, sorted(ids.values()))
    rows = []
    for did, rid in ids.items():
        report = stored.get(rid)
        if report is None:
            continue
        refs = list(report["object_refs"])
        missing = sorted(extra_refs[did] - set(refs))
        if missing:
            rows.append(_row(dict(report, object_refs=refs + missing), stamp))
    return rows
