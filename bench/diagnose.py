"""Per-document diagnosis of event extraction against gold: which gold events were found, which
slots were right, and which predicted events match nothing.

    .venv/bin/python bench/diagnose.py dev d01 d02      # dev documents by stem (tuned ones only)
    .venv/bin/python bench/diagnose.py real             # the whole real collection (tuned part)
    .venv/bin/python bench/diagnose.py tests            # the fictional test set

It refuses the development set's aside documents (bench/score.py's split): those are only
ever scored, never read, so that a rule fitted to them would show.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score import DEV, REAL, ROOT, SHARED, _copy, dev_split, load_scorer, real_split  # noqa: E402


def _sets(name: str) -> tuple[Path, Path]:
    return {
        "dev": (DEV / "docs", DEV / "gold"),
        "real": (REAL / "docs", REAL / "gold"),
        "tests": (ROOT / "tests" / "data" / "docs", ROOT / "tests" / "data" / "gold"),
        "examples": (ROOT / "examples" / "articles", ROOT / "examples" / "gold"),
        "shared": (SHARED / "examples", SHARED / "eval" / "gold"),
    }[name]


def main(argv: list[str]) -> None:
    from liaison.export.files import export_eval_json
    from liaison.pipeline import ingest
    from liaison.settings import Settings
    from liaison.store import open_store

    name, stems = argv[0], argv[1:] or None
    docs, gold = _sets(name)
    if name in ("dev", "real"):
        tuned, aside = (dev_split if name == "dev" else real_split)(docs)
        stems = [s for s in (stems or tuned) if s in tuned]
        if not stems:
            raise SystemExit("only tuned documents can be diagnosed; the aside ones are for measuring")
    sc = load_scorer()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        _copy(docs, t / "docs", stems)
        _copy(gold, t / "gold", stems)
        settings = Settings(home=t / "home")
        store = open_store(settings.resolved_database_url())
        ingest([str(t / "docs")], settings, store)
        export_eval_json(store, t / "pred")
        totals: dict[str, list[int]] = {}
        for path in sorted((t / "gold").glob("*.json")):
            g = json.loads(path.read_text())
            p = json.loads((t / "pred" / path.name).read_text())
            _show(path.stem, g, p, sc)
            _count(g, p, sc, totals)
        print("slots right on the gold events that were found (right / filled in gold):")
        for key, (hit, total) in sorted(totals.items()):
            print(f"  {key:12} {hit:4} / {total:4}  {hit / total if total else 0:.2f}")


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
