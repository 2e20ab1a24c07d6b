"""Ingest speed against the bare spaCy model, over the same documents in the same run.

    .venv/bin/python bench/extract_bench.py [--copies N] [--workers W]
    .venv/bin/python bench/extract_bench.py --sweep [--sizes 10,50,100,250,500,1000]

Builds a corpus from tests/data/docs and examples/articles (each copy made distinct so
nothing is skipped as unchanged), then times:
  - spaCy alone: the installed model's own pipeline over the texts (one process, and
    n_process=W), the baseline;
  - Liaison: the whole ingest of the files (decode, extraction, STIX mapping, store writes
    to a fresh SQLite store) with W extraction processes.
Prints a table: docs/s, words/s and the ratio of each timing to the baseline. Model load
time is excluded from both sides.

``--sweep`` times the extraction of one generated article (``article``: real paragraphs of
those documents in a varied order, with reports naming people, places, dates and figures
that vary from paragraph to paragraph) at each size, each in a fresh process so that its
peak memory is its own, and prints wall and CPU seconds, CPU ms per KB (which stays flat when every step is
linear in a document's length) and peak RSS.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = dt.date(2025, 3, 1)


def _words(text: str) -> list[str]:
    return text.split()


_FIRST = _words("Amadou Fatima Ibrahim Aisha Moussa Mariam Yusuf Khadija Omar Zainab Hassan Amina Ali Halima Musa "
          "Salma Idris Nadia Karim Leila Boubacar Hawa Abdoulaye Rukia Samuel Grace Joseph Esther")
_LAST = _words("Traore Diallo Keita Coulibaly Haidara Sangare Bello Abubakar Okafor Mwangi Otieno Kamau Haddad Nasser "
         "Saleh Mansour Rahimi Karimi Hosseini Qureshi Ndiaye Mutombo Ilunga Kabila Hamdan Jaber")
_PLACES = _words("Gao Mopti Kidal Maiduguri Goma Mosul Idlib Tillaberi Diffa Kismayo Beledweyne Marawi Jolo Pemba "
           "Bunia Beni Sinjar Tikrit Timbuktu Menaka")
_MONTHS = list(calendar.month_name)[1:]
_REPORTS = (
    "{p1}, a spokesman for the regional governor, said {n} fighters were killed in clashes near {pl} on {d}.",
    "Police arrested {p1} and {n} other suspects in {pl} on {d}, according to {p2}, a local official.",
    "{p2} told reporters that the army had deployed {n} soldiers to {pl} in {m}. Mr {l1} said the operation "
    "would continue until the roads were safe.",
    "Residents of {pl} said {n} civilians were wounded when gunmen attacked a market on {d}, {p1} of the local "
    "council said.",
)


def paragraphs() -> list[str]:
    """The paragraphs of the test documents and the example articles (an HTML page's main text)."""
    from liaison.ingest.htmlpage import extract_page

    out = []
    for path in sorted([*(ROOT / "tests" / "data" / "docs").glob("*"), *(ROOT / "examples" / "articles").glob("*")]):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            text = json.loads(text)["text"]
        elif path.suffix == ".html":
            text = extract_page(text, path.name).text
        out += [p.strip() for p in text.split("\n\n") if p.strip()]
    return out


def article(size: int, seed: int = 0) -> str:
    """A generated article of ``size`` characters that reads like real reporting.

    Real paragraphs in a seeded random order; every third paragraph a short report whose
    people, place, date and figures are drawn afresh, so that a long article names many
    distinct people and dates, as a long report does, not the same few again and again."""
    rng = random.Random(seed)
    real = paragraphs()
    parts: list[str] = []
    total = 0
    while total < size:
        if len(parts) % 3 == 2:
            last1 = rng.choice(_LAST)
            para = rng.choice(_REPORTS).format(
                p1=f"{rng.choice(_FIRST)} {last1}", p2=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", l1=last1,
                n=rng.randint(2, 90), pl=rng.choice(_PLACES), m=rng.choice(_MONTHS),
                d=f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}")
        else:
            para = rng.choice(real)
        parts.append(para)
        total += len(para) + 2
    return "\n\n".join(parts)[:size].rstrip()


def corpus(folder: Path, copies: int) -> list[str]:
    sources = sorted((ROOT / "tests" / "data" / "docs").glob("*.json"))
    texts = []
    for c in range(copies):
        for src in sources:
            data = json.loads(src.read_text())
            data["text"] += f"\n(Bulletin {c}.)"
            (folder / f"{c:03d}_{src.name}").write_text(json.dumps(data))
            texts.append(data["text"])
    return texts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one_size(size_kb: int) -> dict:
    """Extract one generated article of ``size_kb`` KB in this process: seconds and peak RSS."""
    from liaison.extract.pipeline import extract
    from liaison.pipeline import load_nlp
    from liaison.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        nlp = load_nlp(settings)
        extract(nlp, article(5_000, seed=1), PUBLISHED)  # first-call costs (lazy gazetteers) are not the text's
        text = article(size_kb * 1000)
        base = _peak_rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        result = extract(nlp, text, PUBLISHED)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"kb": size_kb, "chars": len(text), "seconds": secs, "cpu_seconds": cpu, "peak_rss_mb": _peak_rss_mb(),
            "rss_before_mb": base, "entities": len(result.entities), "events": len(result.events)}


def sweep(sizes: list[int]) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = []
    for kb in sizes:
        # a fresh process per size: ru_maxrss is the peak of the whole process
        res = subprocess.run([sys.executable, __file__, "--one", str(kb)], capture_output=True, text=True)
        if res.returncode:
            raise SystemExit(res.stderr.strip().splitlines()[-1])
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    # CPU time is what the code costs; wall time also counts whatever else the machine runs.
    table = Table(title="Extraction time by document size (one generated article, one process)")
    for col in ("size", "wall s", "CPU s", "CPU ms per KB", "peak RSS MB", "RSS before MB", "entities", "events"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(f"{r['kb']} KB", f"{r['seconds']:.1f}", f"{r['cpu_seconds']:.1f}",
                      f"{1000 * r['cpu_seconds'] / r['kb']:.0f}", f"{r['peak_rss_mb']:.0f}",
                      f"{r['rss_before_mb']:.0f}", str(r["entities"]), str(r["events"]))
    Console().print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each timing; the fastest is kept")
    ap.add_argument("--sweep", action="store_true", help="time one generated article at each of --sizes")
    ap.add_argument("--sizes", default="10,50,100,250,500,1000", help="KB, comma-separated, for --sweep")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size of the sweep, in a child process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    if args.sweep:
        sweep([int(s) for s in args.sizes.split(",")])
        return

    import spacy
    from rich.console import Console
    from rich.table import Table

    from liaison.pipeline import ingest, load_nlp
    from liaison.settings import Settings
    from liaison.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        texts = corpus(folder, args.copies)
        words = sum(len(t.split()) for t in texts)
        settings = Settings(home=Path(tmp) / "home", workers=args.workers)
        settings.home.mkdir(parents=True)

        bare = spacy.load(settings.spacy_model)
        bare.pipe(["warm up"])
        load_nlp(settings)

        def fastest(runs: dict[str, object]) -> dict[str, float]:
            """The fastest of --repeat rounds for each run. Each round runs every contender once, in
            turn, so a slow spell on this shared machine hits the baseline and Liaison alike."""
            best = dict.fromkeys(runs, float("inf"))
            for _ in range(args.repeat):
                for name, run in runs.items():
                    t0 = time.perf_counter()
                    run()  # type: ignore[operator]
                    best[name] = min(best[name], time.perf_counter() - t0)
            return best

        def spacy_run(n_process: int):  # noqa: ANN202
            return lambda: [None for _ in bare.pipe(texts, batch_size=16, n_process=n_process)]

        def liaison_run(workers: int):  # noqa: ANN202
            counter = iter(range(1_000_000))

            def run() -> None:
                run_settings = settings.model_copy(
                    update={"workers": workers, "home": Path(tmp) / f"home-{workers}-{next(counter)}"})
                store = open_store(run_settings.resolved_database_url())
                report = ingest([str(folder)], run_settings, store)
                assert report.new == len(texts) and not report.failures, report
                store.engine.dispose()

            return run

        # Each Liaison run ingests into a fresh store, so that every document is new; opening
        # (and migrating) the store is inside the timing, a few milliseconds in all.
        best = fastest({"spacy1": spacy_run(1), "liaison1": liaison_run(1),
                        "spacyN": spacy_run(args.workers), "liaisonN": liaison_run(args.workers)})
        t_spacy, t_liaison1, t_spacy_par, t_liaison = (best[k] for k in ("spacy1", "liaison1", "spacyN", "liaisonN"))

    table = Table(title=f"Ingest speed: {len(texts)} documents, {words} words, {args.workers} workers, "
                        f"fastest of {args.repeat}")
    for col in ("run", "seconds", "docs/s", "words/s", "ratio to spaCy (1 proc)"):
        table.add_column(col, justify="right" if col != "run" else "left")
    rows = [
        ("spaCy model alone, 1 process", t_spacy),
        (f"spaCy model alone, {args.workers} processes", t_spacy_par),
        ("Liaison ingest, 1 process", t_liaison1),
        (f"Liaison ingest, {args.workers} processes", t_liaison),
    ]
    for name, secs in rows:
        table.add_row(name, f"{secs:.2f}", f"{len(texts) / secs:.1f}", f"{words / secs:.0f}",
                      f"{secs / t_spacy:.2f}")
    Console().print(table)
    print(f"Liaison overhead on spaCy's own time, same process count: "
          f"1 process {t_liaison1 / t_spacy - 1:+.0%}, {args.workers} processes {t_liaison / t_spacy_par - 1:+.0%}")


if __name__ == "__main__":
    main()
