"""What fusion knows, as the rows a person reads: an entity's profile, the timeline, conflicts.

Shaped here, as plain dicts, so `liaison entity`, `liaison timeline` and `liaison conflicts`
and the web UI show the same thing (like liaison.listings for the per-document listings).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from liaison.errors import ConfigError
from liaison.fuse.records import EntityMention, EventReport, Link, Node
from liaison.store import Store
from liaison.store.fusion import Fusion, canonical_names


class Knowledge:
    """One read of fusion's decisions and the documents' names, for several views."""

    def __init__(self, store: Store) -> None:
        fusion = Fusion(store)
        self.links: dict[Node, Link] = fusion.links()
        self.nodes: dict[Node, EntityMention] = fusion.nodes()
        self.names = canonical_names(self.links, self.nodes)
        self.stories = fusion.stories()
        self.reports: dict[tuple[str, int], EventReport] = fusion.reports()
        self.claims = fusion.claims()
        self.fusion = fusion
        docs = store.documents()
        self.stems = {d.id: d.stem for d in docs}
        self.published = {d.id: d.published for d in docs}
        self.types = {link.entity: self.nodes[n].type for n, link in self.links.items() if n in self.nodes}

    def name(self, entity: str) -> str:
        return self.names.get(entity, entity.split(":", 1)[-1])

    # ------------------------------------------------------------ look-up

    def find(self, name: str) -> str:
        """The resolved entity a user means by ``name``: an exact (case- and accent-insensitive)
        name or alias first, then the closest name by edit distance (typo-tolerant)."""
        from rapidfuzz import fuzz, process, utils

        from liaison.extract.gazetteer import fold

        if not self.links:
            raise ConfigError("fusion has not run on this store yet", "NAME",
                              "Run `liaison resolve` (a store made before fusion existed), then ask again")
        wanted = fold(name)
        by_name: dict[str, Counter] = {}
        for n, link in self.links.items():
            m = self.nodes.get(n)
            if m is None:
                continue
            for text in (*m.names, *m.aliases):
                by_name.setdefault(fold(text), Counter())[link.entity] += 1
        if wanted in by_name:
            return by_name[wanted].most_common(1)[0][0]
        if by_name:
            best = process.extractOne(wanted, list(by_name), scorer=fuzz.WRatio, processor=utils.default_process,
                                      score_cutoff=85)
            if best is not None:
                return by_name[best[0]].most_common(1)[0][0]
        raise ConfigError(f"no entity named {name!r}", "NAME", "See `liaison entities` for the names the store holds")

    # ------------------------------------------------------------ views

    def profile(self, entity: str) -> dict[str, Any]:
        """Aliases with the number of documents naming each, roles over time, related entities,
        events, and the documents that mention it."""
        from liaison.fuse.roles import roles

        members = [n for n, link in self.links.items() if link.entity == entity]
        aliases: Counter = Counter()  # name -> documents writing it so
        for n in members:
            for text in set(self.nodes[n].names):
                aliases[text] += 1
        resolved = {n: link.entity for n, link in self.links.items()}
        together: dict[str, set[str]] = {}  # related entity -> the documents naming both
        for n in members:
            for key in self.nodes[n].context:
                other = resolved.get((n[0], key))
                if other and other != entity:
                    together.setdefault(other, set()).add(n[0])
        related = Counter({e: len(docs) for e, docs in together.items()})
        facts = [f for f in roles([self.nodes[n] for n in members], {n: self.links[n] for n in members})
                 if f.entity == entity]
        mine = [(ref, r) for ref, r in self.reports.items() if entity in (*r.actors, *r.targets, r.location)]
        mine.sort(key=lambda item: (item[1].date_start or dt.date.max, item[0]))
        events = [self._event_row(ref, r) for ref, r in mine]
        documents = sorted({n[0] for n in members}, key=lambda d: (self.published.get(d) or dt.date.min, d))
        evidence = [{"document": self.stems.get(n[0], n[0]), "name": self.nodes[n].canonical,
                     "rule": self.links[n].rule, "score": round(self.links[n].score, 3),
                     "against": self.stems.get(self.links[n].against[0], self.links[n].against[0])
                     if self.links[n].against else None} for n in sorted(members)]
        return {
            "entity": entity, "name": self.name(entity), "type": self.types.get(entity),
            "aliases": [{"name": a, "documents": c} for a, c in aliases.most_common()],
            "roles": [{"role": f.role, "first_seen": _day(f.first_seen), "last_seen": _day(f.last_seen),
                       "documents": [self.stems.get(d, d) for d in f.documents]} for f in facts],
            "related": [{"name": self.name(e), "type": self.types.get(e), "documents": c}
                        for e, c in related.most_common(20)],
            "events": events,
            "documents": [{"document": self.stems.get(d, d), "published": _day(self.published.get(d))}
                          for d in documents],
            "links": evidence,
        }

    def _event_row(self, ref: tuple[str, int], r: EventReport) -> dict[str, Any]:
        return {"date": _span(r.date_start, r.date_end), "type": r.type, "story": self.stories[ref].story
                if ref in self.stories else None, "document": self.stems.get(r.document, r.document),
                "actors": ", ".join(self.name(a) for a in r.actors),
                "location": self.name(r.location) if r.location else "",
                "figures": ", ".join(f"{v} {k}" for k, v in r.quantities), "source": r.source or ""}

    def timeline(self, entity: str | None = None, type_: str | None = None, since: dt.date | None = None,
                 until: dt.date | None = None) -> list[dict[str, Any]]:
        """Dated events in order, one row per fused event with all its sources; with ``entity``, also
        the entity's roles as facts on the day they are first stated."""
        by_story: dict[str, list[EventReport]] = {}
        for ref, r in self.reports.items():
            story = self.stories[ref].story if ref in self.stories else f"{ref[0]}:{ref[1]}"
            by_story.setdefault(story, []).append(r)
        rows = []
        for story, reports in by_story.items():
            dated = [r for r in reports if r.date_start]
            if not dated:
                continue
            if type_ and not any(r.type == type_ for r in reports):
                continue
            if entity and not any(entity in (*r.actors, *r.targets, r.location) for r in reports):
                continue
            start = min(r.date_start for r in dated)
            end = max(r.date_end or r.date_start for r in dated)
            if since and end < since or until and start > until:
                continue
            first = min(reports, key=lambda r: (r.published or dt.date.min, r.document, r.idx))
            figures = sorted({f"{v} {k}" for r in reports for k, v in r.quantities})
            rows.append({
                "date": _span(start, end), "kind": "event", "type": first.type,
                "what": _what(first, self.name), "figures": ", ".join(figures),
                "sources": "; ".join(sorted({f"{self.stems.get(r.document, r.document)}"
                                             + (f" ({r.source})" if r.source else "") for r in reports})),
                "reports": len(reports), "story": story, "_start": start,
            })
        if entity:
            from liaison.fuse.roles import roles

            members = {n: link for n, link in self.links.items() if link.entity == entity}
            for f in roles([self.nodes[n] for n in members], members):
                if f.first_seen and not (since and f.first_seen < since) and not (until and f.first_seen > until):
                    rows.append({"date": _day(f.first_seen), "kind": "fact", "type": "role",
                                 "what": f"{self.name(entity)}: {f.role}", "figures": "",
                                 "sources": "; ".join(self.stems.get(d, d) for d in f.documents),
                                 "reports": len(f.documents), "story": "", "_start": f.first_seen})
        rows.sort(key=lambda r: (r["_start"], r["kind"], r["what"]))
        for r in rows:
            del r["_start"]
        return rows

    def conflicts(self) -> list[dict[str, Any]]:
        """Every figure or date on which the sources of one fused event disagree, a row per claim."""
        rows = []
        for c in self.claims:
            if not c.conflict:
                continue
            r = self.reports.get(c.ref)
            rows.append({"event": _what(r, self.name) if r else c.story, "type": r.type if r else "",
                         "field": c.field, "value": c.value, "document": self.stems.get(c.ref[0], c.ref[0]),
                         "source": c.source or "", "published": _day(c.published), "story": c.story})
        return rows


def _what(r: EventReport, name) -> str:  # noqa: ANN001
    parts = [r.type.replace("_", " ")]
    if r.actors:
        parts.append("by " + ", ".join(name(a) for a in r.actors))
    if r.targets:
        parts.append("on " + ", ".join(name(t) for t in r.targets))
    if r.location:
        parts.append("in " + name(r.location))
    return " ".join(parts)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return ""
    return start.isoformat() if not end or end == start else f"{start.isoformat()}/{end.isoformat()}"
