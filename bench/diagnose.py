"""Per-document diagnosis of event extraction against gold: which gold events were found, which
slots were right, and which predicted events match nothing.

    .venv/bin/python bench/diagnose.py dev d01 d02      # dev documents by stem (tuned ones only)
    .venv/bin/python bench/diagnose.py real             # the whole real collection (tuned part)
    .venv/bin/python bench/diagnose.py tests            # the fictional test set
    .venv/bin/python bench/diagnose.py --fusion groups  # fusion: story events and alias misses
    .venv/bin/python bench/diagnose.py --fusion dev     # (tuned documents only, like the above)
    .venv/bin/python bench/diagnose.py --gold-stories groups   # event fusion on the gold events

``--fusion`` prints, instead of the slots, what limits the cross-document figures: every gold
event that carries a story, whether extraction found it (same type, overlapping sentence: the
scorer's match) and under which story fusion put it, with the pairs of one story found at both
ends; and every gold mention string not on its matched predicted entity (``alias_recall``), each
classed by why: the entity not extracted, extracted under another coarse type, the mention on
another predicted entity of the document (two entities fusion did not resolve as one), or the
mention not extracted at all.

``--gold-stories`` measures event fusion alone: the gold events themselves, as fusion's reports
(gold canonical names as resolved ids, countries from the gazetteer, each document's publication
date), fused by ``liaison.fuse.events`` and scored like ``crossdoc_event_f1``, as if extraction
and entity resolution were perfect.

It refuses the development set's aside documents (bench/score.py's split): those are only
ever scored, never read, so that a rule fitted to them would show.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score import DEV, GROUPS, REAL, ROOT, SHARED, _copy, dev_split, load_scorer, real_split  # noqa: E402


def _sets(name: str) -> tuple[Path, Path]:
    return {
        "dev": (DEV / "docs", DEV / "gold"),
        "real": (REAL / "docs", REAL / "gold"),
        "tests": (ROOT / "tests" / "data" / "docs", ROOT / "tests" / "data" / "gold"),
        "examples": (ROOT / "examples" / "articles", ROOT / "examples" / "gold"),
        "shared": (SHARED / "examples", SHARED / "eval" / "gold"),
        "groups": (GROUPS / "docs", GROUPS / "gold"),
    }[name]


def main(argv: list[str]) -> None:
    from liaison.export.files import export_eval_json
    from liaison.pipeline import ingest
    from liaison.settings import Settings
    from liaison.store import open_store

    fusion = "--fusion" in argv
    gold_stories = "--gold-stories" in argv
    argv = [a for a in argv if a not in ("--fusion", "--gold-stories")]
    name, stems = argv[0], argv[1:] or None
    docs, gold = _sets(name)
    if name in ("dev", "real"):
        tuned, aside = (dev_split if name == "dev" else real_split)(docs)
        stems = [s for s in (stems or tuned) if s in tuned]
        if not stems:
            raise SystemExit("only tuned documents can be diagnosed; the aside ones are for measuring")
    sc = load_scorer()
    if gold_stories:
        _gold_stories(docs, gold, stems, sc)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _copy(docs, t / "docs", stems)
        _copy(gold, t / "gold", stems)
        settings = Settings(home=t / "home")
        store = open_store(settings.resolved_database_url())
        ingest([str(t / "docs")], settings, store)
        export_eval_json(store, t / "pred")
        if fusion:
            docs_ = {p.stem: (json.loads(p.read_text()), json.loads((t / "pred" / p.name).read_text()))
                     for p in sorted((t / "gold").glob("*.json"))}
            _stories(docs_, sc)
            _aliases(docs_, sc)
            return
        totals: dict[str, list[int]] = {}
        for path in sorted((t / "gold").glob("*.json")):
            g = json.loads(path.read_text())
            p = json.loads((t / "pred" / path.name).read_text())
            _show(path.stem, g, p, sc)
            _count(g, p, sc, totals)
        print("slots right on the gold events that were found (right / filled in gold):")
        for key, (hit, total) in sorted(totals.items()):
            print(f"  {key:12} {hit:4} / {total:4}  {hit / total if total else 0:.2f}")


def _stories(docs: dict[str, tuple[dict, dict]], sc) -> None:  # noqa: ANN001
    """Gold events with a story: found or not, their predicted story, and the story pairs found at both ends."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for stem, (g, p) in docs.items():
        gev, pev = g.get("events") or [], p.get("events") or []
        vmap = sc.match_events(gev, pev)
        for gi, ge in enumerate(gev):
            if not ge.get("story"):
                continue
            pe = pev[vmap[gi]] if gi in vmap else None
            found.setdefault(ge["story"], []).append((stem, pe.get("story") if pe else None))
            if pe is None:
                near = [q["type"] for q in pev if sc.overlap(ge.get("evidence"), q.get("evidence")) >= 0.5]
                why = f"predicted there as {', '.join(near)}" if near else "not extracted"
                print(f"  MISS {stem} {ge['type']} ({why}): {ge.get('evidence', '')[:110]!r}")
            else:
                print(f"  OK   {stem} {ge['type']} date {pe.get('date')} at {pe.get('location')} by {pe.get('actors')} "
                      f"on {pe.get('targets')} -> story {pe.get('story')}")
    n_events = sum(len(v) for v in found.values())
    n_found = sum(1 for v in found.values() for _, s in v if s is not None)
    pairs = both = fused = 0
    for told in found.values():
        for i, (d1, s1) in enumerate(told):
            for d2, s2 in told[i + 1:]:
                if d1 == d2:
                    continue
                pairs += 1
                both += int(s1 is not None and s2 is not None)
                fused += int(s1 is not None and s1 == s2)
    print(f"story events: {n_found} of {n_events} found; same-story pairs across documents: {pairs}, "
          f"found at both ends {both}, fused {fused}")


def _aliases(docs: dict[str, tuple[dict, dict]], sc) -> None:  # noqa: ANN001
    """Every gold mention string the matched predicted entity lacks, classed by why."""
    classes: dict[str, int] = {}
    total = 0
    for stem, (g, p) in docs.items():
        gents, pents = g.get("entities") or [], p.get("entities") or []
        emap = sc.match_entities(gents, pents, strict=False)
        for gi, ge in enumerate(gents):
            gm = {sc.norm(m) for m in ge.get("mentions") or []} - {""}
            total += len(gm)
            if gi not in emap:
                typed = [f"{q['canonical']}/{q['type']}" for q in pents if sc.names(q) & sc.names(ge)]
                why = f"extracted as another type ({', '.join(typed)})" if typed else "entity not extracted"
                lost = gm
            else:
                q = pents[emap[gi]]
                lost = gm - sc.names(q)
                if not lost:
                    continue
                other = [f"{o['canonical']}/{o['type']}" for o in pents if o is not q and sc.names(o) & lost]
                why = (f"on another entity of the document ({', '.join(other)})" if other
                       else f"mention not extracted (the entity has {sorted(sc.names(q))})")
            kind = why.split(" (")[0]
            classes[kind] = classes.get(kind, 0) + len(lost)
            print(f"  {stem} {ge['canonical']!r} ({ge['type']}) lost {sorted(lost)}: {why}")
    print(f"gold mention strings: {total}; lost: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))


def _gold_stories(docs: Path, gold: Path, stems: list[str] | None, sc) -> None:  # noqa: ANN001
    """Fuse the gold events as reports and score their stories pairwise (``crossdoc_event_f1``)."""
    import datetime as dt

    from liaison.extract.gazetteer import country_by_name, place_by_name
    from liaison.fuse.build import _state
    from liaison.fuse.events import fuse_events
    from liaison.fuse.records import EventReport
    from liaison.model import Entity, Span

    def day(text: str | None, last: bool) -> dt.date | None:
        if not text:
            return None
        parts = [int(x) for x in text.split("-")]
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            start = dt.date(parts[0], parts[1], 1)
            return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) if last else start
        return dt.date(parts[0], 12, 31) if last else dt.date(parts[0], 1, 1)

    reports, told = [], {}
    for path in sorted(gold.glob("*.json")):
        if stems is not None and path.stem not in stems:
            continue
        g = json.loads(path.read_text())
        meta = json.loads((docs / path.name).read_text()) if (docs / path.name).is_file() else {}
        published = dt.date.fromisoformat(meta["published"]) if meta.get("published") else None
        ents = g.get("entities") or []

        def canon(name: str, ents: list = ents) -> str:
            """The gold entity's id, with the "person:" prefix fusion knows persons by."""
            n = sc.norm(name)
            e = next((e for e in ents if n in sc.names(e)), None)
            return f"{'person' if e['type'] == 'person' else 'x'}:{sc.norm(e['canonical'])}" if e else f"x:{n}"

        def entity(name: str, ents: list = ents) -> dict | None:
            return next((e for e in ents if sc.norm(name) in sc.names(e)), None)

        for idx, ev in enumerate(g.get("events") or []):
            start, _, end = (ev.get("date") or "").partition("/")
            loc = ev.get("location")
            place = (place_by_name(loc) or country_by_name(loc)) if loc else None
            e = entity(loc) if loc else None
            country = f"country:{place.country_code}" if place and place.country_code else None
            if loc and country is None:  # a place the gazetteer does not know: in the country its
                # sentence names that takes no part in the event (as extraction's "context" places)
                parties = {canon(a) for a in (ev.get("actors") or []) + (ev.get("targets") or [])}
                named = {f"country:{k.country_code}" for c in ents if c["type"] == "country" and
                         f"x:{sc.norm(c['canonical'])}" not in parties and
                         any(sc.norm(m) in sc.tokens(ev.get("evidence")) or m in (ev.get("evidence") or "")
                             for m in c.get("mentions") or []) and
                         (k := country_by_name(c["canonical"])) and k.country_code}
                country = named.pop() if len(named) == 1 else None
            is_country = bool(e and e["type"] == "country" and country)
            def state(name: str) -> str:
                ae = entity(name)
                if ae and ae["type"] == "country" and (k := country_by_name(ae["canonical"])) and k.country_code:
                    return f"country:{k.country_code}"
                return (_state(Entity(key=name, canonical=ae["canonical"], type=ae["type"],
                                      mentions=tuple(Span(0, 0, m) for m in ae.get("mentions") or []))) or "") if ae else ""
            reports.append(EventReport(
                path.stem, idx, ev["type"], day(start, False), day(end or start, True),
                canon(loc) if loc else None, (country,) if country and not is_country else (),
                tuple(canon(a) for a in ev.get("actors") or []), tuple(canon(t) for t in ev.get("targets") or []),
                tuple((k, v) for k, v in (ev.get("quantities") or {}).items() if v is not None), None, published,
                location_country=country if is_country else None,
                actor_states=tuple(state(a) for a in ev.get("actors") or []),
                target_states=tuple(state(t) for t in ev.get("targets") or [])))
            if ev.get("story"):
                told[(path.stem, idx)] = sc.norm(ev["story"])
    stories = fuse_events(reports)
    linked = [(ref[0], story, stories[ref].story) for ref, story in sorted(told.items())]
    x = sc.pairs(linked)
    p, r, f = sc.prf(x["tp"], x["tp"] + x["fp"], x["tp"] + x["fn"])
    for ref, story in sorted(told.items()):
        print(f"  {ref[0]}:{ref[1]} gold {story[:70]!r} -> {stories[ref].story} ({stories[ref].rule})")
    by_story: dict[str, list[EventReport]] = {}
    for rep in reports:
        by_story.setdefault(stories[rep.ref].story, []).append(rep)
    for story, members in sorted(by_story.items()):
        if len({m.document for m in members}) > 1:  # fused across documents, gold story or not
            print(f"  fused {story}: " + "; ".join(f"{m.document}:{m.idx} {m.type} {m.date_start} at {m.location}"
                                                   for m in members))
    print(f"gold events as reports: {len(reports)}, with a story {len(told)}; story pairs tp {x['tp']} fp {x['fp']} "
          f"fn {x['fn']}: precision {p:.2f} recall {r:.2f} F1 {f:.2f}")


def _count(g: dict, p: dict, sc, totals: dict[str, list[int]]) -> None:  # noqa: ANN001
    """Slot hits over matched gold events only, so that a slot's own errors show apart from missed events."""
    gev, pev, ents = g.get("events") or [], p.get("events") or [], g.get("entities") or []
    for gi, pi in sc.match_events(gev, pev).items():
        ge, pe = gev[gi], pev[pi]
        def add(key: str, ok: bool) -> None:
            totals.setdefault(key, [0, 0])
            totals[key][0] += int(ok)
            totals[key][1] += 1
        for k, v in (ge.get("quantities") or {}).items():
            add("quantity", (pe.get("quantities") or {}).get(k) == v)
        if ge.get("date"):
            add("date", sc.norm(pe.get("date")) == sc.norm(ge["date"]))
        for a in ge.get("actors") or []:
            add("actor", any(sc.same_entity(a, x, ents) for x in pe.get("actors") or []))
        if ge.get("location"):
            add("location", sc.same_entity(ge["location"], pe.get("location") or "", ents))
        if ge.get("source_attribution"):
            add("attribution", sc.overlap(ge["source_attribution"], pe.get("source_attribution")) >= 0.5)


def _show(stem: str, g: dict, p: dict, sc) -> None:  # noqa: ANN001
    gev, pev = g.get("events") or [], p.get("events") or []
    vmap = sc.match_events(gev, pev)
    print(f"=== {stem}: gold {len(gev)} events, predicted {len(pev)}, matched {len(vmap)}")
    for gi, ge in enumerate(gev):
        pe = pev[vmap[gi]] if gi in vmap else None
        mark = "OK " if pe else "MISS"
        print(f"  {mark} {ge['type']}: {ge.get('evidence', '')[:150]!r}")
        if pe is None:
            near = [q["type"] for q in pev if sc.overlap(ge.get("evidence"), q.get("evidence")) >= 0.5]
            if near:
                print(f"       predicted there as: {', '.join(near)}")
            continue
        slots = []
        for key in ("actors", "targets"):
            if ge.get(key):
                slots.append(f"{key} {ge[key]} / {pe.get(key)}")
        for key in ("location", "date", "source_attribution"):
            if ge.get(key) and sc.norm(str(ge.get(key))) != sc.norm(str(pe.get(key))):
                slots.append(f"{key} {ge.get(key)!r} / {pe.get(key)!r}")
        if ge.get("quantities") and ge.get("quantities") != {k: v for k, v in (pe.get("quantities") or {}).items()
                                                              if k in ge["quantities"]}:
            slots.append(f"quantities {ge['quantities']} / {pe.get('quantities')}")
        for s in slots:
            print(f"       {s}")
    for pi, pe in enumerate(pev):
        if pi not in vmap.values():
            print(f"  EXTRA {pe['type']}: {pe.get('evidence', '')[:150]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
