"""Event fusion in the store, incremental: the stories an ingest can change, and only those.

liaison.fuse.events decides stories per connected group of matching reports, so fusing again the
groups that the changed reports fall in gives exactly what a run over every report would
(``fuse_events_incremental``). What it needs of the store is an ``EventIndex``: the reports filed
under a block key. They are rows of ``event_blocks`` (one per report and key of
``fuse.events.block_keys``, written when its report is), so an ingest reads the reports that share
a place, a participant or a named person with its own in the same weeks, not every report stored:
at 100,000 documents (some 350,000 reports) reading and fusing all of them took minutes a
document.

A report's keys hang on the entities its names resolve to, so a document whose nodes fusion
linked anew files its reports again, and the reports that shared a story with any of them are
fused again too (a story can fall apart when one report's keys change). A store whose reports have
no blocks yet (one made before migration 0019) is fused whole once, which files them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.engine import Connection

from liaison.fuse import claims as fuse_claims
from liaison.fuse import events as fuse_events
from liaison.fuse.build import report_from_json
from liaison.fuse.records import Claim, EventReport, Node, StoryLink
from liaison.store import batches
from liaison.store.schema import ClaimRow, EntityLinkRow, EventBlockRow, EventStoryRow

Ref = tuple[str, int]
_chunks = batches.chunks


def block(key: tuple) -> str:
    """A block key as a row's text: JSON of its parts, fitted to the column (batches.fit)."""
    return batches.fit(json.dumps(key, separators=(",", ":"), default=str, ensure_ascii=False))


def resolved_report(r: EventReport, resolved: dict[Node, str]) -> EventReport:
    """A stored report (document keys) with its places and actors as resolved entity ids."""
    def res(key: str) -> str:
        return resolved.get((r.document, key), key)

    return replace(r, location=res(r.location) if r.location else None,
                   within=tuple(res(k) if not k.startswith("country:") else k for k in r.within),
                   actors=tuple(res(k) for k in r.actors), targets=tuple(res(k) for k in r.targets))


class SqlEventIndex:
    """liaison.fuse.events.EventIndex over event_blocks and event_stories: each report is read
    (and resolved through its document's links) once per run."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.loaded: dict[Ref, EventReport] = {}
        self._candidates: dict[Ref, list[EventReport]] = {}

    def add(self, report: EventReport) -> None:
        """File ``report`` under its block keys (its old rows, if any, are the caller's to remove)."""
        self.loaded[report.ref] = report
        rows = [{"block": b, "document_id": report.document, "idx": report.idx}
                for b in sorted({block(k) for k in fuse_events.block_keys(report)})]
        if rows:
            self.conn.execute(insert(EventBlockRow), rows)
        self._candidates.clear()

    def candidates(self, report: EventReport) -> list[EventReport]:
        if report.ref in self._candidates:
            return self._candidates[report.ref]
        keys = sorted({block(k) for k in fuse_events.lookup_keys(report)})
        refs: set[Ref] = set()
        for part in _chunks(keys):
            refs.update((d, i) for d, i in self.conn.execute(
                select(EventBlockRow.document_id, EventBlockRow.idx).where(EventBlockRow.block.in_(part)).distinct()))
        refs.discard(report.ref)
        self.load(refs)
        found = [self.loaded[ref] for ref in sorted(refs) if ref in self.loaded]
        self._candidates[report.ref] = found
        return found

    def load(self, refs: Iterable[Ref]) -> None:
        """Read these stored reports (those not read yet), resolved through their documents' links."""
        wanted = sorted(set(refs) - set(self.loaded))
        for part in _chunks(sorted({d for d, _ in wanted})):
            rows = [r for r in self.conn.execute(select(EventStoryRow.document_id, EventStoryRow.idx, EventStoryRow.report)
                                                 .where(EventStoryRow.document_id.in_(part)))]
            resolved = {(r.document_id, r.entity_key): r.entity for r in self.conn.execute(
                select(EntityLinkRow.document_id, EntityLinkRow.entity_key, EntityLinkRow.entity)
                .where(EntityLinkRow.document_id.in_(part)))}
            for r in rows:
                if (r.document_id, r.idx) not in self.loaded:
                    self.loaded[(r.document_id, r.idx)] = resolved_report(report_from_json(r.report), resolved)


def filed(conn: Connection) -> bool:
    """Whether the store's reports are filed under their block keys (else a whole fusion files them):
    some are, or there are none."""
    return bool(conn.execute(select(exists().where(EventBlockRow.idx.isnot(None)))).scalar()
                or not conn.execute(select(exists().where(EventStoryRow.idx.isnot(None)))).scalar())


def refile_all(conn: Connection, reports: Iterable[EventReport]) -> None:
    """File every report anew (a whole fusion's: the old rows go first)."""
    conn.execute(delete(EventBlockRow))
    rows = [{"block": b, "document_id": r.document, "idx": r.idx}
            for r in reports for b in sorted({block(k) for k in fuse_events.block_keys(r)})]
    for part in _chunks(rows, 2000):
        conn.execute(insert(EventBlockRow), list(part))


def stories_of(conn: Connection, documents: Iterable[str]) -> set[str]:
    """The stories the stored reports of these documents are in (read before a new version of one
    replaces its reports: their story-mates must be fused again)."""
    out: set[str] = set()
    for part in _chunks(sorted(set(documents))):
        out.update(s for s, in conn.execute(
            select(EventStoryRow.story).where(EventStoryRow.document_id.in_(part)).distinct()))
    return out


def fuse_around(conn: Connection, documents: set[str], earlier: set[str]) -> tuple[
        dict[Ref, EventReport], dict[Ref, StoryLink], set[str]]:
    """Fuse again what the reports of ``documents`` (new, changed, or whose nodes fusion linked
    anew) can change: their stories, the stories ``earlier`` (those of the reports they replaced),
    and every report those stories held; then whatever any of them matches now. Their documents'
    reports are filed again under their keys as they resolve now. Returns the reports and stories
    of all those groups, and the stories they were in before (whose claims are rewritten)."""
    index = SqlEventIndex(conn)
    stories = earlier | stories_of(conn, documents)
    again = set(documents)
    for part in _chunks(sorted(stories)):
        again.update(d for d, in conn.execute(
            select(EventStoryRow.document_id).where(EventStoryRow.story.in_(part)).distinct()))
    docs = sorted(again)
    refs: list[Ref] = []
    for part in _chunks(docs):
        refs += [(d, i) for d, i in conn.execute(
            select(EventStoryRow.document_id, EventStoryRow.idx).where(EventStoryRow.document_id.in_(part)))]
        conn.execute(delete(EventBlockRow).where(EventBlockRow.document_id.in_(part)))
    index.load(refs)
    fresh = [index.loaded[ref] for ref in sorted(refs)]
    links = fuse_events.fuse_events_incremental(fresh, index)
    return {ref: index.loaded[ref] for ref in links}, links, stories


def write(conn: Connection, reports: dict[Ref, EventReport], stories: dict[Ref, StoryLink],
          stale: set[str]) -> list[Claim]:
    """Write the stories of these reports, and the claims of their stories (those of the stories
    they were in before, and of ``stale`` ones, go first); returns the claims written."""
    refs = sorted(stories)
    old: dict[Ref, tuple] = {}
    for part in _chunks(sorted({d for d, _ in refs})):
        for r in conn.execute(select(EventStoryRow.document_id, EventStoryRow.idx, EventStoryRow.story,
                                     EventStoryRow.rule, EventStoryRow.score, EventStoryRow.against_document,
                                     EventStoryRow.against_idx).where(EventStoryRow.document_id.in_(part))):
            if (r.document_id, r.idx) in stories:
                old[(r.document_id, r.idx)] = tuple(r)[2:]
    for ref in refs:
        link = stories[ref]
        new = (link.story, link.rule, float(link.score), link.against[0] if link.against else None,
               link.against[1] if link.against else None)
        if old.get(ref) != new:
            conn.execute(EventStoryRow.__table__.update().where(
                (EventStoryRow.document_id == ref[0]) & (EventStoryRow.idx == ref[1])).values(
                story=new[0], rule=new[1], score=new[2], against_document=new[3], against_idx=new[4]))
    touched = sorted(stale | {s[0] for s in old.values()} | {link.story for link in stories.values()})
    for part in _chunks(touched):
        conn.execute(delete(ClaimRow).where(ClaimRow.story.in_(part)))
    found = fuse_claims.claims(reports.values(), stories)
    for part in _chunks(found, 1000):
        conn.execute(insert(ClaimRow), [
            {"story": c.story, "field": c.field, "value": c.value, "document_id": c.ref[0], "idx": c.ref[1],
             "source": c.source, "published": c.published, "conflict": c.conflict} for c in part])
    return found


def counts(conn: Connection) -> tuple[int, int, int]:
    """Reports, stories and conflicting claims across the store (what an ingest's summary says)."""
    reports = conn.execute(select(func.count()).select_from(EventStoryRow)).scalar_one()
    stories = conn.execute(select(func.count(func.distinct(EventStoryRow.story)))).scalar_one()
    conflicts = conn.execute(select(func.count()).select_from(ClaimRow).where(ClaimRow.conflict.is_(True))).scalar_one()
    return reports, stories, conflicts
