"""Fusion's decisions in the store: it hands liaison.fuse its records and writes back what it decides.

After each ingest batch `Fusion.update` resolves the new documents' entities against the store
(incremental: only the nodes that share a blocking key with them are read), then fuses events
and records their claims. `Fusion.resolve_all` does the same from nothing; both give the same
links (tests/test_fusion_store.py checks it on a shuffled corpus). Analysts' overrides are rows
of their own, read by every run, so they outlast re-ingest and re-resolution.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.engine import Connection

from liaison.clock import now
from liaison.fuse import entities as fuse_entities
from liaison.fuse import events as fuse_events
from liaison.fuse.build import (
    entity_mentions,
    event_reports,
    mention_from_json,
    mention_json,
    report_from_json,
    report_json,
)
from liaison.fuse.records import Claim, EntityMention, EventReport, Link, Node, Override, StoryLink
from liaison.store import batches, event_fusion
from liaison.store.database import Store
from liaison.store.schema import (
    ClaimRow,
    DocumentRow,
    EntityBlockRow,
    EntityLinkRow,
    EntityOverrideRow,
    EventBlockRow,
    EventStoryRow,
)

_block = batches.fit
_chunks = batches.chunks


@dataclass
class FusionReport:
    """What one fusion run changed: nodes linked anew or differently, stories, conflicting claims."""

    nodes: int = 0
    changed: int = 0
    entities: int = 0
    reports: int = 0
    stories: int = 0
    conflicts: int = 0
    published: int = 0  # STIX object versions written (liaison.store.publish)
    documents: list[str] = field(default_factory=list)


class _SqlIndex:
    """liaison.fuse.entities.MentionIndex over the entity_links and entity_blocks tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _nodes(self, condition) -> list[EntityLinkRow]:  # noqa: ANN001
        return list(self.conn.execute(select(EntityLinkRow.document_id, EntityLinkRow.entity_key,
                                             EntityLinkRow.entity, EntityLinkRow.rule, EntityLinkRow.score,
                                             EntityLinkRow.against_document, EntityLinkRow.against_key,
                                             EntityLinkRow.mention).where(condition)))

    def by_blocks(self, blocks: Iterable[str]) -> list[EntityMention]:
        blocks = sorted({_block(b) for b in blocks})
        nodes: set[tuple[str, str]] = set()
        for part in _chunks(blocks):
            nodes.update(self.conn.execute(select(EntityBlockRow.document_id, EntityBlockRow.entity_key)
                                           .where(EntityBlockRow.block.in_(part))).all())
        return self.mentions(sorted(nodes))

    def block_sizes(self, blocks: Iterable[str]) -> dict[str, int]:
        from sqlalchemy import func

        stored = {_block(b): b for b in blocks}
        out: dict[str, int] = {}
        for part in _chunks(sorted(stored)):
            for block, n in self.conn.execute(
                    select(EntityBlockRow.block, func.count(func.distinct(EntityBlockRow.entity_key)))
                    .where(EntityBlockRow.block.in_(part)).group_by(EntityBlockRow.block)):
                out[stored[block]] = n
        return out

    def mentions(self, nodes: Sequence[Node]) -> list[EntityMention]:
        out = []
        for part in _chunks(list(nodes)):
            rows = self.conn.execute(select(EntityLinkRow.mention).where(
                tuple_(EntityLinkRow.document_id, EntityLinkRow.entity_key).in_(list(part))))
            out += [mention_from_json(r[0]) for r in rows]
        return out

    def members(self, entity_ids: Iterable[str]) -> list[EntityMention]:
        ids = sorted(set(entity_ids))
        out = []
        for part in _chunks(ids):
            out += [mention_from_json(r.mention) for r in self._nodes(EntityLinkRow.entity.in_(part))]
        return out

    def links(self, nodes: Iterable[Node]) -> dict[Node, Link]:
        out = {}
        for part in _chunks(sorted(set(nodes))):
            for r in self._nodes(tuple_(EntityLinkRow.document_id, EntityLinkRow.entity_key).in_(list(part))):
                out[(r.document_id, r.entity_key)] = _link(r)
        return out


def _link(r) -> Link:  # noqa: ANN001
    against = (r.against_document, r.against_key) if r.against_document is not None else None
    return Link((r.document_id, r.entity_key), r.entity, r.rule, r.score, against)


class Fusion:
    """Entity resolution, event fusion and claims over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------ reading documents

    def _documents(self, ids: Sequence[str] | None = None) -> list[tuple[str, dt.date | None, object]]:
        """(document id, published, Extraction) of the current version of each document (all without
        ``ids``), as the store rebuilds them."""
        docs = sorted(self.store.documents(ids=None if ids is None else list(ids)), key=lambda d: d.id)
        return [(d.id, d.published, self.store.extraction(d)) for d in docs]

    def overrides(self, conn: Connection | None = None) -> list[Override]:
        def read(c: Connection) -> list[Override]:
            rows = c.execute(select(EntityOverrideRow).order_by(EntityOverrideRow.id))
            return [Override(r.kind, tuple(json.loads(r.keys)), r.alias, r.document_id, r.made_by, r.made_at)
                    for r in rows]

        if conn is not None:
            return read(conn)
        with self.store.engine.connect() as c:
            return read(c)

    # ------------------------------------------------------------ writing decisions

    def _write_links(self, conn: Connection, links: dict[Node, Link], mentions: dict[Node, EntityMention],
                     before: dict[Node, Link] | None = None) -> int:
        """Replace the link rows of these nodes. Returns how many links are new or differ from
        ``before`` (default: the stored ones)."""
        old = _SqlIndex(conn).links(links)
        changed = [n for n, link in links.items() if old.get(n) != link]
        if before is not None:
            differ = sum(before.get(n) != link for n, link in links.items())
        known = {m.node: m for m in _SqlIndex(conn).mentions([n for n in changed if n not in mentions])}
        for part in _chunks(changed):
            conn.execute(delete(EntityLinkRow).where(
                tuple_(EntityLinkRow.document_id, EntityLinkRow.entity_key).in_(list(part))))
        rows = []
        for n in changed:
            link = links[n]
            mention = mentions.get(n) or known.get(n)  # new, or read back from the store: its link moved
            if mention is None:
                continue
            rows.append({"document_id": n[0], "entity_key": n[1], "entity": link.entity, "rule": link.rule,
                         "score": float(link.score), "against_document": link.against[0] if link.against else None,
                         "against_key": link.against[1] if link.against else None, "mention": mention_json(mention)})
        if rows:
            conn.execute(insert(EntityLinkRow), rows)
        return differ if before is not None else len(changed)

    def _write_blocks(self, conn: Connection, mentions: Iterable[EntityMention]) -> None:
        rows = [{"block": _block(b), "document_id": m.document, "entity_key": m.key}
                for m in mentions for b in sorted(fuse_entities.blocking_keys(m))]
        rows = list({(r["block"], r["document_id"], r["entity_key"]): r for r in rows}.values())
        for part in _chunks(rows, 2000):
            conn.execute(insert(EntityBlockRow), list(part))

    def _forget(self, conn: Connection, document_ids: Sequence[str]) -> list[EntityMention]:
        """Remove the nodes of these documents (before their new version is resolved); returns them."""
        gone = []
        for part in _chunks(sorted(set(document_ids))):
            gone += [mention_from_json(r[0]) for r in conn.execute(
                select(EntityLinkRow.mention).where(EntityLinkRow.document_id.in_(part)))]
            for table in (EntityLinkRow, EntityBlockRow, EventStoryRow, EventBlockRow):
                conn.execute(delete(table).where(table.document_id.in_(part)))
        return gone

    # ------------------------------------------------------------ runs

    def update(self, document_ids: Sequence[str], known: dict[str, tuple] | None = None) -> FusionReport:
        """Resolve these documents' (new or changed) current versions against the store.

        ``known``: document id -> (published, Extraction) of versions just stored (what ingest
        holds already), so that they are not read back."""
        report = FusionReport(documents=list(document_ids))
        if not document_ids:
            return report
        creator = self._creator()
        with self.store.writing() as conn:
            known = known or {}
            docs = [(d, *known[d]) for d in sorted(set(document_ids)) if d in known]
            docs += self._documents([d for d in document_ids if d not in known])
            before = [_link(r) for part in _chunks(sorted(set(document_ids)))
                      for r in _SqlIndex(conn)._nodes(EntityLinkRow.document_id.in_(part))]
            earlier = event_fusion.stories_of(conn, document_ids)  # their reports' story-mates are fused again
            filed = event_fusion.filed(conn)
            gone = self._forget(conn, document_ids)
            new = [m for did, published, ex in docs for m in entity_mentions(did, ex, published)]
            index = _SqlIndex(conn)
            # Nodes that shared a block with a node now gone may have been linked through it: they are
            # resolved again with the new ones.
            touched = index.by_blocks({b for m in gone for b in fuse_entities.blocking_keys(m)})
            links = fuse_entities.resolve_incremental([*new, *touched], index, self.overrides(conn))
            mentions = {m.node: m for m in [*new, *touched]}
            self._write_blocks(conn, new)
            report.nodes = len(new)
            old = _SqlIndex(conn).links(links)
            report.changed = self._write_links(conn, links, mentions)
            self._write_reports(conn, docs)
            entities = {link.entity for link in (*links.values(), *old.values(), *before)}
            documents = set(document_ids) | {n[0] for n in links}
            # A report's keys change only where a node of its document now resolves to another entity.
            moved = set(document_ids) | {n[0] for n, link in links.items()
                                         if n not in old or old[n].entity != link.entity}
            fused = (self._fuse_around(conn, report, moved, earlier) if filed
                     else self._fuse_events(conn, report))
            report.published = self._publish(conn, creator, fused, (entities, documents))
        return report

    def resolve_all(self) -> FusionReport:
        """Resolution from nothing over every current document: what `liaison resolve --all` runs."""
        report = FusionReport()
        creator = self._creator()
        with self.store.writing() as conn:
            before = {(r.document_id, r.entity_key): _link(r) for r in _SqlIndex(conn)._nodes(True)}
            for table in (EntityLinkRow, EntityBlockRow, EventStoryRow, ClaimRow, EventBlockRow):
                conn.execute(delete(table))
            docs = self._documents()
            report.documents = [d for d, _, _ in docs]
            mentions = [m for did, published, ex in docs for m in entity_mentions(did, ex, published)]
            links = fuse_entities.resolve(mentions, self.overrides(conn))
            self._write_blocks(conn, mentions)
            report.nodes = len(mentions)
            report.changed = self._write_links(conn, links, {m.node: m for m in mentions}, before)
            self._write_reports(conn, docs)
            report.published = self._publish(conn, creator, self._fuse_events(conn, report))
        return report

    def _write_reports(self, conn: Connection, docs: list) -> None:
        """Keep each event's report (with its document's entity keys: they are resolved when fused)."""
        rows = []
        for did, published, ex in docs:
            for r in event_reports(did, ex, {}, published):
                rows.append({"document_id": did, "idx": r.idx, "story": f"{did}:{r.idx}", "rule": "self",
                             "score": 1.0, "against_document": None, "against_idx": None, "report": report_json(r)})
        for part in _chunks(rows, 1000):
            conn.execute(insert(EventStoryRow), list(part))

    def _fuse_around(self, conn: Connection, report: FusionReport, documents: set[str], earlier: set[str]) -> tuple:
        """Fuse again only the stories these documents' reports can change (liaison.store.event_fusion)
        and rewrite them and their claims."""
        reports, stories, stale = event_fusion.fuse_around(conn, documents, earlier)
        found = event_fusion.write(conn, reports, stories, stale)
        report.reports, report.stories, report.conflicts = event_fusion.counts(conn)
        return reports, stories, found

    def _fuse_events(self, conn: Connection, report: FusionReport) -> tuple:
        """Fuse every stored event report (their places and actors read through the current links),
        rewrite the stories and claims that changed, and file every report under its block keys."""
        stored = list(conn.execute(select(EventStoryRow.document_id, EventStoryRow.idx, EventStoryRow.story,
                                          EventStoryRow.rule, EventStoryRow.score, EventStoryRow.against_document,
                                          EventStoryRow.against_idx, EventStoryRow.report)))
        resolved = {(r.document_id, r.entity_key): r.entity for r in conn.execute(
            select(EntityLinkRow.document_id, EntityLinkRow.entity_key, EntityLinkRow.entity))}
        reports = [_resolved_report(report_from_json(r.report), resolved) for r in stored]
        stories = fuse_events.fuse_events(reports)
        event_fusion.refile_all(conn, reports)
        conn.execute(delete(ClaimRow))  # every story is written again, with its claims
        found = event_fusion.write(conn, {r.ref: r for r in reports}, stories, set())
        report.reports = len(reports)
        report.stories = len({s.story for s in stories.values()})
        report.conflicts = sum(c.conflict for c in found)
        return {r.ref: r for r in reports}, stories, found

    def _publish(self, conn: Connection, creator: str | None, fused: tuple,
                 scope: tuple[set[str], set[str]] | None = None) -> int:
        """The STIX versions the decisions call for (liaison.store.publish), shared like any other.

        ``scope`` (entities, documents): only the entities whose nodes changed and the stories
        that hold a report of these documents can need new versions, so only they are read."""
        if creator is None:
            return 0
        from liaison.clock import now as clock_now
        from liaison.clock import stamp_ms
        from liaison.store.publish import publish

        reports, stories, found = fused
        only = None
        if scope is None:
            rows = self._nodes_rows(conn)
        else:
            only, documents = scope
            index = _SqlIndex(conn)
            first = {}
            for part in _chunks(sorted(only)):
                first.update({(r.document_id, r.entity_key): r for r in index._nodes(EntityLinkRow.entity.in_(part))})
            keys = sorted({n[1] for n in first})
            by_keys = {}
            for part in _chunks(keys):
                by_keys.update({(r.document_id, r.entity_key): r for r in index._nodes(EntityLinkRow.entity_key.in_(part))})
            rows = list({**first, **by_keys}.values())
            wanted = {link.story for ref, link in stories.items() if ref[0] in documents}
            stories = {ref: link for ref, link in stories.items() if link.story in wanted}
            reports = {ref: r for ref, r in reports.items() if ref in stories}
            found = [c for c in found if c.story in wanted]
        links = {(r.document_id, r.entity_key): _link(r) for r in rows}
        nodes = {(r.document_id, r.entity_key): mention_from_json(r.mention) for r in rows}
        at = clock_now()
        return publish(conn, self.store, creator, links, nodes, canonical_names(links, nodes), self.overrides(conn),
                       reports, stories, found, stamp_ms(at), at, only=only)

    @staticmethod
    def _nodes_rows(conn: Connection) -> list:
        return _SqlIndex(conn)._nodes(True)

    def _creator(self) -> str | None:
        """This installation's identity id, read before a write transaction opens (the first read
        may create it); None in a store that has stored nothing yet."""
        from liaison.store.schema import InstallationRow

        with self.store.engine.connect() as conn:
            return conn.execute(select(InstallationRow.identity_id).where(InstallationRow.id == 1)).scalar()

    # ------------------------------------------------------------ overrides

    def add_override(self, override: Override) -> FusionReport:
        """Store an analyst's merge or split, then resolve again from nothing so it holds everywhere."""
        with self.store.writing() as conn:
            conn.execute(insert(EntityOverrideRow).values(
                kind=override.kind, keys=json.dumps(list(override.keys), ensure_ascii=False), alias=override.alias,
                document_id=override.document, made_by=override.by, made_at=override.at or now()))
        return self.resolve_all()

    # ------------------------------------------------------------ reads

    def unresolved(self) -> list[str]:
        """Ids of current documents whose entities or events fusion has not seen yet."""
        with self.store.engine.connect() as conn:
            return _unresolved(conn)

    def links(self) -> dict[Node, Link]:
        with self.store.engine.connect() as conn:
            return {(r.document_id, r.entity_key): _link(r) for r in _SqlIndex(conn)._nodes(True)}

    def nodes(self) -> dict[Node, EntityMention]:
        with self.store.engine.connect() as conn:
            return {(r.document_id, r.entity_key): mention_from_json(r.mention) for r in _SqlIndex(conn)._nodes(True)}

    def stories(self) -> dict[tuple[str, int], StoryLink]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(EventStoryRow.document_id, EventStoryRow.idx, EventStoryRow.story,
                                       EventStoryRow.rule, EventStoryRow.score, EventStoryRow.against_document,
                                       EventStoryRow.against_idx))
            return {(r.document_id, r.idx): StoryLink(
                (r.document_id, r.idx), r.story, r.rule, r.score,
                (r.against_document, r.against_idx) if r.against_document is not None else None) for r in rows}

    def reports(self) -> dict[tuple[str, int], EventReport]:
        """Every stored event report with its places and actors named by their resolved entities."""
        with self.store.engine.connect() as conn:
            resolved = {(r.document_id, r.entity_key): r.entity for r in conn.execute(
                select(EntityLinkRow.document_id, EntityLinkRow.entity_key, EntityLinkRow.entity))}
            rows = conn.execute(select(EventStoryRow.report))
            out = [_resolved_report(report_from_json(r[0]), resolved) for r in rows]
        return {r.ref: r for r in out}

    def claims(self, conflicts_only: bool = False) -> list[Claim]:
        with self.store.engine.connect() as conn:
            q = select(ClaimRow).order_by(ClaimRow.story, ClaimRow.field, ClaimRow.published, ClaimRow.document_id)
            if conflicts_only:
                q = q.where(ClaimRow.conflict.is_(True))
            return [Claim(r.story, r.field, r.value, (r.document_id, r.idx), r.source, r.published, bool(r.conflict))
                    for r in conn.execute(q)]


_resolved_report = event_fusion.resolved_report


def canonical_names(links: dict[Node, Link], nodes: dict[Node, EntityMention]) -> dict[str, str]:
    """The name of each resolved entity: the fullest canonical name the nodes of its
    representative key give (the longest, then the most frequent; one in capitals, a dateline's
    "RAQQA", only where all are), so "Borno State" names what documents call "Borno" and "Borno
    State"; an entity without a node of its own key (an analyst's split) takes the same choice
    over all its nodes, and one split out by a name is named by that name.

    The name depends on what the documents say, never on which document came first or on the
    order the store returns the links in."""
    from liaison.extract.gazetteer import fold

    own: dict[str, dict[str, int]] = {}
    counts: dict[str, dict[str, int]] = {}
    split_names: dict[str, set[str]] = {}
    for n, link in links.items():
        m = nodes.get(n)
        if m is None:
            continue
        for pool in ([counts, own] if n[1] == link.entity or link.rule == "self" else [counts]):
            c = pool.setdefault(link.entity, {})
            c[m.canonical] = c.get(m.canonical, 0) + 1
        if "|split:" in link.entity:
            wanted = link.entity.rsplit("|split:", 1)[1]
            split_names.setdefault(link.entity, set()).update(t for t in m.names if fold(t) == wanted)
    names: dict[str, str] = {}
    for entity, c in counts.items():
        if split_names.get(entity):
            names[entity] = min(split_names[entity])
            continue
        pool = own.get(entity) or c
        names[entity] = max(pool, key=lambda name, p=pool: (not name.isupper(), len(name), p[name], name))
    return names


def _unresolved(conn: Connection) -> list[str]:
    """Current documents with an entity or event that fusion has not seen (stored before fusion
    existed, or by an ingest interrupted between the two steps)."""
    from sqlalchemy import and_, exists

    from liaison.store.schema import EntityRow, EventRow

    current = and_(DocumentRow.id == EntityRow.document_id, DocumentRow.current_version == EntityRow.version)
    no_link = ~exists().where((EntityLinkRow.document_id == EntityRow.document_id)
                              & (EntityLinkRow.entity_key == EntityRow.key))
    no_story = ~exists().where((EventStoryRow.document_id == EventRow.document_id)
                               & (EventStoryRow.idx == EventRow.idx))
    q1 = select(DocumentRow.id).join(EntityRow, current).where(no_link)
    q2 = select(DocumentRow.id).join(EventRow, and_(DocumentRow.id == EventRow.document_id,
                                                    DocumentRow.current_version == EventRow.version)).where(no_story)
    return sorted({r[0] for r in conn.execute(q1.union(q2))})
