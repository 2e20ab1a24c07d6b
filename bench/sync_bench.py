"""Store-following collections: what catching a collection up after an ingest costs.

    .venv/bin/python bench/sync_bench.py [--objects 100000] [--repeat 5]

After every ingest, collections that follow the store get the object versions they lack
(`Sharing.sync_from_store`). The baseline, timed in the same run on the same store, is what
that step did before it compared keys in SQL: read and parse every stored STIX object. The
store is a fresh SQLite file holding the bench's generated STIX objects (taxii_bench.make_objects)
as stored rows; "after a small ingest" adds 100 new objects first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from taxii_bench import make_objects  # noqa: E402

from liaison.store import open_store  # noqa: E402
from liaison.store.rows import dump_object, object_hash  # noqa: E402
from liaison.store.schema import StixObjectRow  # noqa: E402
from liaison.store.sharing import Sharing  # noqa: E402


def store_rows(store, objects: list[dict]) -> None:  # noqa: ANN001
    now = dt.datetime.now(dt.UTC)
    with store.writing() as conn:
        conn.execute(insert(StixObjectRow.__table__), [
            {"id": o["id"], "modified": o["modified"], "type": o["type"], "content_hash": object_hash(o),
             "document_id": None, "stored_at": now, "object": dump_object(o)} for o in objects])


def timed(fn, repeat: int) -> float:  # noqa: ANN001
    """Median seconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    objects = make_objects(args.objects + 100 * args.repeat, seed=3)
    stored, extra = objects[: args.objects], objects[args.objects :]
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'liaison.db'}")
        sharing = Sharing(store)
        store_rows(store, stored)
        sharing.add_collection("follows", "follows", follows_store=True)
        col = sharing.collection("follows")

        t = time.perf_counter()
        assert sharing.sync_from_store(col) == len(stored)
        first = time.perf_counter() - t

        def read_and_parse_all() -> None:
            with store.engine.connect() as conn:
                for (text,) in conn.execute(select(StixObjectRow.object)):
                    json.loads(text)

        baseline = timed(read_and_parse_all, args.repeat)
        noop = timed(lambda: sharing.sync_from_store(col), args.repeat)
        batches = iter(range(0, len(extra), 100))

        def small_ingest() -> None:
            i = next(batches)
            store_rows(store, extra[i : i + 100])
            t = time.perf_counter()
            assert sharing.sync_from_store(col) == 100
            small.append(time.perf_counter() - t)

        small: list[float] = []
        for _ in range(args.repeat):
            small_ingest()
        store.engine.dispose()

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Store-following sync over {args.objects:,} stored STIX objects (SQLite, median of {args.repeat})")
    for c in ("step", "seconds", "baseline / step"):
        table.add_column(c, justify="left" if c == "step" else "right")
    table.add_row("baseline: read and parse every stored object", f"{baseline:.3f}", "1.0x")
    table.add_row("sync after an ingest that stored nothing new", f"{noop:.3f}", f"{baseline / noop:.1f}x")
    table.add_row("sync after an ingest of 100 new objects", f"{statistics.median(small):.3f}",
                  f"{baseline / statistics.median(small):.1f}x")
    table.add_row(f"first sync of a new collection ({args.objects:,} objects)", f"{first:.3f}", "")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
