"""Web UI speed at size: p50/p95 server time of every page on a generated 100,000-document store.

    .venv/bin/python bench/web_bench.py [--documents 100000] [--quick] [--baseline 1000] [--rounds 2]
                                        [--cache bench/out/web] [--json bench/out/web_bench.json] [--markdown]

Why it is built this way:
  - The store is generated (bench/web_data.py: rows shaped like a real ingest's, Zipf-like names,
    the TLP mix, partners with and without grants) and cached under --cache by size, seed and
    generator (migrated forward in place), so a rerun starts in seconds; a first 100,000-document
    build takes minutes. Each run empties the audit log and gives it 300,000 rows (a year of
    TAXII requests and page views), so the sharing admin's log is read at a size too.
  - Server time is measured in process, around the ASGI application (the app as `liaison serve`
    builds it: create_app), from the request's start to the last byte of its body, through a
    fastapi TestClient signed in through the real sign-in form. No network, no browser: what is
    timed is what the server does for a page.
  - Every page is asked as this installation's analyst and as a member of partner alpha, whose
    every query carries the access rule's SQL (the expensive path), with several different
    parameters per page: different documents and entities (frequent names and rare ones), filters,
    search terms, and pages deep into pagination (reached as a reader does: by the Next links'
    cursors). The sharing admin's pages are asked as an administrator. One request per page warms
    it first (not counted).
  - A download (the events CSV, filtered or of 10,000 rows) is judged on its first byte, what its
    reader waits for before the file streams: the header goes out with the first 100 rows, so that
    byte waits for the query and its first rows; the time to its last byte is shown beside it (it
    grows with its rows).
  - Two baselines in the same run, on the same machine at the same moment (the machine's cores are
    shared, so absolute figures move): each page's p95 against the sign-in page's p95 (a page that
    reads almost nothing), and against the same page on a small store (--baseline documents; 0 to
    skip). The target: every page under 100 ms p95 at 100,000 documents.
  - Work the server does off the request path, in its threads (the names search and the events
    filter look in, read at start, and the dashboard's counts made again after a change), is
    waited for before the next page is timed, and its length printed: it is not any page's server
    time, but it is work the machine does.
  - The measured store's file is read once from start to end before the run, so the run starts
    with it in the operating system's page cache, as a serving store is (page times then are the
    server's work, not the disk's; on a cold cache a first visit also waits for its pages' reads).
  - A slow page stops being asked after --budget seconds (each page and user gets at least three
    requests), so a run at size ends in minutes whatever the pages cost; n says how many were made.
  - A page whose route is not mounted yet is reported as such, not failed; any answer other than
    the expected status is counted and shown.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).parent))

import web_data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Timed:
    """The ASGI app, timed: ``last`` is the server time of the latest request, in seconds, to its
    last byte; ``first`` to its first byte of body (what a download's reader waits for)."""

    def __init__(self, app: Any) -> None:  # noqa: ANN401
        self.app, self.last, self.first = app, 0.0, 0.0

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        start = time.perf_counter()
        self.first = 0.0

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.body" and message.get("body") and not self.first:
                self.first = time.perf_counter() - start
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.last = time.perf_counter() - start
            self.first = self.first or self.last


@dataclass
class Samples:
    """The parameters a page is asked with, drawn from the store it runs on."""

    documents: list[str]  # documents both users may see
    strict_documents: list[str]  # documents only the analyst may see
    entities: list[str]  # entity keys: frequent ones first, then rare
    names: list[str]  # entity names to filter and search by
    places: list[str]  # place keys with events
    terms: list[str]  # search queries
    deep: dict[str, str] = field(default_factory=dict)  # places deep in the events' orders, as Next links carry them
    objects: list[str] = field(default_factory=list)  # STIX object ids (reports, events) for the sharing admin
    document_objects: list[tuple[str, str]] = field(default_factory=list)  # (document, its report or event) both see
    jobs: list[str] = field(default_factory=list)  # the analyst's finished ingest jobs (bench_jobs)


@dataclass
class Page:
    name: str
    route: str  # the route's path as mounted, to tell whether it is there yet
    urls: Callable[[Samples], list[str]]
    partner: bool = True  # asked as the partner member too
    statuses: tuple[int, ...] = (200,)
    admin: bool = False  # a sharing admin page: asked as the administrator only
    download: bool = False  # a download: judged on its first byte; its whole time is shown beside it


def _q(path: str, **params: Any) -> str:  # noqa: ANN401
    params = {k: v for k, v in params.items() if v is not None}
    return path + ("?" + urlencode(params) if params else "")


def _entity(key: str) -> str:
    return "/entities/" + quote(key, safe="")


def _object(document: str, object_id: str) -> str:
    return f"/documents/{document}/objects/{quote(object_id, safe='')}"


def pages() -> list[Page]:
    ev = "/events"

    def event_filters(s: Samples) -> list[dict[str, Any]]:
        return [{}, {"type": "airstrike"}, {"entity": s.names[0]}, {"entity": s.names[-1]}, {"place": "Iraq"},
                {"since": "2020-01-01", "until": "2020-12-31"}, {"sort": "-confidence"}, {"sort": "type"},
                {"source": "Levant Wire"}, {"confidence": "80"}, {"entity_key": s.entities[0]},
                {"entity_key": s.entities[-1]}, {"place_key": s.places[0]}, {"after": s.deep["date 5000"]},
                {"after": s.deep["date 20000"]}, {"type": "raid_or_arrest", "since": "2024-01-01", "until": "2024-06-30"},
                # pages 100 and 400 as a reader reaches them (Next links; the 400th page back by Previous),
                # and the deepest offset the pages take (web.events.MAX_OFFSET)
                {"before": s.deep["date 20000"]}, {"sort": "type", "after": s.deep["type 20000"]},
                {"offset": "1000"}]

    return [
        Page("sign-in", "/login", lambda s: ["/login"] * 30),  # the baseline: enough requests for a steady p95
        Page("dashboard", "/", lambda s: ["/"]),
        Page("document", "/documents/{document_id}", lambda s: [f"/documents/{d}" for d in s.documents]),
        Page("document (strict, analyst)", "/documents/{document_id}",
             lambda s: [f"/documents/{d}" for d in s.strict_documents], partner=False),
        Page("ingest", "/ingest", lambda s: ["/ingest"], partner=False),
        Page("ingest job", "/ingest/jobs/{job_id}", lambda s: [f"/ingest/jobs/{j}" for j in s.jobs], partner=False),
        Page("ingest job status", "/ingest/jobs/{job_id}/status",
             lambda s: [f"/ingest/jobs/{j}/status" for j in s.jobs], partner=False),
        Page("document object", "/documents/{document_id}/objects/{object_id}",
             lambda s: [_object(d, o) for d, o in s.document_objects]),
        Page("document object json", "/documents/{document_id}/objects/{object_id}/json",
             lambda s: [_object(d, o) + "/json" for d, o in s.document_objects]),
        Page("dashboard figures", "/dashboard/figures", lambda s: ["/dashboard/figures"]),
        Page("password", "/password", lambda s: ["/password"]),
        Page("entity", "/entities/{ref:path}", lambda s: [_entity(k) for k in s.entities]),
        Page("events", ev, lambda s: [_q(ev, **f) for f in event_filters(s)]),
        Page("timeline", "/timeline", lambda s: [_q("/timeline", **f) for f in event_filters(s)
                                                 if "sort" not in f]),
        Page("events.csv (filtered)", "/events.csv", lambda s: [
            _q("/events.csv", type="airstrike", since="2023-01-01", until="2023-03-31"),
            _q("/events.csv", entity_key=s.entities[-1]), _q("/events.csv", place_key=s.places[-1]),
            _q("/events.csv", type="meeting", since="2025-06-01", until="2025-06-30")], download=True),
        Page("events.csv (10,000 rows)", "/events.csv", lambda s: [_q("/events.csv"),
                                                                  _q("/events.csv", type="attack")], download=True),
        Page("graph", "/graph", lambda s: [_q("/graph", entity=k) for k in s.entities]
             + [_q("/graph", entity=n) for n in s.names]),
        Page("graph data", "/graph/data", lambda s: [_q("/graph/data", node=f"entity:{k}") for k in s.entities]
             + [_q("/graph/data", node=f"event:{d}:0") for d in s.documents[:4]]),
        Page("map", "/map", lambda s: [_q("/map", **f) for f in event_filters(s)[:8]]),
        Page("map place", "/map/places/{ref:path}",
             lambda s: ["/map/places/" + quote(k, safe="") for k in s.places]),
        Page("search", "/search", lambda s: [_q("/search", q=t) for t in s.terms]
             + [_q("/search", q=s.terms[0], offset="200")]),
        Page("admin", "/admin", lambda s: ["/admin"], admin=True),
        Page("admin partners", "/admin/partners", lambda s: ["/admin/partners"], admin=True),
        Page("admin users", "/admin/users", lambda s: ["/admin/users"], admin=True),
        Page("admin collections", "/admin/collections", lambda s: ["/admin/collections"], admin=True),
        Page("admin audit", "/admin/audit", lambda s: [
            "/admin/audit", _q("/admin/audit", partner="alpha"), _q("/admin/audit", partner="delta"),
            _q("/admin/audit", user=web_data.ANALYST), _q("/admin/audit", since="2026-06-01"),
            _q("/admin/audit", before=str(AUDIT_ROWS // 2))], admin=True),
        Page("admin shared with", "/admin/shared", lambda s: [_q("/admin/shared", object=o) for o in s.objects],
             admin=True),
    ]


#: Rows the audit log is given before a run (a year of TAXII requests from four partners and web
#: views by the two users, newest last), so the sharing admin's log is read at a size too.
AUDIT_ROWS = 300_000
ADMIN = "bench-admin"


def fill_audit(conn: Any, rows: int = AUDIT_ROWS) -> None:  # noqa: ANN401
    import datetime as dt

    start = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=365) / rows
    partners = ["alpha", "bravo", "charlie", "delta"]
    batch = []
    for i in range(rows):
        web = i % 3 == 0
        batch.append({"at": (start + i * step).isoformat(sep=" "), "partner_id": None if web else partners[i % 4],
                      "remote": f"10.0.0.{i % 250}", "method": "GET",
                      "path": "/events" if web else "/taxii2/api/collections/reports/objects/",
                      "status": 200, "objects": 0 if web else 100,
                      "user_name": (web_data.ANALYST if i % 2 else web_data.PARTNER_MEMBER) if web else None})
        if len(batch) == 20_000:
            conn.exec_driver_sql("INSERT INTO audit (at, partner_id, remote, method, path, status, objects, user_name)"
                                 " VALUES (:at, :partner_id, :remote, :method, :path, :status, :objects, :user_name)",
                                 batch)
            batch = []
    if batch:
        conn.exec_driver_sql("INSERT INTO audit (at, partner_id, remote, method, path, status, objects, user_name)"
                             " VALUES (:at, :partner_id, :remote, :method, :path, :status, :objects, :user_name)",
                             batch)


def samples(store: Any, rng: random.Random, count: int = 12) -> Samples:  # noqa: ANN401
    """Parameters drawn from the store: documents the partner member may see and some only the
    analyst may, and the entities and places of those documents, frequent and rare."""
    from sqlalchemy import func, select

    from liaison.store.access import partner_member, visible_documents
    from liaison.store.schema import DocumentObjectRow, DocumentRow, EntityLinkRow, EntityRow, EventRoleRow

    docs, ent, roles = DocumentRow.__table__, EntityRow.__table__, EventRoleRow.__table__
    links = EntityLinkRow.__table__
    with store.engine.connect() as conn:
        total = conn.execute(select(func.max(docs.c.stem))).scalar_one()
        n = int(total.rsplit("-", 1)[1]) + 1
        identity = conn.exec_driver_sql("SELECT identity_id FROM partners WHERE id = 'alpha'").scalar_one()
        actor = partner_member("alpha", identity)
        stems = [f"report-{i:06d}" for i in rng.sample(range(n), min(n, 400))]
        rows = conn.execute(select(docs.c.id, docs.c.stem, visible_documents(actor).label("seen"))
                            .where(docs.c.stem.in_(stems))).all()
        seen = [r.id for r in rows if r.seen]
        hidden = [r.id for r in rows if not r.seen]
        rng.shuffle(seen)
        rng.shuffle(hidden)
        pool = web_data.entity_pool(random.Random(web_data.SEED), web_data.pool_size(n))
        # the names most repeated (countries aside), each its own resolved entity
        frequent = [e for e in pool[:60] if e.type != "country" and e.cluster == e.key][:3]
        keys = [e.key for e in frequent]
        # the entities of the sampled documents, by their resolved entity (what the entity page is named by)
        rare = conn.execute(select(links.c.entity, ent.c.canonical).join(
            links, (links.c.document_id == ent.c.document_id) & (links.c.entity_key == ent.c.key))
            .where(ent.c.document_id.in_(seen[:count]))).all()
        by_rank = {e.key: i for i, e in enumerate(pool)}
        rare = sorted({r.entity: r.canonical for r in rare}.items(), key=lambda kv: by_rank.get(kv[0], 0))
        keys += [k for k, _ in rare[-count + 3:]]
        dob = DocumentObjectRow.__table__
        objects = conn.execute(select(dob.c.object_id).where(
            dob.c.document_id.in_(seen[:3] + hidden[:1]),
            dob.c.object_id.startswith("report--") | dob.c.object_id.startswith("event--"))
            .order_by(dob.c.object_id)).scalars().all()[:6]
        # a report and an event of each of four documents both users may see: the object's page and its JSON
        pairs = conn.execute(select(dob.c.document_id, dob.c.object_id).where(
            dob.c.document_id.in_(seen[:4]),
            dob.c.object_id.startswith("report--") | dob.c.object_id.startswith("event--"))
            .order_by(dob.c.document_id, dob.c.object_id)).all()
        document_objects = []
        for d in seen[:4]:
            for kind in ("report--", "event--"):
                first = next((o for dd, o in pairs if dd == d and o.startswith(kind)), None)
                if first is not None:
                    document_objects.append((d, first))
        places = [k for k, in conn.execute(select(roles.c.entity_key).where(
            roles.c.document_id.in_(seen[:count]), roles.c.role == "location").distinct())][:count]
    names = [frequent[0].canonical, *(c for _, c in rare[-2:])]
    rare_place = next((e.canonical for e in reversed(pool) if e.type == "place"), "Kismayo")
    terms = [frequent[0].canonical, "airstrike", "airstrikes killed", "Kismayo", rare_place, names[-1],
             "Islamik Stat", "coordination with partner forces", '"border security"', "militants -Iraq"]
    return Samples(seen[:count], hidden[:count // 2] or seen[:1], keys, names, places or ["loc:iraq"], terms,
                   deep_places(store), list(objects), document_objects, bench_jobs(store, seen[:count]))


#: The analyst's ingest jobs the job pages are asked for (fixed ids: a rerun reuses them).
JOBS = 3


def bench_jobs(store: Any, documents: list[str]) -> list[str]:  # noqa: ANN401
    """Finished ingest jobs of the analyst, as a web ingest leaves them: one file that landed, ten
    files that landed, and ten of which three failed with the CLI's one-line messages. Written in
    the store (as the audit rows are), so the job page and its status fragment read them as they
    read a real one; their ids are fixed, so a rerun reuses them."""
    from liaison.store.jobs import IngestJobs

    jobs, ids = IngestJobs(store), []
    for i, (files, failed) in enumerate(((1, 0), (10, 0), (10, 3))[:JOBS]):
        job_id = f"be{i:030x}"
        record = {"files": [{"name": f"report-{n:03d}.json", "document_id": None if n < failed else
                             documents[n % len(documents)] if documents else None,
                             "message": "report-000.json: not UTF-8 text (or a known binary format)"
                             if n < failed else "", "warnings": []} for n in range(files)],
                  "notes": [], "counts": {"documents": files - failed}}
        if jobs.get(job_id, web_data.ANALYST) is None:
            jobs.add(job_id, web_data.ANALYST, files, record)
        jobs.save(job_id, state="done", done=files, error="", record=record)
        ids.append(job_id)
    return ids


def deep_places(store: Any) -> dict[str, str]:  # noqa: ANN401
    """Where the 5,000th and 20,000th events are in the date order and the 20,000th in the type order
    (as the analyst sees them), written as a page's Next link writes them: the events page and the
    timeline are asked for the pages after them, as a reader who clicked that far would."""
    from liaison.store.access import own_analyst
    from liaison.store.reading import events

    out = {}
    for sort, n in (("date", 5000), ("date", 20000), ("type", 20000)):
        at = n
        while True:  # a small store (--quick) has fewer events: as deep as it goes
            rows = events.page(store, own_analyst(), events.EventFilter(), sort, at - 1, 1).rows
            if rows or at == 1:
                break
            at = max(1, at // 4)
        out[f"{sort} {n}"] = events.cursor_of(rows[0], sort) if rows else ""
    return out


def sign_in(client: Any, user: str) -> None:  # noqa: ANN401
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token, "no CSRF token on the sign-in page"
    res = client.post("/login", data={"name": user, "password": web_data.PASSWORD, "csrf_token": token.group(1),
                                      "next": "/"}, follow_redirects=False)
    if res.status_code != 303:
        raise SystemExit(f"web_bench: cannot sign in as {user}: {res.status_code}")


@dataclass
class Figure:
    page: str
    user: str
    documents: int
    times: list[float] = field(default_factory=list)  # ms
    bad: dict[str, int] = field(default_factory=dict)  # "status url" -> count
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (ms, url), slowest first
    background_s: float = 0.0  # what the server went on doing in its threads after the page's requests
    mounted: bool = True
    download: bool = False
    whole: list[float] = field(default_factory=list)  # a download's times to its last byte (ms)

    @property
    def p50(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def p95(self) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def measure(path: Path, documents: int, rounds: int, only: set[str] | None, budget: float = 30.0,
            seed: int = 1) -> list[Figure]:
    """Every page's server times on the store at ``path``, as the analyst and as the partner member."""
    from fastapi.testclient import TestClient

    from liaison.settings import Settings
    from liaison.share.app import create_app
    from liaison.store import open_store

    url = f"sqlite:///{path}"
    store = open_store(url)
    with store.engine.begin() as conn:  # earlier runs' page views, so each run starts alike
        conn.exec_driver_sql("DELETE FROM audit")
        fill_audit(conn)
    from liaison.store.users import Users

    users = Users(store)
    if users.get(ADMIN) is None:  # the sharing admin's pages are an administrator's
        users.add(ADMIN, None, admin=True, password=web_data.PASSWORD)
    rng = random.Random(seed)
    s = samples(store, rng)
    store.engine.dispose()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="web-bench-") as home:
        app = create_app(Settings(home=Path(home), database_url=url, validation_workers=1))
        timed = Timed(app)
        mounted = set(_paths(app.routes))
        for user in (web_data.ANALYST, web_data.PARTNER_MEMBER, ADMIN):
            with TestClient(timed, raise_server_exceptions=False) as signed, \
                    TestClient(timed, raise_server_exceptions=False) as anonymous:
                _wait_for_background()
                sign_in(signed, user)
                for pg in pages():
                    # The sign-in page is asked by a visitor not signed in (it would start a new session).
                    client = anonymous if pg.route == "/login" else signed
                    if only and pg.name not in only and pg.name != "sign-in":
                        continue
                    if user == web_data.PARTNER_MEMBER and not pg.partner:
                        continue
                    if pg.admin != (user == ADMIN) and pg.route != "/login":
                        continue  # the sharing admin's pages as the administrator, every other page as the others
                    who = {web_data.ANALYST: "analyst", web_data.PARTNER_MEMBER: "partner member"}.get(user, "admin")
                    fig = Figure(pg.name, who, documents, download=pg.download)
                    figures.append(fig)
                    if pg.route not in mounted:
                        fig.mounted = False
                        continue
                    urls = pg.urls(s)
                    client.get(urls[0])  # warm: templates compiled, the page's first statements prepared
                    asked = [u for _ in range(rounds) for u in urls]
                    while len(asked) < 10:
                        asked += urls
                    began = time.perf_counter()
                    for u in asked:
                        if len(fig.times) >= 3 and time.perf_counter() - began > budget:
                            break  # a slow page: its figures are from the requests made within budget
                        res = client.get(u, follow_redirects=False)
                        taken = (timed.first if pg.download else timed.last) * 1000
                        fig.times.append(taken)
                        fig.whole.append(timed.last * 1000)
                        fig.slowest = sorted([*fig.slowest, (taken, u)], reverse=True)[:3]
                        if res.status_code not in pg.statuses:
                            k = f"{res.status_code} {u[:80]}"
                            if res.is_redirect:
                                k += f" -> {res.headers.get('location')}"
                            fig.bad[k] = fig.bad.get(k, 0) + 1
                    fig.background_s = _wait_for_background()
    return figures


#: Threads the server starts for work off the request path: the names search and the events
#: filter look in, read at start, the dashboard's counts made again when the store changed.
BACKGROUND = ("names-warm", "dashboard-counts")


def _wait_for_background(limit: float = 300.0) -> float:
    """Let the server finish the work it does in threads (BACKGROUND), so that it is not timed as
    part of the next page; returns the seconds waited."""
    import threading

    started = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name in BACKGROUND:
            thread.join(limit)
    return time.perf_counter() - started


def _paths(routes: list[Any]) -> Any:  # noqa: ANN401
    """The paths of the app's routes, through included routers."""
    for r in routes:
        if getattr(r, "original_router", None) is not None:
            yield from _paths(r.original_router.routes)
        elif getattr(r, "routes", None) is not None and not getattr(r, "path", None):
            yield from _paths(r.routes)
        elif getattr(r, "path", None):
            yield r.path


def _p95(times: list[float]) -> float | None:
    if not times:
        return None
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _fmt(ms: float | None) -> str:
    return "-" if ms is None else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def report(big: list[Figure], small: list[Figure], documents: int, baseline: int) -> list[dict[str, Any]]:
    """The rows of the table: p50/p95 at size, p95 against the sign-in page's and the small store's."""
    signin = {f.user: f.p95 for f in big if f.page == "sign-in"}
    at_small = {(f.page, f.user): f.p95 for f in small}
    rows = []
    for f in big:
        row: dict[str, Any] = {"page": f.page, "user": f.user, "documents": documents, "mounted": f.mounted,
                               "requests": len(f.times), "p50_ms": f.p50, "p95_ms": f.p95,
                               "p95_vs_signin": f.p95 / signin[f.user] if f.p95 and signin.get(f.user) else None,
                               "small_p95_ms": at_small.get((f.page, f.user)), "bad": f.bad,
                               "slowest": [{"ms": round(ms, 1), "url": u} for ms, u in f.slowest],
                               "background_s": round(f.background_s, 2), "download": f.download,
                               "whole_p95_ms": _p95(f.whole) if f.download else None}
        row["p95_vs_small"] = (f.p95 / row["small_p95_ms"]) if f.p95 and row["small_p95_ms"] else None
        row["ok"] = f.p95 is not None and f.p95 < TARGET_MS and not f.bad
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]], documents: int, baseline: int, markdown: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    headers = ["page", "user", "n", "p50 ms", "p95 ms", "p95 / sign-in p95", f"p95 at {baseline:,} docs",
               f"p95 / p95 at {baseline:,}", "target"]
    lines = []
    for r in rows:
        if not r["mounted"]:
            lines.append([r["page"], r["user"], "", "not mounted", "", "", "", "", ""])
            continue
        ratio = lambda v: "-" if v is None else f"{v:.1f}x"  # noqa: E731
        verdict = "ok" if r["ok"] else ("over" if r["p95_ms"] and r["p95_ms"] >= TARGET_MS else "errors")
        page = r["page"]
        if r.get("download"):  # judged on its first byte; its last byte (the whole file) shown beside it
            page += f" (download: first byte; whole file p95 {_fmt(r['whole_p95_ms'])} ms)"
        lines.append([page, r["user"], str(r["requests"]), _fmt(r["p50_ms"]), _fmt(r["p95_ms"]),
                      ratio(r["p95_vs_signin"]), _fmt(r["small_p95_ms"]), ratio(r["p95_vs_small"]), verdict])
    table = Table(title=f"Web UI server time at {documents:,} documents (SQLite, in process; target p95 < "
                        f"{TARGET_MS:.0f} ms)")
    for h in headers:
        table.add_column(h, justify="left" if h in ("page", "user") else "right")
    for line in lines:
        table.add_row(*line)
    Console(width=160).print(table)
    for r in rows:
        for k, n in r["bad"].items():
            print(f"  {r['page']} ({r['user']}): {n} x {k}")
    for r in rows:
        if r.get("background_s", 0) >= 0.5:
            print(f"  {r['page']} ({r['user']}): then {r['background_s']:.1f} s of work in the server's threads "
                  f"({', '.join(BACKGROUND)}), waited for before the next page")
    print("slowest requests of the pages over target:")
    for r in rows:
        if r["mounted"] and r["p95_ms"] and r["p95_ms"] >= TARGET_MS:
            print(f"  {r['page']} ({r['user']}): " + ", ".join(f"{s['ms']:.0f} ms {s['url'][:70]}" for s in r["slowest"]))
    if markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(headers))) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")


def build(cache: Path, documents: int) -> Path:
    started = time.perf_counter()
    last = [started]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 15:
            last[0] = time.perf_counter()
            print(f"  {done:,}/{documents:,} documents ({time.perf_counter() - started:.0f} s)", flush=True)

    path, made = web_data.build_store(cache, documents, progress=progress)
    if made:
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s ({path.stat().st_size / 1e9:.2f} GB)")
    else:
        print(f"using the cached {path}")
    return path


def read_through(path: Path, chunk: int = 1 << 24) -> float:
    """Reads the store's file once from start to end, so that a run starts with it in the operating
    system's page cache, as a server's store is once it has served a while (the machine's memory
    holds it twice over); without this, a run measures whichever pages an earlier process happened
    to leave cached, and its first visits the disk. Returns the seconds taken."""
    started = time.perf_counter()
    with path.open("rb", buffering=0) as f:
        while f.read(chunk):
            pass
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=100_000, help="documents in the measured store")
    ap.add_argument("--quick", action="store_true", help="a smoke run: 2,000 documents against 200, one round")
    ap.add_argument("--baseline", type=int, default=1000, help="documents in the small store (0: none)")
    ap.add_argument("--rounds", type=int, default=2, help="passes over each page's parameters")
    ap.add_argument("--budget", type=float, default=30.0,
                    help="seconds per page and user after which no more requests are made (at least 3 are)")
    ap.add_argument("--pages", default="", help="only these pages (comma-separated names)")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "web", help="where generated stores are kept")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "web_bench.json", help="figures written here")
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown (for RESULTS.md)")
    args = ap.parse_args()
    if args.quick:
        args.documents, args.rounds = 2000, 1
        args.baseline = 200 if args.baseline == ap.get_default("baseline") else args.baseline
    if args.documents < 50:
        ap.error("--documents must be at least 50")
    # names are split at commas, but not at a thousands separator ("events.csv (10,000 rows)")
    only = {p.strip() for p in re.split(r",(?!\d{3})", args.pages) if p.strip()} or None
    big_path = build(args.cache, args.documents)
    small: list[Figure] = []
    if 0 < args.baseline < args.documents:
        small_path = build(args.cache, args.baseline)
        read_through(small_path)
        small = measure(small_path, args.baseline, args.rounds, only, args.budget)
    print(f"read {big_path.name} through the page cache in {read_through(big_path):.0f} s")
    big = measure(big_path, args.documents, args.rounds, only, args.budget)
    rows = report(big, small, args.documents, args.baseline)
    print_table(rows, args.documents, args.baseline, args.markdown)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    figures = {"documents": args.documents, "baseline": args.baseline, "rounds": args.rounds, "budget": args.budget,
               "target_ms": TARGET_MS, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rows": rows}
    args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
