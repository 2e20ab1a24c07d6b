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
    plan = []
    for entity, keys in members.items():
        if only is not None and entity not in only:
            continue
        if entity not in keys or len(keys) < 2:
            continue  # one key (nothing merged), or an analyst's split-off entity (no key of its own)
        rep_type = nodes[keys[entity][0]].type
        rep_id = object_id(entity, rep_type)
        merged = {}
        for key, key_nodes in keys.items():
            if key == entity or by_key[key] != {entity}:
                continue  # a key whose nodes are also in another entity stays its own object
            oid = object_id(key, nodes[key_nodes[0]].type)
            if oid and oid != rep_id and oid.split("--")[0] == rep_id.split("--")[0]:
                merged[oid] = (key, key_nodes)
        if merged:
            plan.append((entity, rep_id, merged))
    stored = _latest(conn, sorted({rep for _, rep, _ in plan} | {o for _, _, m in plan for o in m}))
    for entity, rep_id, merged in plan:
        rep = stored.get(rep_id)
        alive = {oid: v for oid, v in merged.items() if oid in stored}
        if rep is None or rep.get("revoked") or not alive:
            continue
        all_names = {t for key_nodes in members[entity].values() for n in key_nodes
                     for t in (*nodes[n].names, *nodes[n].aliases)}
        name = names.get(entity, rep["name"])
        new = json.loads(json.dumps(rep))
        new["name"] = name
        others = sorted({t for t in all_names if t.casefold() != name.casefold()}, key=str.casefold)
        ext = new.setdefault("extensions", {}).setdefault(LIAISON_EXTENSION_ID, {"extension_type": "property-extension"})
        if others and new["type"] == "intrusion-set":
            new["aliases"] = others
        elif others:
            ext["aliases"] = others
        ext["resolved_from"] = sorted(alive)
        rows.append(_row(new, stamp))
        for oid, (_key, key_nodes) in sorted(alive.items()):
            loser = stored[oid]
            if not loser.get("revoked"):
                rows.append(_row(dict(loser, revoked=True), stamp))
            rid = stix_id("relationship", relationship_key(rep_id, "derived-from", oid), ns)
            rows.append(_row({
                "type": "relationship", "spec_version": "2.1", "id": rid, "created_by_ref": creator,
                "created": stamp, "modified": stamp, "relationship_type": "derived-from",
                "description": _evidence(links[key_nodes[0]], overrides), "source_ref": rep_id, "target_ref": oid,
            }, stamp))
            for n in key_nodes:
                extra_refs[n[0]].update((rep_id, rid))
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
