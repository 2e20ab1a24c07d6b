"""TAXII server speed: Liaison against medallion, side by side, on the same generated STIX data.

    .venv/bin/python bench/taxii_bench.py [--sizes 10000,100000] [--budget S] [--quick]

Why it is built this way:
  - One run, both servers, the same objects (identities, indicators, relationships under the five
    TLP 2.0 markings, made as plain dicts from a fixed seed, no created_by_ref so a Liaison partner
    may post them), the same queries, the same client code, all on loopback.
  - Liaison runs as `liaison serve --workers 2` over a fresh SQLite store; partner, collection and
    write grant are made with the CLI, as an operator would. medallion 3.0.0 runs unmodified from
    its console script with its memory backend (it works as is with Flask 3.1 / Werkzeug 3.1).
  - medallion's memory backend is quadratic in places (each POSTed object is compared with every
    stored one; every GET deep-copies the collection; paging and added_after match each object
    against the manifest with strptime). So every medallion figure has a time budget (--budget;
    three budgets for full paging), and a request still running a budget after it is cut: ingest
    reports objects/s over what it posted in budget (an over-estimate, since medallion slows as it
    grows); a figure that finishes nothing is reported as a bound ("< x" objects/s, "> x" ms). Its
    read figures start from a data file holding the same objects (its own `filename` option), and a
    fresh medallion process serves each read figure, so a cut request cannot keep burning CPU under
    the next one. Liaison's read figures have a budget too (LIAISON_BUDGET), as a cap on run time.
  - Reads use http.client (the lightest Python client, one keep-alive connection per reader thread,
    identical for both servers); POSTs use httpx. Every loop is bounded by a request count and a
    deadline. The client shares the machine's cores with the server, as a partner's poller would not:
    read the requests/s as a floor.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx

from liaison.stix.tlp import LEVELS, MARKING_IDS

BIN = Path(sys.executable).parent
TAXII = "application/taxii+json;version=2.1"
TLP_IDS = [MARKING_IDS[level] for level in LEVELS]  # the five TLP 2.0 markings, clear to red
BATCH = 1000
MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
LIAISON_BUDGET = 30.0  # seconds per Liaison figure (ingest excepted): its loops normally end on their request counts


def make_objects(n: int, seed: int = 7) -> list[dict]:
    """n STIX 2.1 objects: per ten, one identity, five indicators, four relationships (indicates)."""
    rnd = random.Random(seed)
    ident = ind = None
    out = []
    for i in range(n):
        ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1735689600 + i))
        kind = "identity" if i % 10 == 0 or ident is None else "indicator" if i % 10 <= 5 or ind is None else "relationship"
        obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.UUID(int=rnd.getrandbits(128), version=4)}",
               "created": ts, "modified": ts, "object_marking_refs": [TLP_IDS[i % 5]]}
        if kind == "identity":
            obj.update(name=f"Organisation {i}", identity_class="organization")
            ident = obj["id"]
        elif kind == "indicator":
            obj.update(name=f"Indicator {i}", pattern=f"[ipv4-addr:value = '10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}']",
                       pattern_type="stix", valid_from=ts)
            ind = obj["id"]
        else:
            obj.update(relationship_type="indicates", source_ref=ind, target_ref=ident)
        out.append(obj)
    return out


class Server:
    """One TAXII server process on a free loopback port, and the path of its collection's objects."""

    def __init__(self, argv: list[str], env: dict[str, str], auth: str, objects: str = "") -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.headers, self.objects = {"Accept": TAXII, "Authorization": auth}, objects
        self.proc = subprocess.Popen([a.format(port=self.port) for a in argv], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            try:
                get(self.conn(5), "/taxii2/", self.headers)
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{argv[0]} did not start") from None
                time.sleep(0.2)

    def conn(self, timeout: float = 600) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


def start_liaison(home: Path) -> Server:
    """A fresh SQLite store, a partner with write access to one collection (all by the CLI), then the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.update(LIAISON_HOME=str(home), LIAISON_DATABASE_URL=f"sqlite:///{home / 'liaison.db'}", COLUMNS="200")

    def cli(*args: str) -> str:
        return subprocess.run([str(BIN / "liaison"), *args], env=env, capture_output=True, text=True, check=True).stdout

    token = next(x for x in cli("partners", "add", "bench", "--name", "Bench").split() if x.startswith("liaison_"))
    cid = re.search(r"id ([0-9a-f-]{36})", cli("collections", "add", "bench", "--default-tlp", "green"))[1]
    cli("collections", "grant", "bench", "bench", "--write")
    return Server([str(BIN / "liaison"), "serve", "--port", "{port}", "--workers", "2"], env, f"Bearer {token}",
                  f"/taxii2/api/collections/{cid}/objects/")


def added_stamp(i: int) -> str:
    """The date_added of object i in medallion's data file (one microsecond apart)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1764000000 + i // 1_000_000)) + f".{i % 1_000_000:06d}Z"


def medallion_config(folder: Path, objects: list[dict]) -> Path:
    """medallion's config and data file: one API root, one writeable collection holding ``objects``."""
    manifest = [{"id": o["id"], "date_added": added_stamp(i), "version": o["modified"],
                 "media_type": "application/stix+json;version=2.1"} for i, o in enumerate(objects)]
    collection = {"id": MEDALLION_COLLECTION, "title": "bench", "can_read": True, "can_write": True,
                  "media_types": ["application/stix+json;version=2.1"], "objects": objects, "manifest": manifest}
    data = {"/discovery": {"title": "bench", "default": "http://127.0.0.1/api1/", "api_roots": ["http://127.0.0.1/api1/"]},
            "api1": {"information": {"title": "bench", "versions": [TAXII], "max_content_length": 10_000_000},
                     "status": [], "collections": [collection]}}
    folder.mkdir()
    (folder / "data.json").write_text(json.dumps(data))
    config = {"backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                          "filename": str(folder / "data.json"), "session_timeout": 3600},
              "users": {"bench": "pass"}, "taxii": {"max_page_size": BATCH}}
    (folder / "config.json").write_text(json.dumps(config))
    return folder / "config.json"


def start_medallion(config: Path) -> Server:
    return Server([str(BIN / "medallion"), "--port", "{port}", str(config)], dict(os.environ),
                  "Basic " + base64.b64encode(b"bench:pass").decode(), f"/api1/collections/{MEDALLION_COLLECTION}/objects/")


# ---------------------------------------------------------------- the figures; each returns (value, bound, note)
def ingest(server: Server, objects: list[dict], budget: float) -> tuple[tuple, list[dict]]:
    last: list[dict] = []
    deadline = time.monotonic() + budget
    headers = dict(server.headers, **{"Content-Type": TAXII})
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=600) as client:
        t0, done = time.perf_counter(), 0
        for i in range(0, len(objects), BATCH):
            if time.monotonic() > deadline:
                break
            body = json.dumps({"objects": objects[i : i + BATCH]}, separators=(",", ":"))
            resp = client.post(server.objects, content=body, headers=headers)
            status = resp.json()
            assert resp.status_code == 202 and not status.get("failure_count"), resp.text[:500]
            done += status["success_count"]
            last = status["successes"]
        secs = time.perf_counter() - t0
    note = "" if done == len(objects) else f"{done:,} of {len(objects):,} in budget"
    return (done / secs, "", note), last


def paging(server: Server, total: int, budget: float) -> tuple:
    """GET every object, a page of BATCH at a time, following ``next`` until ``more`` is false."""
    conn, received, query, t0 = server.conn(budget), 0, {"limit": BATCH}, time.perf_counter()
    try:
        while time.perf_counter() - t0 < budget:
            status, body = get(conn, f"{server.objects}?{urlencode(query)}", server.headers)
            assert status == 200, body[:300]
            page = json.loads(body)
            received += len(page.get("objects", []))
            if not page.get("more"):
                assert received == total, (received, total)
                return total / (time.perf_counter() - t0), "", ""
            query["next"] = page["next"]
    except TimeoutError:
        pass
    secs = time.perf_counter() - t0  # no full pass within budget: the rate is below total / secs
    return total / secs, "<", f"{received:,} of {total:,} in {secs:.0f} s"


def readers(server: Server, paths: list[str], threads: int, budget: float) -> dict:
    """``threads`` threads share ``paths``, each on its own connection, until done or the budget runs out.

    A request still unanswered a budget after the deadline is cut (counted as unfinished, not as an error)."""
    lat: list[float] = []
    errors: Counter[str] = Counter()
    cut = [0]
    deadline = time.monotonic() + budget

    def run(mine: list[str]) -> None:
        conn = server.conn()
        for path in mine:
            if time.monotonic() > deadline:
                return
            conn.timeout = max(1.0, deadline + budget - time.monotonic())
            if conn.sock:
                conn.sock.settimeout(conn.timeout)
            t = time.perf_counter()
            try:
                status, _ = get(conn, path, server.headers)
            except TimeoutError:
                cut[0] += 1
                return
            except (OSError, http.client.HTTPException) as exc:
                errors[type(exc).__name__] += 1
                conn.close()
                continue
            lat.append(time.perf_counter() - t)
            if status != 200:
                errors[f"HTTP {status}"] += 1

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(run, [paths[k::threads] for k in range(threads)]))
    return {"lat": sorted(lat), "secs": time.perf_counter() - t0, "errors": errors, "cut": cut[0], "n": len(paths)}


def summary(res: dict, q: float | None = None) -> tuple:
    """The q-quantile latency in ms (nearest rank), or with q None the requests/s; bounds when nothing finished."""
    lat, n = res["lat"], res["n"]
    note = "" if len(lat) == n else f"{len(lat):,} of {n:,} in budget"
    if q is None:
        return (len(lat) / res["secs"], "", note) if lat else (1 / res["secs"], "<", note)
    return (lat[max(0, math.ceil(q * len(lat)) - 1)] * 1000, "", note) if lat else (res["secs"] * 1000, ">", note)


def measure(server: Server, restart, objects: list[dict], poll_after: str, budget: float, args) -> dict:  # noqa: ANN001
    """The read figures over a server holding ``objects``; ``restart`` gives a fresh process between figures."""
    rnd = random.Random(11)
    indicators = [o["id"] for o in objects if o["type"] == "indicator"]
    by_id = [f"{server.objects}?" + urlencode({"match[type]": "indicator", "match[id]": rnd.choice(indicators)})
             for _ in range(args.requests)]
    poll = f"{server.objects}?" + urlencode({"match[type]": "indicator", "added_after": poll_after})
    out = {"full paging, objects/s": paging(server, len(objects), 3 * budget)}
    res = readers(server := restart(server), by_id[: args.latency], 1, budget)
    out["GET by id p50, ms"], out["GET by id p99, ms"] = summary(res, 0.5), summary(res, 0.99)
    res = readers(server := restart(server), [poll] * args.latency, 1, budget)
    out["GET added_after p50, ms"], out["GET added_after p99, ms"] = summary(res, 0.5), summary(res, 0.99)
    for threads in (8, 32):
        res = readers(server := restart(server), by_id, threads, budget)
        out[f"{threads} readers, requests/s"] = summary(res)
        kinds = [f"{k} x{v}" for k, v in res["errors"].items()] + ([f"{res['cut']} cut by budget"] if res["cut"] else [])
        out[f"{threads} readers, errors"] = (res["errors"].total(), "", ", ".join(kinds))
    return out


def check_rate(objects: list[dict]) -> float:
    """Objects/s that the POST checks alone (stix2 parse and the rest of `prepare`) reach in this process on
    one core, over up to 3,000 of the objects: the ceiling an ingest that validates every object can reach
    is about this times the cores."""
    from liaison.share.objects import prepare_all
    from liaison.store.sharing import Reader

    sample = objects[:3000]
    prepare_all(sample[:200], Reader("bench", None), "green")  # warm: stix2's pattern parser builds its DFA
    t0 = time.perf_counter()
    prepare_all(sample, Reader("bench", None), "green")
    return len(sample) / (time.perf_counter() - t0)


def run_size(n: int, args: argparse.Namespace) -> dict[str, dict]:
    objects = make_objects(n)
    results: dict[str, dict] = {"check": {"rate": check_rate(objects)}}
    started: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="taxii-bench-") as tmp:
        try:
            started.append(server := start_liaison(Path(tmp) / "home"))
            first, last = ingest(server, objects, float("inf"))  # whole: the read figures need every object
            poll_after = last[-20]["date_added"]  # the last 19 objects were added after it
            results["Liaison"] = {"POST ingest, objects/s": first,
                                  **measure(server, lambda s: s, objects, poll_after, LIAISON_BUDGET, args)}
            server.stop()
            print(f"  {n:,} objects: Liaison done", flush=True)
            if args.liaison_only:
                print(json.dumps({k: v[0] for k, v in results["Liaison"].items()}, indent=1))
                return results
            started.append(empty := start_medallion(medallion_config(Path(tmp) / "empty", [])))
            first, _ = ingest(empty, objects, args.ingest_budget or args.budget)
            empty.stop()
            config = medallion_config(Path(tmp) / "full", objects)

            def fresh(old: Server) -> Server:
                old.stop()
                started.append(new := start_medallion(config))
                return new

            results["medallion"] = {"POST ingest, objects/s": first,
                                    **measure(fresh(empty), fresh, objects, added_stamp(n - 20), args.budget, args)}
            print(f"  {n:,} objects: medallion done", flush=True)
        finally:
            for s in started:
                s.stop()
    return results


def num(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"


def show(value: tuple) -> str:
    v, bound, note = value
    return f"{bound} {num(v)}".strip() + (f" ({note})" if note else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="object counts, comma separated (default 10000,100000)")
    ap.add_argument("--budget", type=float, default=None, help="seconds each medallion figure may take (default 10)")
    ap.add_argument("--requests", type=int, default=2000, help="requests per concurrent-readers figure")
    ap.add_argument("--latency", type=int, default=400, help="sequential requests per latency figure")
    ap.add_argument("--quick", action="store_true", help="2,000 objects, 5 s budgets, fewer requests")
    ap.add_argument("--ingest-budget", type=float, default=None,
                    help="seconds medallion's POST ingest may take (default: --budget); its ingest is quadratic, so "
                         "a short budget over-estimates its rate at 100,000")
    ap.add_argument("--liaison-only", action="store_true", help="measure Liaison alone and print its figures (no table)")
    args = ap.parse_args()
    if args.quick:
        args.requests, args.latency = 400, 100
    sizes = [int(s) for s in (args.sizes or ("2000" if args.quick else "10000,100000")).split(",")]
    args.budget = args.budget or (5.0 if args.quick else 10.0)

    from rich.console import Console
    from rich.table import Table

    results = {n: run_size(n, args) for n in sizes}
    if args.liaison_only:
        return
    table = Table(title=f"TAXII server speed: Liaison (2 workers, SQLite) vs medallion 3.0.0 (memory backend), "
                        f"loopback, {os.cpu_count()} cores, medallion budget {args.budget:.0f} s per figure (paging 3x)")
    for col in ("figure", "objects", "Liaison", "medallion", "ratio"):
        table.add_column(col, justify="left" if col == "figure" else "right")
    misses = []
    for name in results[sizes[0]]["Liaison"]:
        for n in sizes:
            lia, med = results[n]["Liaison"][name], results[n]["medallion"][name]
            ratio = ""
            if "errors" in name and lia[0]:
                misses.append(f"{lia[0]} errors under {name.split()[0]} readers at {n:,}")
            elif "errors" not in name:
                r = med[0] / lia[0] if name.endswith("ms") else lia[0] / med[0]
                ratio = f"{'>' if med[1] else ''}{num(r)}x"
                if r < 10 or lia[1]:
                    misses.append(f"{name} at {n:,}: {ratio}")
            table.add_row(name, f"{n:,}", show(lia), show(med), ratio)
        table.add_section()
    Console(width=200).print(table)
    cores = os.cpu_count() or 1
    for n in sizes:
        rate, got = results[n]["check"]["rate"], results[n]["Liaison"]["POST ingest, objects/s"][0]
        print(f"At {n:,}: the POST checks alone (stix2) run at {num(rate)} objects/s on one core, so an ingest that "
              f"checks every object tops out near {num(rate * cores)}/s on {cores} cores; Liaison's POST ingest "
              f"reached {got / (rate * cores):.0%} of that.")
    big = max(sizes)
    p99 = max(results[big]["Liaison"][k][0] for k in ("GET by id p99, ms", "GET added_after p99, ms"))
    if big >= 100_000 and p99 >= 20:
        misses.append(f"filtered GET p99 {p99:.1f} ms at {big:,} (target < 20 ms)")
    print(f"Filtered GET p99 at {big:,} objects: {p99:.1f} ms (target < 20 ms at 100,000)")
    print("Targets met: all" if not misses else "Targets missed: " + "; ".join(misses))


if __name__ == "__main__":
    main()
