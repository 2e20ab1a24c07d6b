"""What cross-document fusion costs inside an ingest, as a share of the same ingest.

    .venv/bin/python bench/fusion_ingest_bench.py [--copies 6] [--workers 2]

The real articles of ../shared/eval/dev/docs, each repeated ``--copies`` times with a closing
line of its own (so every copy is a new document and names the same people, groups and places
as its siblings: the case fusion has most to do in), are ingested into a fresh store, once,
in this process (model loaded first). The fusion step that ends the ingest (Fusion.update over
the documents just stored) is timed inside that ingest, so the ratio compares two figures of
one run. Then, on the filled store: `Fusion.resolve_all` (what `liaison resolve --all` runs)
and `Fusion.update` of one document stored again.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev" / "docs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not DEV.is_dir():
        raise SystemExit(f"Error: the development set is not beside this checkout ({DEV} is missing).")

    import liaison.store.fusion as fusion_module
    from liaison.pipeline import ingest, load_nlp
    from liaison.settings import Settings
    from liaison.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="liaison-fusion-bench-"))
    docs = tmp / "docs"
    docs.mkdir()
    for copy in range(args.copies):
        for path in sorted(DEV.glob("*.json")):
            d = json.loads(path.read_text(encoding="utf-8"))
            d["text"] += f"\n\nCopy {copy}."
            d["url"] = (d.get("url") or "https://example.invalid/") + f"#copy{copy}"
            (docs / f"{path.stem}_{copy}.json").write_text(json.dumps(d), encoding="utf-8")
    settings = Settings(home=tmp / "home", workers=args.workers)
    store = open_store(settings.resolved_database_url())
    load_nlp(settings)

    spent: list[float] = []
    update = fusion_module.Fusion.update

    def timed(self, ids, known=None):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        try:
            return update(self, ids, known)
        finally:
            spent.append(time.perf_counter() - start)

    fusion_module.Fusion.update = timed
    start = time.perf_counter()
    report = ingest([str(docs)], settings, store)
    whole = time.perf_counter() - start
    fusion_module.Fusion.update = update
    if report.failures or not spent:
        raise SystemExit(f"Error: the ingest failed or fusion did not run: {report.failures or report.warnings}")
    fusion = fusion_module.Fusion(store)
    start = time.perf_counter()
    full = fusion.resolve_all()
    resolve_all = time.perf_counter() - start
    one = store.documents()[0]
    start = time.perf_counter()
    fusion.update([one.id])
    single = time.perf_counter() - start
    n = report.new + report.updated
    print(f"{n} documents, {full.nodes} nodes, {full.stories} stories, {args.workers} workers")
    print("| what | seconds | share of the ingest |")
    print("|---|---:|---:|")
    print(f"| whole ingest (extraction, store, fusion) | {whole:.2f} | 1.00 |")
    print(f"| its fusion step | {sum(spent):.2f} | {sum(spent) / whole:.2f} |")
    print(f"| `resolve --all` on the filled store | {resolve_all:.2f} | |")
    print(f"| fusion of one document stored again | {single:.3f} | |")


if __name__ == "__main__":
    main()
