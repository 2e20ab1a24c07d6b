"""Extraction quality on every gold set, through the product's own ingest and eval-json export.

    .venv/bin/python bench/score.py

For each set (the two shared example articles, the project's test documents, the demo
articles), ingests the documents into a fresh store, exports eval-json, and scores it with
../shared/eval/score.py. Prints one table; the figures go into bench/RESULTS.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = [
    ("shared examples (2, real)", SHARED / "examples", SHARED / "eval" / "gold"),
    ("tests/data (14, fictional)", ROOT / "tests" / "data" / "docs", ROOT / "tests" / "data" / "gold"),
    ("examples/articles (6, fictional)", ROOT / "examples" / "articles", ROOT / "examples" / "gold"),
    ("shared/eval/dev (35, real)", SHARED / "eval" / "dev" / "docs", SHARED / "eval" / "dev" / "gold"),
]
SCORER = SHARED / "eval" / "score.py"
KEYS = ["entity_f1", "entity_strict_f1", "alias_recall", "event_p", "event_r", "event_f1", "quantity_acc",
        "date_acc", "actor_acc", "location_acc", "attribution_acc", "crossdoc_f1"]


def score_set(docs: Path, gold: Path, tmp: Path) -> dict:
    from liaison.export.files import export_eval_json
    from liaison.pipeline import ingest
    from liaison.settings import Settings
    from liaison.store import open_store

    settings = Settings(home=tmp / "home")
    store = open_store(settings.resolved_database_url())
    report = ingest([str(docs)], settings, store)
    if report.failures:
        raise SystemExit(f"ingest failed: {report.failures}")
    pred = tmp / "pred"
    export_eval_json(store, pred)
    res = subprocess.run([sys.executable, str(SCORER), str(gold), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.rsplit("\nsummary:", 1)[0])


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    if not SCORER.is_file():
        # The scorer and the real gold sets are the evaluation kit, kept beside the checkout, not in it.
        raise SystemExit(f"Error: the evaluation kit is not beside this checkout ({SCORER} is missing). "
                         "Put the shared/ folder (with eval/score.py and its gold sets) next to the repository "
                         "folder, then run make score again.")
    table = Table(title="Extraction quality (../shared/eval/score.py)")
    table.add_column("metric")
    results = []
    for name, docs, gold in SETS:
        if not docs.is_dir() or not gold.is_dir():
            Console(stderr=True).print(f"skipped {name}: {docs} or {gold} is missing", highlight=False)
            continue
        table.add_column(name, justify="right")
        with tempfile.TemporaryDirectory() as tmp:
            results.append(score_set(docs, gold, Path(tmp)))
    for key in KEYS:
        table.add_row(key, *("n/a" if r[key] is None else f"{r[key]:.3f}" for r in results))
    Console().print(table)


if __name__ == "__main__":
    main()
